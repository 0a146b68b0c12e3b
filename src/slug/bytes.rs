//! Reading and writing the slug's bytes: base64, a bounds-checked cursor, UUIDs as the
//! JS SDK's `uuid` package (v11) accepts them, and the JSON parts.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::error::{Base64Problem, Part, SlugError};
use crate::json::{JsonObject, JsonValue};
use crate::ids::format_uuid;

/// Standard alphabet. Writes `=` padding (like `btoa`); reads with or without it and
/// ignores non-zero bits after the last byte (like `atob`).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The ASCII whitespace `atob` ignores; we ignore it around the slug only.
fn is_base64_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{c}' | '\r')
}

pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Decodes the slug text; the result is at most 3/4 of its length.
pub(crate) fn decode_base64(slug: &str) -> Result<Vec<u8>, SlugError> {
    let start_trimmed = slug.trim_start_matches(is_base64_whitespace);
    let lead = slug.len().saturating_sub(start_trimmed.len());
    let text = start_trimmed.trim_end_matches(is_base64_whitespace);
    if text.is_empty() {
        return Err(SlugError::Empty);
    }
    BASE64.decode(text).map_err(|error| {
        let (at, problem) = match error {
            base64::DecodeError::InvalidByte(at, _)
            | base64::DecodeError::InvalidLastSymbol(at, _) => {
                let c = text
                    .get(at..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                (lead.saturating_add(at), Base64Problem::InvalidCharacter(c))
            }
            base64::DecodeError::InvalidLength(_) => {
                // The last character sits alone in its group of four.
                let last = text.trim_end_matches('=').len().saturating_sub(1);
                (lead.saturating_add(last), Base64Problem::InvalidLength)
            }
            base64::DecodeError::InvalidPadding => {
                (lead.saturating_add(text.find('=').unwrap_or(0)), Base64Problem::InvalidPadding)
            }
        };
        SlugError::Base64 { at, problem }
    })
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
        let truncated =
            SlugError::Truncated { part, offset: self.offset, needed, remaining: self.rest.len() };
        let (head, tail) = self.rest.split_at_checked(needed).ok_or(truncated)?;
        self.rest = tail;
        self.offset = self.offset.saturating_add(needed);
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self, part: Part) -> Result<[u8; N], SlugError> {
        let offset = self.offset;
        let remaining = self.rest.len();
        self.take(N, part)?.try_into().map_err(|_| SlugError::Truncated {
            part,
            offset,
            needed: N,
            remaining,
        })
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

    /// A 16-byte UUID, written lowercase and dashed; refused where the JS SDK's
    /// `uuid.stringify` throws.
    pub(crate) fn uuid(&mut self, part: Part) -> Result<String, SlugError> {
        let offset = self.offset;
        let bytes = self.array::<16>(part)?;
        let text = format_uuid(&bytes);
        if is_js_valid_uuid(&bytes) {
            Ok(text)
        } else {
            Err(SlugError::InvalidUuid { part, offset, uuid: text })
        }
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
    if text.len() != 36 {
        return None;
    }
    let mut bytes = [0u8; 16];
    let mut digits = text
        .bytes()
        .enumerate()
        .filter(|&(i, _)| !matches!(i, 8 | 13 | 18 | 23))
        .map(|(_, b)| char::from(b).to_digit(16));
    for byte in &mut bytes {
        let hi = digits.next()??;
        let lo = digits.next()??;
        *byte = u8::try_from((hi << 4) | lo).ok()?;
    }
    let dashes_ok = [8, 13, 18, 23].iter().all(|&i| text.as_bytes().get(i) == Some(&b'-'));
    (dashes_ok && is_js_valid_uuid(&bytes)).then_some(bytes)
}

/// Parses JSON bytes found at `offset` in the record; they must form an object.
pub(crate) fn parse_json_object(
    bytes: &[u8],
    offset: usize,
    part: Part,
) -> Result<JsonObject, SlugError> {
    let text = core::str::from_utf8(bytes).map_err(|e| SlugError::InvalidUtf8 {
        part,
        offset: offset.saturating_add(e.valid_up_to()),
    })?;
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
            (
                "BAICé",
                SlugError::Base64 { at: 4, problem: Base64Problem::InvalidCharacter('é') },
                "non-ASCII",
            ),
            (
                "BAICB",
                SlugError::Base64 { at: 4, problem: Base64Problem::InvalidLength },
                "one dangling character",
            ),
            (
                "BA=C",
                SlugError::Base64 { at: 2, problem: Base64Problem::InvalidCharacter('=') },
                "padding inside",
            ),
            (
                "BA I",
                SlugError::Base64 { at: 2, problem: Base64Problem::InvalidCharacter(' ') },
                "inner space",
            ),
            (
                "BA-_",
                SlugError::Base64 { at: 2, problem: Base64Problem::InvalidCharacter('-') },
                "base64url alphabet",
            ),
        ];
        for (input, expected, reason) in cases {
            assert_eq!(decode_base64(input).as_ref(), Err(expected), "{reason}: {input:?}");
        }
        assert_eq!(decode_base64("BA"), Ok(vec![4]), "unpadded");
        assert_eq!(decode_base64("BA=="), Ok(vec![4]), "padded");
        assert_eq!(decode_base64("BB=="), Ok(vec![4]), "non-zero trailing bits, as atob");
    }
}
