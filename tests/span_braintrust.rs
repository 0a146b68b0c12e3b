//! Braintrust `span.log` semantics on the span record: merging like the JS SDK's
//! `mergeDicts` (util/object_util.ts), validation, and the error → status mapping.

use serde_json::{json, Value};
use spanwire::span::{BraintrustFields, JsonText, LogError, SpanRecord, StatusCode};
use spanwire::{SpanId, TraceId};

fn j(v: Value) -> Option<JsonText> {
    Some(JsonText::new(v.to_string()).expect("serde_json writes JSON"))
}

/// The field's JSON text read by serde_json (an independent parser; key order ignored).
fn value(field: &Option<JsonText>) -> Option<Value> {
    field.as_ref().map(|text| serde_json::from_str(text.as_str()).expect("a JsonText is JSON"))
}

fn span() -> SpanRecord {
    SpanRecord::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        "op",
        1,
    )
}

#[test]
fn merges_like_merge_dicts() {
    // (first log's metadata, second log's metadata, merged, why)
    let cases = [
        (json!({"a": 1}), json!({"b": 2}), json!({"a": 1, "b": 2}), "disjoint keys are kept"),
        (json!({"a": 1}), json!({"a": 2}), json!({"a": 2}), "the later value wins"),
        (
            json!({"a": {"x": 1, "y": 1}}),
            json!({"a": {"y": 2}}),
            json!({"a": {"x": 1, "y": 2}}),
            "objects merge deeply",
        ),
        (json!({"a": [1, 2]}), json!({"a": [3]}), json!({"a": [3]}), "arrays are replaced, not merged"),
        (json!({"a": {"x": 1}}), json!({"a": null}), json!({"a": null}), "null replaces"),
        (json!({"a": 1}), json!({"a": {"x": 1}}), json!({"a": {"x": 1}}), "an object replaces a scalar"),
        (
            json!({"a": 1}),
            json!({"__proto__": {"p": 1}, "constructor": 1, "prototype": 2}),
            json!({"a": 1}),
            "forbidden keys are skipped",
        ),
        (
            json!({"a": {"b": 1}}),
            json!({"a": {"__proto__": 1, "c": 2}}),
            json!({"a": {"b": 1, "c": 2}}),
            "forbidden keys skipped at depth too",
        ),
    ];
    for (first, second, merged, why) in cases {
        let mut fields = BraintrustFields { metadata: j(first), ..Default::default() };
        fields.merge(BraintrustFields { metadata: j(second), ..Default::default() });
        assert_eq!(value(&fields.metadata), Some(merged), "{why}");
    }
}

#[test]
fn every_json_field_follows_the_same_rule() {
    let mut fields = BraintrustFields {
        input: j(json!({"q": "hi", "n": 1})),
        output: j(json!("first")),
        expected: j(json!([1])),
        error: j(json!({"e": 1})),
        metrics: j(json!({"tokens": 1})),
        scores: j(json!({"acc": 0.5})),
        span_attributes: j(json!({"type": "llm"})),
        ..Default::default()
    };
    fields.merge(BraintrustFields {
        input: j(json!({"n": 2})),
        output: j(json!({"now": "object"})),
        expected: j(json!([2])),
        metrics: j(json!({"latency": 3})),
        scores: j(json!({"rel": 1})),
        span_attributes: j(json!({"name": "chat"})),
        ..Default::default()
    });
    assert_eq!(value(&fields.input), Some(json!({"q": "hi", "n": 2})), "object input is deep-merged, as in the SDK");
    assert_eq!(value(&fields.output), Some(json!({"now": "object"})), "a non-object is replaced");
    assert_eq!(value(&fields.expected), Some(json!([2])), "arrays are replaced");
    assert_eq!(value(&fields.error), Some(json!({"e": 1})), "a field left out is kept");
    assert_eq!(value(&fields.metrics), Some(json!({"tokens": 1, "latency": 3})));
    assert_eq!(value(&fields.scores), Some(json!({"acc": 0.5, "rel": 1})));
    assert_eq!(value(&fields.span_attributes), Some(json!({"type": "llm", "name": "chat"})));
}

#[test]
fn tags_are_a_set_union_in_first_seen_order() {
    let mut fields = BraintrustFields::default();
    fields.merge(BraintrustFields { tags: Some(vec!["b".into(), "a".into(), "b".into()]), ..Default::default() });
    assert_eq!(fields.tags, Some(vec!["b".to_string(), "a".to_string()]));
    fields.merge(BraintrustFields { tags: Some(vec!["c".into(), "a".into()]), ..Default::default() });
    assert_eq!(fields.tags, Some(vec!["b".to_string(), "a".to_string(), "c".to_string()]));
    fields.merge(BraintrustFields { tags: None, ..Default::default() });
    assert_eq!(fields.tags.as_ref().map(Vec::len), Some(3), "no tags in an update keeps them");
}

#[test]
fn log_validates_like_the_sdk() {
    let cases: Vec<(BraintrustFields, Result<(), LogError>, &str)> = vec![
        (
            BraintrustFields { metadata: j(json!([1])), ..Default::default() },
            Err(LogError::NotAnObject { field: "metadata" }),
            "metadata array",
        ),
        (
            BraintrustFields { metrics: j(json!("x")), ..Default::default() },
            Err(LogError::NotAnObject { field: "metrics" }),
            "metrics string",
        ),
        (
            BraintrustFields { scores: j(json!({"s": 1.5})), ..Default::default() },
            Err(LogError::BadScore { name: "s".into() }),
            "score above 1",
        ),
        (
            BraintrustFields { scores: j(json!({"s": -0.1})), ..Default::default() },
            Err(LogError::BadScore { name: "s".into() }),
            "score below 0",
        ),
        (
            BraintrustFields { scores: j(json!({"s": "1"})), ..Default::default() },
            Err(LogError::BadScore { name: "s".into() }),
            "score as a string",
        ),
        (
            BraintrustFields { metrics: j(json!({"m": true})), ..Default::default() },
            Err(LogError::BadMetric { name: "m".into() }),
            "metric bool",
        ),
        (
            BraintrustFields { scores: j(json!({"a": 0, "b": 1, "c": null})), ..Default::default() },
            Ok(()),
            "scores at the bounds and null",
        ),
        (
            BraintrustFields { metadata: j(json!(null)), input: j(json!([1, "x"])), ..Default::default() },
            Ok(()),
            "null metadata, any input",
        ),
    ];
    for (update, expected, why) in cases {
        let mut s = span();
        assert_eq!(s.log(update.clone()), expected, "{why}");
        if expected.is_err() {
            assert!(s.braintrust.is_empty(), "{why}: a refused update changes nothing");
        }
    }
}

#[test]
fn logged_error_sets_the_status() {
    let mut s = span();
    s.log(BraintrustFields { error: j(json!("timeout")), ..Default::default() }).unwrap();
    assert_eq!(s.status.code, StatusCode::Error);
    assert_eq!(s.status.message, "timeout");
    assert_eq!(value(&s.braintrust.error), Some(json!("timeout")));
}

#[test]
fn json_text_is_checked() {
    for bad in ["", "{", "NaN", "Infinity", "{\"a\":1}x", "'single'", "[1,]"] {
        assert!(JsonText::new(bad.to_string()).is_err(), "{bad:?} is not JSON");
    }
    for good in ["0", " {\"a\":[1,2,{}]} ", "\"\\u00e9\"", "null", "-1.5e300"] {
        assert!(JsonText::new(good.to_string()).is_ok(), "{good:?} is JSON");
    }
}

#[test]
fn boolean_scores_are_recorded_as_one_and_zero_like_braintrust_js() {
    let mut s = span();
    s.log(BraintrustFields { scores: j(json!({"ok": true, "f": 0.5})), ..Default::default() }).unwrap();
    s.log(BraintrustFields { scores: j(json!({"bad": false})), ..Default::default() }).unwrap();
    assert_eq!(value(&s.braintrust.scores), Some(json!({"ok": 1, "f": 0.5, "bad": 0})));
    // Still refused next to a boolean: the whole update is.
    let refused = s.log(BraintrustFields { scores: j(json!({"t": true, "s": 2})), ..Default::default() });
    assert_eq!(refused, Err(LogError::BadScore { name: "s".into() }));
    assert_eq!(value(&s.braintrust.scores), Some(json!({"ok": 1, "f": 0.5, "bad": 0})));
}
