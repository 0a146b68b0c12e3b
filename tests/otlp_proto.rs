//! OTLP protobuf encoder: exact bytes for a small request, and the wire layout.

#[path = "otlp/samples.rs"]
mod samples;
#[path = "otlp/wire.rs"]
mod wire;

use samples::{span_id, trace_id, SPAN, TRACE};
use spanwire::otlp::encode_protobuf;
use spanwire::span::{AttributeValue as V, Resource, Scope, SpanKind, SpanRecord, StatusCode};

fn encode(resource: &Resource, scope: &Scope, spans: &[SpanRecord]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_protobuf(resource, scope, spans, &mut out);
    let mut seen = wire::Seen::default();
    wire::walk(&out, wire::Msg::Request, &mut seen).unwrap_or_else(|e| panic!("malformed body: {e}\n{out:02x?}"));
    assert_eq!(seen.spans, spans.len());
    out
}

fn hex(text: &str) -> Vec<u8> {
    let clean: String = text.split_whitespace().collect();
    hex::decode(clean).expect("test hex")
}

#[test]
fn small_span_exact_bytes() {
    let mut span = SpanRecord::new(trace_id(TRACE), span_id(SPAN), "op", 1);
    span.kind = SpanKind::Client;
    span.trace_flags = 1;
    span.end(2);
    span.set_attribute("k", "v".into());
    span.set_status(StatusCode::Error, "x");
    let resource = Resource { attributes: vec![("service.name".into(), "s".into())], ..Resource::default() };
    let got = encode(&resource, &Scope::new("sc", ""), &[span]);

    // Computed by hand from trace.proto; lengths in decimal in the comments.
    let expected = hex(concat!(
        "0a 6c",                                        // resource_spans (108)
        "  0a 15",                                      //   resource (21)
        "    0a 13 0a 0c 736572766963652e6e616d65",     //     attributes (19): key "service.name"
        "          12 03 0a 01 73",                     //       value: string "s"
        "  12 53",                                      //   scope_spans (83)
        "    0a 04 0a 02 7363",                         //     scope: name "sc"
        "    12 4b",                                    //     spans (75)
        "      0a 10 4bf92f3577b34da6a3ce929d0e0e4736", //      1 trace_id
        "      12 08 00f067aa0ba902b7",                 //       2 span_id
        "      2a 02 6f70",                             //       5 name "op"
        "      30 03",                                  //       6 kind CLIENT
        "      39 0100000000000000",                    //       7 start (fixed64)
        "      41 0200000000000000",                    //       8 end (fixed64)
        "      4a 08 0a 01 6b 12 03 0a 01 76",          //       9 attributes: k = "v"
        "      7a 05 12 01 78 18 02",                   //      15 status: message "x", code ERROR
        "      85 01 01010000",                         //      16 flags (fixed32) 0x101
    ));
    assert_eq!(got, expected, "\n got {}\nwant {}", hex::encode(&got), hex::encode(&expected));
}

#[test]
fn no_spans_is_an_empty_request() {
    assert!(encode(&Resource::for_service("s", "webjs"), &Scope::new("x", "1"), &[]).is_empty());
}

/// The bytes of a one-attribute span's `AnyValue` body.
fn any_value_bytes(value: V) -> Vec<u8> {
    let mut span = SpanRecord::new(trace_id(TRACE), span_id(SPAN), "", 0);
    span.set_attribute("k", value);
    let body = encode(&Resource::default(), &Scope::default(), &[span]);
    // KeyValue = 0a 01 6b (key "k") 12 <len> <AnyValue>; find it and cut the AnyValue out.
    let at = body.windows(3).position(|w| w == [0x0a, 0x01, 0x6b]).expect("the key") + 3;
    assert_eq!(body[at], 0x12);
    let mut pos = at + 1;
    let mut len = 0usize;
    let mut shift = 0;
    loop {
        let b = body[pos];
        pos += 1;
        len |= usize::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
    }
    body[pos..pos + len].to_vec()
}

#[test]
fn value_encodings() {
    let cases: Vec<(V, &str, &str)> = vec![
        (V::from("s"), "0a 01 73", "string"),
        (V::from(""), "0a 00", "empty string: the oneof member is still written"),
        (V::Bool(false), "10 00", "false: still written"),
        (V::Bool(true), "10 01", "true"),
        (V::Int(0), "18 00", "zero int"),
        (V::Int(-1), "18 ffffffffffffffffff01", "negative int64: ten-byte two's complement"),
        (V::Int(i64::MIN), "18 80808080808080808001", "i64::MIN"),
        (V::Int(i64::MAX), "18 ffffffffffffffff7f", "i64::MAX"),
        (V::Double(1.0), "21 000000000000f03f", "double as little-endian fixed64"),
        (V::Double(f64::NAN), "21 000000000000f87f", "canonical NaN"),
        (V::Double(-f64::NAN), "21 000000000000f87f", "every NaN becomes the canonical one"),
        (V::Double(f64::NEG_INFINITY), "21 000000000000f0ff", "-inf"),
        (V::Bytes(vec![1, 2]), "3a 02 0102", "bytes"),
        (V::Array(vec![]), "2a 00", "empty array"),
        (V::Empty, "", "an empty AnyValue: no member set"),
        (V::Array(vec![V::Int(1), V::Empty]), "2a 06 0a 02 1801 0a 00", "a null keeps its place in an array"),
        (V::Array(vec![V::Int(1), V::Bool(true)]), "2a 08 0a 02 1801 0a 02 1001", "array"),
        (V::KvList(vec![("x".into(), V::Int(2))]), "32 09 0a 07 0a 01 78 12 02 1802", "kvlist"),
    ];
    for (value, expected, reason) in cases {
        assert_eq!(hex::encode(any_value_bytes(value)), hex::encode(hex(expected)), "{reason}");
    }
}

#[test]
fn long_bodies_get_multi_byte_lengths() {
    for len in [127usize, 128, 16_383, 16_384, 3_000_000] {
        let mut span = SpanRecord::new(trace_id(TRACE), span_id(SPAN), "x".repeat(len), 1);
        span.set_attribute("big", V::from("y".repeat(len)));
        encode(&Resource::default(), &Scope::default(), &[span]);
    }
}

#[test]
fn full_sample_walks_cleanly() {
    for sample in samples::samples() {
        let body = encode(&sample.resource, &sample.scope, &sample.spans);
        assert!(!body.is_empty(), "{}", sample.name);
    }
}
