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

use core::fmt;
use std::sync::Arc;

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

impl fmt::Display for TraceStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("tracestate has no list member"),
            Self::TooManyMembers => {
                write!(f, "tracestate has more than {MAX_MEMBERS} list members")
            }
            Self::MissingEquals { member } => write!(f, "tracestate member {member} has no '='"),
            Self::InvalidKey { member } => {
                write!(f, "tracestate member {member} has an invalid key")
            }
            Self::InvalidValue { member } => {
                write!(f, "tracestate member {member} has an invalid value")
            }
            Self::DuplicateKey { member } => write!(f, "tracestate member {member} repeats a key"),
        }
    }
}

impl std::error::Error for TraceStateError {}

#[inline]
fn is_key_char(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'*' | b'/')
}

fn valid_key(key: &str) -> bool {
    let valid_part = |part: &str, max: usize, first_ok: fn(u8) -> bool| {
        let mut bytes = part.bytes();
        part.len() <= max && bytes.next().is_some_and(first_ok) && bytes.all(is_key_char)
    };
    match key.split_once('@') {
        None => valid_part(key, MAX_SIMPLE_KEY, |b| b.is_ascii_lowercase()),
        Some((tenant, system)) => {
            valid_part(tenant, MAX_TENANT, |b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && valid_part(system, MAX_SYSTEM, |b| b.is_ascii_lowercase())
        }
    }
}

fn valid_value(value: &str) -> bool {
    let ok_char = |b: u8| matches!(b, 0x20..=0x7e) && b != b',' && b != b'=';
    !value.is_empty()
        && value.len() <= MAX_VALUE
        && value.bytes().all(ok_char)
        && !value.ends_with(' ')
}

/// The non-empty `key=value` members of an already valid list, trimmed.
fn members(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split(',')
        .map(|m| m.trim_matches([' ', '\t']))
        .filter(|m| !m.is_empty())
        .filter_map(|m| m.split_once('='))
}

/// Checks a joined `tracestate` value; returns the number of list members.
///
/// ```
/// use spanwire::w3c::tracestate::{validate, TraceStateError};
/// assert_eq!(validate("rojo=00f067aa0ba902b7, ,congo=t61rcWkgMzE"), Ok(2));
/// assert_eq!(validate("foo=1,foo=2"), Err(TraceStateError::DuplicateKey { member: 1 }));
/// ```
pub fn validate(text: &str) -> Result<usize, TraceStateError> {
    // Keys seen so far; at most MAX_MEMBERS, so a linear scan is cheapest.
    let mut keys: [&str; MAX_MEMBERS] = [""; MAX_MEMBERS];
    let mut count = 0usize;
    for (index, member) in text.split(',').enumerate() {
        let member = member.trim_matches([' ', '\t']);
        if member.is_empty() {
            continue;
        }
        let (key, value) =
            member.split_once('=').ok_or(TraceStateError::MissingEquals { member: index })?;
        if !valid_key(key) {
            return Err(TraceStateError::InvalidKey { member: index });
        }
        if !valid_value(value) {
            return Err(TraceStateError::InvalidValue { member: index });
        }
        let seen = keys.get(..count).unwrap_or_default();
        if seen.contains(&key) {
            return Err(TraceStateError::DuplicateKey { member: index });
        }
        let slot = keys.get_mut(count).ok_or(TraceStateError::TooManyMembers)?;
        *slot = key;
        count += 1;
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
        let text = text.trim_matches([' ', '\t']);
        validate(text).ok()?;
        Some(TraceState(Arc::from(text)))
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
