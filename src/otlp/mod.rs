//! OTLP/HTTP trace request bodies, in JSON and in protobuf.
//!
//! Both encoders write one `ExportTraceServiceRequest`
//! (`opentelemetry/proto/collector/trace/v1/trace_service.proto`) holding one
//! `ResourceSpans` with one `ScopeSpans`:
//!
//! ```text
//! POST /v1/traces   Content-Type: application/json | application/x-protobuf
//! {"resourceSpans":[{"resource":{…},"scopeSpans":[{"scope":{…},"spans":[…]}]}]}
//! ```
//!
//! Rules both encoders follow, so the two bodies decode to the same message:
//! - a scalar field equal to its proto3 default (0, `""`, empty bytes) is left out,
//!   as are empty repeated fields; `AnyValue` members (a oneof) are always written;
//! - `resource` and `scope` are always written, even when empty;
//! - no spans gives an empty request (`{}` / zero bytes), never an empty envelope;
//! - a span's own attributes come first, then the Braintrust `log` fields, then
//!   `braintrust.parent` (one walk, `span_attributes`, gives both encoders that
//!   order); a span attribute whose key a Braintrust field also produces is left
//!   out (the `log` field wins), so keys stay unique.
//!
//! JSON specifics (the OTLP/JSON mapping): lowerCamelCase keys, `traceId`,
//! `spanId`, `parentSpanId` as lowercase hex, enums as integers, 64-bit integers
//! as decimal strings, 32-bit integers as numbers, doubles as numbers or
//! `"NaN"`/`"Infinity"`/`"-Infinity"`, bytes as standard base64.
//!
//! The encoders append to `out` and never fail or panic; reuse one buffer
//! (`out.clear()` between requests) to avoid reallocating.

use crate::prelude::*;
pub mod json;
pub mod proto;

pub use json::encode_json;
pub use proto::encode_protobuf;

use crate::span::{
    AttributeValue, SpanRecord, BT_EXPECTED, BT_INPUT, BT_METADATA, BT_METRICS, BT_OUTPUT, BT_PARENT, BT_SCORES,
    BT_SPAN_ATTRIBUTES, BT_TAGS,
};
use crate::span::{Resource, Scope};

/// `Content-Type` of an OTLP/JSON body.
pub const CONTENT_TYPE_JSON: &str = "application/json";
/// `Content-Type` of an OTLP protobuf body.
pub const CONTENT_TYPE_PROTOBUF: &str = "application/x-protobuf";

/// Which OTLP/HTTP body to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// `application/json`.
    #[default]
    Json,
    /// `application/x-protobuf`.
    Protobuf,
}

impl Encoding {
    /// The `Content-Type` header value for this encoding.
    pub const fn content_type(self) -> &'static str {
        match self {
            Encoding::Json => CONTENT_TYPE_JSON,
            Encoding::Protobuf => CONTENT_TYPE_PROTOBUF,
        }
    }

    /// Appends the request body for `spans` to `out`.
    pub fn encode(self, resource: &Resource, scope: &Scope, spans: &[SpanRecord], out: &mut Vec<u8>) {
        match self {
            Encoding::Json => encode_json(resource, scope, spans, out),
            Encoding::Protobuf => encode_protobuf(resource, scope, spans, out),
        }
    }
}

/// One exported span attribute value, borrowed from the record.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ValueRef<'a> {
    Any(&'a AttributeValue),
    Str(&'a str),
    StrArray(&'a [String]),
}

/// Calls `f` for every attribute the span exports, in export order: the span's
/// own attributes (minus keys a Braintrust field overrides), then the Braintrust
/// `log` fields, then `braintrust.parent`.
pub(crate) fn span_attributes<'a>(span: &'a SpanRecord, mut f: impl FnMut(&'a str, ValueRef<'a>)) {
    let bt = &span.braintrust;
    let json_fields = [
        (BT_INPUT, &bt.input),
        (BT_OUTPUT, &bt.output),
        (BT_EXPECTED, &bt.expected),
        (BT_METADATA, &bt.metadata),
        (BT_METRICS, &bt.metrics),
        (BT_SCORES, &bt.scores),
        (BT_SPAN_ATTRIBUTES, &bt.span_attributes),
    ];
    let overridden = |key: &str| {
        key.starts_with("braintrust.")
            && (json_fields.iter().any(|(k, v)| *k == key && v.is_some())
                || (key == BT_TAGS && bt.tags.is_some())
                || (key == BT_PARENT && span.braintrust_parent.is_some()))
    };
    for (key, value) in &span.attributes {
        if !overridden(key) {
            f(key, ValueRef::Any(value));
        }
    }
    for (key, value) in json_fields {
        if let Some(text) = value {
            f(key, ValueRef::Str(text.as_str()));
        }
    }
    if let Some(tags) = &bt.tags {
        f(BT_TAGS, ValueRef::StrArray(tags));
    }
    if let Some(parent) = &span.braintrust_parent {
        f(BT_PARENT, ValueRef::Str(parent));
    }
}
