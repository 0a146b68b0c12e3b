//! No-panic property loop: random span records (deterministic xorshift) encoded both
//! ways; the JSON must be strict JSON with the same spans, the protobuf must walk
//! cleanly against the schema.

#[path = "otlp/samples.rs"]
mod samples;
#[path = "otlp/wire.rs"]
mod wire;

use samples::XorShift;
use spanwire::otlp::{encode_json, encode_protobuf};
use spanwire::span::{Resource, Scope};

#[test]
fn random_records_encode_cleanly_both_ways() {
    let mut rng = XorShift::new(0x0123_4567_89ab_cdef);
    let mut json_buf = Vec::new();
    let mut proto_buf = Vec::new();
    for round in 0..1500 {
        let spans: Vec<_> = (0..rng.below(5)).map(|_| rng.span()).collect();
        let resource = Resource {
            attributes: rng.attributes(3),
            dropped_attributes_count: rng.below(2) as u32,
            schema_url: rng.string(4),
        };
        let scope = Scope {
            name: rng.string(4),
            version: rng.string(3),
            attributes: rng.attributes(2),
            dropped_attributes_count: rng.below(2) as u32,
            schema_url: rng.string(3),
        };

        json_buf.clear();
        encode_json(&resource, &scope, &spans, &mut json_buf);
        let value: serde_json::Value = serde_json::from_slice(&json_buf)
            .unwrap_or_else(|e| panic!("round {round}: invalid JSON ({e}): {}", String::from_utf8_lossy(&json_buf)));
        let json_spans = value["resourceSpans"][0]["scopeSpans"][0]["spans"].as_array().map_or(0, Vec::len);
        assert_eq!(json_spans, spans.len(), "round {round}: span count in JSON");
        for (span, json_span) in
            spans.iter().zip(value["resourceSpans"][0]["scopeSpans"][0]["spans"].as_array().into_iter().flatten())
        {
            assert_eq!(json_span["traceId"], span.trace_id.to_hex(), "round {round}");
            assert_eq!(json_span["name"].as_str().unwrap_or(""), span.name, "round {round}: name survives escaping");
        }

        proto_buf.clear();
        encode_protobuf(&resource, &scope, &spans, &mut proto_buf);
        let mut seen = wire::Seen::default();
        wire::walk(&proto_buf, wire::Msg::Request, &mut seen)
            .unwrap_or_else(|e| panic!("round {round}: malformed protobuf: {e}"));
        assert_eq!(seen.spans, spans.len(), "round {round}: span count in protobuf");
        assert_eq!(seen.events, spans.iter().map(|s| s.events.len()).sum::<usize>(), "round {round}: events");
        assert_eq!(seen.links, spans.iter().map(|s| s.links.len()).sum::<usize>(), "round {round}: links");
    }
}
