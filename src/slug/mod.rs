//! Braintrust's exported span string (`span.export()`, the "slug"), versions 1 to 4.
//!
//! A slug is standard base64 (with `=` padding) of a small binary record:
//!
//! ```text
//! V4  04 <type> <N> N×(<field id> <raw id bytes>) [JSON object]   field 3 span_id: 8 bytes
//!                                                               field 4 root_span_id: 16 bytes
//! V3  03 <type> <N> N×(<field id 1-4> <16 UUID bytes>) [JSON object]
//! V2  02 <type> <has object> <has args> <has rows> <row is UUID>
//!        [16B object UUID] [i32 BE length, JSON args] [16B span UUID, 16B root UUID, row]
//! V1  01 <type> <has rows> <row is UUID> 16B object UUID [16B span, 16B root, row]
//!
//! type: 1 experiment, 2 project logs, 3 playground logs (V1/V2: 1 or 2 only)
//! e.g. BAICAwEjRWeJq83vBAEjRWeJq83vASNFZ4mrze97Im9iamVjdF9pZCI6ImFiYyIsInJvd19pZCI6InIxIn0=
//!      = 04 02 02 | 03 0123456789abcdef | 04 0123…cdef (16 bytes) | {"object_id":"abc","row_id":"r1"}
//! ```
//!
//! Whatever is not packed as bytes rides in the JSON tail, keys in this order:
//! `compute_object_metadata_args`, `propagated_event`, `object_id`, `row_id`,
//! `span_id`, `root_span_id`. On decoding, the tail is merged over the binary fields.
//!
//! Encoding ([`SpanComponents::to_v4_string`], [`SpanComponents::to_v3_string`]) is
//! byte-identical to the Braintrust JS SDK, quirks included (see those methods).
//! Decoding ([`SpanComponents::parse`]) reads V1–V4 (a version byte above 4 reads as
//! V4) and gives what the JS SDK's `SpanComponentsV4.fromStr` gives for every slug a
//! Braintrust SDK writes. It is total and stricter than JS on damaged input: where JS
//! reads past the end, ignores stray bytes or replaces invalid UTF-8, this returns a
//! [`SlugError`] that names the byte offset, the field and the problem.
//!
//! ```
//! use spanwire::slug::{ObjectType, SpanComponents};
//! let slug = "BAICAwEjRWeJq83vBAEjRWeJq83vASNFZ4mrze97Im9iamVjdF9pZCI6ImFiYyIsInJvd19pZCI6InIxIn0=";
//! let parent = SpanComponents::parse(slug).unwrap();
//! assert_eq!(parent.object_type, ObjectType::ProjectLogs);
//! assert_eq!(parent.span_id.as_deref(), Some("0123456789abcdef"));
//! assert!(parent.links_child());
//! assert_eq!(parent.to_v4_string(), slug);
//! ```

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::prelude::*;

mod bytes;
mod error;
mod legacy;
mod packed;

use core::fmt;
use core::str::FromStr;

pub use error::{Base64Problem, Part, SlugError};
// The JSON types live in `crate::json` (spans use them too); re-exported here, where
// the slug API has always named them.
pub use crate::json::{JsonError, JsonErrorKind, JsonObject, JsonValue, MAX_DEPTH};

/// The kind of object a span is logged to (the slug's byte 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ObjectType {
    /// `experiment_id`
    Experiment = 1,
    /// `project_id`, `log_id: "g"`
    ProjectLogs = 2,
    /// `prompt_session_id`, `log_id: "x"`
    PlaygroundLogs = 3,
}

impl ObjectType {
    /// The type with this wire value (1, 2 or 3).
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(Self::Experiment),
            2 => Some(Self::ProjectLogs),
            3 => Some(Self::PlaygroundLogs),
            _ => None,
        }
    }

    /// The wire value.
    pub fn as_byte(self) -> u8 {
        self as u8
    }

    /// The Braintrust name: `experiment`, `project_logs` or `playground_logs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Experiment => "experiment",
            Self::ProjectLogs => "project_logs",
            Self::PlaygroundLogs => "playground_logs",
        }
    }
}

impl crate::message::Message for ObjectType {
    fn write_to(&self, out: &mut String) {
        out.push_str(self.as_str())
    }
}

crate::message::display_message!(ObjectType);

/// One field of [`SpanComponents`], by its JSON name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    ObjectType,
    ObjectId,
    ComputeObjectMetadataArgs,
    RowId,
    SpanId,
    RootSpanId,
    PropagatedEvent,
}

impl Field {
    /// The JSON key.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::ObjectType => "object_type",
            Field::ObjectId => "object_id",
            Field::ComputeObjectMetadataArgs => "compute_object_metadata_args",
            Field::RowId => "row_id",
            Field::SpanId => "span_id",
            Field::RootSpanId => "root_span_id",
            Field::PropagatedEvent => "propagated_event",
        }
    }

    /// The field a V3/V4 binary field id stands for (1 object, 2 row, 3 span, 4 root).
    pub(crate) fn from_binary_id(id: u8) -> Option<Field> {
        match id {
            1 => Some(Field::ObjectId),
            2 => Some(Field::RowId),
            3 => Some(Field::SpanId),
            4 => Some(Field::RootSpanId),
            _ => None,
        }
    }

    /// The V3/V4 binary field id, for the four id fields.
    pub(crate) fn binary_id(self) -> Option<u8> {
        match self {
            Field::ObjectId => Some(1),
            Field::RowId => Some(2),
            Field::SpanId => Some(3),
            Field::RootSpanId => Some(4),
            _ => None,
        }
    }
}

impl crate::message::Message for Field {
    fn write_to(&self, out: &mut String) {
        out.push_str(self.as_str())
    }
}

crate::message::display_message!(Field);

/// What a slug says: the object a span belongs to and, optionally, the span itself.
///
/// A decoded value satisfies the JS SDK's schema: at most one of `object_id` and
/// `compute_object_metadata_args`, and `row_id`, `span_id`, `root_span_id` all present
/// or all absent. The encoders write whatever the fields hold, as the JS SDK does.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanComponents {
    pub object_type: ObjectType,
    /// The resolved experiment / project / prompt-session id.
    pub object_id: Option<String>,
    /// What to resolve the object from when its id is not known yet, e.g.
    /// `{"project_name": "my-project"}`.
    pub compute_object_metadata_args: Option<JsonObject>,
    /// The span's row id (`span.id`).
    pub row_id: Option<String>,
    pub span_id: Option<String>,
    /// The trace id.
    pub root_span_id: Option<String>,
    /// Event fields children inherit.
    pub propagated_event: Option<JsonObject>,
}

/// The ids a child span links to, from a slug that has all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanLink<'a> {
    pub row_id: &'a str,
    pub span_id: &'a str,
    pub root_span_id: &'a str,
}

impl SpanComponents {
    /// Components for `object_type` with every other field absent.
    pub fn new(object_type: ObjectType) -> Self {
        SpanComponents {
            object_type,
            object_id: None,
            compute_object_metadata_args: None,
            row_id: None,
            span_id: None,
            root_span_id: None,
            propagated_event: None,
        }
    }

    /// Decodes a slug of any version (1–4; a version byte above 4 reads as V4).
    ///
    /// Base64 padding is optional; surrounding ASCII whitespace (space, tab, CR, LF,
    /// form feed) is ignored. Never panics; work and memory are linear in the input.
    ///
    /// ```
    /// use spanwire::slug::{SlugError, SpanComponents};
    /// let c = SpanComponents::parse(" BAIAeyJvYmplY3RfaWQiOiJwcm9qLWlkLTEyMyJ9 ").unwrap();
    /// assert_eq!(c.object_id.as_deref(), Some("proj-id-123"));
    /// assert!(!c.links_child());
    /// assert!(matches!(SpanComponents::parse("AAAA"), Err(SlugError::UnsupportedVersion { version: 0 })));
    /// ```
    pub fn parse(slug: &str) -> Result<Self, SlugError> {
        let raw = bytes::decode_base64(slug)?;
        let Some(&version) = raw.first() else {
            return Err(SlugError::Empty);
        };
        let mut draft = Draft::default();
        match version {
            0 => return Err(SlugError::UnsupportedVersion { version }),
            1 => legacy::decode_v1(&raw, &mut draft)?,
            2 => legacy::decode_v2(&raw, &mut draft)?,
            _ => packed::decode(&raw, &mut draft)?,
        }
        draft.validate()
    }

    /// Builds components from a JSON object with the slug's field names, checking it
    /// as the JS SDK's schema does (types, one object reference, all-or-no row ids).
    /// Unknown keys are ignored.
    ///
    /// ```
    /// use spanwire::slug::{JsonObject, SpanComponents};
    /// let o = JsonObject::parse(r#"{"object_type":1,"object_id":"e1"}"#).unwrap();
    /// assert_eq!(SpanComponents::from_json_object(&o).unwrap().object_id.as_deref(), Some("e1"));
    /// let bad = JsonObject::parse(r#"{"object_type":1,"span_id":"s"}"#).unwrap();
    /// assert_eq!(
    ///     SpanComponents::from_json_object(&bad).unwrap_err().to_string(),
    ///     "span_id present without row_id"
    /// );
    /// ```
    pub fn from_json_object(object: &JsonObject) -> Result<Self, SlugError> {
        let mut draft = Draft::default();
        draft.merge(object);
        draft.validate()
    }

    /// The fields as a JSON object, absent fields left out (the shape of the JS SDK's
    /// `SpanComponentsV4.data`).
    pub fn to_json_object(&self) -> JsonObject {
        let mut out = JsonObject::new();
        out.insert(Field::ObjectType.as_str(), JsonValue::Number(f64::from(self.object_type.as_byte())));
        let strings = [
            (Field::ObjectId, &self.object_id),
            (Field::RowId, &self.row_id),
            (Field::SpanId, &self.span_id),
            (Field::RootSpanId, &self.root_span_id),
        ];
        if let Some(args) = &self.compute_object_metadata_args {
            out.insert(Field::ComputeObjectMetadataArgs.as_str(), JsonValue::Object(args.clone()));
        }
        for (field, value) in strings {
            if let Some(value) = value {
                out.insert(field.as_str(), JsonValue::String(value.clone()));
            }
        }
        if let Some(event) = &self.propagated_event {
            out.insert(Field::PropagatedEvent.as_str(), JsonValue::Object(event.clone()));
        }
        out
    }

    /// The V4 slug, byte-identical to the JS SDK's `SpanComponentsV4.toStr()`.
    ///
    /// `span_id` is packed as 8 bytes when it is 16 UTF-16 units long and each pair of
    /// units passes JS `parseInt(pair, 16)`; `root_span_id` likewise as 16 bytes from
    /// 32 units. That includes JS's quirks: upper case packs (and decodes lower case),
    /// `"0g"` packs as `0x00` and `"-1"` as `0xff`. Everything else goes to the JSON
    /// tail; empty strings are left out, as JS drops falsy values.
    pub fn to_v4_string(&self) -> String {
        bytes::encode_base64(&packed::encode(self, packed::V4))
    }

    /// The V3 slug (the legacy-id export), byte-identical to the JS SDK's
    /// `SpanComponentsV3.toStr()`: ids that are canonical dashed UUIDs of version 1–8
    /// and variant 8–b (or nil / max), in any case, are packed as 16 bytes; the JSON
    /// tail is always written, `{}` when empty.
    pub fn to_v3_string(&self) -> String {
        bytes::encode_base64(&packed::encode(self, packed::V3))
    }

    /// The ids a child span links to: `row_id`, `span_id` and `root_span_id` when all
    /// three are present and non-empty, in whatever format (hex or UUID) they have.
    pub fn span_link(&self) -> Option<SpanLink<'_>> {
        fn non_empty(s: &Option<String>) -> Option<&str> {
            s.as_deref().filter(|s| !s.is_empty())
        }
        Some(SpanLink {
            row_id: non_empty(&self.row_id)?,
            span_id: non_empty(&self.span_id)?,
            root_span_id: non_empty(&self.root_span_id)?,
        })
    }

    /// Whether a span started from this slug is a child of the span it names (rather
    /// than a fresh root under the slug's object).
    pub fn links_child(&self) -> bool {
        self.span_link().is_some()
    }
}

impl FromStr for SpanComponents {
    type Err = SlugError;
    fn from_str(slug: &str) -> Result<Self, SlugError> {
        Self::parse(slug)
    }
}

/// Writes the V4 slug.
impl fmt::Display for SpanComponents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_v4_string())
    }
}

impl serde::Serialize for SpanComponents {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json_object().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for SpanComponents {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let object = JsonObject::deserialize(d)?;
        Self::from_json_object(&object).map_err(serde::de::Error::custom)
    }
}

/// Decoded fields before the schema check: each slot holds whatever the binary part
/// or the JSON tail put there (the JS SDK's `jsonObj` before `zod.parse`).
#[derive(Debug, Default)]
pub(crate) struct Draft {
    object_type: Option<JsonValue>,
    object_id: Option<JsonValue>,
    compute_object_metadata_args: Option<JsonValue>,
    row_id: Option<JsonValue>,
    span_id: Option<JsonValue>,
    root_span_id: Option<JsonValue>,
    propagated_event: Option<JsonValue>,
}

impl Draft {
    pub(crate) fn set_object_type(&mut self, byte: u8) {
        self.set(Field::ObjectType, JsonValue::Number(f64::from(byte)));
    }

    fn slot(&mut self, field: Field) -> &mut Option<JsonValue> {
        match field {
            Field::ObjectType => &mut self.object_type,
            Field::ObjectId => &mut self.object_id,
            Field::ComputeObjectMetadataArgs => &mut self.compute_object_metadata_args,
            Field::RowId => &mut self.row_id,
            Field::SpanId => &mut self.span_id,
            Field::RootSpanId => &mut self.root_span_id,
            Field::PropagatedEvent => &mut self.propagated_event,
        }
    }

    pub(crate) fn set(&mut self, field: Field, value: JsonValue) {
        *self.slot(field) = Some(value);
    }

    /// `Object.assign(jsonObj, tail)`: known keys override, unknown keys are dropped
    /// (the schema strips them).
    pub(crate) fn merge(&mut self, tail: &JsonObject) {
        const KEYS: [Field; 7] = [
            Field::ObjectType,
            Field::ObjectId,
            Field::ComputeObjectMetadataArgs,
            Field::RowId,
            Field::SpanId,
            Field::RootSpanId,
            Field::PropagatedEvent,
        ];
        for (key, value) in tail.iter() {
            if let Some(field) = KEYS.into_iter().find(|f| f.as_str() == key) {
                self.set(field, value.clone());
            }
        }
    }

    /// The JS SDK's zod schema, with a precise error.
    pub(crate) fn validate(self) -> Result<SpanComponents, SlugError> {
        // The checks borrow; the slots move out only once all of them pass.
        let object_type = self.check_types()?;
        let c = SpanComponents {
            object_type,
            object_id: into_string(self.object_id),
            compute_object_metadata_args: into_object(self.compute_object_metadata_args),
            row_id: into_string(self.row_id),
            span_id: into_string(self.span_id),
            root_span_id: into_string(self.root_span_id),
            propagated_event: into_object(self.propagated_event),
        };
        if c.object_id.is_some() && c.compute_object_metadata_args.is_some() {
            return Err(SlugError::ObjectIdAndComputeArgs);
        }
        let row_ids = [(Field::RowId, &c.row_id), (Field::SpanId, &c.span_id), (Field::RootSpanId, &c.root_span_id)];
        if let Some((present, _)) = row_ids.iter().find(|(_, v)| v.is_some()) {
            if let Some((missing, _)) = row_ids.iter().find(|(_, v)| v.is_none()) {
                return Err(SlugError::IncompleteRowIds { present: *present, missing: *missing });
            }
        }
        Ok(c)
    }

    /// The object type, once every slot holds a type the schema allows.
    fn check_types(&self) -> Result<ObjectType, SlugError> {
        let object_type = match &self.object_type {
            Some(JsonValue::Number(n)) => ObjectType::from_byte(*n as u8)
                .filter(|t| f64::from(t.as_byte()) == *n)
                .ok_or_else(|| SlugError::InvalidObjectType { found: JsonValue::Number(*n).to_json_string() })?,
            Some(other) => return Err(wrong_type(Field::ObjectType, "1, 2 or 3", other)),
            None => return Err(SlugError::InvalidObjectType { found: "absent".to_owned() }),
        };
        let slots = [
            (Field::ObjectId, &self.object_id),
            (Field::ComputeObjectMetadataArgs, &self.compute_object_metadata_args),
            (Field::RowId, &self.row_id),
            (Field::SpanId, &self.span_id),
            (Field::RootSpanId, &self.root_span_id),
            (Field::PropagatedEvent, &self.propagated_event),
        ];
        for (field, value) in slots {
            let wants_object = matches!(field, Field::ComputeObjectMetadataArgs | Field::PropagatedEvent);
            match (value, wants_object) {
                (None | Some(JsonValue::Null), _)
                | (Some(JsonValue::String(_)), false)
                | (Some(JsonValue::Object(_)), true) => {}
                // `z.string().nullish()` / `z.record(z.unknown()).nullish()`
                (Some(other), _) => {
                    return Err(wrong_type(field, if wants_object { "an object" } else { "a string" }, other));
                }
            }
        }
        Ok(object_type)
    }
}

fn wrong_type(field: Field, expected: &'static str, found: &JsonValue) -> SlugError {
    SlugError::WrongType { field, expected, found: found.type_name() }
}

/// A slot [`Draft::check_types`] has checked: a string, or null / absent (both `None`).
fn into_string(value: Option<JsonValue>) -> Option<String> {
    match value {
        Some(JsonValue::String(s)) => Some(s),
        _ => None,
    }
}

/// A slot [`Draft::check_types`] has checked: an object (not an array), or null / absent.
fn into_object(value: Option<JsonValue>) -> Option<JsonObject> {
    match value {
        Some(JsonValue::Object(o)) => Some(o),
        _ => None,
    }
}
