//! Why a slug did not decode. Byte offsets count from the start of the base64-decoded
//! bytes; base64 problems count characters of the input as given.

use crate::prelude::*;

use super::Field;
use crate::json::JsonError;
use crate::message::{display_message, message, Message, QuotedChar};

/// The part of the binary record being read when something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Byte 1.
    ObjectType,
    /// V3/V4 byte 2: how many binary id fields follow.
    FieldCount,
    /// V3/V4: the id byte of a binary field.
    FieldId,
    /// V3/V4: the bytes of binary field `id`.
    FieldValue { id: u8, field: Field },
    /// V1/V2: a 0/1 flag byte.
    Flag(&'static str),
    /// V1/V2: a 16-byte UUID.
    Uuid(Field),
    /// V2: the 4-byte big-endian length of the compute args.
    ComputeArgsLength,
    /// V2: the compute args JSON.
    ComputeArgs,
    /// V1/V2: the row id that fills the rest of the record.
    RowId,
    /// V3/V4: the JSON object after the binary fields.
    JsonTail,
}

impl Message for Part {
    fn write_to(&self, out: &mut String) {
        match self {
            Part::ObjectType => out.push_str("object type"),
            Part::FieldCount => out.push_str("field count"),
            Part::FieldId => out.push_str("field id"),
            Part::FieldValue { id, field } => message!(out, "field ", id, " (", field, ")"),
            Part::Flag(name) => message!(out, "flag ", name),
            Part::Uuid(field) => message!(out, field, " UUID"),
            Part::ComputeArgsLength => out.push_str("compute_object_metadata_args length"),
            Part::ComputeArgs => out.push_str("compute_object_metadata_args"),
            Part::RowId => out.push_str("row_id"),
            Part::JsonTail => out.push_str("JSON tail"),
        }
    }
}

display_message!(Part);

/// What was wrong with the base64 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base64Problem {
    /// A character outside `A-Z a-z 0-9 + /` (or `=` out of place).
    InvalidCharacter(char),
    /// The length leaves one character alone in the last group of four, which holds
    /// no byte; `at` is that character.
    InvalidLength,
    /// `=` padding that does not complete the last group.
    InvalidPadding,
}

/// Why a slug did not decode.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SlugError {
    /// Nothing but whitespace.
    Empty,
    /// Not base64. `at` is the byte offset in the input as given (leading whitespace
    /// included).
    Base64 { at: usize, problem: Base64Problem },
    /// Version byte 0 (1–4 are known; above 4 reads as V4).
    UnsupportedVersion { version: u8 },
    /// The record ends before `part`, which needs `needed` bytes at `offset`.
    Truncated { part: Part, offset: usize, needed: usize, remaining: usize },
    /// Byte 1 is not an object type this version knows (V1/V2: 1–2, V3/V4: 1–3).
    UnknownObjectType { value: u8, version: u8 },
    /// A V3/V4 binary field id other than 1–4.
    UnknownFieldId { id: u8, offset: usize, version: u8 },
    /// A V1/V2 flag byte that is neither 0 nor 1.
    InvalidFlag { part: Part, offset: usize, value: u8 },
    /// V2 compute args length below zero.
    NegativeLength { offset: usize, value: i32 },
    /// Bytes that are not UTF-8 (`offset` is where the bad sequence starts).
    InvalidUtf8 { part: Part, offset: usize },
    /// The JSON in `part` does not parse; the error's offset counts from the start
    /// of the record.
    Json { part: Part, error: JsonError },
    /// The JSON in `part` is valid but not an object.
    NotAnObject { part: Part, found: &'static str },
    /// V1/V2: an empty row id.
    EmptyRowId { offset: usize },
    /// Bytes after a V1/V2 record.
    TrailingBytes { offset: usize, count: usize },
    /// A field (from the JSON tail) has the wrong JSON type.
    WrongType { field: Field, expected: &'static str, found: &'static str },
    /// `object_type` (from the JSON tail) is not 1, 2 or 3.
    InvalidObjectType { found: String },
    /// Both `object_id` and `compute_object_metadata_args` are set.
    ObjectIdAndComputeArgs,
    /// A V2 record that sets neither `object_id` nor `compute_object_metadata_args`.
    NoObject,
    /// Some but not all of `row_id`, `span_id`, `root_span_id`.
    IncompleteRowIds { present: Field, missing: Field },
}

impl Message for SlugError {
    fn write_to(&self, out: &mut String) {
        match self {
            SlugError::Empty => out.push_str("empty slug"),
            SlugError::Base64 { at, problem } => match problem {
                Base64Problem::InvalidCharacter(c) => {
                    message!(out, "base64: invalid character ", QuotedChar(*c), " at ", at)
                }
                Base64Problem::InvalidLength => {
                    message!(out, "base64: invalid length, character at ", at, " is alone in its group of four")
                }
                Base64Problem::InvalidPadding => message!(out, "base64: invalid padding at ", at),
            },
            SlugError::UnsupportedVersion { version } => {
                message!(out, "unsupported version ", version, " (byte 0; versions 1-4 are known)")
            }
            SlugError::Truncated { part, offset, needed, remaining } => {
                let unit = if *needed == 1 { "byte" } else { "bytes" };
                message!(
                    out,
                    "truncated: ",
                    part,
                    " needs ",
                    needed,
                    " ",
                    unit,
                    " at offset ",
                    offset,
                    ", ",
                    remaining,
                    " remain"
                )
            }
            SlugError::UnknownObjectType { value, version } => {
                let known = if *version <= 2 { "1 or 2" } else { "1, 2 or 3" };
                message!(out, "unknown object type ", value, " (byte 1; version ", version, " knows ", known, ")")
            }
            SlugError::UnknownFieldId { id, offset, version } => {
                message!(out, "unknown field id ", id, " at offset ", offset, " (version ", version, " knows 1-4)")
            }
            SlugError::InvalidFlag { part, offset, value } => {
                message!(out, part, " at offset ", offset, " is ", value, ", expected 0 or 1")
            }
            SlugError::NegativeLength { offset, value } => {
                message!(out, "compute_object_metadata_args length at offset ", offset, " is negative (", value, ")")
            }
            SlugError::InvalidUtf8 { part, offset } => message!(out, part, ": invalid UTF-8 at offset ", offset),
            SlugError::Json { part, error } => message!(out, part, ": ", error),
            SlugError::NotAnObject { part, found } => message!(out, part, ": expected a JSON object, found ", found),
            SlugError::EmptyRowId { offset } => message!(out, "row_id at offset ", offset, " is empty"),
            SlugError::TrailingBytes { offset, count } => {
                let unit = if *count == 1 { "byte" } else { "bytes" };
                message!(out, count, " unexpected trailing ", unit, " at offset ", offset)
            }
            SlugError::WrongType { field, expected, found } => {
                message!(out, field, " must be ", expected, ", found ", found)
            }
            SlugError::InvalidObjectType { found } => message!(out, "object_type must be 1, 2 or 3, found ", found),
            SlugError::ObjectIdAndComputeArgs => {
                out.push_str("both object_id and compute_object_metadata_args are set; at most one is allowed")
            }
            SlugError::NoObject => out.push_str("neither object_id nor compute_object_metadata_args is set"),
            SlugError::IncompleteRowIds { present, missing } => message!(out, present, " present without ", missing),
        }
    }
}

display_message!(SlugError);

impl core::error::Error for SlugError {}
