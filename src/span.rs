//! A recorded span: the data a span holds from start to end, ready for export.
//!
//! Everything here is plain data with no JS types. The OTLP encoders in
//! [`crate::otlp`] read it; the bindings layer fills it in.
//!
//! ```text
//! SpanRecord
//!   trace_id, span_id, parent_span_id?, trace_flags, trace_state?
//!   name, kind, start/end (ns since the Unix epoch)
//!   attributes  [(key, AttributeValue)]      -> Span.attributes
//!   events, links, status, dropped counts     -> as OTLP
//!   braintrust  BraintrustFields (span.log)   -> braintrust.* attributes
//!   braintrust_parent  "project_id:…"         -> braintrust.parent
//! ```
//!
//! # Braintrust `log` fields
//!
//! [`BraintrustFields`] holds what `span.log({ input, output, expected, error,
//! metadata, metrics, scores, tags })` was given, each value as JSON text the caller
//! serialized. Successive `log` calls merge the way the Braintrust SDKs merge the
//! partial rows of one span (`mergeDicts` in the JS SDK's `util/object_util.ts`, which
//! the backend applies again for rows flagged `_is_merge`):
//!
//! - a field the update leaves out (`None`, JS `undefined`) is kept;
//! - when both the old and the new value are JSON objects they are merged key by
//!   key, recursively (so `metadata`, `metrics`, `scores`, and also object-valued
//!   `input`/`output`/`expected`/`error`, are deep-merged); keys `__proto__`,
//!   `constructor` and `prototype` are skipped, as the SDK does;
//! - otherwise the new value replaces the old one (arrays, strings, numbers and an
//!   explicit `null` all replace);
//! - `tags` is a set union in first-seen order.
//!
//! Merged objects keep their keys in the order `mergeDicts` leaves them: a key keeps
//! the place it was first set in, at every depth, and new keys follow (array-index
//! keys such as `"0"` come first, as in any JS object: see [`JsonObject`]).
//!
//! # Mapping to OTLP attributes
//!
//! The names are the ones Braintrust's OTel ingestion reads (its "Braintrust
//! attributes" table): the `_json` names tell the backend the string is JSON.
//!
//! | log field         | attribute                    | OTLP value          |
//! |-------------------|------------------------------|---------------------|
//! | `input`           | `braintrust.input_json`      | string (JSON text)  |
//! | `output`          | `braintrust.output_json`     | string (JSON text)  |
//! | `expected`        | `braintrust.expected_json`   | string (JSON text)  |
//! | `metadata`        | `braintrust.metadata`        | string (JSON text)  |
//! | `metrics`         | `braintrust.metrics`         | string (JSON text)  |
//! | `scores`          | `braintrust.scores`          | string (JSON text)  |
//! | `span_attributes` | `braintrust.span_attributes` | string (JSON text)  |
//! | `tags`            | `braintrust.tags`            | array of strings    |
//! | parent            | `braintrust.parent`          | string              |
//! | `error`           | span status `Error` + message (see [`SpanRecord::log`]); an `exception` event if the final status does not carry it ([`SpanRecord::end`]) |
//!
//! Braintrust has no `braintrust.error` attribute; an error is carried the OTel way,
//! as the span status, or as an `exception` event where the status says something else
//! (an `ok`, which is final, or an `Error` the caller set with its own message).

use crate::prelude::*;
use core::fmt;

use crate::json::{apply_fate, keep_first_place_last_value, JsonError, JsonObject, JsonValue, GONE};
use crate::message::{display_message, message, Message};

use crate::ids::{SpanId, TraceId};

/// Attribute key for `log({ input })`.
pub const BT_INPUT: &str = "braintrust.input_json";
/// Attribute key for `log({ output })`.
pub const BT_OUTPUT: &str = "braintrust.output_json";
/// Attribute key for `log({ expected })`.
pub const BT_EXPECTED: &str = "braintrust.expected_json";
/// Attribute key for `log({ metadata })`.
pub const BT_METADATA: &str = "braintrust.metadata";
/// Attribute key for `log({ metrics })`.
pub const BT_METRICS: &str = "braintrust.metrics";
/// Attribute key for `log({ scores })`.
pub const BT_SCORES: &str = "braintrust.scores";
/// Attribute key for the span's Braintrust `span_attributes` (`{"type":"llm"}`, …).
pub const BT_SPAN_ATTRIBUTES: &str = "braintrust.span_attributes";
/// Attribute key for `log({ tags })`.
pub const BT_TAGS: &str = "braintrust.tags";
/// Attribute key for the Braintrust parent (`project_id:<id>`, `project_name:<name>`, `experiment_id:<id>`).
pub const BT_PARENT: &str = "braintrust.parent";

/// The `Span.flags` bit saying whether the parent is remote is known (OTLP `SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK`).
pub const FLAG_HAS_IS_REMOTE: u32 = 0x100;
/// The `Span.flags` bit saying the parent is remote (OTLP `SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK`).
pub const FLAG_IS_REMOTE: u32 = 0x200;

/// OTLP `Span.SpanKind`, with its wire numbers. (`SPAN_KIND_UNSPECIFIED` = 0 is never produced.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SpanKind {
    /// 1: an internal operation (the default).
    #[default]
    Internal = 1,
    /// 2: handles a remote request.
    Server = 2,
    /// 3: makes a remote request.
    Client = 3,
    /// 4: sends a message.
    Producer = 4,
    /// 5: receives a message.
    Consumer = 5,
}

impl SpanKind {
    /// The OTLP enum number.
    pub const fn otlp_value(self) -> u32 {
        self as u32
    }
}

/// OTLP `Status.StatusCode`, with its wire numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StatusCode {
    /// 0: not set.
    #[default]
    Unset = 0,
    /// 1: explicitly successful.
    Ok = 1,
    /// 2: failed.
    Error = 2,
}

impl StatusCode {
    /// The OTLP enum number.
    pub const fn otlp_value(self) -> u32 {
        self as u32
    }
}

/// A span status: a code and, for errors, a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    pub code: StatusCode,
    pub message: String,
}

/// An attribute value: what an OTLP `AnyValue` can hold.
///
/// OTel's API allows only primitives and homogeneous arrays of them; OTLP itself
/// allows any mix and nesting, and so does this type. Encoders stop descending at
/// [`MAX_VALUE_DEPTH`] levels of nesting and write an empty value there.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    String(String),
    Bool(bool),
    Int(i64),
    Double(f64),
    Bytes(Vec<u8>),
    Array(Vec<AttributeValue>),
    /// OTLP `kvlist_value`: a nested list of key/value pairs.
    KvList(Vec<(String, AttributeValue)>),
    /// An `AnyValue` with no value set: a `null` inside an array or a nested object,
    /// which OpenTelemetry keeps as is ("null values within arrays MUST be preserved").
    Empty,
}

/// How deep encoders follow nested arrays and kv-lists before writing an empty
/// `AnyValue` instead (so a hostile value cannot exhaust the WebAssembly stack).
pub const MAX_VALUE_DEPTH: usize = 32;

impl From<&str> for AttributeValue {
    fn from(v: &str) -> Self {
        AttributeValue::String(v.to_owned())
    }
}
impl From<String> for AttributeValue {
    fn from(v: String) -> Self {
        AttributeValue::String(v)
    }
}
impl From<bool> for AttributeValue {
    fn from(v: bool) -> Self {
        AttributeValue::Bool(v)
    }
}
impl From<i64> for AttributeValue {
    fn from(v: i64) -> Self {
        AttributeValue::Int(v)
    }
}
impl From<f64> for AttributeValue {
    fn from(v: f64) -> Self {
        AttributeValue::Double(v)
    }
}

/// A list of attributes, in the order they were set.
pub type Attributes = Vec<(String, AttributeValue)>;

/// What [`SpanRecord::weight`] counts for the span itself and for each attribute,
/// event, link, tag and Braintrust field beside their text: ids, times, keys and the
/// body's framing around them.
pub const ITEM_WEIGHT: usize = 64;

/// [`SpanRecord::weight`] of `attributes` whose values are at nesting `depth` (1 for a
/// span's own attributes, as the encoders count).
fn attributes_weight(attributes: &[(String, AttributeValue)], depth: usize) -> usize {
    attributes.iter().map(|(key, value)| ITEM_WEIGHT + key.len() + value_weight(value, depth)).sum()
}

/// The bytes of `value` beside its item's [`ITEM_WEIGHT`], as deep as the encoders go.
fn value_weight(value: &AttributeValue, depth: usize) -> usize {
    if depth > MAX_VALUE_DEPTH {
        return 0;
    }
    match value {
        AttributeValue::String(s) => s.len(),
        AttributeValue::Bytes(b) => b.len(),
        AttributeValue::Bool(_) | AttributeValue::Int(_) | AttributeValue::Double(_) => 8,
        AttributeValue::Empty => 0,
        AttributeValue::Array(items) => items.iter().map(|v| ITEM_WEIGHT + value_weight(v, depth + 1)).sum(),
        AttributeValue::KvList(pairs) => attributes_weight(pairs, depth + 1),
    }
}

/// Replaces the value of `key` or appends it (OTel: setting a key again overwrites it).
pub fn set_attribute(attributes: &mut Attributes, key: impl Into<String>, value: AttributeValue) {
    set_owned_attribute(attributes, key.into(), value);
}

/// [`set_attribute`], written once for every key type.
fn set_owned_attribute(attributes: &mut Attributes, key: String, value: AttributeValue) {
    match attributes.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => attributes.push((key, value)),
    }
}

/// A timestamped event on a span (`span.addEvent`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    pub name: String,
    pub time_unix_nano: u64,
    pub attributes: Attributes,
    pub dropped_attributes_count: u32,
}

/// A link from a span to another span context.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub trace_state: Option<String>,
    /// The W3C trace flags of the linked context.
    pub trace_flags: u8,
    /// Whether the linked context came from another process; `None` when unknown.
    pub is_remote: Option<bool>,
    pub attributes: Attributes,
    pub dropped_attributes_count: u32,
}

impl Link {
    /// The OTLP `Link.flags` value: trace flags plus the is-remote bits when known.
    pub fn otlp_flags(&self) -> u32 {
        otlp_flags(self.trace_flags, self.is_remote)
    }
}

fn otlp_flags(trace_flags: u8, is_remote: Option<bool>) -> u32 {
    let base = u32::from(trace_flags);
    match is_remote {
        None => base,
        Some(false) => base | FLAG_HAS_IS_REMOTE,
        Some(true) => base | FLAG_HAS_IS_REMOTE | FLAG_IS_REMOTE,
    }
}

/// The resource spans are exported under (`service.name` and the SDK's identity).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    pub attributes: Attributes,
    pub dropped_attributes_count: u32,
    pub schema_url: String,
}

/// `telemetry.sdk.name` written by [`Resource::for_service`].
pub const SDK_NAME: &str = "spanwire";
/// `telemetry.sdk.version` written by [`Resource::for_service`]: this crate's version.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

impl Resource {
    /// A resource with `service.name` and `telemetry.sdk.{name,version,language}`.
    ///
    /// `sdk_language` is the OTel semantic-convention value for the runtime, e.g.
    /// `"webjs"` in browsers and Workers or `"nodejs"` in Node.
    ///
    /// ```
    /// use spanwire::span::{AttributeValue, Resource};
    /// let r = Resource::for_service("checkout", "webjs");
    /// assert_eq!(r.attributes[0], ("service.name".to_string(), AttributeValue::from("checkout")));
    /// ```
    pub fn for_service(service_name: &str, sdk_language: &str) -> Self {
        let attributes = [
            ("service.name", service_name),
            ("telemetry.sdk.name", SDK_NAME),
            ("telemetry.sdk.version", SDK_VERSION),
            ("telemetry.sdk.language", sdk_language),
        ];
        Resource {
            attributes: attributes.iter().map(|&(key, value)| (key.to_owned(), value.into())).collect(),
            dropped_attributes_count: 0,
            schema_url: String::new(),
        }
    }
}

/// The instrumentation scope (OTLP `InstrumentationScope`) spans are exported under.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scope {
    pub name: String,
    pub version: String,
    pub attributes: Attributes,
    pub dropped_attributes_count: u32,
    pub schema_url: String,
}

impl Scope {
    /// A scope with a name and version and nothing else.
    pub fn new(name: &str, version: &str) -> Self {
        Scope { name: name.to_owned(), version: version.to_owned(), ..Scope::default() }
    }
}

/// Text that is one valid JSON value (checked when it is made).
#[derive(Clone, PartialEq, Eq)]
pub struct JsonText(String);

/// The text given as JSON does not parse as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonTextError(JsonError);

impl Message for JsonTextError {
    fn write_to(&self, out: &mut String) {
        message!(out, "not valid JSON: ", self.0)
    }
}

display_message!(JsonTextError);

impl core::error::Error for JsonTextError {}

impl JsonText {
    /// Checks that `text` is exactly one JSON value (surrounding whitespace allowed).
    ///
    /// ```
    /// use spanwire::span::JsonText;
    /// assert!(JsonText::new(r#"{"a":1}"#.to_string()).is_ok());
    /// assert!(JsonText::new("{".to_string()).is_err());
    /// assert!(JsonText::new("NaN".to_string()).is_err());
    /// ```
    pub fn new(text: String) -> Result<Self, JsonTextError> {
        match JsonValue::parse(&text) {
            Ok(_) => Ok(JsonText(text)),
            Err(err) => Err(JsonTextError(err)),
        }
    }

    /// Serializes a JSON value (as `JSON.stringify` does).
    pub fn from_value(value: &JsonValue) -> Self {
        JsonText(value.to_json_string())
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the text back into a value.
    pub fn to_value(&self) -> JsonValue {
        JsonValue::parse(&self.0).unwrap_or(JsonValue::Null)
    }

    /// True when the value is a JSON object.
    pub fn is_object(&self) -> bool {
        self.first_byte() == Some(b'{')
    }

    /// True when the value is JSON `null`.
    pub fn is_null(&self) -> bool {
        // The text is one valid JSON value, and only `null` starts with `n`.
        self.first_byte() == Some(b'n')
    }

    fn first_byte(&self) -> Option<u8> {
        self.0.bytes().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    }
}

impl fmt::Debug for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonText({})", self.0)
    }
}

impl fmt::Display for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The fields of Braintrust's `span.log(...)`, each as JSON text; `None` = never logged.
///
/// Used both as a span's accumulated state and as one `log` call's update; see
/// [`BraintrustFields::merge`] and the module docs for the merge rules.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BraintrustFields {
    pub input: Option<JsonText>,
    pub output: Option<JsonText>,
    pub expected: Option<JsonText>,
    pub error: Option<JsonText>,
    pub metadata: Option<JsonText>,
    pub metrics: Option<JsonText>,
    pub scores: Option<JsonText>,
    /// Braintrust's `span_attributes` (`{"type":"llm","name":…}`).
    pub span_attributes: Option<JsonText>,
    pub tags: Option<Vec<String>>,
}

/// Why a `log` update is refused (Braintrust's SDKs refuse the same shapes).
#[derive(Debug, Clone, PartialEq)]
pub enum LogError {
    /// `metadata`, `metrics`, `scores` or `span_attributes` is not a JSON object.
    NotAnObject { field: &'static str },
    /// A score is neither `null`, a boolean nor a number from 0 to 1.
    BadScore { name: String },
    /// A metric is neither `null` nor a number.
    BadMetric { name: String },
}

impl Message for LogError {
    fn write_to(&self, out: &mut String) {
        match self {
            LogError::NotAnObject { field } => message!(out, "`", field, "` must be an object"),
            LogError::BadScore { name } => {
                message!(out, "score `", name, "` must be a number between 0 and 1, a boolean, or null")
            }
            LogError::BadMetric { name } => message!(out, "metric `", name, "` must be a number, or null"),
        }
    }
}

display_message!(LogError);

impl core::error::Error for LogError {}

impl BraintrustFields {
    /// True when no field was ever logged.
    pub fn is_empty(&self) -> bool {
        *self == BraintrustFields::default()
    }

    /// Checks an update the way Braintrust's SDKs validate `log` arguments:
    /// `metadata`, `metrics`, `scores` and `span_attributes` must be objects (or
    /// `null`), scores numbers in `[0, 1]`, booleans or `null`, metrics numbers or
    /// `null`. A boolean score is recorded as 1 or 0, as Braintrust JS records it.
    ///
    /// ```
    /// use spanwire::span::{BraintrustFields, JsonText};
    /// let scores = JsonText::new(r#"{"ok":true,"bad":false,"f":0.5}"#.to_string()).ok();
    /// let mut update = BraintrustFields { scores, ..Default::default() };
    /// update.validate().unwrap();
    /// assert_eq!(update.scores.unwrap().as_str(), r#"{"ok":1,"bad":0,"f":0.5}"#);
    /// ```
    pub fn validate(&mut self) -> Result<(), LogError> {
        for (field, value) in [
            ("metadata", &self.metadata),
            ("metrics", &self.metrics),
            ("scores", &self.scores),
            ("span_attributes", &self.span_attributes),
        ] {
            if let Some(v) = value {
                if !v.is_object() && !v.is_null() {
                    return Err(LogError::NotAnObject { field });
                }
            }
        }
        if let Some(JsonValue::Object(mut scores)) = self.scores.as_ref().map(JsonText::to_value) {
            let mut booleans = false;
            for (name, score) in scores.iter_mut() {
                let ok = match score {
                    JsonValue::Null => true,
                    JsonValue::Number(s) => (0.0..=1.0).contains(s),
                    JsonValue::Bool(b) => {
                        *score = JsonValue::Number(if *b { 1.0 } else { 0.0 });
                        booleans = true;
                        true
                    }
                    _ => false,
                };
                if !ok {
                    return Err(LogError::BadScore { name: name.to_owned() });
                }
            }
            if booleans {
                self.scores = Some(JsonText::from_value(&JsonValue::Object(scores)));
            }
        }
        if let Some(JsonValue::Object(metrics)) = self.metrics.as_ref().map(JsonText::to_value) {
            for (name, metric) in metrics.iter() {
                if !matches!(metric, JsonValue::Null | JsonValue::Number(_)) {
                    return Err(LogError::BadMetric { name: name.to_owned() });
                }
            }
        }
        Ok(())
    }

    /// Merges one `log` update into the accumulated fields (rules in the module docs).
    ///
    /// ```
    /// use spanwire::span::{BraintrustFields, JsonText};
    /// let j = |s: &str| Some(JsonText::new(s.to_string()).unwrap());
    /// let mut fields = BraintrustFields { metadata: j(r#"{"a":{"x":1},"b":2}"#), ..Default::default() };
    /// fields.merge(BraintrustFields { metadata: j(r#"{"a":{"y":3}}"#), output: j("\"hi\""), ..Default::default() });
    /// assert_eq!(fields.metadata.unwrap().as_str(), r#"{"a":{"x":1,"y":3},"b":2}"#);
    /// assert_eq!(fields.output.unwrap().as_str(), "\"hi\"");
    /// ```
    pub fn merge(&mut self, update: BraintrustFields) {
        merge_json(&mut self.input, update.input);
        merge_json(&mut self.output, update.output);
        merge_json(&mut self.expected, update.expected);
        merge_json(&mut self.error, update.error);
        merge_json(&mut self.metadata, update.metadata);
        merge_json(&mut self.metrics, update.metrics);
        merge_json(&mut self.scores, update.scores);
        merge_json(&mut self.span_attributes, update.span_attributes);
        if let Some(new_tags) = update.tags {
            // The union, in first-seen order, without repeats (within the update too):
            // each tag's first place is kept, found by a sort in O(n log n).
            let tags = self.tags.get_or_insert_with(Vec::new);
            tags.extend(new_tags);
            let fate = keep_first_place_last_value(tags.len(), &|at| tags.get(at as usize).map_or("", String::as_str));
            let mut at = 0;
            tags.retain(|_| {
                let kept = fate.get(at).is_some_and(|&f| f != GONE);
                at += 1;
                kept
            });
        }
    }
}

/// Keys Braintrust's `mergeDicts` refuses to merge (prototype pollution guard).
const FORBIDDEN_MERGE_KEYS: [&str; 3] = ["__proto__", "constructor", "prototype"];

fn merge_json(into: &mut Option<JsonText>, from: Option<JsonText>) {
    let Some(from) = from else { return };
    match into {
        Some(existing) if existing.is_object() && from.is_object() => {
            let mut base = existing.to_value();
            if let (JsonValue::Object(base_map), JsonValue::Object(from_map)) = (&mut base, from.to_value()) {
                deep_merge(base_map, from_map);
                *existing = JsonText::from_value(&base);
            } else {
                *existing = from;
            }
        }
        _ => *into = Some(from),
    }
}

fn deep_merge(into: &mut JsonObject, mut from: JsonObject) {
    for key in FORBIDDEN_MERGE_KEYS {
        from.remove(key);
    }
    into.merge_from(from, &mut |old, new| match (old, new) {
        (JsonValue::Object(old), JsonValue::Object(new)) => deep_merge(old, new),
        (old, new) => *old = new,
    });
}

/// Why JSON text is not a set of attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributesJsonError {
    /// The text does not parse.
    NotJson(JsonError),
    /// It parses, but not to an object.
    NotAnObject,
}

impl Message for AttributesJsonError {
    fn write_to(&self, out: &mut String) {
        match self {
            Self::NotJson(e) => message!(out, "attributes are not valid JSON: ", e),
            Self::NotAnObject => out.push_str("attributes must be an object"),
        }
    }
}

display_message!(AttributesJsonError);

impl core::error::Error for AttributesJsonError {}

/// A JSON value as an attribute value: strings, bools, numbers (an integral number
/// within the i64 range is an Int, any other a Double), arrays as arrays, objects as
/// kv-lists in their key order. `null` is `None` at the top, and
/// [`AttributeValue::Empty`] in its place inside an array or object (OpenTelemetry
/// keeps the nulls in an array); so is a value deeper than [`MAX_VALUE_DEPTH`] levels
/// (the attribute's own value is level 1), where the encoders stop.
///
/// ```
/// use spanwire::json::JsonValue;
/// use spanwire::span::{attribute_from_json, AttributeValue};
/// let v = JsonValue::parse(r#"[1, 2.5, "x", null, {"k": true, "n": null}]"#).unwrap();
/// assert_eq!(
///     attribute_from_json(v),
///     Some(AttributeValue::Array(vec![
///         AttributeValue::Int(1),
///         AttributeValue::Double(2.5),
///         AttributeValue::String("x".into()),
///         AttributeValue::Empty,
///         AttributeValue::KvList(vec![
///             ("k".into(), AttributeValue::Bool(true)),
///             ("n".into(), AttributeValue::Empty),
///         ]),
///     ]))
/// );
/// assert_eq!(attribute_from_json(JsonValue::Null), None);
/// ```
pub fn attribute_from_json(value: JsonValue) -> Option<AttributeValue> {
    attribute_at_depth(value, 1)
}

/// `value` at nesting level `depth` (1 for an attribute's value), as the encoders count.
fn attribute_at_depth(value: JsonValue, depth: usize) -> Option<AttributeValue> {
    if depth > MAX_VALUE_DEPTH {
        return None; // where the encoders write an empty value: kept as one
    }
    Some(match value {
        JsonValue::Null => return None,
        JsonValue::Bool(b) => AttributeValue::Bool(b),
        JsonValue::String(s) => AttributeValue::String(s),
        JsonValue::Number(n) if crate::float::is_whole_i64(n) => AttributeValue::Int(n as i64),
        JsonValue::Number(n) => AttributeValue::Double(n),
        // Inside, a `null` (or a value nested too deep) stays in its place as an empty
        // value: an array keeps its length and every item its index.
        JsonValue::Array(items) => AttributeValue::Array(
            items.into_iter().map(|v| attribute_at_depth(v, depth + 1).unwrap_or(AttributeValue::Empty)).collect(),
        ),
        JsonValue::Object(object) => AttributeValue::KvList(
            object
                .into_iter()
                .map(|(k, v)| (k, attribute_at_depth(v, depth + 1).unwrap_or(AttributeValue::Empty)))
                .collect(),
        ),
    })
}

/// A JSON object's entries as attributes (for events and resources), in key order;
/// entries whose value is `null` are left out.
pub fn attributes_from_json(text: &str) -> Result<Attributes, AttributesJsonError> {
    match JsonValue::parse(text) {
        Ok(JsonValue::Object(object)) => {
            Ok(object.into_iter().filter_map(|(k, v)| Some((k, attribute_at_depth(v, 0)?))).collect())
        }
        Ok(_) => Err(AttributesJsonError::NotAnObject),
        Err(e) => Err(AttributesJsonError::NotJson(e)),
    }
}

/// Braintrust `log` tags from JSON text: `None` unless it is an array of strings.
pub fn tags_from_json(text: &str) -> Option<Vec<String>> {
    match JsonValue::parse(text).ok()? {
        JsonValue::Array(items) => items
            .into_iter()
            .map(|item| match item {
                JsonValue::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// A logged `error` as a status message: a JSON string's contents, otherwise the
/// JSON text.
fn error_message(error: &JsonText) -> String {
    match error.to_value() {
        JsonValue::String(s) => s,
        _ => error.as_str().to_owned(),
    }
}

/// A JS time in milliseconds since the epoch (`Date`, `performance.timeOrigin + now()`)
/// as OTLP's nanoseconds: whole milliseconds exactly, the fraction rounded to the
/// nearest nanosecond. (`ms * 1e6` in `f64` is off by up to 128 ns at today's dates:
/// 1.7e18 is past 2^53.) NaN and times at or before the epoch are 0; past `u64` it
/// saturates.
///
/// ```
/// use spanwire::span::unix_nano_from_ms;
/// assert_eq!(unix_nano_from_ms(1_700_000_000_250.0), 1_700_000_000_250_000_000);
/// assert_eq!(unix_nano_from_ms(0.5), 500_000);
/// assert_eq!(unix_nano_from_ms(f64::NAN), 0);
/// ```
#[inline(never)] // one body for the eight bindings that take a time
pub fn unix_nano_from_ms(ms: f64) -> u64 {
    if ms.is_nan() || ms <= 0.0 {
        return 0;
    }
    // Truncates (and saturates past u64::MAX); exact below 2^53 ms, year 287,396.
    let whole = ms as u64;
    // Exact: from 1 up the two are within a factor of 2 (Sterbenz); below 1 it is `ms`.
    let fraction = ms - whole as f64;
    let fraction_ns = (fraction * 1e6 + 0.5) as u64; // 0..=1_000_000
    whole.saturating_mul(1_000_000).saturating_add(fraction_ns)
}

/// One span's recorded data.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanRecord {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent_span_id: Option<SpanId>,
    /// Whether the parent came from another process (extracted from headers).
    /// Written into the OTLP `flags` bits; meaningless without a parent.
    pub parent_is_remote: bool,
    /// W3C trace flags (bit 0 sampled, bit 1 random).
    pub trace_flags: u8,
    pub trace_state: Option<String>,
    pub name: String,
    pub kind: SpanKind,
    pub start_time_unix_nano: u64,
    /// 0 while the span has not ended.
    pub end_time_unix_nano: u64,
    pub attributes: Attributes,
    pub dropped_attributes_count: u32,
    pub events: Vec<Event>,
    pub dropped_events_count: u32,
    pub links: Vec<Link>,
    pub dropped_links_count: u32,
    pub status: Status,
    pub braintrust: BraintrustFields,
    /// The Braintrust parent, e.g. `project_id:<id>`, exported as `braintrust.parent`.
    pub braintrust_parent: Option<String>,
    /// How many of `attributes` had no repeated key when it was last known; those
    /// past it may repeat one (see [`SpanRecord::set_attribute`]).
    attributes_settled: usize,
    /// Whether `status` is the `Error` a logged `error` set (not a `set_status` call),
    /// so that logging `error: null` clears it again.
    status_from_log: bool,
}

/// A live span's attributes up to this many are kept unique as they are set.
const LINEAR_ATTRIBUTES: usize = 16;

impl SpanRecord {
    /// A started span with nothing recorded yet.
    pub fn new(trace_id: TraceId, span_id: SpanId, name: impl Into<String>, start_time_unix_nano: u64) -> Self {
        SpanRecord {
            trace_id,
            span_id,
            parent_span_id: None,
            parent_is_remote: false,
            trace_flags: 0,
            trace_state: None,
            name: name.into(),
            kind: SpanKind::Internal,
            start_time_unix_nano,
            end_time_unix_nano: 0,
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: Vec::new(),
            dropped_events_count: 0,
            links: Vec::new(),
            dropped_links_count: 0,
            status: Status::default(),
            braintrust: BraintrustFields::default(),
            braintrust_parent: None,
            attributes_settled: 0,
            status_from_log: false,
        }
    }

    /// The OTLP `Span.flags` value: the trace flags plus the parent-is-remote bits
    /// (always known here: a root's parent is trivially not remote).
    pub fn otlp_flags(&self) -> u32 {
        otlp_flags(self.trace_flags, Some(self.parent_span_id.is_some() && self.parent_is_remote))
    }

    /// About how many bytes the record adds to an export body: the bytes of every
    /// string, value and id it holds, plus [`ITEM_WEIGHT`] for the span itself and for
    /// each attribute, event, link and tag (their keys and framing). The export queue
    /// bounds its memory and a batch by this sum ([`crate::export::BatchQueue`]); it
    /// walks nested values only as deep as the encoders write them. A body is about
    /// this size, not at most: OTLP/JSON escapes a quote or backslash in two bytes and
    /// a control character in six (a batch of 4 MiB of control characters would be a
    /// 24 MiB body), and protobuf adds a few bytes of framing a value.
    ///
    /// ```
    /// use spanwire::span::{SpanRecord, ITEM_WEIGHT};
    /// use spanwire::{SpanId, TraceId};
    /// let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    /// let mut span = SpanRecord::new(trace, SpanId::from_hex("00f067aa0ba902b7").unwrap(), "GET", 1);
    /// let before = span.weight();
    /// span.set_attribute("http.route", spanwire::span::AttributeValue::from("/users/:id"));
    /// assert_eq!(span.weight(), before + ITEM_WEIGHT + "http.route".len() + "/users/:id".len());
    /// ```
    pub fn weight(&self) -> usize {
        let b = &self.braintrust;
        let texts =
            [&b.input, &b.output, &b.expected, &b.error, &b.metadata, &b.metrics, &b.scores, &b.span_attributes];
        let mut sum = ITEM_WEIGHT + self.name.len() + self.status.message.len();
        for text in [&self.trace_state, &self.braintrust_parent].into_iter().flatten() {
            sum += text.len();
        }
        for text in texts.into_iter().flatten() {
            sum += ITEM_WEIGHT + text.as_str().len();
        }
        for tag in b.tags.iter().flatten() {
            sum += ITEM_WEIGHT + tag.len();
        }
        sum += attributes_weight(&self.attributes, 1);
        for event in &self.events {
            sum += ITEM_WEIGHT + event.name.len() + attributes_weight(&event.attributes, 1);
        }
        for link in &self.links {
            sum +=
                ITEM_WEIGHT + link.trace_state.as_ref().map_or(0, String::len) + attributes_weight(&link.attributes, 1);
        }
        sum
    }

    /// Sets one attribute (`span.setAttributes` calls this per key). A key set again
    /// keeps its place and takes the new value. A span's first attributes are kept
    /// unique as they are set; past 16, new ones are appended and
    /// the repeats among them found all at once ([`SpanRecord::settle_attributes`]),
    /// in O(n log n), whenever they have doubled the list and when the span ends.
    /// Looking on every set took seconds for 50,000 attributes; settling on doubling
    /// keeps a key set again and again (a streamed output) from piling up.
    pub fn set_attribute(&mut self, key: impl Into<String>, value: AttributeValue) {
        let len = self.attributes.len();
        if len < LINEAR_ATTRIBUTES && len == self.attributes_settled {
            set_attribute(&mut self.attributes, key, value);
            self.attributes_settled = self.attributes.len();
        } else {
            self.attributes.push((key.into(), value));
            if len + 1 >= 2 * self.attributes_settled.max(LINEAR_ATTRIBUTES) {
                self.settle_attributes();
            }
        }
    }

    /// Resolves repeated attribute keys now: each keeps its first place and its last
    /// value. [`SpanRecord::end`] and the export queue do it, so an encoder never sees
    /// a repeat.
    pub fn settle_attributes(&mut self) {
        if self.attributes.len() != self.attributes_settled {
            let attributes = &self.attributes;
            let fate = keep_first_place_last_value(attributes.len(), &|at| {
                attributes.get(at as usize).map_or("", |(k, _)| k.as_str())
            });
            apply_fate(&mut self.attributes, &fate);
            self.attributes_settled = self.attributes.len();
        }
    }

    /// Adds an event.
    pub fn add_event(&mut self, name: impl Into<String>, time_unix_nano: u64, attributes: Attributes) {
        self.events.push(Event { name: name.into(), time_unix_nano, attributes, dropped_attributes_count: 0 });
    }

    /// Sets the status the way OTel's API does: `Unset` is ignored, `Ok` is final,
    /// and a message is kept only with `Error`.
    pub fn set_status(&mut self, code: StatusCode, message: &str) {
        self.apply_status(code, message);
        // A status the caller sets is the caller's, even one equal to what a log set (a
        // later `log({ error: null })` must not clear it).
        if code != StatusCode::Unset {
            self.status_from_log = false;
        }
    }

    /// [`SpanRecord::set_status`]'s rule; returns whether the status was taken (not
    /// `Unset`, and not refused by an `Ok` already set).
    fn apply_status(&mut self, code: StatusCode, message: &str) -> bool {
        self.status = match (self.status.code, code) {
            (_, StatusCode::Unset) | (StatusCode::Ok, _) => return false,
            (_, StatusCode::Ok) => Status { code, message: String::new() },
            (_, StatusCode::Error) => Status { code, message: message.to_owned() },
        };
        true
    }

    /// Braintrust's `span.log(...)`: validates the update, merges it, and, when it
    /// carries a non-null `error`, sets the status to `Error` with the error as the
    /// message (a JSON string's contents, otherwise the JSON text). A `null` error
    /// (Braintrust's way to clear the field) clears an `Error` status that a logged
    /// error set; one set by [`SpanRecord::set_status`] stays.
    pub fn log(&mut self, mut update: BraintrustFields) -> Result<(), LogError> {
        update.validate()?;
        match update.error.as_ref() {
            Some(error) if !error.is_null() => {
                // Only an error state the log brought counts as the log's (a message it
                // replaces in a status the caller set stays the caller's).
                let was_error = self.status.code == StatusCode::Error;
                if self.apply_status(StatusCode::Error, &error_message(error)) && !was_error {
                    self.status_from_log = true;
                }
            }
            Some(_) if self.status_from_log => {
                self.status = Status::default();
                self.status_from_log = false;
            }
            _ => {}
        }
        self.braintrust.merge(update);
        Ok(())
    }

    /// Merges Braintrust's propagated event (a slug parent's `propagated_event`) into the
    /// row, as the Braintrust SDKs do for every span under such a parent. Each known
    /// field is logged on its own, so one the log refuses (`metadata` not an object,
    /// say) leaves the others; unknown keys are ignored.
    ///
    /// ```
    /// use spanwire::json::{JsonValue};
    /// use spanwire::span::SpanRecord;
    /// use spanwire::{SpanId, TraceId};
    /// let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    /// let mut span = SpanRecord::new(trace, SpanId::from_hex("00f067aa0ba902b7").unwrap(), "score", 1);
    /// let JsonValue::Object(event) = JsonValue::parse(r#"{"span_attributes":{"purpose":"scorer"},"metadata":{"run":7}}"#).unwrap() else { unreachable!() };
    /// span.log_propagated_event(&event);
    /// assert_eq!(span.braintrust.metadata.as_ref().map(|m| m.as_str()), Some(r#"{"run":7}"#));
    /// ```
    pub fn log_propagated_event(&mut self, event: &JsonObject) {
        for (key, value) in event.iter() {
            let mut update = BraintrustFields::default();
            let slot = match key {
                "input" => &mut update.input,
                "output" => &mut update.output,
                "expected" => &mut update.expected,
                "error" => &mut update.error,
                "metadata" => &mut update.metadata,
                "metrics" => &mut update.metrics,
                "scores" => &mut update.scores,
                "span_attributes" => &mut update.span_attributes,
                "tags" => match value {
                    JsonValue::Array(items) => {
                        let strings = items.iter().filter_map(|t| match t {
                            JsonValue::String(t) => Some(t.clone()),
                            _ => None,
                        });
                        update.tags = Some(strings.collect());
                        let _ = self.log(update);
                        continue;
                    }
                    _ => continue,
                },
                _ => continue,
            };
            *slot = Some(JsonText::from_value(value));
            // One field a call: a field the log refuses is left out, the others kept.
            let _ = self.log(update);
        }
    }

    /// Ends the span at `end_time_unix_nano` (clamped to the start time). Only the
    /// first call counts; returns whether this call ended it.
    ///
    /// A logged `error` is added as an OpenTelemetry `exception` event at the end time
    /// when the final status does not carry it and the span records no `exception`
    /// event yet (`traced` adds one for what it catches), so the export keeps it: an
    /// `Ok` status is final (a later error cannot replace it), an `Ok` set after the
    /// error replaces it, and an `Error` the caller set says its own message.
    pub fn end(&mut self, end_time_unix_nano: u64) -> bool {
        self.settle_attributes();
        if self.end_time_unix_nano != 0 {
            return false;
        }
        self.end_time_unix_nano = end_time_unix_nano.max(self.start_time_unix_nano);
        if let Some(error) = self.braintrust.error.as_ref().filter(|e| !e.is_null()) {
            let message = error_message(error);
            let in_status =
                self.status.code == StatusCode::Error && (self.status_from_log || self.status.message == message);
            if !in_status && !self.events.iter().any(|e| e.name == "exception") {
                let attributes = vec![(String::from("exception.message"), AttributeValue::String(message))];
                self.add_event("exception", self.end_time_unix_nano, attributes);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> Option<JsonText> {
        Some(JsonText::new(s.to_owned()).unwrap())
    }

    /// `n` arrays around `inner`, as JSON.
    fn nested(n: usize, inner: &str) -> JsonValue {
        JsonValue::parse(&format!("{}{inner}{}", "[".repeat(n), "]".repeat(n))).unwrap()
    }

    /// How many arrays deep `value` goes, and what it holds there.
    fn innermost(mut value: &AttributeValue) -> (usize, &AttributeValue) {
        let mut levels = 0;
        while let AttributeValue::Array(items) = value {
            levels += 1;
            value = &items[0];
        }
        (levels, value)
    }

    #[test]
    fn an_attribute_keeps_what_the_encoders_write_and_no_deeper() {
        // The attribute's value is level 1: 31 arrays put the scalar at level 32, written.
        let kept = attribute_from_json(nested(31, "7")).unwrap();
        assert_eq!(innermost(&kept), (31, &AttributeValue::Int(7)));
        // 32 arrays put it at level 33, where the encoders write an empty value: so does
        // the record, which used to hold (and weigh) a value never exported.
        let cut = attribute_from_json(nested(32, "7")).unwrap();
        assert_eq!(innermost(&cut), (32, &AttributeValue::Empty));
        assert_eq!(attribute_from_json(nested(40, "7")).map(|v| innermost(&v).0), Some(32));
        assert_eq!(attribute_from_json(nested(40, "{\"k\":1}")).map(|v| innermost(&v).0), Some(32));
    }

    fn span() -> SpanRecord {
        SpanRecord::new(
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
            SpanId::from_hex("00f067aa0ba902b7").unwrap(),
            "op",
            10,
        )
    }

    #[test]
    fn json_text_null_is_the_null_value_only() {
        for (text, null) in [("null", true), (" \n null\t", true), ("\"null\"", false), ("[null]", false), ("0", false)]
        {
            assert_eq!(j(text).unwrap().is_null(), null, "{text:?}");
        }
    }

    #[test]
    fn status_follows_otel_rules() {
        let mut s = span();
        s.set_status(StatusCode::Unset, "x");
        assert_eq!(s.status, Status::default());
        s.set_status(StatusCode::Error, "boom");
        assert_eq!(s.status, Status { code: StatusCode::Error, message: "boom".into() });
        s.set_status(StatusCode::Ok, "ignored");
        assert_eq!(s.status, Status { code: StatusCode::Ok, message: String::new() });
        s.set_status(StatusCode::Error, "after ok");
        assert_eq!(s.status.code, StatusCode::Ok, "Ok is final");
    }

    #[test]
    fn end_only_once_and_not_before_start() {
        let mut s = span();
        assert!(s.end(5));
        assert_eq!(s.end_time_unix_nano, 10);
        assert!(!s.end(99));
        assert_eq!(s.end_time_unix_nano, 10);
    }

    #[test]
    fn flags_carry_remote_bits() {
        let mut s = span();
        s.trace_flags = 0x03;
        assert_eq!(s.otlp_flags(), 0x103);
        s.parent_span_id = SpanId::from_hex("0000000000000001").ok();
        s.parent_is_remote = true;
        assert_eq!(s.otlp_flags(), 0x303);
    }

    #[test]
    fn log_error_sets_status() {
        let mut s = span();
        s.log(BraintrustFields { error: j("\"bad thing\""), ..Default::default() }).unwrap();
        assert_eq!(s.status, Status { code: StatusCode::Error, message: "bad thing".into() });
        let mut s = span();
        s.log(BraintrustFields { error: j(r#"{"code":7}"#), ..Default::default() }).unwrap();
        assert_eq!(s.status.message, r#"{"code":7}"#);
        let mut s = span();
        s.log(BraintrustFields { error: j("null"), ..Default::default() }).unwrap();
        assert_eq!(s.status.code, StatusCode::Unset);
    }

    #[test]
    fn a_null_error_clears_the_status_a_logged_error_set_and_no_other() {
        let log = |s: &mut SpanRecord, error: &str| s.log(BraintrustFields { error: j(error), ..Default::default() });
        let mut s = span();
        log(&mut s, "\"first\"").unwrap();
        log(&mut s, "\"second\"").unwrap();
        assert_eq!(s.status, Status { code: StatusCode::Error, message: "second".into() });
        log(&mut s, "null").unwrap();
        assert_eq!(s.status, Status::default(), "cleared with the field");
        s.end(5);
        assert!(s.events.is_empty(), "no error left to report at the end");

        // An Error the caller set stays, whatever is logged after it.
        let mut s = span();
        log(&mut s, "\"logged\"").unwrap();
        s.set_status(StatusCode::Error, "set");
        log(&mut s, "null").unwrap();
        assert_eq!(s.status, Status { code: StatusCode::Error, message: "set".into() });
        let mut s = span();
        s.set_status(StatusCode::Error, "set");
        log(&mut s, "\"logged\"").unwrap();
        log(&mut s, "null").unwrap();
        assert_eq!(
            s.status,
            Status { code: StatusCode::Error, message: "logged".into() },
            "logged over a set one: kept"
        );
        // The caller sets the very status the log set: it is the caller's now.
        let mut s = span();
        log(&mut s, "\"boom\"").unwrap();
        s.set_status(StatusCode::Error, "boom");
        log(&mut s, "null").unwrap();
        assert_eq!(
            s.status,
            Status { code: StatusCode::Error, message: "boom".into() },
            "set again by the caller: kept"
        );
    }

    #[test]
    fn a_logged_error_the_status_does_not_carry_is_an_exception_event_at_end() {
        let exception = |message: &str| Event {
            name: "exception".into(),
            time_unix_nano: 20,
            attributes: vec![("exception.message".into(), message.into())],
            dropped_attributes_count: 0,
        };
        fn error(text: &str) -> BraintrustFields {
            BraintrustFields { error: j(text), ..Default::default() }
        }
        // (steps before end, the status at end, the events, why)
        type Step = fn(&mut SpanRecord);
        let cases: [(Step, Status, Vec<Event>, &str); 8] = [
            (
                |s| s.log(error("\"bad\"")).unwrap(),
                Status { code: StatusCode::Error, message: "bad".into() },
                vec![],
                "the status carries it",
            ),
            (
                |s| {
                    s.set_status(StatusCode::Ok, "");
                    s.log(error("\"bad\"")).unwrap();
                },
                Status { code: StatusCode::Ok, message: String::new() },
                vec![exception("bad")],
                "Ok is final",
            ),
            (
                |s| {
                    s.log(error(r#"{"code":7}"#)).unwrap();
                    s.set_status(StatusCode::Ok, "");
                },
                Status { code: StatusCode::Ok, message: String::new() },
                vec![exception(r#"{"code":7}"#)],
                "Ok set after the error replaced it",
            ),
            (
                |s| {
                    s.log(error("\"bad\"")).unwrap();
                    s.set_status(StatusCode::Error, "timeout");
                },
                Status { code: StatusCode::Error, message: "timeout".into() },
                vec![exception("bad")],
                "an Error the caller set says its own message: the logged one is kept as an event",
            ),
            (
                |s| {
                    s.log(error(r#"{"a":1}"#)).unwrap();
                    s.log(error(r#"{"b":2}"#)).unwrap();
                },
                Status { code: StatusCode::Error, message: r#"{"b":2}"#.into() },
                vec![],
                "merged error objects: the status says it failed",
            ),
            (
                |s| {
                    s.set_status(StatusCode::Ok, "");
                    s.log(error("\"thrown\"")).unwrap();
                    s.add_event("exception", 15, Vec::new());
                },
                Status { code: StatusCode::Ok, message: String::new() },
                vec![Event {
                    name: "exception".into(),
                    time_unix_nano: 15,
                    attributes: Vec::new(),
                    dropped_attributes_count: 0,
                }],
                "an exception event already recorded (as traced does)",
            ),
            (|s| s.log(error("null")).unwrap(), Status::default(), vec![], "a null error is no error"),
            (
                |s| s.set_status(StatusCode::Ok, ""),
                Status { code: StatusCode::Ok, message: String::new() },
                vec![],
                "no error",
            ),
        ];
        for (steps, status, events, why) in cases {
            let mut s = span();
            steps(&mut s);
            assert!(s.end(20));
            assert_eq!((&s.status, &s.events), (&status, &events), "{why}");
            assert!(!s.end(30));
            assert_eq!(s.events, events, "{why}: once");
        }
    }

    #[test]
    fn merge_keeps_key_order_and_writes_numbers_as_js() {
        let mut fields =
            BraintrustFields { metadata: j(r#"{"z":1.0,"a":{"y":2,"x":[{"q":1,"p":2}]}}"#), ..Default::default() };
        fields.merge(BraintrustFields { metadata: j(r#"{"m":1e21,"a":{"b":0.5},"z":3}"#), ..Default::default() });
        assert_eq!(
            fields.metadata.unwrap().as_str(),
            r#"{"z":3,"a":{"y":2,"x":[{"q":1,"p":2}],"b":0.5},"m":1e+21}"#,
            "as Braintrust's mergeDicts: a key keeps its first place at every depth, new keys \
             follow; numbers as JSON.stringify writes them"
        );
    }

    #[test]
    fn attributes_from_json_keep_order_and_types() {
        let attrs =
            attributes_from_json(r#"{"b":1,"a":-2.5,"n":null,"s":"x","big":1e300,"i":-9007199254740992}"#).unwrap();
        assert_eq!(
            attrs,
            vec![
                ("b".into(), AttributeValue::Int(1)),
                ("a".into(), AttributeValue::Double(-2.5)),
                ("s".into(), "x".into()),
                ("big".into(), AttributeValue::Double(1e300)),
                ("i".into(), AttributeValue::Int(-9_007_199_254_740_992)),
            ]
        );
        assert_eq!(attributes_from_json("[1]"), Err(AttributesJsonError::NotAnObject));
        assert!(matches!(attributes_from_json("{"), Err(AttributesJsonError::NotJson(_))));
        assert_eq!(tags_from_json(r#"["a","b"]"#), Some(vec!["a".into(), "b".into()]));
        assert_eq!(tags_from_json(r#"["a",1]"#), None);
        assert_eq!(tags_from_json(r#"{"a":1}"#), None);
    }

    #[test]
    fn set_attribute_overwrites() {
        let mut s = span();
        s.set_attribute("a", 1i64.into());
        s.set_attribute("b", true.into());
        s.set_attribute("a", "x".into());
        assert_eq!(s.attributes, vec![("a".into(), "x".into()), ("b".into(), true.into())]);
    }

    #[test]
    fn many_attributes_resolve_repeats_at_end_as_setting_one_by_one_would() {
        let mut next = crate::test_rng::xorshift(0x5eed);
        for round in 0..200 {
            let (count, alphabet) = (1 + (next() % 300) as usize, 1 + next() % 120);
            let mut s = span();
            let mut reference = Attributes::new();
            for i in 0..count {
                let key = format!("k{}", next() % alphabet);
                let value = AttributeValue::Int(i as i64);
                s.set_attribute(key.clone(), value.clone());
                // The rule, applied one by one: the first place, the last value.
                match reference.iter_mut().find(|(k, _)| *k == key) {
                    Some(slot) => slot.1 = value,
                    None => reference.push((key, value)),
                }
            }
            assert!(s.end(5));
            assert_eq!(s.attributes, reference, "round {round}: {count} sets of {alphabet} keys");
        }
    }

    #[test]
    fn tags_merge_as_a_union_in_first_seen_order() {
        let mut next = crate::test_rng::xorshift(0x7a95);
        for round in 0..200 {
            let alphabet = 1 + next() % 60;
            let draw = |next: &mut dyn FnMut() -> u64| -> Vec<String> {
                (0..next() % 80).map(|_| format!("t{}", next() % alphabet)).collect()
            };
            let (first, second) = (draw(&mut next), draw(&mut next));
            let mut fields = BraintrustFields::default();
            fields.merge(BraintrustFields { tags: Some(first.clone()), ..Default::default() });
            fields.merge(BraintrustFields { tags: Some(second.clone()), ..Default::default() });
            let mut expected: Vec<String> = Vec::new();
            for tag in first.into_iter().chain(second) {
                if !expected.contains(&tag) {
                    expected.push(tag);
                }
            }
            assert_eq!(fields.tags, Some(expected), "round {round}");
        }
    }

    #[test]
    fn an_attribute_set_again_and_again_never_piles_up() {
        let mut s = span();
        for i in 0..20 {
            s.set_attribute(format!("k{i}"), AttributeValue::Int(i));
        }
        for chunk in 0..10_000 {
            s.set_attribute("output", AttributeValue::Int(chunk));
            assert!(s.attributes.len() <= 2 * 21, "{} held for 21 keys", s.attributes.len());
        }
        s.settle_attributes();
        assert_eq!(s.attributes.len(), 21);
        assert_eq!(s.attributes.last(), Some(&("output".to_owned(), AttributeValue::Int(9_999))));
    }

    #[test]
    fn merging_large_objects_is_the_one_by_one_deep_merge() {
        /// The merge as Braintrust's mergeDicts writes it: key by key, nested objects merged.
        fn one_by_one(into: &mut JsonObject, from: JsonObject) {
            for (key, new_value) in from {
                if FORBIDDEN_MERGE_KEYS.contains(&key.as_str()) {
                    continue;
                }
                match (into.get_mut(&key), new_value) {
                    (Some(JsonValue::Object(old)), JsonValue::Object(new)) => one_by_one(old, new),
                    (_, new_value) => {
                        into.insert(key, new_value);
                    }
                }
            }
        }
        let mut next = crate::test_rng::xorshift(0xfeed);
        let object = |next: &mut dyn FnMut() -> u64, keys: u64, depth: u32| -> JsonObject {
            let n = next() % 60;
            (0..n)
                .map(|i| {
                    let key = match next() % 4 {
                        0 => format!("{}", next() % keys), // array indexes go first
                        1 => "__proto__".to_owned(),
                        _ => format!("k{}", next() % keys),
                    };
                    let value = if depth > 0 && next() % 3 == 0 {
                        let inner: JsonObject = (0..next() % 5)
                            .map(|j| (format!("n{}", next() % 4), JsonValue::Number(j as f64)))
                            .collect();
                        JsonValue::Object(inner)
                    } else {
                        JsonValue::Number(i as f64)
                    };
                    (key, value)
                })
                .collect()
        };
        for round in 0..300 {
            let keys = 1 + next() % 80;
            let base = object(&mut next, keys, 1);
            let update = object(&mut next, keys, 1);
            let mut expected = base.clone();
            one_by_one(&mut expected, update.clone());
            let mut merged = base;
            deep_merge(&mut merged, update);
            assert_eq!(merged.to_json_string(), expected.to_json_string(), "round {round}");
        }
    }
}
