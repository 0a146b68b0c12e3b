//! OTLP/JSON encoder: exact output for small requests, and the value encodings.

#[path = "otlp/samples.rs"]
mod samples;

use samples::{span_id, trace_id, PARENT, SPAN, TRACE};
use spanwire::otlp::encode_json;
use spanwire::span::{AttributeValue as V, BraintrustFields, Link, Resource, Scope, SpanKind, SpanRecord, StatusCode};

fn encode(resource: &Resource, scope: &Scope, spans: &[SpanRecord]) -> String {
    let mut out = Vec::new();
    encode_json(resource, scope, spans, &mut out);
    let text = String::from_utf8(out).expect("UTF-8 output");
    serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("invalid JSON ({e}): {text}"));
    text
}

fn small_span() -> SpanRecord {
    let mut span = SpanRecord::new(trace_id(TRACE), span_id(SPAN), "op", 1);
    span.kind = SpanKind::Client;
    span.trace_flags = 1;
    span.end(2);
    span.set_attribute("k", "v".into());
    span.set_status(StatusCode::Error, "x");
    span
}

fn small_resource() -> Resource {
    Resource { attributes: vec![("service.name".into(), "s".into())], ..Resource::default() }
}

/// Wraps one span's JSON in the request envelope `small_resource`/`Scope::new("sc", "")` produce.
fn envelope(span_json: &str) -> String {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"s"}}}}]}},"scopeSpans":[{{"scope":{{"name":"sc"}},"spans":[{span_json}]}}]}}]}}"#
    )
}

#[test]
fn small_span_exact() {
    let got = encode(&small_resource(), &Scope::new("sc", ""), &[small_span()]);
    let span = r#"{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","flags":257,"name":"op","kind":3,"startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"k","value":{"stringValue":"v"}}],"status":{"message":"x","code":2}}"#;
    assert_eq!(got, envelope(span));
}

#[test]
fn empty_request_and_empty_collections() {
    assert_eq!(encode(&small_resource(), &Scope::default(), &[]), "{}", "no spans: an empty request, no envelope");

    let span = SpanRecord::new(trace_id(TRACE), span_id(SPAN), "", 0);
    let got = encode(&Resource::default(), &Scope::default(), &[span]);
    assert_eq!(
        got,
        r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{},"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","flags":256,"kind":1}]}]}]}"#,
        "defaults are left out; resource and scope stay"
    );
}

#[test]
fn parent_trace_state_events_links() {
    let mut span = SpanRecord::new(trace_id(TRACE), span_id(SPAN), "n", 5);
    span.parent_span_id = Some(span_id(PARENT));
    span.parent_is_remote = true;
    span.trace_flags = 1;
    span.trace_state = Some("a=b".into());
    span.add_event("e", 7, vec![("i".into(), V::Int(-3))]);
    span.links.push(Link {
        trace_id: trace_id("0af7651916cd43dd8448eb211c80319c"),
        span_id: span_id("0000000000000001"),
        trace_state: None,
        trace_flags: 1,
        is_remote: Some(false),
        attributes: vec![],
        dropped_attributes_count: 2,
    });
    span.dropped_links_count = 1;
    let got = encode(&small_resource(), &Scope::new("sc", ""), &[span]);
    let expected = envelope(concat!(
        r#"{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","traceState":"a=b","#,
        r#""parentSpanId":"b7ad6b7169203331","flags":769,"name":"n","kind":1,"startTimeUnixNano":"5","#,
        r#""events":[{"timeUnixNano":"7","name":"e","attributes":[{"key":"i","value":{"intValue":"-3"}}]}],"#,
        r#""links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"0000000000000001","droppedAttributesCount":2,"flags":257}],"#,
        r#""droppedLinksCount":1}"#
    ));
    assert_eq!(got, expected);
}

/// The JSON of a one-attribute span's `attributes[0].value`.
fn value_json(value: V) -> String {
    let mut span = SpanRecord::new(trace_id(TRACE), span_id(SPAN), "", 0);
    span.set_attribute("k", value);
    let text = encode(&Resource::default(), &Scope::default(), &[span]);
    let start = text.find(r#""value":"#).expect("a value") + r#""value":"#.len();
    let end = text.rfind("}]}]}]}]}").expect("the envelope's end");
    text[start..end].to_string()
}

#[test]
fn value_encodings() {
    let cases: Vec<(V, &str, &str)> = vec![
        (V::from("s"), r#"{"stringValue":"s"}"#, "string"),
        (V::from(""), r#"{"stringValue":""}"#, "empty string is still a set oneof"),
        (V::Bool(false), r#"{"boolValue":false}"#, "false is still a set oneof"),
        (V::Int(0), r#"{"intValue":"0"}"#, "int64 as a decimal string"),
        (V::Int(i64::MIN), r#"{"intValue":"-9223372036854775808"}"#, "i64::MIN"),
        (V::Int(i64::MAX), r#"{"intValue":"9223372036854775807"}"#, "i64::MAX"),
        (V::Double(2.5), r#"{"doubleValue":2.5}"#, "double as a number"),
        (V::Double(f64::NAN), r#"{"doubleValue":"NaN"}"#, "NaN as proto3 JSON string"),
        (V::Double(f64::INFINITY), r#"{"doubleValue":"Infinity"}"#, "+inf"),
        (V::Double(f64::NEG_INFINITY), r#"{"doubleValue":"-Infinity"}"#, "-inf"),
        (V::Bytes(vec![0xff, 0x00, 0x10]), r#"{"bytesValue":"/wAQ"}"#, "bytes as standard base64"),
        (V::Array(vec![]), r#"{"arrayValue":{}}"#, "empty array"),
        (V::Empty, "{}", "an empty AnyValue (a null kept in an array)"),
        (
            V::Array(vec![V::Int(1), V::Empty, V::Int(3)]),
            r#"{"arrayValue":{"values":[{"intValue":"1"},{},{"intValue":"3"}]}}"#,
            "a null keeps its place in an array",
        ),
        (
            V::Array(vec![V::Int(1), "a".into()]),
            r#"{"arrayValue":{"values":[{"intValue":"1"},{"stringValue":"a"}]}}"#,
            "array",
        ),
        (
            V::KvList(vec![("x".into(), V::Bool(true))]),
            r#"{"kvlistValue":{"values":[{"key":"x","value":{"boolValue":true}}]}}"#,
            "kvlist",
        ),
        (V::from("q\"b\\n\nt\tc\u{1}é😀"), r#"{"stringValue":"q\"b\\n\nt\tc\u0001é😀"}"#, "escaping"),
    ];
    for (value, expected, reason) in cases {
        assert_eq!(value_json(value), expected, "{reason}");
    }
}

#[test]
fn braintrust_fields_become_attributes() {
    let mut span = SpanRecord::new(trace_id(TRACE), span_id(SPAN), "", 0);
    span.set_attribute("braintrust.metadata", "raw attribute, overridden".into());
    span.set_attribute("braintrust.scores", "raw attribute, kept: no scores logged".into());
    span.braintrust = BraintrustFields {
        input: samples::json(r#"{"q":"hi \"there\""}"#),
        metadata: samples::json(r#"{"m":1}"#),
        tags: Some(vec!["a".into(), "b".into()]),
        ..BraintrustFields::default()
    };
    span.braintrust_parent = Some("project_id:p1".into());
    let text = encode(&Resource::default(), &Scope::default(), &[span]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let attrs = &v["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"];
    assert_eq!(
        attrs,
        &serde_json::json!([
            {"key": "braintrust.scores", "value": {"stringValue": "raw attribute, kept: no scores logged"}},
            {"key": "braintrust.input_json", "value": {"stringValue": "{\"q\":\"hi \\\"there\\\"\"}"}},
            {"key": "braintrust.metadata", "value": {"stringValue": "{\"m\":1}"}},
            {"key": "braintrust.tags", "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"stringValue": "b"}]}}},
            {"key": "braintrust.parent", "value": {"stringValue": "project_id:p1"}},
        ])
    );
}

#[test]
fn appends_to_the_buffer() {
    let mut out = b"prefix".to_vec();
    encode_json(&small_resource(), &Scope::new("sc", ""), &[small_span()], &mut out);
    assert!(out.starts_with(b"prefix{\"resourceSpans\""));
}

#[test]
fn deep_values_are_cut_not_overflowed() {
    let mut v = V::Int(1);
    for _ in 0..100_000 {
        v = V::Array(vec![v]);
    }
    let mut span = SpanRecord::new(trace_id(TRACE), span_id(SPAN), "", 0);
    span.set_attribute("deep", v);
    let text = encode(&Resource::default(), &Scope::default(), std::slice::from_ref(&span));
    assert!(text.contains(r#"{"arrayValue":{"values":[{}]}}"#), "the value is cut at the depth limit");
    // Dropping a 100k-deep value recurses too; leak it so the test only measures the encoder.
    std::mem::forget(span);
}
