//! Percent-encoding for the one baggage value spanwire owns (`braintrust.parent`).
//!
//! ```text
//! project_name:a,b c+é   <->   project_name%3Aa%2Cb%20c%2Bé -> ...%2B%C3%A9
//! ```
//!
//! - **Encode**: every UTF-8 byte outside `A-Z a-z 0-9 - _ . ~` becomes `%XX` (upper-case
//!   hex). This is Python's `quote(safe="")`, stricter than JS `encodeURIComponent`, which
//!   leaves `!*'()` raw. Space is `%20` and `+` is `%2B`, never form encoding.
//! - **Decode**: `%XX` (either hex case) becomes the byte `XX`; every other character,
//!   `+` included, stays as it is. As with JS `decodeURIComponent`, a `%` that is not
//!   followed by two hex digits, or escapes that do not form valid UTF-8, are an error
//!   (Python's `unquote` would keep bad escapes and insert U+FFFD instead).
//!
//! Other members of a baggage header are never decoded or re-encoded: they are relayed
//! byte for byte.
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::prelude::*;

use crate::message::{display_message, message, Message};

/// Why a percent-encoded value could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PercentError {
    /// The `%` at this byte offset is not followed by two hex digits.
    BadEscape { at: usize },
    /// The decoded bytes are not valid UTF-8.
    InvalidUtf8,
}

impl Message for PercentError {
    fn write_to(&self, out: &mut String) {
        match self {
            PercentError::BadEscape { at } => {
                message!(out, "the '%' at byte ", at, " is not followed by two hex digits")
            }
            PercentError::InvalidUtf8 => out.push_str("the percent-decoded bytes are not valid UTF-8"),
        }
    }
}

display_message!(PercentError);

impl core::error::Error for PercentError {}

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Whether `byte` is left raw by [`encode_into`]: `A-Z a-z 0-9 - _ . ~`.
#[inline]
pub fn is_unreserved(byte: u8) -> bool {
    // Always in range (a u8 indexes 256 entries); the check compiles away.
    UNRESERVED.get(usize::from(byte)).is_some_and(|&raw| raw)
}

// One lookup a byte: names and ids are classified on every inject.
const UNRESERVED: [bool; 256] = super::alphanumeric_and(b"-_.~");

/// The length [`encode_into`] would append for `text`, without encoding it.
pub fn encoded_len(text: &str) -> usize {
    text.bytes().map(|b| if is_unreserved(b) { 1 } else { 3 }).sum()
}

/// Appends `text` percent-encoded to `out`; the result is pure ASCII.
///
/// Runs of unreserved characters are appended whole (names and ids are mostly such
/// runs), each other byte as its three-character escape. A run of unreserved (ASCII)
/// bytes starts and ends on character boundaries, so every cut is one.
pub fn encode_into(text: &str, out: &mut String) {
    out.reserve(text.len()); // exact when nothing needs escaping, the usual case
    let bytes = text.as_bytes();
    let hex = |nibble: u8| char::from(UPPER_HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'));
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while bytes.get(i).is_some_and(|&b| is_unreserved(b)) {
            i += 1;
        }
        out.push_str(text.get(start..i).unwrap_or_default());
        while let Some(&byte) = bytes.get(i).filter(|&&b| !is_unreserved(b)) {
            out.extend(['%', hex(byte >> 4), hex(byte & 0x0f)]);
            i += 1;
        }
    }
}

/// `text` percent-encoded.
///
/// ```
/// use spanwire::w3c::percent::encode;
/// assert_eq!(encode("Café a+b"), "Caf%C3%A9%20a%2Bb");
/// ```
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    encode_into(text, &mut out);
    out
}

#[inline]
fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes; a bad escape or invalid UTF-8 is an error (JS semantics).
///
/// ```
/// use spanwire::w3c::percent::{decode, PercentError};
/// assert_eq!(decode("project_name%3ACaf%C3%A9+x").unwrap(), "project_name:Café+x");
/// assert_eq!(decode("bad%ZZ"), Err(PercentError::BadEscape { at: 3 }));
/// assert_eq!(decode("bad%E9"), Err(PercentError::InvalidUtf8));
/// ```
pub fn decode(text: &str) -> Result<String, PercentError> {
    if !text.contains('%') {
        return Ok(text.to_owned());
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut iter = text.bytes().enumerate();
    while let Some((at, byte)) = iter.next() {
        if byte != b'%' {
            bytes.push(byte);
            continue;
        }
        let hi = iter.next().and_then(|(_, b)| hex_value(b));
        let lo = iter.next().and_then(|(_, b)| hex_value(b));
        match (hi, lo) {
            (Some(hi), Some(lo)) => bytes.push((hi << 4) | lo),
            _ => return Err(PercentError::BadEscape { at }),
        }
    }
    String::from_utf8(bytes).map_err(|_| PercentError::InvalidUtf8)
}
