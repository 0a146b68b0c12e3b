//! Trace and span identifiers, as W3C Trace Context and OpenTelemetry define them.
//!
//! ```text
//! trace id: 16 bytes, 32 lowercase hex chars   4bf92f3577b34da6a3ce929d0e0e4736
//! span id:   8 bytes, 16 lowercase hex chars   00f067aa0ba902b7
//! ```
//!
//! Both are drawn from a cryptographically secure source ([`crate::random`]) and are
//! never all zero: W3C reserves the all-zero value to mean "invalid", so a draw that
//! happens to be all zero is thrown away and drawn again.
//!
//! Parsing is strict and total: [`TraceId::from_hex`] accepts exactly 32 lowercase hex
//! digits that are not all zero and returns an [`IdError`] saying what was wrong for
//! anything else. It never panics.

use crate::prelude::*;
use core::fmt;
use core::str::FromStr;

use crate::message::{display_message, message, Message};
use crate::random::{self, RandomError};

/// Why a string is not a valid id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    /// The string has the wrong number of bytes.
    Length { expected: usize, found: usize },
    /// The byte at this offset is not `0-9` or `a-f` (upper case is not accepted).
    NotLowercaseHex { at: usize },
    /// Every digit is zero, which W3C reserves for "invalid".
    AllZero,
}

impl Message for IdError {
    fn write_to(&self, out: &mut String) {
        match self {
            IdError::Length { expected, found } => {
                message!(out, "expected ", expected, " lowercase hex characters, found ", found, " bytes")
            }
            IdError::NotLowercaseHex { at } => message!(out, "byte ", at, " is not a lowercase hex digit (0-9, a-f)"),
            IdError::AllZero => out.push_str("an all-zero id is invalid"),
        }
    }
}

display_message!(IdError);

impl core::error::Error for IdError {}

/// Lowercase hex digits, indexed by nibble.
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The two lowercase hex digits of every byte: one lookup a byte when formatting ids
/// (every traceparent and snapshot formats 24 or more).
// Built at compile time: an index out of range here is a build error, never a panic.
#[allow(clippy::indexing_slicing)]
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [HEX_DIGITS[b >> 4], HEX_DIGITS[b & 0x0f]];
        b += 1;
    }
    table
};

/// The value of one lowercase hex digit, or `None`.
#[inline]
pub(crate) const fn lower_hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

/// Two lowercase hex digits at `at`, as a byte.
#[inline]
pub(crate) fn hex_byte(bytes: &[u8], at: usize) -> Option<u8> {
    let hi = lower_hex_value(*bytes.get(at)?)?;
    let lo = lower_hex_value(*bytes.get(at + 1)?)?;
    Some((hi << 4) | lo)
}

/// The value of each byte as a lowercase hex digit, or [`NOT_HEX`].
const HEX_VALUE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(v) = lower_hex_value(b as u8) {
            table[b] = v;
        }
        b += 1;
    }
    table
};
const NOT_HEX: u8 = 0x80;

/// Decodes exactly `2 * N` lowercase hex digits into `N` bytes. One table lookup per
/// digit, with the validity of all of them checked once at the end (ids arrive in every
/// request header, so this is a hot path).
fn decode_lower_hex<const N: usize>(text: &[u8]) -> Result<[u8; N], IdError> {
    if text.len() != 2 * N {
        return Err(IdError::Length { expected: 2 * N, found: text.len() });
    }
    let mut out = [0u8; N];
    let (mut flags, mut any) = (0u8, 0u8);
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        if let [hi, lo] = *pair {
            let (hi, lo) = (HEX_VALUE[usize::from(hi)], HEX_VALUE[usize::from(lo)]);
            flags |= hi | lo;
            *byte = (hi << 4) | (lo & 0x0f);
            any |= *byte;
        }
    }
    if flags & NOT_HEX != 0 {
        let at = text.iter().position(|&b| lower_hex_value(b).is_none()).unwrap_or(0);
        return Err(IdError::NotLowercaseHex { at });
    }
    if any == 0 {
        return Err(IdError::AllZero);
    }
    Ok(out)
}

/// Writes `bytes` as lowercase hex into `out`, which must be twice as long.
#[inline]
pub(crate) fn encode_lower_hex(bytes: &[u8], out: &mut [u8]) {
    for (byte, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        // Two stores, not copy_from_slice: in wasm that is a memory.copy call.
        let [hi, lo] = HEX_PAIRS[usize::from(*byte)];
        pair[0] = hi;
        pair[1] = lo;
    }
}

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $len:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Length in bytes.
            pub const BYTES: usize = $len;
            /// Length of the hex form.
            pub const HEX_LEN: usize = 2 * $len;

            /// Wraps raw bytes; `None` when they are all zero (the W3C "invalid" value).
            pub fn from_bytes(bytes: [u8; $len]) -> Option<Self> {
                if bytes.iter().all(|&b| b == 0) { None } else { Some(Self(bytes)) }
            }

            /// Parses exactly the lowercase hex form, rejecting the all-zero id.
            pub fn from_hex(text: &str) -> Result<Self, IdError> {
                decode_lower_hex::<$len>(text.as_bytes()).map(Self)
            }

            /// A fresh id from the cryptographically secure source; never all zero.
            pub fn random() -> Result<Self, RandomError> {
                let mut bytes = [0u8; $len];
                loop {
                    random::fill(&mut bytes)?;
                    if let Some(id) = Self::from_bytes(bytes) {
                        return Ok(id);
                    }
                }
            }

            /// The raw bytes.
            pub fn to_bytes(self) -> [u8; $len] {
                self.0
            }

            /// Writes the lowercase hex form into a fixed buffer, without allocating.
            pub fn write_hex(&self, out: &mut [u8; 2 * $len]) {
                encode_lower_hex(&self.0, out);
            }

            /// The lowercase hex form.
            pub fn to_hex(&self) -> String {
                lower_hex(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut buf = [0u8; 2 * $len];
                self.write_hex(&mut buf);
                for &b in &buf {
                    fmt::Write::write_char(f, char::from(b))?;
                }
                Ok(())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                Self::from_hex(text)
            }
        }
    };
}

define_id!(
    /// A W3C / OpenTelemetry trace id: 16 bytes, never all zero.
    ///
    /// ```
    /// use spanwire::TraceId;
    /// let id: TraceId = "4bf92f3577b34da6a3ce929d0e0e4736".parse().unwrap();
    /// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// assert!(TraceId::from_hex("00000000000000000000000000000000").is_err());
    /// let fresh = TraceId::random().unwrap();
    /// assert_eq!(fresh.to_hex().len(), 32);
    /// ```
    TraceId,
    16
);

define_id!(
    /// A W3C / OpenTelemetry span id (the `parent-id` of a `traceparent`): 8 bytes, never all zero.
    ///
    /// ```
    /// use spanwire::SpanId;
    /// let id = SpanId::from_hex("00f067aa0ba902b7").unwrap();
    /// assert_eq!(id.to_bytes()[7], 0xb7);
    /// assert!(SpanId::from_hex("00F067AA0BA902B7").is_err()); // upper case is not W3C
    /// ```
    SpanId,
    8
);

/// A random (version 4, RFC 9562) UUID in its lowercase dashed form, for the legacy id mode.
///
/// ```
/// let id = spanwire::ids::uuid_v4().unwrap();
/// assert_eq!(id.len(), 36);
/// assert_eq!(&id[14..15], "4");
/// ```
pub fn uuid_v4() -> Result<String, RandomError> {
    let mut bytes = [0u8; 16];
    random::fill(&mut bytes)?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    Ok(format_uuid(&bytes))
}

/// `bytes` as a string of lowercase hex digits.
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(2 * bytes.len());
    for &byte in bytes {
        let [hi, lo] = HEX_PAIRS[usize::from(byte)];
        hex.push(char::from(hi));
        hex.push(char::from(lo));
    }
    hex
}

/// The 16 bytes of a dashed UUID (`8-4-4-4-12` hex digits, either case), with no
/// check of its version or variant; `None` for any other text.
pub(crate) fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let b = text.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut out = [0u8; 16];
    let mut at = 0;
    for byte in &mut out {
        if matches!(at, 8 | 13 | 18 | 23) {
            if b.get(at) != Some(&b'-') {
                return None;
            }
            at += 1;
        }
        let digit = |i: usize| b.get(i).and_then(|c| lower_hex_value(c.to_ascii_lowercase()));
        *byte = (digit(at)? << 4) | digit(at + 1)?;
        at += 2;
    }
    Some(out)
}

/// Formats 16 bytes as a lowercase dashed UUID (`8-4-4-4-12`).
pub fn format_uuid(bytes: &[u8; 16]) -> String {
    let mut hex = [0u8; 32];
    encode_lower_hex(bytes, &mut hex);
    let mut out = String::with_capacity(36);
    for (i, &b) in hex.iter().enumerate() {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(char::from(b));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let text = "4bf92f3577b34da6a3ce929d0e0e4736";
        let id = TraceId::from_hex(text).unwrap();
        assert_eq!(id.to_hex(), text);
        assert_eq!(id.to_string(), text);
        assert_eq!(format!("{id:?}"), format!("TraceId({text})"));
        let span = SpanId::from_hex("00f067aa0ba902b7").unwrap();
        assert_eq!(span.to_bytes(), [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]);
    }

    #[test]
    fn invalid_hex_is_rejected_with_the_reason() {
        let cases: &[(&str, IdError, &str)] = &[
            ("", IdError::Length { expected: 16, found: 0 }, "empty"),
            ("00f067aa0ba902b", IdError::Length { expected: 16, found: 15 }, "one digit short"),
            ("00f067aa0ba902b70", IdError::Length { expected: 16, found: 17 }, "one digit long"),
            ("00F067aa0ba902b7", IdError::NotLowercaseHex { at: 2 }, "upper case"),
            ("00f067aa0ba902bg", IdError::NotLowercaseHex { at: 15 }, "not hex"),
            ("0000000000000000", IdError::AllZero, "all zero is the invalid id"),
            ("00f067aa0ba9é27", IdError::NotLowercaseHex { at: 12 }, "non-ASCII, 16 bytes"),
        ];
        for (input, expected, reason) in cases {
            assert_eq!(SpanId::from_hex(input), Err(*expected), "{reason}: {input:?}");
        }
    }

    #[test]
    fn from_bytes_refuses_all_zero() {
        assert!(TraceId::from_bytes([0; 16]).is_none());
        assert!(SpanId::from_bytes([0, 0, 0, 0, 0, 0, 0, 1]).is_some());
    }

    #[test]
    fn random_ids_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let t = TraceId::random().unwrap();
            assert!(TraceId::from_hex(&t.to_hex()).is_ok());
            assert!(seen.insert(t), "duplicate trace id {t}");
        }
    }

    #[test]
    fn uuid_v4_has_version_and_variant() {
        for _ in 0..1000 {
            let u = uuid_v4().unwrap();
            let b = u.as_bytes();
            assert_eq!(u.len(), 36);
            assert_eq!([b[8], b[13], b[18], b[23]], [b'-'; 4]);
            assert_eq!(b[14], b'4');
            assert!(matches!(b[19], b'8' | b'9' | b'a' | b'b'), "{u}");
        }
    }

    #[test]
    fn lower_hex_writes_every_byte() {
        assert_eq!(lower_hex(&[]), "");
        assert_eq!(lower_hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        let all: Vec<u8> = (0..=255).collect();
        let expected: String = all.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(lower_hex(&all), expected);
    }

    #[test]
    fn parse_uuid_reads_the_dashed_form_in_either_case() {
        let bytes = [0xa3, 0xb6, 0xc1, 0xc0, 0x9a, 0x1e, 0x4b, 0x8f, 0x8c, 0x3d, 0x2e, 0x4f, 0x5a, 0x6b, 0x7c, 0x8d];
        assert_eq!(parse_uuid("a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8d"), Some(bytes));
        assert_eq!(parse_uuid("A3B6C1C0-9A1E-4b8f-8C3D-2E4F5A6B7C8D"), Some(bytes));
        assert_eq!(parse_uuid(&format_uuid(&bytes)), Some(bytes));
        // No version or variant check: that is the slug's rule, not this parser's.
        assert_eq!(parse_uuid("00000000-0000-0000-0000-000000000001").map(|b| b[15]), Some(1));
        for bad in [
            "",
            "a3b6c1c09a1e4b8f8c3d2e4f5a6b7c8d",
            "a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8",
            "a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8d0",
            "a3b6c1c0+9a1e-4b8f-8c3d-2e4f5a6b7c8d",
            "a3b6c1c09-a1e-4b8f-8c3d-2e4f5a6b7c8d",
            "a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8g",
            "g3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8d",
            "a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7cé",
            "a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c\u{a0}",
        ] {
            assert_eq!(parse_uuid(bad), None, "{bad:?}");
        }
    }
}
