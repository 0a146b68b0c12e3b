//! Versions 3 and 4: a list of packed id fields, then a JSON tail.
//!
//! ```text
//! 03 <type> <N> N×(<id> <16 UUID bytes>) [JSON tail]     the legacy-id export
//! 04 <type> <N> N×(<id> <bytes>) [JSON tail]             the default export
//! id 1 object_id, 2 row_id, 3 span_id, 4 root_span_id
//! ```
//!
//! V3 packs any id that is a UUID, as 16 bytes, and decodes it as a lowercase dashed
//! UUID. V4 packs only hex span ids (8 bytes) and root span ids (16 bytes), and decodes
//! every packed field as plain lowercase hex (ids 1 and 2, never written, as 16 bytes).

use super::bytes::{parse_js_uuid, parse_json_object, Reader};
use super::error::{Part, SlugError};
use super::{Draft, Field, ObjectType, SpanComponents};
use crate::ids::lower_hex;
use crate::json::{JsonValue, ObjectWriter};
use crate::prelude::*;

/// The legacy-id export.
pub(crate) const V3: u8 = 3;
/// The default export.
pub(crate) const V4: u8 = 4;

/// Encodes `c` as `version`, [`V3`] or [`V4`], byte for byte as the JS SDK's
/// `SpanComponentsV3.toStr()` / `SpanComponentsV4.toStr()`.
pub(crate) fn encode(c: &SpanComponents, version: u8) -> Vec<u8> {
    let mut tail = ObjectWriter::default();
    if let Some(args) = &c.compute_object_metadata_args {
        tail.object(Field::ComputeObjectMetadataArgs.as_str(), args);
    }
    if let Some(event) = &c.propagated_event {
        tail.object(Field::PropagatedEvent.as_str(), event);
    }
    let mut fields = Vec::with_capacity(4 * 17);
    let mut count = 0u8;
    let ids = [
        (Field::ObjectId, &c.object_id),
        (Field::RowId, &c.row_id),
        (Field::SpanId, &c.span_id),
        (Field::RootSpanId, &c.root_span_id),
    ];
    for (field, value) in ids {
        // JS skips falsy values: absent and "".
        let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else { continue };
        // The packed bytes, in the first `len` of the array.
        let packed: Option<([u8; 16], usize)> = match field {
            _ if version == V3 => parse_js_uuid(value).map(|b| (b, 16)),
            Field::SpanId => js_pack_hex(value, 8).map(|b| (b, 8)),
            Field::RootSpanId => js_pack_hex(value, 16).map(|b| (b, 16)),
            _ => None, // object_id and row_id are never packed in V4
        };
        match (packed, field.binary_id()) {
            (Some((bytes, len)), Some(id)) => {
                fields.push(id);
                fields.extend_from_slice(bytes.get(..len).unwrap_or_default());
                count += 1;
            }
            _ => tail.string(field.as_str(), value),
        }
    }
    let mut out = vec![version, c.object_type.as_byte(), count];
    out.append(&mut fields);
    match tail.finish() {
        Some(json) => out.extend_from_slice(json.as_bytes()),
        // JS's V3 builds its tail object with both optional keys present (maybe
        // undefined), so it is never empty and `{}` is always written.
        None if version == V3 => out.extend_from_slice(b"{}"),
        None => {}
    }
    out
}

/// What JS `tryMakeHexSpanId` / `tryMakeHexTraceId` do: the string must be exactly
/// `2 * bytes` UTF-16 units, and each pair of units becomes `parseInt(pair, 16)` stored
/// into a `Uint8Array`. The bytes fill the front of the array (`bytes` is at most 16).
fn js_pack_hex(text: &str, bytes: usize) -> Option<[u8; 16]> {
    let mut units = text.encode_utf16();
    let mut out = [0u8; 16];
    for byte in out.iter_mut().take(bytes) {
        let pair = [units.next()?, units.next()?];
        *byte = js_parse_int_hex(pair)?;
    }
    units.next().is_none().then_some(out)
}

/// `parseInt(s, 16)` for a two-unit string, then JS ToUint8 (modulo 256). `None` is
/// NaN. parseInt skips leading whitespace, takes one sign, drops a `0x` prefix and
/// reads the longest run of hex digits, ignoring whatever follows.
fn js_parse_int_hex(pair: [u16; 2]) -> Option<u8> {
    let mut rest: &[u16] = &pair;
    while let Some((&unit, tail)) = rest.split_first() {
        if !is_js_whitespace(unit) {
            break;
        }
        rest = tail;
    }
    let mut negative = false;
    if let Some((&unit, tail)) = rest.split_first() {
        if unit == u16::from(b'-') || unit == u16::from(b'+') {
            negative = unit == u16::from(b'-');
            rest = tail;
        }
    }
    if let [zero, x, tail @ ..] = rest {
        if *zero == u16::from(b'0') && (*x == u16::from(b'x') || *x == u16::from(b'X')) {
            rest = tail;
        }
    }
    let mut value: i32 = 0;
    let mut any = false;
    for &unit in rest {
        let Some(digit) = char::from_u32(u32::from(unit)).and_then(|c| c.to_digit(16)) else {
            break;
        };
        value = value * 16 + i32::try_from(digit).ok()?;
        any = true;
    }
    if !any {
        return None;
    }
    let value = if negative { -value } else { value };
    u8::try_from(value.rem_euclid(256)).ok()
}

/// ECMAScript StrWhiteSpaceChar: WhiteSpace and LineTerminator.
fn is_js_whitespace(unit: u16) -> bool {
    matches!(
        unit,
        0x09 | 0x0a | 0x0b | 0x0c | 0x0d | 0x20 | 0xa0 | 0x1680 | 0x2000
            ..=0x200a | 0x2028 | 0x2029 | 0x202f | 0x205f | 0x3000 | 0xfeff
    )
}

/// Decodes a record whose version byte is 3 or more: V3 introduced this layout, with
/// every id a 16-byte UUID (decoded dashed); from V4 on, ids are raw bytes, the span
/// id 8 of them (decoded as plain lowercase hex).
pub(crate) fn decode(raw: &[u8], draft: &mut Draft) -> Result<(), SlugError> {
    let version = raw.first().copied().unwrap_or(V4);
    let mut r = Reader::new(raw.get(1..).unwrap_or_default(), 1);
    let type_byte = r.byte(Part::ObjectType)?;
    if ObjectType::from_byte(type_byte).is_none() {
        return Err(SlugError::UnknownObjectType { value: type_byte, version });
    }
    draft.set_object_type(type_byte);
    let count = r.byte(Part::FieldCount)?;
    for _ in 0..count {
        let offset = r.offset();
        let id = r.byte(Part::FieldId)?;
        let field = Field::from_binary_id(id).ok_or(SlugError::UnknownFieldId { id, offset, version })?;
        let part = Part::FieldValue { id, field };
        let value = if version == V3 {
            r.uuid(part)?
        } else {
            let length = if field == Field::SpanId { 8 } else { 16 };
            lower_hex(r.take(length, part)?)
        };
        draft.set(field, JsonValue::String(value));
    }
    let (offset, rest) = r.rest();
    if !rest.is_empty() {
        draft.merge(&parse_json_object(rest, offset, Part::JsonTail)?);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_pairs_like_javascript() {
        // (pair, parseInt(pair, 16) as a Uint8Array byte, reason)
        let cases: &[(&str, Option<u8>, &str)] = &[
            ("ab", Some(0xab), "plain"),
            ("AB", Some(0xab), "upper case"),
            ("0g", Some(0x00), "stops at the first non-digit"),
            ("g0", None, "no leading digit is NaN"),
            ("-1", Some(0xff), "negative wraps modulo 256"),
            ("-f", Some(0xf1), "-15 wraps to 241"),
            ("+f", Some(0x0f), "plus sign"),
            (" f", Some(0x0f), "leading space skipped"),
            ("\u{a0}f", Some(0x0f), "leading NBSP skipped"),
            ("f ", Some(0x0f), "trailing garbage ignored"),
            ("  ", None, "only whitespace"),
            ("0x", None, "prefix with no digits"),
            ("x1", None, "x without 0"),
            ("--", None, "two signs"),
            ("-", None, "sign alone (one unit; the other is whitespace)"),
        ];
        for (text, expected, reason) in cases {
            let mut units = text.encode_utf16().chain(core::iter::repeat(u16::from(b' ')));
            let pair = [units.next().unwrap_or(0), units.next().unwrap_or(0)];
            assert_eq!(js_parse_int_hex(pair), *expected, "{reason}: {text:?}");
        }
    }

    #[test]
    fn packing_follows_utf16_length() {
        let cases: &[(&str, Option<Vec<u8>>, &str)] = &[
            ("0123456789abcdef", Some(vec![0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]), "hex"),
            ("0123456789abcde", None, "15 units"),
            ("0123456789abcdef0", None, "17 units"),
            ("0123456789abcdé", None, "16 bytes but 15 units"),
            ("0123456789abcd😀", None, "a surrogate pair is two units, not hex"),
            ("0123456789abcdf😀", None, "surrogates split across pairs"),
        ];
        for (text, expected, reason) in cases {
            assert_eq!(js_pack_hex(text, 8).map(|b| b[..8].to_vec()), *expected, "{reason}: {text:?}");
        }
    }
}
