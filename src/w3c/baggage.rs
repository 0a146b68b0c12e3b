//! The W3C `baggage` header, and the one member spanwire owns: `braintrust.parent`.
//!
//! ```text
//! baggage: userId=alice, path=a%2Fb;prop=1, braintrust.parent=project_name%3AMy%20Proj
//!          key=value[;properties] list members, comma-separated
//! ```
//!
//! - **Members.** A list member is kept when its key (before the first `=`, spaces and
//!   tabs trimmed) is a non-empty RFC 7230 token and it holds no control character and no
//!   character above U+00FF. Its value and properties are kept byte for byte, W3C-valid or
//!   not, as the Braintrust SDKs do. Empty members and members without `=` are dropped.
//!   (W3C values are ASCII, percent-encoded beyond it. A character above U+00FF cannot be
//!   carried by an HTTP header at all: fetch's `Headers` and Node refuse it. Relayed, it
//!   would make `inject` into those carriers throw, and `span.inject()`'s object usually
//!   becomes fetch's headers.)
//! - **Limits** ([`MAX_MEMBERS`], [`MAX_BYTES`]) on parse and relay: the result is the
//!   leading run of whole members that fits in 64 members and 8192 UTF-8 bytes (members
//!   joined by `,`). The first member that does not fit ends the run, so a member is never
//!   cut, and a single member over the byte limit empties the header.
//! - **`braintrust.parent`**: `project_id:<id>`, `project_name:<name>` or
//!   `experiment_id:<id>`, percent-encoded ([`super::percent`]). If the key repeats, the
//!   last member wins. An unknown prefix, an empty id or a value that does not
//!   percent-decode (a bad `%` escape or invalid UTF-8: the JS SDK's behaviour) means no
//!   Braintrust parent.
//! - **Relay** ([`relay`]): the carrier's members, then the inbound members whose key the
//!   carrier does not already hold, then ours, last. Any old `braintrust.parent` is
//!   dropped. Ours reserves its slot and bytes first (64 existing members → 63 + ours).
//!
//! Nothing here panics, whatever the input size or content.
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::prelude::*;
use alloc::sync::Arc;
use core::fmt;

use super::{is_ows, member_end, percent, skip_ows, trim_end_ows};
use crate::message::{display_message, message, Message};

/// Most list members kept on parse or relay.
pub const MAX_MEMBERS: usize = 64;
/// Most bytes (UTF-8, members joined by `,`) kept on parse or relay.
pub const MAX_BYTES: usize = 8192;
/// The baggage key spanwire owns.
pub const BRAINTRUST_PARENT_KEY: &str = "braintrust.parent";

/// The Braintrust container a trace is logged under.
///
/// ```
/// use spanwire::w3c::BraintrustParent;
/// let parent: BraintrustParent = "project_name:My Proj".parse().unwrap();
/// assert_eq!(parent, BraintrustParent::ProjectName("My Proj".into()));
/// assert_eq!(parent.to_string(), "project_name:My Proj");
/// assert!("dataset_id:x".parse::<BraintrustParent>().is_err());
/// assert!("project_id:".parse::<BraintrustParent>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BraintrustParent {
    ProjectId(String),
    ProjectName(String),
    ExperimentId(String),
}

/// Why a `braintrust.parent` value was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BraintrustParentError {
    /// Not `project_id:`, `project_name:` or `experiment_id:`.
    UnknownPrefix,
    /// Nothing after the prefix.
    EmptyId,
    /// The member value did not percent-decode.
    Decode(percent::PercentError),
}

impl Message for BraintrustParentError {
    fn write_to(&self, out: &mut String) {
        match self {
            Self::UnknownPrefix => {
                out.push_str("braintrust.parent must start with project_id:, project_name: or experiment_id:")
            }
            Self::EmptyId => out.push_str("braintrust.parent has an empty id"),
            Self::Decode(e) => message!(out, "braintrust.parent: ", e),
        }
    }
}

display_message!(BraintrustParentError);

impl core::error::Error for BraintrustParentError {}

impl BraintrustParent {
    /// The prefix before `:`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ProjectId(_) => "project_id",
            Self::ProjectName(_) => "project_name",
            Self::ExperimentId(_) => "experiment_id",
        }
    }

    /// The id or name after the prefix.
    pub fn id(&self) -> &str {
        match self {
            Self::ProjectId(id) | Self::ProjectName(id) | Self::ExperimentId(id) => id,
        }
    }

    /// Parses a percent-encoded member value (`project_id%3Aabc` or `project_id:abc`).
    pub fn from_member_value(encoded: &str) -> Result<Self, BraintrustParentError> {
        percent::decode(encoded).map_err(BraintrustParentError::Decode)?.parse()
    }

    /// The complete member, `braintrust.parent=<percent-encoded value>`; pure ASCII.
    pub fn to_member(&self) -> String {
        let mut out = String::with_capacity(self.member_len());
        self.write_member(&mut out);
        out
    }

    /// Appends [`Self::to_member`] to `out`, without an intermediate string. The kind
    /// is written as it is: every kind is unreserved text, which encodes to itself.
    pub fn write_member(&self, out: &mut String) {
        debug_assert!(self.kind().bytes().all(percent::is_unreserved));
        out.push_str(BRAINTRUST_PARENT_KEY);
        out.push('=');
        out.push_str(self.kind());
        out.push_str("%3A");
        percent::encode_into(self.id(), out);
    }

    /// The byte length of [`Self::to_member`].
    pub fn member_len(&self) -> usize {
        BRAINTRUST_PARENT_KEY.len() + 1 + self.kind().len() + 3 + percent::encoded_len(self.id())
    }
}

impl core::str::FromStr for BraintrustParent {
    type Err = BraintrustParentError;

    /// Parses a decoded value such as `project_id:abc`.
    fn from_str(value: &str) -> Result<Self, BraintrustParentError> {
        let (kind, id) = value.split_once(':').ok_or(BraintrustParentError::UnknownPrefix)?;
        let make = match kind {
            "project_id" => Self::ProjectId,
            "project_name" => Self::ProjectName,
            "experiment_id" => Self::ExperimentId,
            _ => return Err(BraintrustParentError::UnknownPrefix),
        };
        if id.is_empty() {
            return Err(BraintrustParentError::EmptyId);
        }
        Ok(make(id.to_owned()))
    }
}

/// The decoded value, `kind:id`.
impl Message for BraintrustParent {
    fn write_to(&self, out: &mut String) {
        message!(out, self.kind(), ":", self.id())
    }
}

display_message!(BraintrustParent);

/// One list member: its text (trimmed), key and value (before any `;` property).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    pub text: &'a str,
    pub key: &'a str,
    pub value: &'a str,
}

/// See [`VALUE_PLAIN`].
fn is_value_plain(b: u8) -> bool {
    VALUE_PLAIN.get(usize::from(b)).is_some_and(|&t| t)
}

/// RFC 7230 `tchar`, one table lookup a byte (a key is checked byte by byte).
fn is_token_byte(b: u8) -> bool {
    TOKEN.get(usize::from(b)).is_some_and(|&t| t)
}

const TOKEN: [bool; 256] = super::alphanumeric_and(b"!#$%&'*+-.^_`|~");

/// The bytes a value is mostly made of: printable ASCII (not the space) or any byte of
/// a character from U+0080 to U+00FF (UTF-8 lead bytes `C2` and `C3`, continuation bytes
/// `80`..=`BF`), except `,` (which ends the piece) and `;` (which ends the value). One
/// table lookup a byte over the common run. A lead byte from `C4` up starts a character
/// above U+00FF, which drops the member, as a control character does.
#[allow(clippy::indexing_slicing)] // evaluated at compile time: an out-of-range index fails the build
const VALUE_PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0x21;
    while b < 0xc4 {
        table[b] = b != 0x7f && b != b',' as usize && b != b';' as usize;
        b += 1;
    }
    table
};

impl<'a> Member<'a> {
    /// Reads one comma-free piece of a header; `None` if it is not a member we keep
    /// (a piece holding a `,` is not one).
    pub fn parse(piece: &'a str) -> Option<Self> {
        match Self::read(piece, 0) {
            (member, end) if end == piece.len() => member,
            _ => None,
        }
    }

    /// Reads the piece of `header` from byte `from` to the next `,` or the end: the
    /// member it holds (`None` if it is not one we keep) and where the piece ends.
    ///
    /// One pass over the bytes: spaces and tabs, the key's token bytes, spaces and tabs,
    /// `=`, then the rest up to the `,` in runs of plain value bytes, between which the
    /// first `;` and the last byte that is not a space or tab are noted and a control
    /// character drops the member. Every cut is next to an ASCII byte, so every slice is
    /// on a character boundary.
    fn read(header: &'a str, from: usize) -> (Option<Self>, usize) {
        let bytes = header.as_bytes();
        let start = skip_ows(bytes, from);
        let mut i = start;
        while bytes.get(i).is_some_and(|&b| is_token_byte(b)) {
            i += 1;
        }
        let key_end = i;
        i = skip_ows(bytes, i);
        if key_end == start || bytes.get(i) != Some(&b'=') {
            return (None, member_end(bytes, i));
        }
        i += 1;
        let value_start = skip_ows(bytes, i);
        // `end`: one past the last byte that is not a space or tab (the text's end);
        // `semi`: the first `;` (the value's end, before trimming), if any.
        let (mut end, mut semi) = (i, None);
        loop {
            let run =
                bytes.get(i..).map_or(0, |rest| rest.iter().position(|&b| !is_value_plain(b)).unwrap_or(rest.len()));
            if run > 0 {
                i += run;
                end = i;
            }
            match bytes.get(i) {
                None | Some(b',') => break,
                Some(b';') => {
                    semi = semi.or(Some(i));
                    i += 1;
                    end = i;
                }
                Some(&b) if is_ows(b) => i += 1,
                Some(_) => return (None, member_end(bytes, i)), // a control character, DEL, or above U+00FF
            }
        }
        let value_end = match semi {
            Some(semi) => trim_end_ows(bytes, value_start, semi),
            None => end,
        };
        let text = header.get(start..end);
        let key = header.get(start..key_end);
        let value = header.get(value_start.min(value_end)..value_end);
        match (text, key, value) {
            (Some(text), Some(key), Some(value)) => (Some(Member { text, key, value }), i),
            _ => (None, i),
        }
    }

    /// Whether this is the `braintrust.parent` member.
    pub fn is_braintrust_parent(&self) -> bool {
        self.key == BRAINTRUST_PARENT_KEY
    }
}

/// The comma-separated pieces of a header, each read by [`Member::read`] as it is
/// found: the member it holds, if kept, and its byte length.
struct Pieces<'a> {
    header: &'a str,
    /// Where the next piece starts; `None` after the last.
    at: Option<usize>,
}

impl<'a> Pieces<'a> {
    fn new(header: &'a str) -> Self {
        Pieces { header, at: Some(0) }
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = (Option<Member<'a>>, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let from = self.at?;
        let (member, end) = Member::read(self.header, from);
        self.at = (end < self.header.len()).then_some(end + 1);
        Some((member, end - from))
    }
}

/// The members of a header that spanwire keeps, in order, before any limit.
pub fn members(header: &str) -> impl Iterator<Item = Member<'_>> {
    Pieces::new(header).filter_map(|(member, _)| member)
}

/// Counts members and bytes against the limits; `add` is false once one does not fit.
#[derive(Debug, Clone, Copy)]
struct Budget {
    members: usize,
    bytes: usize,
    used_members: usize,
    used_bytes: usize,
}

impl Budget {
    const fn new(members: usize, bytes: usize) -> Self {
        Budget { members, bytes, used_members: 0, used_bytes: 0 }
    }

    /// Whether all of `members` fit in a budget nothing has been added to yet.
    fn fits_whole(&self, members: &BaggageMembers) -> bool {
        self.used_members == 0 && members.len() <= self.members && members.as_str().len() <= self.bytes
    }

    fn add(&mut self, len: usize) -> bool {
        let cost = if self.used_members == 0 { len } else { len.saturating_add(1) };
        let bytes = self.used_bytes.saturating_add(cost);
        if self.used_members >= self.members || bytes > self.bytes {
            return false;
        }
        self.used_members += 1;
        self.used_bytes = bytes;
        true
    }
}

/// Baggage members to relay, trimmed and joined by `,`. Cloning is cheap (shared text).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct BaggageMembers {
    text: Option<Arc<str>>,
    count: usize,
}

impl BaggageMembers {
    /// No member.
    pub const EMPTY: BaggageMembers = BaggageMembers { text: None, count: 0 };

    /// The members joined by `,` (empty when there are none).
    pub fn as_str(&self) -> &str {
        self.text.as_deref().unwrap_or("")
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The members, in order.
    pub fn iter(&self) -> impl Iterator<Item = Member<'_>> {
        members(self.as_str())
    }

    fn from_joined(text: String, count: usize) -> Self {
        if count == 0 {
            BaggageMembers::EMPTY
        } else {
            BaggageMembers { text: Some(Arc::from(text)), count }
        }
    }
}

impl fmt::Debug for BaggageMembers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaggageMembers({:?})", self.as_str())
    }
}

/// An inbound `baggage` header, read within the limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboundBaggage {
    /// From the last `braintrust.parent` member kept, if it is valid.
    pub braintrust_parent: Option<BraintrustParent>,
    /// Every other member kept, to relay on inject.
    pub others: BaggageMembers,
}

/// Reads an inbound `baggage` value: the leading members within the limits, split into
/// the Braintrust parent and the members to relay. Never fails, never panics.
///
/// ```
/// use spanwire::w3c::{baggage, BraintrustParent};
/// let inbound = baggage::parse(" k1=v1 ; p=1 , braintrust.parent=project_id%3Aabc;prop , junk");
/// assert_eq!(inbound.braintrust_parent, Some(BraintrustParent::ProjectId("abc".into())));
/// assert_eq!(inbound.others.as_str(), "k1=v1 ; p=1");
/// ```
pub fn parse(header: &str) -> InboundBaggage {
    let mut budget = Budget::new(MAX_MEMBERS, MAX_BYTES);
    let mut last_parent: Option<&str> = None;
    // While every piece so far is a member kept as it stands (nothing trimmed or
    // dropped, no braintrust.parent), the joined members are a prefix of the header
    // itself: `verbatim` is that prefix's length and nothing is copied. The usual
    // inbound header is like that throughout and becomes the relayed text in one copy.
    let mut verbatim = Some(0usize);
    let mut others = String::new();
    let mut count = 0usize;
    for (member, piece_len) in Pieces::new(header) {
        let Some(member) = member else {
            verbatim = verbatim.and_then(|len| start_copy(header, len, &mut others));
            continue;
        };
        if !budget.add(member.text.len()) {
            break;
        }
        if member.is_braintrust_parent() {
            last_parent = Some(member.value);
            verbatim = verbatim.and_then(|len| start_copy(header, len, &mut others));
        } else if let (Some(len), true) = (verbatim, member.text.len() == piece_len) {
            verbatim = Some(if count == 0 { piece_len } else { len + 1 + piece_len });
            count += 1;
        } else {
            verbatim = verbatim.and_then(|len| start_copy(header, len, &mut others));
            if count > 0 {
                others.push(',');
            }
            others.push_str(member.text);
            count += 1;
        }
    }
    let others = match verbatim {
        Some(len) if count > 0 => {
            BaggageMembers { text: Some(Arc::from(header.get(..len).unwrap_or_default())), count }
        }
        _ => BaggageMembers::from_joined(others, count),
    };
    InboundBaggage { braintrust_parent: last_parent.and_then(|v| BraintrustParent::from_member_value(v).ok()), others }
}

/// Ends the verbatim run of [`parse`]: copies its `len` bytes of `header` into
/// `others` (the members joined so far) and returns `None`.
fn start_copy(header: &str, len: usize, others: &mut String) -> Option<usize> {
    others.reserve(header.len().min(MAX_BYTES));
    others.push_str(header.get(..len).unwrap_or_default());
    None
}

/// What to do with the carrier's `baggage` header on inject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaggageUpdate {
    /// Write this value (replacing any case-variant of the header).
    Set(String),
    /// Delete the header: the carrier had one and nothing is left of it (for example only
    /// a stale `braintrust.parent`).
    Remove,
    /// Nothing to write and no header to delete.
    Leave,
}

/// Builds the outbound `baggage` value: the carrier's members (`carrier`), then the
/// `inbound` members whose key the carrier lacks, then `ours` last; every old
/// `braintrust.parent` dropped; within the limits, with ours reserved first.
///
/// ```
/// use spanwire::w3c::baggage::{self, BaggageUpdate, BaggageMembers};
/// use spanwire::w3c::BraintrustParent;
/// let ours = BraintrustParent::ProjectId("p1".into());
/// let update = baggage::relay(Some("braintrust.parent=project_id%3Aold, k=v"), &BaggageMembers::EMPTY, Some(&ours));
/// assert_eq!(update, BaggageUpdate::Set("k=v,braintrust.parent=project_id%3Ap1".into()));
/// assert_eq!(baggage::relay(Some("braintrust.parent=x"), &BaggageMembers::EMPTY, None), BaggageUpdate::Remove);
/// ```
pub fn relay(carrier: Option<&str>, inbound: &BaggageMembers, ours: Option<&BraintrustParent>) -> BaggageUpdate {
    // Ours reserves one slot and its bytes (plus the comma before it) first. A member
    // that alone exceeds the byte limit cannot be sent at all.
    let ours_len = ours.map_or(0, BraintrustParent::member_len);
    let ours = ours.filter(|_| ours_len <= MAX_BYTES);
    let mut budget = match ours {
        Some(_) => Budget::new(MAX_MEMBERS - 1, MAX_BYTES.saturating_sub(ours_len + 1)),
        None => Budget::new(MAX_MEMBERS, MAX_BYTES),
    };
    let estimate = carrier.map_or(0, str::len) + inbound.as_str().len() + ours_len + 2;
    let mut out = String::with_capacity(estimate.min(MAX_BYTES));
    // Set once the inbound members are in, or once the budget is spent.
    let mut inbound_done = false;
    if carrier.is_none() && budget.fits_whole(inbound) {
        // The common outbound call: no baggage on the carrier yet. Every inbound member
        // fits, so the result starts with the inbound text as it is (its members were
        // trimmed and joined by `,` when parsed, and never include braintrust.parent).
        out.push_str(inbound.as_str());
        inbound_done = true;
    }
    let mut push = |member: &Member<'_>, budget: &mut Budget| {
        if !budget.add(member.text.len()) {
            return false;
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(member.text);
        true
    };
    // At most MAX_MEMBERS keys are kept from the carrier, so the duplicate check below
    // stays small however long the carrier's header is.
    let mut carrier_keys: Vec<&str> = Vec::new();
    for member in carrier.into_iter().flat_map(members).filter(|m| !m.is_braintrust_parent()) {
        if !push(&member, &mut budget) {
            inbound_done = true;
            break;
        }
        carrier_keys.push(member.key);
    }
    if !inbound_done {
        for member in inbound.iter().filter(|m| !m.is_braintrust_parent()) {
            if carrier_keys.contains(&member.key) {
                continue;
            }
            if !push(&member, &mut budget) {
                break;
            }
        }
    }
    if let Some(parent) = ours {
        if !out.is_empty() {
            out.push(',');
        }
        parent.write_member(&mut out);
    }
    match (out.is_empty(), carrier) {
        (false, _) => BaggageUpdate::Set(out),
        (true, Some(_)) => BaggageUpdate::Remove,
        (true, None) => BaggageUpdate::Leave,
    }
}
