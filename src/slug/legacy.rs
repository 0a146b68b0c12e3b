//! Versions 1 and 2, read only (no SDK writes them any more). Object types 1–2 only.
//!
//! ```text
//! V1  01 <type> <has rows> <row is UUID> <16B object UUID>
//!        [<16B span UUID> <16B root UUID> <row: 16B UUID | UTF-8 rest>]
//! V2  02 <type> <has object> <has args> <has rows> <row is UUID>
//!        [<16B object UUID>] [<i32 BE length> <JSON args>]
//!        [<16B span UUID> <16B root UUID> <row: 16B UUID | UTF-8 rest>]
//! ```

use super::bytes::{parse_json_object, Reader};
use super::error::{Part, SlugError};
use super::{Draft, Field};
use crate::json::JsonValue;
use crate::prelude::*;

/// Object type and flags shared by both layouts; `Reader` is positioned after byte 0.
fn object_type(r: &mut Reader<'_>, version: u8, draft: &mut Draft) -> Result<(), SlugError> {
    let value = r.byte(Part::ObjectType)?;
    if !matches!(value, 1 | 2) {
        return Err(SlugError::UnknownObjectType { value, version });
    }
    draft.set_object_type(value);
    Ok(())
}

fn flag(r: &mut Reader<'_>, name: &'static str) -> Result<bool, SlugError> {
    let offset = r.offset();
    match r.byte(Part::Flag(name))? {
        0 => Ok(false),
        1 => Ok(true),
        value => Err(SlugError::InvalidFlag { part: Part::Flag(name), offset, value }),
    }
}

/// Span, root and row ids, which end the record.
fn row_ids(r: &mut Reader<'_>, draft: &mut Draft, row_is_uuid: bool) -> Result<(), SlugError> {
    let span_id = r.uuid(Part::Uuid(Field::SpanId))?;
    let root_span_id = r.uuid(Part::Uuid(Field::RootSpanId))?;
    let row_id = if row_is_uuid {
        let row = r.uuid(Part::RowId)?;
        no_trailing_bytes(r)?;
        row
    } else {
        let (offset, rest) = r.rest();
        if rest.is_empty() {
            return Err(SlugError::EmptyRowId { offset });
        }
        core::str::from_utf8(rest)
            .map_err(|e| SlugError::InvalidUtf8 { part: Part::RowId, offset: offset.saturating_add(e.valid_up_to()) })?
            .to_owned()
    };
    draft.set(Field::SpanId, JsonValue::String(span_id));
    draft.set(Field::RootSpanId, JsonValue::String(root_span_id));
    draft.set(Field::RowId, JsonValue::String(row_id));
    Ok(())
}

fn no_trailing_bytes(r: &mut Reader<'_>) -> Result<(), SlugError> {
    let (offset, rest) = r.rest();
    if rest.is_empty() {
        Ok(())
    } else {
        Err(SlugError::TrailingBytes { offset, count: rest.len() })
    }
}

pub(crate) fn decode_v1(raw: &[u8], draft: &mut Draft) -> Result<(), SlugError> {
    let mut r = Reader::new(raw.get(1..).unwrap_or_default(), 1);
    object_type(&mut r, 1, draft)?;
    let has_rows = flag(&mut r, "has_row_ids")?;
    let row_is_uuid = flag(&mut r, "row_id_is_uuid")?;
    let object_id = r.uuid(Part::Uuid(Field::ObjectId))?;
    draft.set(Field::ObjectId, JsonValue::String(object_id));
    if has_rows {
        row_ids(&mut r, draft, row_is_uuid)?;
    } else {
        no_trailing_bytes(&mut r)?;
    }
    Ok(())
}

pub(crate) fn decode_v2(raw: &[u8], draft: &mut Draft) -> Result<(), SlugError> {
    let mut r = Reader::new(raw.get(1..).unwrap_or_default(), 1);
    object_type(&mut r, 2, draft)?;
    let has_object_id = flag(&mut r, "has_object_id")?;
    let has_args = flag(&mut r, "has_compute_object_metadata_args")?;
    let has_rows = flag(&mut r, "has_row_ids")?;
    let row_is_uuid = flag(&mut r, "row_id_is_uuid")?;
    if !has_object_id && !has_args {
        return Err(SlugError::NoObject);
    }
    if has_object_id {
        let object_id = r.uuid(Part::Uuid(Field::ObjectId))?;
        draft.set(Field::ObjectId, JsonValue::String(object_id));
    }
    if has_args {
        let offset = r.offset();
        let length = i32::from_be_bytes(r.array::<4>(Part::ComputeArgsLength)?);
        let length = usize::try_from(length).map_err(|_| SlugError::NegativeLength { offset, value: length })?;
        let offset = r.offset();
        let json = r.take(length, Part::ComputeArgs)?;
        let args = parse_json_object(json, offset, Part::ComputeArgs)?;
        draft.set(Field::ComputeObjectMetadataArgs, JsonValue::Object(args));
    }
    if has_rows {
        row_ids(&mut r, draft, row_is_uuid)?;
    } else {
        no_trailing_bytes(&mut r)?;
    }
    Ok(())
}
