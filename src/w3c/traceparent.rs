//! The W3C `traceparent` header (Trace Context Level 2).
//!
//! ```text
//! traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03
//!              |  |                                |                |
//!              |  trace-id: 16 bytes, lowercase    parent-id:       trace-flags: 01 sampled,
//!              |  hex, not all zero                8 bytes, ditto   02 random (Level 2)
//!              version: 2 lowercase hex digits, ff is invalid
//! ```
//!
//! Parsing ([`Traceparent::parse`]) is total and strict:
//! - Spaces and tabs around the value are trimmed first.
//! - Version `00` must be exactly 55 characters.
//! - A higher version (`01`–`fe`) is parsed by its first 55 characters when the next
//!   character is `-` or the end, so a future version that appends fields still links.
//! - Version `ff`, upper-case hex, all-zero ids and misplaced dashes are rejected with a
//!   [`TraceparentError`] naming the reason.
//!
//! Formatting ([`Traceparent::to_buf`], `Display`) always writes version `00` in lower
//! case, and only the flag bits this crate knows ([`TraceFlags::KNOWN`]); every other bit
//! is written as zero, as W3C asks of a participant that does not understand them.
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::prelude::*;
use core::fmt;
use core::str::FromStr;

use crate::ids::{hex_byte, IdError, SpanId, TraceId};
use crate::message::{display_message, message, Message};
use crate::swar;

/// Length of a version-00 `traceparent`.
pub const TRACEPARENT_LEN: usize = 55;

/// The `trace-flags` byte.
///
/// ```
/// use spanwire::w3c::TraceFlags;
/// let flags = TraceFlags::from_bits(0xff);
/// assert!(flags.is_sampled() && flags.is_random());
/// assert_eq!(flags.known(), TraceFlags::SAMPLED | TraceFlags::RANDOM);
/// assert_eq!(flags.known().to_string(), "03");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TraceFlags(u8);

impl TraceFlags {
    /// No flag set: not sampled, trace id not known to be random.
    pub const NONE: TraceFlags = TraceFlags(0x00);
    /// Bit 0: the caller may have recorded the trace.
    pub const SAMPLED: TraceFlags = TraceFlags(0x01);
    /// Bit 1 (Level 2): the right-most 7 bytes of the trace id are random.
    pub const RANDOM: TraceFlags = TraceFlags(0x02);
    /// Every bit this crate understands and writes.
    pub const KNOWN: TraceFlags = TraceFlags(0x03);

    /// Wraps a raw byte, unknown bits included.
    pub const fn from_bits(bits: u8) -> Self {
        TraceFlags(bits)
    }

    /// The raw byte.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Only the bits we know (sampled, random): what we write on the wire.
    pub const fn known(self) -> Self {
        TraceFlags(self.0 & Self::KNOWN.0)
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: TraceFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Bit 0.
    pub const fn is_sampled(self) -> bool {
        self.contains(Self::SAMPLED)
    }

    /// Bit 1.
    pub const fn is_random(self) -> bool {
        self.contains(Self::RANDOM)
    }

    /// These flags with bit 0 set to `sampled`.
    pub const fn with_sampled(self, sampled: bool) -> Self {
        if sampled {
            TraceFlags(self.0 | Self::SAMPLED.0)
        } else {
            TraceFlags(self.0 & !Self::SAMPLED.0)
        }
    }

    /// The two lowercase hex digits.
    pub fn to_hex(self) -> [u8; 2] {
        let mut out = [0u8; 2];
        crate::ids::encode_lower_hex(&[self.0], &mut out);
        out
    }
}

impl core::ops::BitOr for TraceFlags {
    type Output = TraceFlags;
    fn bitor(self, rhs: TraceFlags) -> TraceFlags {
        TraceFlags(self.0 | rhs.0)
    }
}

impl fmt::Display for TraceFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02x}", self.0)
    }
}

impl fmt::Debug for TraceFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceFlags({:02x})", self.0)
    }
}

/// Why a `traceparent` value was rejected. Offsets are in the trimmed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceparentError {
    /// Fewer than 55 bytes after trimming.
    TooShort { len: usize },
    /// The version is not two lowercase hex digits.
    InvalidVersion,
    /// Version `ff` is forbidden.
    ForbiddenVersion,
    /// Version `00` must be exactly 55 bytes; this one is longer.
    TrailingData { len: usize },
    /// A higher version longer than 55 bytes must continue with `-` at byte 55.
    BadFutureSuffix,
    /// A `-` was expected at this byte offset (2, 35 or 52).
    MissingDash { at: usize },
    /// The trace id is not 32 lowercase hex digits or is all zero.
    TraceId(IdError),
    /// The parent (span) id is not 16 lowercase hex digits or is all zero.
    ParentId(IdError),
    /// The flags are not two lowercase hex digits.
    InvalidFlags,
}

impl Message for TraceparentError {
    fn write_to(&self, out: &mut String) {
        match self {
            Self::TooShort { len } => message!(out, "traceparent is ", len, " bytes, at least 55 are needed"),
            Self::InvalidVersion => out.push_str("traceparent version is not two lowercase hex digits"),
            Self::ForbiddenVersion => out.push_str("traceparent version ff is invalid"),
            Self::TrailingData { len } => {
                message!(out, "traceparent version 00 must be exactly 55 bytes, found ", len)
            }
            Self::BadFutureSuffix => {
                out.push_str("traceparent of a higher version continues without a '-' after the flags")
            }
            Self::MissingDash { at } => message!(out, "traceparent needs a '-' at byte ", at),
            Self::TraceId(e) => message!(out, "traceparent trace-id: ", e),
            Self::ParentId(e) => message!(out, "traceparent parent-id: ", e),
            Self::InvalidFlags => out.push_str("traceparent trace-flags are not two lowercase hex digits"),
        }
    }
}

display_message!(TraceparentError);

impl core::error::Error for TraceparentError {}

/// A parsed `traceparent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traceparent {
    /// The version read (we always write `00`).
    pub version: u8,
    pub trace_id: TraceId,
    /// The caller's span id (`parent-id` on the wire).
    pub parent_id: SpanId,
    /// The flags as received, unknown bits included; [`TraceFlags::known`] drops them.
    pub flags: TraceFlags,
}

/// The flags byte when `bytes` is a valid canonical version-00 `traceparent` (exactly
/// 55 bytes, lowercase hex, dashes in place, neither id all zero), else `None`: the
/// caller then parses in full, which also names the error.
///
/// Every inbound request runs this, so the line is read as seven words
/// ([`CANONICAL_WORDS`]) in straight-line code, each tested against its part of the
/// template at once: 189 native instructions (callgrind) where looping over the ids'
/// digits eight at a time took 230, and in Node's wasm about 28 ns a check, from 30.
#[inline]
fn canonical_flags(bytes: &[u8]) -> Option<u8> {
    let line: &[u8; TRACEPARENT_LEN] = bytes.try_into().ok()?;
    let [w0, w1, w2, w3, w4, w5, w6] = &CANONICAL_WORDS;
    let mut sums = CanonicalSums::default();
    sums.add(line, w0)?;
    sums.add(line, w1)?;
    sums.add(line, w2)?;
    sums.add(line, w3)?;
    sums.add(line, w4)?;
    sums.add(line, w5)?;
    let last = sums.add(line, w6)?;
    if sums.bad != 0 || sums.trace == 0 || sums.span == 0 {
        return None;
    }
    // The flags are the last word's top two bytes, known by now to be lowercase hex
    // digits, so they decode without `hex_byte`'s checks (17 native instructions more).
    let digit = |b: u64| ((b & 0x0f) + 9 * (b >> 6 & 1)) as u8;
    Some(digit(last >> 48 & 0xff) << 4 | digit(last >> 56))
}

/// What [`canonical_flags`] gathers word by word: any byte out of place, and the ids'
/// digits XOR `0` (zero only for an all-zero id).
#[derive(Default)]
struct CanonicalSums {
    bad: u64,
    trace: u64,
    span: u64,
}

impl CanonicalSums {
    /// Folds in the word `w` describes, and returns it. Inlined into one straight line
    /// per word, where `w`'s masks are constants.
    #[inline(always)]
    fn add(&mut self, line: &[u8; TRACEPARENT_LEN], w: &CanonicalWord) -> Option<u64> {
        let word = swar::word(line.get(w.at..)?)?;
        self.bad |=
            (word & swar::HIGH) | (swar::lower_hex_bits(word) ^ w.hex) & w.hex | (word ^ w.literal) & w.literal_mask;
        let from_zero = word ^ swar::splat(b'0');
        self.trace |= from_zero & w.trace;
        self.span |= from_zero & w.span;
        Some(word)
    }
}

/// One word of the canonical check: where it starts in the line, and per byte (as
/// little-endian masks) whether it must be a lowercase hex digit (0x80 in `hex`) or the
/// literal byte in `literal` (0xFF in `literal_mask`), and whether it belongs to the
/// trace id or the parent id (0xFF in `trace` / `span`).
struct CanonicalWord {
    at: usize,
    hex: u64,
    literal: u64,
    literal_mask: u64,
    trace: u64,
    span: u64,
}

/// The canonical line: `T` a hex digit of the trace id, `S` of the parent id, `h` of
/// the flags; any other byte stands for itself.
const CANONICAL_TEMPLATE: &[u8; TRACEPARENT_LEN] = b"00-TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT-SSSSSSSSSSSSSSSS-hh";

/// [`CANONICAL_TEMPLATE`] as seven words at 0, 8, ..., 40, then 47: the last one
/// overlaps the one before by a byte so that all seven are whole.
#[allow(clippy::indexing_slicing)] // const evaluation: an index out of range fails the build
const CANONICAL_WORDS: [CanonicalWord; 7] = {
    const EMPTY: CanonicalWord = CanonicalWord { at: 0, hex: 0, literal: 0, literal_mask: 0, trace: 0, span: 0 };
    let mut words = [EMPTY; 7];
    let mut k = 0;
    while k < 7 {
        let at = if k == 6 { TRACEPARENT_LEN - 8 } else { k * 8 };
        let mut w = CanonicalWord { at, ..EMPTY };
        let mut j = 0;
        while j < 8 {
            let shift = 8 * j;
            match CANONICAL_TEMPLATE[at + j] {
                b'T' => {
                    w.hex |= 0x80 << shift;
                    w.trace |= 0xff << shift;
                }
                b'S' => {
                    w.hex |= 0x80 << shift;
                    w.span |= 0xff << shift;
                }
                b'h' => w.hex |= 0x80 << shift,
                literal => {
                    w.literal |= (literal as u64) << shift;
                    w.literal_mask |= 0xff << shift;
                }
            }
            j += 1;
        }
        words[k] = w;
        k += 1;
    }
    words
};

impl Traceparent {
    /// The flags a span under this parent carries on: sampled and random from version
    /// 00, only sampled from a higher version, whose other bits W3C leaves undefined
    /// ("parse ... the sampled bit of flags").
    ///
    /// ```
    /// use spanwire::w3c::{TraceFlags, Traceparent};
    /// let v00 = Traceparent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff").unwrap();
    /// assert_eq!(v00.known_flags(), TraceFlags::KNOWN);
    /// let vcc = Traceparent::parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff-x").unwrap();
    /// assert_eq!(vcc.known_flags(), TraceFlags::SAMPLED);
    /// ```
    pub const fn known_flags(&self) -> TraceFlags {
        if self.version == 0 {
            self.flags.known()
        } else {
            TraceFlags::from_bits(self.flags.bits() & TraceFlags::SAMPLED.bits())
        }
    }

    /// A version-00 traceparent for these ids and flags.
    pub const fn new(trace_id: TraceId, parent_id: SpanId, flags: TraceFlags) -> Self {
        Traceparent { version: 0, trace_id, parent_id, flags }
    }

    /// Parses a header value (see the module docs for the rules). Never panics.
    ///
    /// ```
    /// use spanwire::w3c::{Traceparent, TraceparentError};
    /// let tp = Traceparent::parse(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\t").unwrap();
    /// assert!(tp.flags.is_sampled());
    /// assert_eq!(
    ///     Traceparent::parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ///     Err(TraceparentError::ForbiddenVersion)
    /// );
    /// ```
    pub fn parse(value: &str) -> Result<Self, TraceparentError> {
        let value = super::trim_ows(value);
        let bytes = value.as_bytes();
        let len = bytes.len();
        if len < TRACEPARENT_LEN {
            return Err(TraceparentError::TooShort { len });
        }
        let version = hex_byte(bytes, 0).ok_or(TraceparentError::InvalidVersion)?;
        if version == 0xff {
            return Err(TraceparentError::ForbiddenVersion);
        }
        if version == 0 && len != TRACEPARENT_LEN {
            return Err(TraceparentError::TrailingData { len });
        }
        for at in [2, 35, 52] {
            if bytes.get(at) != Some(&b'-') {
                return Err(TraceparentError::MissingDash { at });
            }
        }
        // `str::get` is `None` off a char boundary, so non-ASCII input cannot panic here.
        let trace_id = TraceId::from_hex(value.get(3..35).unwrap_or_default()).map_err(TraceparentError::TraceId)?;
        let parent_id = SpanId::from_hex(value.get(36..52).unwrap_or_default()).map_err(TraceparentError::ParentId)?;
        let flags = hex_byte(bytes, 53).ok_or(TraceparentError::InvalidFlags)?;
        if len > TRACEPARENT_LEN && bytes.get(TRACEPARENT_LEN) != Some(&b'-') {
            return Err(TraceparentError::BadFutureSuffix);
        }
        Ok(Traceparent { version, trace_id, parent_id, flags: TraceFlags(flags) })
    }

    /// The trace flags of a valid `traceparent`, without decoding its ids: what
    /// [`Traceparent::parse`] would give as `flags`, or its error. The usual header (the
    /// canonical 55-byte version 00, nothing to trim) is checked in one pass over a
    /// shape table; anything else goes through `parse`.
    ///
    /// ```
    /// use spanwire::w3c::{Traceparent, TraceparentError};
    /// let flags = Traceparent::flags_of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// assert!(flags.is_sampled());
    /// assert!(Traceparent::flags_of("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_err());
    /// ```
    pub fn flags_of(value: &str) -> Result<TraceFlags, TraceparentError> {
        match canonical_flags(value.as_bytes()) {
            Some(flags) => Ok(TraceFlags(flags)),
            None => Self::parse(value).map(|tp| tp.flags),
        }
    }

    /// [`Traceparent::flags_of`] over bytes that need not be UTF-8 (a valid header is
    /// ASCII); `None` when they are not a valid `traceparent`.
    pub fn flags_of_bytes(value: &[u8]) -> Option<TraceFlags> {
        match canonical_flags(value) {
            Some(flags) => Some(TraceFlags(flags)),
            None => Self::flags_of(core::str::from_utf8(value).ok()?).ok(),
        }
    }

    /// The version-00 wire form in a fixed buffer, [known flag bits](Self::known_flags) only.
    pub fn to_buf(&self) -> TraceparentBuf {
        // The ids and flags are written in place over the template's dots (fixed
        // ranges: every `get` below succeeds).
        let mut out = *b"00-................................-................-..";
        if let Some(trace) = out.get_mut(3..35).and_then(|s| <&mut [u8; 32]>::try_from(s).ok()) {
            self.trace_id.write_hex(trace);
        }
        if let Some(span) = out.get_mut(36..52).and_then(|s| <&mut [u8; 16]>::try_from(s).ok()) {
            self.parent_id.write_hex(span);
        }
        if let Some(flags) = out.get_mut(53..55) {
            flags.copy_from_slice(&self.known_flags().to_hex());
        }
        TraceparentBuf(out)
    }
}

impl fmt::Display for Traceparent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_buf().as_str())
    }
}

impl FromStr for Traceparent {
    type Err = TraceparentError;
    fn from_str(value: &str) -> Result<Self, TraceparentError> {
        Self::parse(value)
    }
}

/// A formatted `traceparent` (55 ASCII bytes), built without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TraceparentBuf([u8; TRACEPARENT_LEN]);

impl TraceparentBuf {
    /// The header value.
    pub fn as_str(&self) -> &str {
        // Always ASCII: written only by `Traceparent::to_buf`.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; TRACEPARENT_LEN] {
        &self.0
    }
}

impl fmt::Display for TraceparentBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for TraceparentBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceparentBuf({:?})", self.as_str())
    }
}

impl PartialEq<str> for TraceparentBuf {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for TraceparentBuf {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)] // a test may panic
mod tests {
    use super::*;

    /// The word check against the plain definition (a 55-byte line that `parse` accepts
    /// with version `00`) for every byte value at every position of lines whose ids are
    /// one digit away from all zero, so that zeroing that digit must fail.
    #[test]
    fn canonical_flags_agrees_with_parse_on_every_single_byte_change() {
        let reference = |line: &[u8]| {
            let text = core::str::from_utf8(line).ok()?;
            let parsed = Traceparent::parse(text).ok()?;
            (line.len() == TRACEPARENT_LEN && parsed.version == 0).then_some(parsed.flags.0)
        };
        let bases = [
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000001-0000000000000001-ff",
            "00-10000000000000000000000000000000-1000000000000000-00",
            "00-0000000000000000000000000000000a-0f00000000000000-9e",
        ];
        let mut accepted = 0;
        for base in bases {
            assert_eq!(canonical_flags(base.as_bytes()), reference(base.as_bytes()), "{base}");
            for at in 0..TRACEPARENT_LEN {
                for b in 0..=255u8 {
                    let mut line = base.as_bytes().to_vec();
                    line[at] = b;
                    let expected = reference(&line);
                    accepted += usize::from(expected.is_some());
                    assert_eq!(canonical_flags(&line), expected, "{:?}", String::from_utf8_lossy(&line));
                }
            }
        }
        // Both answers occur: the hex digits that keep each line valid.
        assert!(accepted > 4 * 48 * 15, "{accepted}");
        for short in ["", "00-", &bases[0][..54]] {
            assert_eq!(canonical_flags(short.as_bytes()), None, "{short:?}");
        }
    }
}
