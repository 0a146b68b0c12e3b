//! Reading and writing the slug's bytes: base64, a bounds-checked cursor, UUIDs as the
//! JS SDK's `uuid` package (v11) accepts them, and the JSON parts.

use super::error::{Base64Problem, Part, SlugError};
use crate::ids::{format_uuid, parse_uuid};
use crate::json::{JsonObject, JsonValue};
use crate::prelude::*;

// Base64, standard alphabet. Writes `=` padding (like `btoa`); reads with or without
// it, or with less than full padding, and ignores non-zero bits after the last byte
// (like `atob`). Written out here rather than taken from a crate: this is all the
// slug needs, and the crate's general engine cost 5 KB of wasm.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Each byte's 6-bit value, or 0xff outside the alphabet.
// Built at compile time: an index out of range here is a build error, never a panic.
#[allow(clippy::indexing_slicing)]
const DECODE: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

fn sextet(b: u8) -> u8 {
    DECODE.get(usize::from(b)).copied().unwrap_or(0xff)
}

/// The ASCII whitespace `atob` ignores; we ignore it around the slug only.
fn is_base64_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{c}' | '\r')
}

pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let symbol = |v: u32| char::from(ALPHABET.get((v & 63) as usize).copied().unwrap_or(b'A'));
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let group = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(symbol(group >> 18));
        out.push(symbol(group >> 12));
        out.push(if chunk.len() > 1 { symbol(group >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { symbol(group) } else { '=' });
    }
    out
}

/// Decodes the slug text; the result is at most 3/4 of its length.
pub(crate) fn decode_base64(slug: &str) -> Result<Vec<u8>, SlugError> {
    let start_trimmed = slug.trim_start_matches(is_base64_whitespace);
    let lead = slug.len().saturating_sub(start_trimmed.len());
    let text = start_trimmed.trim_end_matches(is_base64_whitespace);
    if text.is_empty() {
        return Err(SlugError::Empty);
    }
    let fail = |at: usize, problem| SlugError::Base64 { at: lead.saturating_add(at), problem };
    // The character at byte `at` (or the one it falls inside).
    let invalid_at = |at: usize| {
        let start = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let c = text.get(start..).and_then(|rest| rest.chars().next()).unwrap_or(char::REPLACEMENT_CHARACTER);
        fail(start, Base64Problem::InvalidCharacter(c))
    };
    let bytes = text.as_bytes();
    let is_symbol = |b: u8| sextet(b) != 0xff;
    // The checks come in the reference engine's order, so an input with several faults
    // is reported by the same one: a stray last character of a dangling group, then
    // the complete groups before the last one (where `=` is out of place), then the
    // last group, where padding may be left out or cut short.
    let len = bytes.len();
    let rem = len % 4;
    if rem == 1 && bytes.last().is_some_and(|&b| b != b'=' && !is_symbol(b)) {
        return Err(invalid_at(len - 1));
    }
    let body_len = len.saturating_sub(if rem == 0 { 4 } else { rem });
    let (body, last) = bytes.split_at(body_len);
    if let Some(at) = body.iter().position(|&b| !is_symbol(b)) {
        return Err(invalid_at(at));
    }
    let mut symbols = 0;
    let mut first_pad = None;
    for (k, &b) in last.iter().enumerate() {
        if b == b'=' {
            if k < 2 {
                return Err(invalid_at(body_len + k));
            }
            first_pad.get_or_insert(k);
        } else if let Some(pad) = first_pad {
            return Err(invalid_at(body_len + pad));
        } else if !is_symbol(b) {
            return Err(invalid_at(body_len + k));
        } else {
            symbols += 1;
        }
    }
    if symbols < 2 {
        // The last character sits alone in its group of four.
        let at = text.trim_end_matches('=').len().saturating_sub(1);
        return Err(fail(at, Base64Problem::InvalidLength));
    }
    let data = bytes.get(..body_len + symbols).unwrap_or_default();
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    for group in data.chunks(4) {
        let v = group.iter().fold(0u32, |v, &b| (v << 6) | u32::from(sextet(b))) << (6 * (4 - group.len()));
        let [_, b0, b1, b2] = v.to_be_bytes();
        // A group of n symbols holds n - 1 bytes.
        let decoded = [b0, b1, b2];
        out.extend_from_slice(decoded.get(..group.len() - 1).unwrap_or_default());
    }
    Ok(out)
}

/// A cursor over the record that reports what it was reading when the bytes run out.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    /// Reads `bytes`, which start at `offset` in the record.
    pub(crate) fn new(bytes: &'a [u8], offset: usize) -> Self {
        Reader { rest: bytes, offset }
    }

    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    pub(crate) fn take(&mut self, needed: usize, part: Part) -> Result<&'a [u8], SlugError> {
        let truncated = SlugError::Truncated { part, offset: self.offset, needed, remaining: self.rest.len() };
        let (head, tail) = self.rest.split_at_checked(needed).ok_or(truncated)?;
        self.rest = tail;
        self.offset = self.offset.saturating_add(needed);
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self, part: Part) -> Result<[u8; N], SlugError> {
        let offset = self.offset;
        let remaining = self.rest.len();
        self.take(N, part)?.try_into().map_err(|_| SlugError::Truncated { part, offset, needed: N, remaining })
    }

    pub(crate) fn byte(&mut self, part: Part) -> Result<u8, SlugError> {
        let [byte] = self.array::<1>(part)?;
        Ok(byte)
    }

    /// Everything left, and where it starts.
    pub(crate) fn rest(&mut self) -> (usize, &'a [u8]) {
        let rest = core::mem::take(&mut self.rest);
        let at = self.offset;
        self.offset = self.offset.saturating_add(rest.len());
        (at, rest)
    }

    /// A 16-byte UUID, written lowercase and dashed, whatever its version and variant
    /// bits, as the Python SDK's `uuid.UUID(bytes=...)` reads it. The JS SDK's
    /// `uuid.stringify` refuses the bits [`is_js_valid_uuid`] does not accept, but
    /// Python's V3 writer packs any 32-hex id (an OpenTelemetry trace id) that way:
    /// refusing its slugs would cut the trace there. Read dashed, such an id still
    /// maps to its own 16 bytes as a trace id ([`crate::recorder::trace_id_for`]).
    pub(crate) fn uuid(&mut self, part: Part) -> Result<String, SlugError> {
        Ok(format_uuid(&self.array::<16>(part)?))
    }
}

/// What `uuid.validate` (v11) accepts: version nibble 1–8 with variant 8–b, the nil
/// UUID or the max UUID.
pub(crate) fn is_js_valid_uuid(bytes: &[u8; 16]) -> bool {
    let version = bytes.get(6).map_or(0, |b| b >> 4);
    let variant = bytes.get(8).map_or(0, |b| b >> 4);
    ((1..=8).contains(&version) && (8..=0xb).contains(&variant))
        || bytes.iter().all(|&b| b == 0)
        || bytes.iter().all(|&b| b == 0xff)
}

/// `uuid.parse` (v11): a canonical dashed UUID, hex digits in either case, that
/// [`is_js_valid_uuid`] accepts.
pub(crate) fn parse_js_uuid(text: &str) -> Option<[u8; 16]> {
    parse_uuid(text).filter(is_js_valid_uuid)
}

/// Parses JSON bytes found at `offset` in the record; they must form an object.
pub(crate) fn parse_json_object(bytes: &[u8], offset: usize, part: Part) -> Result<JsonObject, SlugError> {
    let text = core::str::from_utf8(bytes)
        .map_err(|e| SlugError::InvalidUtf8 { part, offset: offset.saturating_add(e.valid_up_to()) })?;
    match JsonValue::parse(text) {
        Ok(JsonValue::Object(object)) => Ok(object),
        Ok(other) => Err(SlugError::NotAnObject { part, found: other.type_name() }),
        Err(mut error) => {
            error.offset = error.offset.saturating_add(offset);
            Err(SlugError::Json { part, error })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn js_uuid_rules() {
        // (text, packs in JS V3, reason)
        let cases: &[(&str, bool, &str)] = &[
            ("a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8d", true, "v4, variant 8"),
            ("A3B6C1C0-9A1E-4B8F-8C3D-2E4F5A6B7C8D", true, "upper case accepted"),
            ("a3b6c1c0-9a1e-8b8f-bc3d-2e4f5a6b7c8d", true, "v8, variant b"),
            ("a3b6c1c0-9a1e-9b8f-8c3d-2e4f5a6b7c8d", false, "version 9"),
            ("a3b6c1c0-9a1e-0b8f-8c3d-2e4f5a6b7c8d", false, "version 0"),
            ("a3b6c1c0-9a1e-4b8f-cc3d-2e4f5a6b7c8d", false, "variant c"),
            ("00000000-0000-0000-0000-000000000000", true, "nil"),
            ("FFFFFFFF-ffff-ffff-ffff-ffffffffffff", true, "max, mixed case"),
            ("a3b6c1c09a1e4b8f8c3d2e4f5a6b7c8d", false, "no dashes"),
            ("a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8d ", false, "trailing space"),
            ("a3b6c1c0+9a1e-4b8f-8c3d-2e4f5a6b7c8d", false, "plus for dash"),
            ("a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8g", false, "not hex"),
            ("a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7cé", false, "non-ASCII, 36 bytes"),
        ];
        for (text, packs, reason) in cases {
            assert_eq!(parse_js_uuid(text).is_some(), *packs, "{reason}: {text}");
        }
    }

    #[test]
    fn base64_errors_point_into_the_input() {
        let cases: &[(&str, SlugError, &str)] = &[
            ("  ", SlugError::Empty, "whitespace only"),
            (
                "  BA*C",
                SlugError::Base64 { at: 4, problem: Base64Problem::InvalidCharacter('*') },
                "offset counts leading whitespace",
            ),
            ("BAICé", SlugError::Base64 { at: 4, problem: Base64Problem::InvalidCharacter('é') }, "non-ASCII"),
            ("BAICB", SlugError::Base64 { at: 4, problem: Base64Problem::InvalidLength }, "one dangling character"),
            ("BA=C", SlugError::Base64 { at: 2, problem: Base64Problem::InvalidCharacter('=') }, "padding inside"),
            ("BA I", SlugError::Base64 { at: 2, problem: Base64Problem::InvalidCharacter(' ') }, "inner space"),
            ("BA-_", SlugError::Base64 { at: 2, problem: Base64Problem::InvalidCharacter('-') }, "base64url alphabet"),
        ];
        for (input, expected, reason) in cases {
            assert_eq!(decode_base64(input).as_ref(), Err(expected), "{reason}: {input:?}");
        }
        assert_eq!(decode_base64("BA"), Ok(vec![4]), "unpadded");
        assert_eq!(decode_base64("BA=="), Ok(vec![4]), "padded");
        assert_eq!(decode_base64("BB=="), Ok(vec![4]), "non-zero trailing bits, as atob");
    }

    /// Our decoder against the base64 crate's (standard alphabet, padding indifferent,
    /// trailing bits allowed), which the slug used before: the same bytes, or the same
    /// error at the same place, for every string of up to 6 symbols from a small
    /// alphabet and for random longer ones.
    #[test]
    fn base64_matches_the_reference_engine() {
        use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
        use base64::Engine as _;
        const REFERENCE: GeneralPurpose = GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            GeneralPurposeConfig::new()
                .with_encode_padding(true)
                .with_decode_padding_mode(DecodePaddingMode::Indifferent)
                .with_decode_allow_trailing_bits(true),
        );
        fn reference(text: &str) -> Result<Vec<u8>, (usize, Base64Problem)> {
            REFERENCE.decode(text).map_err(|e| match e {
                base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => {
                    let start = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap();
                    (start, Base64Problem::InvalidCharacter(text[start..].chars().next().unwrap()))
                }
                base64::DecodeError::InvalidLength(_) => {
                    (text.trim_end_matches('=').len() - 1, Base64Problem::InvalidLength)
                }
                base64::DecodeError::InvalidPadding => (text.find('=').unwrap(), Base64Problem::InvalidPadding),
            })
        }
        fn ours(text: &str) -> Result<Vec<u8>, (usize, Base64Problem)> {
            decode_base64(text).map_err(|e| match e {
                SlugError::Base64 { at, problem } => (at, problem),
                other => panic!("{other:?}"),
            })
        }
        let symbols = ['A', 'B', '/', '=', '-', 'é'];
        let mut strings = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> =
                strings.iter().flat_map(|s| symbols.iter().map(move |c| format!("{s}{c}"))).collect();
            for s in longer.iter().filter(|s| s.is_ascii()) {
                assert_eq!(ours(s), reference(s), "{s:?}");
            }
            // Non-ASCII: the same error; where the reference points inside a character,
            // we name the whole character.
            for s in longer.iter().filter(|s| !s.is_ascii()) {
                match (ours(s), REFERENCE.decode(s)) {
                    (Err((at, Base64Problem::InvalidCharacter(c))), Err(base64::DecodeError::InvalidByte(byte, _))) => {
                        assert!(at <= byte && byte < at + c.len_utf8(), "{s:?}: {at} {c:?} vs byte {byte}");
                    }
                    (a, b) => assert_eq!(a, reference(s), "{s:?}: reference {b:?}"),
                }
            }
            strings = longer;
        }
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let x = next();
            let bytes: Vec<u8> = (0..(x % 40) as usize).map(|i| (x >> (i % 8 * 8)) as u8 ^ i as u8).collect();
            let encoded = encode_base64(&bytes);
            assert_eq!(encoded, REFERENCE.encode(&bytes));
            if encoded.is_empty() {
                continue;
            }
            assert_eq!(ours(&encoded), Ok(bytes.clone()));
            let cut = encoded.trim_end_matches('=');
            assert_eq!(ours(cut), reference(cut), "{cut:?}");
            let noisy: String = (0..(x % 16) as usize).map(|i| symbols[((x >> (i * 3)) % 6) as usize]).collect();
            if noisy.is_ascii() && !noisy.is_empty() {
                assert_eq!(ours(&noisy), reference(&noisy), "{noisy:?}");
            }
        }
    }
}
