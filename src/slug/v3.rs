//! Version 3, the legacy-id export: ids that are UUIDs packed as 16 bytes.
//!
//! ```text
//! 03 <type> <N> N×(<id 1 object, 2 row, 3 span, 4 root> <16 UUID bytes>) [JSON tail]
//! ```
//! Decoded ids become lowercase dashed UUIDs.

use super::bytes::{parse_js_uuid, parse_json_object, Reader};
use super::error::{Part, SlugError};
use super::{Draft, Field, ObjectType, SpanComponents};
use crate::json::{JsonValue, ObjectWriter};

pub(crate) const VERSION: u8 = 3;

pub(crate) fn encode(c: &SpanComponents) -> Vec<u8> {
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
        let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else { continue };
        match (parse_js_uuid(value), field.binary_id()) {
            (Some(bytes), Some(id)) => {
                fields.push(id);
                fields.extend_from_slice(&bytes);
                count += 1;
            }
            _ => tail.string(field.as_str(), value),
        }
    }
    let mut out = vec![VERSION, c.object_type.as_byte(), count];
    out.append(&mut fields);
    // JS builds its tail object with both optional keys present (maybe undefined), so
    // it is never empty and `{}` is always written.
    out.extend_from_slice(tail.finish().as_deref().unwrap_or("{}").as_bytes());
    out
}

pub(crate) fn decode(raw: &[u8]) -> Result<Draft, SlugError> {
    let mut r = Reader::new(raw.get(1..).unwrap_or_default(), 1);
    let type_byte = r.byte(Part::ObjectType)?;
    if ObjectType::from_byte(type_byte).is_none() {
        return Err(SlugError::UnknownObjectType { value: type_byte, version: VERSION });
    }
    let mut draft = Draft::with_object_type(type_byte);
    let count = r.byte(Part::FieldCount)?;
    for _ in 0..count {
        let offset = r.offset();
        let id = r.byte(Part::FieldId)?;
        let field = Field::from_binary_id(id).ok_or(SlugError::UnknownFieldId { id, offset, version: VERSION })?;
        let uuid = r.uuid(Part::FieldValue { id, field })?;
        draft.set(field, JsonValue::String(uuid));
    }
    let (offset, rest) = r.rest();
    if !rest.is_empty() {
        draft.merge(&parse_json_object(rest, offset, Part::JsonTail)?);
    }
    Ok(draft)
}
