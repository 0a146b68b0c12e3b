//! OTLP/JSON: the proto3 JSON mapping with OTLP's deviations (hex ids, integer enums).
//!
//! ```text
//! {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
//!   "scopeSpans":[{"scope":{"name":"spanwire"},"spans":[{"traceId":"4bf9…4736","spanId":"00f0…02b7",
//!   "flags":257,"name":"GET /","kind":2,"startTimeUnixNano":"1700000000000000000",…}]}]}]}
//! ```
//!
//! Written straight into the output buffer: no intermediate tree, no per-field
//! allocation. See [`crate::otlp`] for the rules shared with the protobuf encoder.

use crate::otlp::{span_attributes, ValueRef};
use crate::prelude::*;
use crate::span::{AttributeValue, Event, Link, Resource, Scope, SpanRecord, Status, StatusCode, MAX_VALUE_DEPTH};

/// Appends the OTLP/JSON `ExportTraceServiceRequest` for `spans` to `out`.
///
/// ```
/// use spanwire::span::{Resource, Scope};
/// let mut out = Vec::new();
/// spanwire::otlp::encode_json(&Resource::default(), &Scope::default(), &[], &mut out);
/// assert_eq!(out, b"{}");
/// ```
pub fn encode_json(resource: &Resource, scope: &Scope, spans: &[SpanRecord], out: &mut Vec<u8>) {
    if spans.is_empty() {
        out.extend_from_slice(b"{}");
        return;
    }
    out.extend_from_slice(b"{\"resourceSpans\":[{\"resource\":");
    write_resource(out, resource);
    out.extend_from_slice(b",\"scopeSpans\":[{\"scope\":");
    write_scope(out, scope);
    out.extend_from_slice(b",\"spans\":[");
    for (i, span) in spans.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_span(out, span);
    }
    out.push(b']');
    if !scope.schema_url.is_empty() {
        out.extend_from_slice(b",\"schemaUrl\":");
        write_str(out, &scope.schema_url);
    }
    out.extend_from_slice(b"}]");
    if !resource.schema_url.is_empty() {
        out.extend_from_slice(b",\"schemaUrl\":");
        write_str(out, &resource.schema_url);
    }
    out.extend_from_slice(b"}]}");
}

/// Writes the members of one JSON object, handling the commas.
struct Obj {
    empty: bool,
}

impl Obj {
    fn open(out: &mut Vec<u8>) -> Obj {
        out.push(b'{');
        Obj { empty: true }
    }

    /// Writes `"name":`; `name` is a literal key with no characters to escape.
    fn key(&mut self, out: &mut Vec<u8>, name: &str) {
        if !self.empty {
            out.push(b',');
        }
        self.empty = false;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    }

    fn str_field(&mut self, out: &mut Vec<u8>, name: &str, value: &str) {
        if !value.is_empty() {
            self.key(out, name);
            write_str(out, value);
        }
    }

    fn u32_field(&mut self, out: &mut Vec<u8>, name: &str, value: u32) {
        if value != 0 {
            self.key(out, name);
            write_u64(out, u64::from(value));
        }
    }

    fn u64_field(&mut self, out: &mut Vec<u8>, name: &str, value: u64) {
        if value != 0 {
            self.key(out, name);
            out.push(b'"');
            write_u64(out, value);
            out.push(b'"');
        }
    }

    fn attributes_field(&mut self, out: &mut Vec<u8>, attributes: &[(String, AttributeValue)]) {
        if !attributes.is_empty() {
            self.key(out, "attributes");
            out.push(b'[');
            for (i, (key, value)) in attributes.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_key_value(out, key, ValueRef::Any(value), 0);
            }
            out.push(b']');
        }
    }

    fn close(self, out: &mut Vec<u8>) {
        out.push(b'}');
    }
}

fn write_resource(out: &mut Vec<u8>, resource: &Resource) {
    let mut o = Obj::open(out);
    o.attributes_field(out, &resource.attributes);
    o.u32_field(out, "droppedAttributesCount", resource.dropped_attributes_count);
    o.close(out);
}

fn write_scope(out: &mut Vec<u8>, scope: &Scope) {
    let mut o = Obj::open(out);
    o.str_field(out, "name", &scope.name);
    o.str_field(out, "version", &scope.version);
    o.attributes_field(out, &scope.attributes);
    o.u32_field(out, "droppedAttributesCount", scope.dropped_attributes_count);
    o.close(out);
}

fn write_span(out: &mut Vec<u8>, span: &SpanRecord) {
    let mut o = Obj::open(out);
    o.key(out, "traceId");
    write_hex_id(out, &span.trace_id.to_bytes());
    o.key(out, "spanId");
    write_hex_id(out, &span.span_id.to_bytes());
    if let Some(state) = &span.trace_state {
        o.str_field(out, "traceState", state);
    }
    if let Some(parent) = &span.parent_span_id {
        o.key(out, "parentSpanId");
        write_hex_id(out, &parent.to_bytes());
    }
    o.u32_field(out, "flags", span.otlp_flags());
    o.str_field(out, "name", &span.name);
    o.u32_field(out, "kind", span.kind.otlp_value());
    o.u64_field(out, "startTimeUnixNano", span.start_time_unix_nano);
    o.u64_field(out, "endTimeUnixNano", span.end_time_unix_nano);

    let mut wrote_any = false;
    span_attributes(span, |key, value| {
        if wrote_any {
            out.push(b',');
        } else {
            o.key(out, "attributes");
            out.push(b'[');
            wrote_any = true;
        }
        write_key_value(out, key, value, 0);
    });
    if wrote_any {
        out.push(b']');
    }
    o.u32_field(out, "droppedAttributesCount", span.dropped_attributes_count);

    if !span.events.is_empty() {
        o.key(out, "events");
        write_array(out, &span.events, write_event);
    }
    o.u32_field(out, "droppedEventsCount", span.dropped_events_count);

    if !span.links.is_empty() {
        o.key(out, "links");
        write_array(out, &span.links, write_link);
    }
    o.u32_field(out, "droppedLinksCount", span.dropped_links_count);

    if span.status.code != StatusCode::Unset || !span.status.message.is_empty() {
        o.key(out, "status");
        write_status(out, &span.status);
    }
    o.close(out);
}

/// `[item,item,...]`.
fn write_array<T>(out: &mut Vec<u8>, items: &[T], write: fn(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

fn write_event(out: &mut Vec<u8>, event: &Event) {
    let mut o = Obj::open(out);
    o.u64_field(out, "timeUnixNano", event.time_unix_nano);
    o.str_field(out, "name", &event.name);
    o.attributes_field(out, &event.attributes);
    o.u32_field(out, "droppedAttributesCount", event.dropped_attributes_count);
    o.close(out);
}

fn write_link(out: &mut Vec<u8>, link: &Link) {
    let mut o = Obj::open(out);
    o.key(out, "traceId");
    write_hex_id(out, &link.trace_id.to_bytes());
    o.key(out, "spanId");
    write_hex_id(out, &link.span_id.to_bytes());
    if let Some(state) = &link.trace_state {
        o.str_field(out, "traceState", state);
    }
    o.attributes_field(out, &link.attributes);
    o.u32_field(out, "droppedAttributesCount", link.dropped_attributes_count);
    o.u32_field(out, "flags", link.otlp_flags());
    o.close(out);
}

fn write_status(out: &mut Vec<u8>, status: &Status) {
    let mut o = Obj::open(out);
    o.str_field(out, "message", &status.message);
    o.u32_field(out, "code", status.code.otlp_value());
    o.close(out);
}

fn write_key_value(out: &mut Vec<u8>, key: &str, value: ValueRef<'_>, depth: usize) {
    let mut o = Obj::open(out);
    o.str_field(out, "key", key);
    o.key(out, "value");
    match value {
        ValueRef::Any(v) => write_any_value(out, v, depth + 1),
        ValueRef::Str(s) => {
            out.extend_from_slice(b"{\"stringValue\":");
            write_str(out, s);
            out.push(b'}');
        }
        ValueRef::StrArray(items) => {
            out.extend_from_slice(b"{\"arrayValue\":{");
            if !items.is_empty() {
                out.extend_from_slice(b"\"values\":[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(b"{\"stringValue\":");
                    write_str(out, item);
                    out.push(b'}');
                }
                out.push(b']');
            }
            out.extend_from_slice(b"}}");
        }
    }
    o.close(out);
}

fn write_any_value(out: &mut Vec<u8>, value: &AttributeValue, depth: usize) {
    if depth > MAX_VALUE_DEPTH {
        out.extend_from_slice(b"{}");
        return;
    }
    match value {
        AttributeValue::String(s) => {
            out.extend_from_slice(b"{\"stringValue\":");
            write_str(out, s);
        }
        AttributeValue::Bool(b) => {
            out.extend_from_slice(if *b { b"{\"boolValue\":true" } else { b"{\"boolValue\":false" });
        }
        AttributeValue::Int(i) => {
            out.extend_from_slice(b"{\"intValue\":\"");
            write_i64(out, *i);
            out.push(b'"');
        }
        AttributeValue::Double(d) => {
            out.extend_from_slice(b"{\"doubleValue\":");
            write_f64(out, *d);
        }
        AttributeValue::Bytes(bytes) => {
            out.extend_from_slice(b"{\"bytesValue\":\"");
            write_base64(out, bytes);
            out.push(b'"');
        }
        AttributeValue::Array(items) => {
            out.extend_from_slice(b"{\"arrayValue\":{");
            if !items.is_empty() {
                out.extend_from_slice(b"\"values\":[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_any_value(out, item, depth + 1);
                }
                out.push(b']');
            }
            out.push(b'}');
        }
        AttributeValue::Empty => out.push(b'{'),
        AttributeValue::KvList(pairs) => {
            out.extend_from_slice(b"{\"kvlistValue\":{");
            if !pairs.is_empty() {
                out.extend_from_slice(b"\"values\":[");
                for (i, (key, item)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_key_value(out, key, ValueRef::Any(item), depth);
                }
                out.push(b']');
            }
            out.push(b'}');
        }
    }
    out.push(b'}');
}

/// Writes `"<lowercase hex>"` for an id.
fn write_hex_id(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Trace ids are 16 bytes: 32 digits plus two quotes fit the buffer; longer input is cut.
    let mut buf = [b'"'; 34];
    let mut len = 1;
    for (&b, pair) in bytes.iter().zip(buf[1..33].chunks_exact_mut(2)) {
        if let [hi, lo] = pair {
            *hi = HEX[usize::from(b >> 4)];
            *lo = HEX[usize::from(b & 0x0f)];
            len += 2;
        }
    }
    if let Some(text) = buf.get(..len + 1) {
        out.extend_from_slice(text);
    }
}

/// For each byte: 0 = copy as is, `u` = `\u00XX`, anything else = `\` + that byte.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = b'u';
        i += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Writes `s` as a JSON string: quotes, backslashes and every control character
/// escaped, everything else (including non-ASCII UTF-8) copied as is.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = ESCAPE[usize::from(b)];
        if escape == 0 {
            continue;
        }
        if let Some(run) = bytes.get(start..i) {
            out.extend_from_slice(run);
        }
        start = i + 1;
        if escape == b'u' {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0f)]);
        } else {
            out.push(b'\\');
            out.push(escape);
        }
    }
    if let Some(run) = bytes.get(start..) {
        out.extend_from_slice(run);
    }
    out.push(b'"');
}

/// Writes a `u64` in decimal.
pub(crate) fn write_u64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(crate::decimal::Digits::new(value).as_bytes());
}

fn write_i64(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    write_u64(out, value.unsigned_abs());
}

/// Writes a double the proto3 JSON way: the shortest round-trip number, or the
/// strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn write_f64(out: &mut Vec<u8>, value: f64) {
    if value.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
    } else if value.is_infinite() {
        out.extend_from_slice(if value > 0.0 { b"\"Infinity\"" } else { b"\"-Infinity\"" });
    } else {
        crate::json::write_f64_shortest(value, out);
    }
}

/// Standard base64 with padding (proto3 JSON `bytes`).
fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |n: u32, shift: u32| ALPHABET[((n >> shift) & 0x3f) as usize];
    let mut chunks = bytes.chunks_exact(3);
    for chunk in &mut chunks {
        if let [a, b, c] = *chunk {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
            out.extend_from_slice(&[sextet(n, 18), sextet(n, 12), sextet(n, 6), sextet(n, 0)]);
        }
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend_from_slice(&[sextet(n, 18), sextet(n, 12), b'=', b'=']);
        }
        [a, b] => {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8);
            out.extend_from_slice(&[sextet(n, 18), sextet(n, 12), sextet(n, 6), b'=']);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped() {
        let cases: &[(&str, &str, &str)] = &[
            ("plain", "\"plain\"", "nothing to escape"),
            ("a\"b\\c", r#""a\"b\\c""#, "quote and backslash"),
            ("\n\r\t\u{8}\u{c}", r#""\n\r\t\b\f""#, "short escapes"),
            ("\u{0}\u{1}\u{1f}", r#""\u0000\u0001\u001f""#, "other control characters"),
            ("\u{7f}/é😀", "\"\u{7f}/é😀\"", "DEL, slash and non-ASCII stay raw"),
            ("", "\"\"", "empty"),
        ];
        for (input, expected, reason) in cases {
            let got = s(|o| write_str(o, input));
            assert_eq!(&got, expected, "{reason}");
            let back: String = serde_json::from_str(&got).unwrap();
            assert_eq!(&back, input, "{reason}: round trip");
        }
    }

    #[test]
    fn integers_and_doubles() {
        assert_eq!(s(|o| write_u64(o, 0)), "0");
        assert_eq!(s(|o| write_u64(o, u64::MAX)), "18446744073709551615");
        assert_eq!(s(|o| write_i64(o, i64::MIN)), "-9223372036854775808");
        assert_eq!(s(|o| write_i64(o, i64::MAX)), "9223372036854775807");
        assert_eq!(s(|o| write_f64(o, f64::NAN)), "\"NaN\"");
        assert_eq!(s(|o| write_f64(o, f64::INFINITY)), "\"Infinity\"");
        assert_eq!(s(|o| write_f64(o, f64::NEG_INFINITY)), "\"-Infinity\"");
        assert_eq!(s(|o| write_f64(o, 1.5)), "1.5");
        assert_eq!(s(|o| write_f64(o, -0.0)), "-0.0");
        // Shortest round trip, whatever exponent style the writer picks.
        for v in [1e300, -1e-300, f64::MAX, f64::MIN_POSITIVE, 5e-324, 0.1, 123456789.125] {
            let text = s(|o| write_f64(o, v));
            assert_eq!(serde_json::from_str::<f64>(&text).unwrap().to_bits(), v.to_bits(), "{text}");
        }
    }

    #[test]
    fn base64_matches_the_standard_alphabet() {
        for (input, expected) in
            [(&b""[..], ""), (b"f", "Zg=="), (b"fo", "Zm8="), (b"foo", "Zm9v"), (&[0xff, 0xfe, 0xfd, 0x00], "//79AA==")]
        {
            assert_eq!(s(|o| write_base64(o, input)), expected);
        }
    }
}
