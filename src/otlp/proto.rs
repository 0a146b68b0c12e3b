//! OTLP protobuf: the binary `ExportTraceServiceRequest`, written by hand.
//!
//! Field numbers and wire types, from `opentelemetry/proto/trace/v1/trace.proto`,
//! `common/v1/common.proto`, `resource/v1/resource.proto` and
//! `collector/trace/v1/trace_service.proto`:
//!
//! ```text
//! ExportTraceServiceRequest  1 resource_spans (msg, repeated)
//! ResourceSpans   1 resource (msg)  2 scope_spans (msg, repeated)  3 schema_url
//! ScopeSpans      1 scope (msg)     2 spans (msg, repeated)        3 schema_url
//! Resource        1 attributes (KeyValue, repeated)  2 dropped_attributes_count (uint32)
//! InstrumentationScope  1 name  2 version  3 attributes  4 dropped_attributes_count
//! Span   1 trace_id (bytes)  2 span_id (bytes)  3 trace_state  4 parent_span_id (bytes)
//!        5 name  6 kind (enum)  7 start_time_unix_nano (fixed64)  8 end_time_unix_nano (fixed64)
//!        9 attributes  10 dropped_attributes_count  11 events  12 dropped_events_count
//!        13 links  14 dropped_links_count  15 status (msg)  16 flags (fixed32)
//! Span.Event  1 time_unix_nano (fixed64)  2 name  3 attributes  4 dropped_attributes_count
//! Span.Link   1 trace_id  2 span_id  3 trace_state  4 attributes  5 dropped_attributes_count
//!             6 flags (fixed32)
//! Status      2 message  3 code (enum)
//! KeyValue    1 key  2 value (AnyValue)
//! AnyValue    oneof: 1 string  2 bool  3 int64  4 double  5 array_value  6 kvlist_value  7 bytes
//! ArrayValue / KeyValueList   1 values (repeated)
//! ```
//!
//! Fields are written in field-number order with minimal varints and proto3
//! defaults left out, so the output is byte-identical to what the reference
//! implementation re-serializes. A nested message's length is not known until its
//! body is written: one byte is reserved for it and, when the body turns out to be
//! 128 bytes or longer, the body is shifted to make room for the longer varint.

use crate::otlp::{span_attributes, ValueRef};
use crate::prelude::*;
use crate::span::{AttributeValue, Event, Link, Resource, Scope, SpanRecord, Status, StatusCode, MAX_VALUE_DEPTH};

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const FIXED32: u8 = 5;

/// Appends the protobuf `ExportTraceServiceRequest` for `spans` to `out`.
///
/// ```
/// use spanwire::span::{Resource, Scope};
/// let mut out = Vec::new();
/// spanwire::otlp::encode_protobuf(&Resource::default(), &Scope::default(), &[], &mut out);
/// assert!(out.is_empty());
/// ```
pub fn encode_protobuf(resource: &Resource, scope: &Scope, spans: &[SpanRecord], out: &mut Vec<u8>) {
    if spans.is_empty() {
        return;
    }
    let resource_spans = begin(out, 1);
    {
        let r = begin(out, 1);
        write_attributes(out, 1, &resource.attributes);
        uint32_field(out, 2, resource.dropped_attributes_count);
        end(out, r);

        let scope_spans = begin(out, 2);
        {
            let s = begin(out, 1);
            string_field(out, 1, &scope.name);
            string_field(out, 2, &scope.version);
            write_attributes(out, 3, &scope.attributes);
            uint32_field(out, 4, scope.dropped_attributes_count);
            end(out, s);
            for span in spans {
                write_span(out, span);
            }
            string_field(out, 3, &scope.schema_url);
        }
        end(out, scope_spans);
        string_field(out, 3, &resource.schema_url);
    }
    end(out, resource_spans);
}

fn write_span(out: &mut Vec<u8>, span: &SpanRecord) {
    let m = begin(out, 2);
    bytes_field(out, 1, &span.trace_id.to_bytes());
    bytes_field(out, 2, &span.span_id.to_bytes());
    if let Some(state) = &span.trace_state {
        string_field(out, 3, state);
    }
    if let Some(parent) = &span.parent_span_id {
        bytes_field(out, 4, &parent.to_bytes());
    }
    string_field(out, 5, &span.name);
    uint32_field(out, 6, span.kind.otlp_value());
    fixed64_field(out, 7, span.start_time_unix_nano);
    fixed64_field(out, 8, span.end_time_unix_nano);
    span_attributes(span, |key, value| write_key_value(out, 9, key, value, 0));
    uint32_field(out, 10, span.dropped_attributes_count);
    for event in &span.events {
        write_event(out, event);
    }
    uint32_field(out, 12, span.dropped_events_count);
    for link in &span.links {
        write_link(out, link);
    }
    uint32_field(out, 14, span.dropped_links_count);
    if span.status.code != StatusCode::Unset || !span.status.message.is_empty() {
        write_status(out, &span.status);
    }
    fixed32_field(out, 16, span.otlp_flags());
    end(out, m);
}

fn write_event(out: &mut Vec<u8>, event: &Event) {
    let m = begin(out, 11);
    fixed64_field(out, 1, event.time_unix_nano);
    string_field(out, 2, &event.name);
    write_attributes(out, 3, &event.attributes);
    uint32_field(out, 4, event.dropped_attributes_count);
    end(out, m);
}

fn write_link(out: &mut Vec<u8>, link: &Link) {
    let m = begin(out, 13);
    bytes_field(out, 1, &link.trace_id.to_bytes());
    bytes_field(out, 2, &link.span_id.to_bytes());
    if let Some(state) = &link.trace_state {
        string_field(out, 3, state);
    }
    write_attributes(out, 4, &link.attributes);
    uint32_field(out, 5, link.dropped_attributes_count);
    fixed32_field(out, 6, link.otlp_flags());
    end(out, m);
}

fn write_status(out: &mut Vec<u8>, status: &Status) {
    let m = begin(out, 15);
    string_field(out, 2, &status.message);
    uint32_field(out, 3, status.code.otlp_value());
    end(out, m);
}

fn write_attributes(out: &mut Vec<u8>, field: u32, attributes: &[(String, AttributeValue)]) {
    for (key, value) in attributes {
        write_key_value(out, field, key, ValueRef::Any(value), 0);
    }
}

fn write_key_value(out: &mut Vec<u8>, field: u32, key: &str, value: ValueRef<'_>, depth: usize) {
    let m = begin(out, field);
    string_field(out, 1, key);
    match value {
        ValueRef::Any(v) => write_any_value(out, 2, v, depth + 1),
        ValueRef::Str(s) => {
            let v = begin(out, 2);
            string_always(out, 1, s);
            end(out, v);
        }
        ValueRef::StrArray(items) => {
            let v = begin(out, 2);
            let array = begin(out, 5);
            for item in items {
                let element = begin(out, 1);
                string_always(out, 1, item);
                end(out, element);
            }
            end(out, array);
            end(out, v);
        }
    }
    end(out, m);
}

/// Writes an `AnyValue` as field `field`. Its oneof member is always written, even
/// when it holds the default value: that is how a oneof records which member is set.
fn write_any_value(out: &mut Vec<u8>, field: u32, value: &AttributeValue, depth: usize) {
    let m = begin(out, field);
    if depth <= MAX_VALUE_DEPTH {
        match value {
            AttributeValue::String(s) => string_always(out, 1, s),
            AttributeValue::Bool(b) => {
                tag(out, 2, VARINT);
                out.push(u8::from(*b));
            }
            AttributeValue::Int(i) => {
                tag(out, 3, VARINT);
                // int64 is written as the two's complement u64 (ten bytes when negative).
                varint(out, *i as u64);
            }
            AttributeValue::Double(d) => {
                tag(out, 4, FIXED64);
                // One NaN for every NaN, so both encodings carry the same value.
                let bits = if d.is_nan() { f64::NAN.to_bits() } else { d.to_bits() };
                out.extend_from_slice(&bits.to_le_bytes());
            }
            AttributeValue::Bytes(bytes) => {
                tag(out, 7, LEN);
                varint(out, bytes.len() as u64);
                out.extend_from_slice(bytes);
            }
            AttributeValue::Array(items) => {
                let array = begin(out, 5);
                for item in items {
                    write_any_value(out, 1, item, depth + 1);
                }
                end(out, array);
            }
            AttributeValue::Empty => {}
            AttributeValue::KvList(pairs) => {
                let list = begin(out, 6);
                for (key, item) in pairs {
                    write_key_value(out, 1, key, ValueRef::Any(item), depth);
                }
                end(out, list);
            }
        }
    }
    end(out, m);
}

fn tag(out: &mut Vec<u8>, field: u32, wire_type: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire_type));
}

/// Writes a base-128 varint, least significant group first.
pub(crate) fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn varint_len(value: u64) -> usize {
    // 1 byte per started group of 7 bits; 0 still takes one byte.
    let bits = 64 - (value | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

fn uint32_field(out: &mut Vec<u8>, field: u32, value: u32) {
    if value != 0 {
        tag(out, field, VARINT);
        varint(out, u64::from(value));
    }
}

fn fixed32_field(out: &mut Vec<u8>, field: u32, value: u32) {
    if value != 0 {
        tag(out, field, FIXED32);
        out.extend_from_slice(&value.to_le_bytes());
    }
}

fn fixed64_field(out: &mut Vec<u8>, field: u32, value: u64) {
    if value != 0 {
        tag(out, field, FIXED64);
        out.extend_from_slice(&value.to_le_bytes());
    }
}

fn string_field(out: &mut Vec<u8>, field: u32, value: &str) {
    if !value.is_empty() {
        string_always(out, field, value);
    }
}

fn string_always(out: &mut Vec<u8>, field: u32, value: &str) {
    tag(out, field, LEN);
    varint(out, value.len() as u64);
    out.extend_from_slice(value.as_bytes());
}

fn bytes_field(out: &mut Vec<u8>, field: u32, value: &[u8]) {
    if !value.is_empty() {
        tag(out, field, LEN);
        varint(out, value.len() as u64);
        out.extend_from_slice(value);
    }
}

/// Starts a length-delimited field: writes its tag and a one-byte length
/// placeholder, and returns where the body starts.
fn begin(out: &mut Vec<u8>, field: u32) -> usize {
    tag(out, field, LEN);
    out.push(0);
    out.len()
}

/// Finishes the field [`begin`] started: writes the body's length into the
/// placeholder, shifting the body right when the length needs more than one byte.
fn end(out: &mut Vec<u8>, body_start: usize) {
    let Some(len) = out.len().checked_sub(body_start) else { return };
    let Some(placeholder) = body_start.checked_sub(1) else { return };
    let width = varint_len(len as u64);
    if width > 1 {
        let extra = width - 1;
        out.resize(out.len() + extra, 0);
        // In range: body_start + len == old length, and the buffer grew by `extra`.
        out.copy_within(body_start..body_start + len, body_start + extra);
    }
    let mut value = len as u64;
    if let Some(slots) = out.get_mut(placeholder..placeholder + width) {
        let last = slots.len().saturating_sub(1);
        for (i, slot) in slots.iter_mut().enumerate() {
            *slot = if i == last { value as u8 } else { (value as u8 & 0x7f) | 0x80 };
            value >>= 7;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        let cases: &[(u64, &[u8])] = &[
            (0, &[0]),
            (1, &[1]),
            (127, &[0x7f]),
            (128, &[0x80, 0x01]),
            (300, &[0xac, 0x02]),
            (u64::MAX, &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        ];
        for (value, expected) in cases {
            let mut out = Vec::new();
            varint(&mut out, *value);
            assert_eq!(&out, expected, "{value}");
            assert_eq!(varint_len(*value), expected.len(), "{value}");
        }
    }

    #[test]
    fn nested_lengths_are_backpatched() {
        for len in [0usize, 1, 127, 128, 300, 16_383, 16_384, 70_000] {
            let mut out = vec![0xaa];
            let m = begin(&mut out, 3);
            out.extend_from_slice(&vec![0x55; len]);
            end(&mut out, m);
            let mut expected = vec![0xaa, 0x1a];
            varint(&mut expected, len as u64);
            expected.extend_from_slice(&vec![0x55; len]);
            assert_eq!(out, expected, "body of {len} bytes");
        }
    }
}
