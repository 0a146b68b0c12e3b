//! The W3C `tracestate` header (Trace Context Level 2), validated and carried unchanged.
//!
//! ```text
//! tracestate: rojo=00f067aa0ba902b7, congo=t61rcWkgMzE,tenant@vendor=x
//!             key=value list members, comma-separated, at most 32
//! ```
//!
//! Rules checked by [`validate`] (a failure drops the **whole** header):
//! - At most 32 list members. Empty members (only spaces/tabs) are allowed and ignored.
//! - `key`: `lcalpha 0*255(lcalpha / DIGIT / _ - * /)`, or `tenant@system` with a tenant
//!   of 1–241 chars starting with `lcalpha` or a digit and a system of 1–14 chars starting
//!   with `lcalpha`.
//! - `value`: 1–256 printable ASCII chars (0x20–0x7E) except `,` and `=`; the last one is
//!   not a space. No space is allowed around the `=`.
//! - No key appears twice.
//!
//! Several header lines are joined with `,` first. A valid header is kept as received
//! (only the spaces and tabs around the whole value are trimmed) and re-emitted on every
//! inject of the trace; spanwire never adds a member of its own.
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::prelude::*;
use alloc::sync::Arc;
use core::fmt;

use super::{is_ows, member_end, skip_ows};
use crate::message::{display_message, message, Message};

/// Most list members a valid `tracestate` may hold.
pub const MAX_MEMBERS: usize = 32;
const MAX_SIMPLE_KEY: usize = 256;
const MAX_TENANT: usize = 241;
const MAX_SYSTEM: usize = 14;
const MAX_VALUE: usize = 256;

/// Why a `tracestate` is invalid. `member` is the 0-based index of the offending list
/// member, empty members included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceStateError {
    /// No list member at all (empty or only commas and whitespace).
    Empty,
    /// More than 32 non-empty list members.
    TooManyMembers,
    /// A member has no `=`.
    MissingEquals { member: usize },
    /// The key breaks the key grammar or its length limits.
    InvalidKey { member: usize },
    /// The value is empty, too long, has a forbidden character or ends in a space.
    InvalidValue { member: usize },
    /// This member repeats an earlier key.
    DuplicateKey { member: usize },
}

impl Message for TraceStateError {
    fn write_to(&self, out: &mut String) {
        match self {
            Self::Empty => out.push_str("tracestate has no list member"),
            Self::TooManyMembers => message!(out, "tracestate has more than ", MAX_MEMBERS, " list members"),
            Self::MissingEquals { member } => message!(out, "tracestate member ", member, " has no '='"),
            Self::InvalidKey { member } => message!(out, "tracestate member ", member, " has an invalid key"),
            Self::InvalidValue { member } => message!(out, "tracestate member ", member, " has an invalid value"),
            Self::DuplicateKey { member } => message!(out, "tracestate member ", member, " repeats a key"),
        }
    }
}

display_message!(TraceStateError);

impl core::error::Error for TraceStateError {}

// Byte classes, one table lookup per byte.
const KEY_CHAR: u8 = 1; // lcalpha / DIGIT / _ - * /
const LCALPHA: u8 = 2;
const DIGIT: u8 = 4;
/// A value character other than the space: 0x21-0x7E except `,` and `=` (the space,
/// also a value character, is told apart by the validator itself).
const VALUE_NONSPACE: u8 = 8;
// Built at compile time: an index out of range here is a build error, never a panic.
#[allow(clippy::indexing_slicing)]
const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0x21;
    while b <= 0x7e {
        if b != b',' as usize && b != b'=' as usize {
            table[b] = VALUE_NONSPACE;
        }
        b += 1;
    }
    let mut b = b'a' as usize;
    while b <= b'z' as usize {
        table[b] |= KEY_CHAR | LCALPHA;
        b += 1;
    }
    let mut b = b'0' as usize;
    while b <= b'9' as usize {
        table[b] |= KEY_CHAR | DIGIT;
        b += 1;
    }
    table[b'_' as usize] |= KEY_CHAR;
    table[b'-' as usize] |= KEY_CHAR;
    table[b'*' as usize] |= KEY_CHAR;
    table[b'/' as usize] |= KEY_CHAR;
    table
};

#[inline]
fn class(b: u8) -> u8 {
    // Always in range (a u8 indexes 256 entries); the check compiles away.
    CLASS.get(usize::from(b)).copied().unwrap_or(0)
}

/// One of 64 bits for a key, from its length and its first and last bytes, each
/// spread by its own odd multiplier: two keys with different bits differ. Keys of one
/// length (`dd`, `ot`, `sw`) are common, so both end bytes count.
#[inline]
fn key_bit(key: &[u8]) -> u64 {
    let (first, last) = match key {
        [first, .., last] => (*first, *last),
        [only] => (*only, *only),
        [] => (0, 0),
    };
    let mixed = u64::from(first).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ u64::from(last).wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
        ^ (key.len() as u64).wrapping_mul(0x1656_67b1_9e37_79f9);
    1 << (mixed >> 58)
}

/// Whether `key` is the key of a member of `before`, the already validated part of the
/// header in front of it (members `OWS key=value OWS`, empty ones allowed): the exact
/// check behind a repeated [`key_bit`]. A walk over the shared member bounds, not
/// [`members`]: its string splitting cost 70 % more instructions on a 5-member header
/// with two repeated bits.
fn repeats_earlier_key(before: &[u8], key: &[u8]) -> bool {
    let mut start = 0;
    while start < before.len() {
        let content = skip_ows(before, start);
        let after = content + key.len();
        if before.get(content..after) == Some(key) && before.get(after) == Some(&b'=') {
            return true;
        }
        start = member_end(before, content) + 1;
    }
    false
}

/// The non-empty `key=value` members of an already valid list, trimmed.
fn members(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split(',').map(|m| m.trim_matches([' ', '\t'])).filter(|m| !m.is_empty()).filter_map(|m| m.split_once('='))
}

/// Checks a joined `tracestate` value; returns the number of list members.
///
/// ```
/// use spanwire::w3c::tracestate::{validate, TraceStateError};
/// assert_eq!(validate("rojo=00f067aa0ba902b7, ,congo=t61rcWkgMzE"), Ok(2));
/// assert_eq!(validate("foo=1,foo=2"), Err(TraceStateError::DuplicateKey { member: 1 }));
/// ```
pub fn validate(text: &str) -> Result<usize, TraceStateError> {
    validate_bytes(text.as_bytes())
}

/// Whether [`TraceState::parse_joined`] keeps this value (spaces and tabs around it
/// trimmed, then [`validate_bytes`]), over bytes and without allocating: what extract
/// needs to know.
#[inline]
pub fn is_valid_joined(mut bytes: &[u8]) -> bool {
    while let [first, rest @ ..] = bytes {
        if !is_ows(*first) {
            break;
        }
        bytes = rest;
    }
    while let [rest @ .., last] = bytes {
        if !is_ows(*last) {
            break;
        }
        bytes = rest;
    }
    validate_bytes(bytes).is_ok()
}

/// [`validate`] over bytes that need not be UTF-8: every valid `tracestate` is ASCII,
/// so any other byte fails as it would in text.
///
/// One pass, member by member: OWS, a run of key characters (with at most one `@`),
/// `=`, then runs of value characters cut by spaces and tabs, up to `,`. A member that
/// leaves that path is classified then (no `=`: missing; else a bad key; else a bad
/// value), so the common case tests each byte once.
pub fn validate_bytes(text: &[u8]) -> Result<usize, TraceStateError> {
    let byte = |i: usize| text.get(i).copied();
    let key_char_at = |i: usize| byte(i).is_some_and(|b| class(b) & KEY_CHAR != 0);
    // One bit per key seen (`key_bit`): the keys themselves are compared only when a
    // bit comes up twice, so no table of keys is kept (in Node's wasm, zeroing and
    // scanning that table took about 25 ns of a 3-member check).
    let mut key_bits = 0u64;
    let mut count = 0usize;
    let mut i = 0usize;
    for index in 0.. {
        i = skip_ows(text, i);
        let key_start = i;
        while key_char_at(i) {
            i += 1;
        }
        let mut at = None;
        if byte(i) == Some(b'@') {
            at = Some(i);
            i += 1;
            while key_char_at(i) {
                i += 1;
            }
        }
        if byte(i) != Some(b'=') {
            // Off the common path: an empty member, one without `=`, or a bad key.
            let end = member_end(text, i);
            let member = text.get(key_start..end).unwrap_or_default();
            if member.contains(&b'=') {
                return Err(TraceStateError::InvalidKey { member: index });
            }
            if !member.iter().all(|&b| is_ows(b)) {
                return Err(TraceStateError::MissingEquals { member: index });
            }
            if end == text.len() {
                break;
            }
            i = end + 1;
            continue;
        }
        let eq = i;
        let first_is = |start: usize, classes: u8| byte(start).is_some_and(|b| class(b) & classes != 0);
        let key_ok = match at {
            None => (1..=MAX_SIMPLE_KEY).contains(&(eq - key_start)) && first_is(key_start, LCALPHA),
            Some(at) => {
                (1..=MAX_TENANT).contains(&(at - key_start))
                    && first_is(key_start, LCALPHA | DIGIT)
                    && (1..=MAX_SYSTEM).contains(&(eq - at - 1))
                    && first_is(at + 1, LCALPHA)
            }
        };
        if !key_ok {
            return Err(TraceStateError::InvalidKey { member: index });
        }
        // The value: runs of printable characters other than the space, which may be
        // separated by spaces; trailing spaces and tabs are OWS. A tab followed by more
        // value, or any other byte, makes it invalid.
        i = eq + 1;
        let (mut value_end, mut tab) = (i, false);
        loop {
            let run = i;
            while byte(i).is_some_and(|b| class(b) & VALUE_NONSPACE != 0) {
                i += 1;
            }
            if i > run {
                if tab {
                    return Err(TraceStateError::InvalidValue { member: index });
                }
                value_end = i;
            }
            match byte(i) {
                None | Some(b',') => break,
                Some(b' ') => {}
                Some(b'\t') => tab = true,
                Some(_) => return Err(TraceStateError::InvalidValue { member: index }),
            }
            i += 1;
        }
        if !(1..=MAX_VALUE).contains(&(value_end - eq - 1)) {
            return Err(TraceStateError::InvalidValue { member: index });
        }
        let key = text.get(key_start..eq).unwrap_or_default();
        let bit = key_bit(key);
        if key_bits & bit != 0 && repeats_earlier_key(text.get(..key_start).unwrap_or_default(), key) {
            return Err(TraceStateError::DuplicateKey { member: index });
        }
        key_bits |= bit;
        if count == MAX_MEMBERS {
            return Err(TraceStateError::TooManyMembers);
        }
        count += 1;
        if byte(i).is_none() {
            break;
        }
        i += 1; // past the `,`
    }
    if count == 0 {
        return Err(TraceStateError::Empty);
    }
    Ok(count)
}

/// A validated `tracestate`, kept as received. Cloning it is cheap (shared text).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TraceState(Arc<str>);

impl TraceState {
    /// Validates the `tracestate` header lines (joined with `,`); `None` when there are
    /// none, when they hold no member, or when they are invalid.
    ///
    /// ```
    /// use spanwire::w3c::TraceState;
    /// let ts = TraceState::parse(&["foo=1,bar=2", "rojo=1"]).unwrap();
    /// assert_eq!(ts.as_str(), "foo=1,bar=2,rojo=1");
    /// assert_eq!(ts.get("bar"), Some("2"));
    /// assert!(TraceState::parse(&["foo=1", "foo=2"]).is_none()); // duplicate key
    /// assert!(TraceState::parse(&[]).is_none());
    /// ```
    pub fn parse(lines: &[&str]) -> Option<TraceState> {
        match lines {
            [] => None,
            [one] => Self::parse_joined(one),
            many => Self::parse_joined(&many.join(",")),
        }
    }

    /// Validates one already-joined value.
    pub fn parse_joined(text: &str) -> Option<TraceState> {
        let text = super::trim_ows(text);
        validate(text).ok()?;
        Some(TraceState(Arc::from(text)))
    }

    /// A value already validated (trimmed, then accepted by [`validate`]): a
    /// `tracestate` that extract checked, carried to a span begun from it.
    pub(crate) fn checked(text: &str) -> TraceState {
        debug_assert!(validate(text).is_ok(), "not a checked tracestate: {text:?}");
        TraceState(Arc::from(text))
    }

    /// The header value to emit.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `(key, value)` list members in order, empty members skipped.
    pub fn members(&self) -> impl Iterator<Item = (&str, &str)> {
        members(&self.0)
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.members().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Number of list members (1–32).
    pub fn len(&self) -> usize {
        self.members().count()
    }

    /// Always false: a `TraceState` holds at least one member.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for TraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceState({:?})", &*self.0)
    }
}
