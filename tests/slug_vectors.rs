//! The slug codec against the outputs of the released Braintrust SDKs
//! (tests/vectors/braintrust-vectors.json, sections `slugs` and `legacy_slugs`).
//!
//! - encoding: ours is byte-identical to `js_v4.slug` and `js_v3.slug`;
//! - decoding: every slug either SDK wrote (js_v4, js_v3, py_v4, py_v3) and every
//!   legacy slug decodes to what the JS SDK's `SpanComponentsV4.fromStr` returned
//!   (`decoded_by_js_v4`). Where JS threw on a slug Python wrote and reads, we decode
//!   it as Python does (listed below with the reason); a legacy slug JS refused gives
//!   the error listed below.
//!
//! The vectors file is read with the crate's own order-preserving JSON parser, so the
//! inputs keep the key order the SDKs saw (it matters for byte-identical JSON tails).

use spanwire::slug::{JsonObject, JsonValue, SpanComponents};

fn vectors() -> JsonObject {
    let text = include_str!("vectors/braintrust-vectors.json");
    JsonObject::parse(text).expect("vectors file parses")
}

fn array<'a>(o: &'a JsonObject, key: &str) -> &'a [JsonValue] {
    match o.get(key) {
        Some(JsonValue::Array(items)) => items,
        other => panic!("{key}: expected an array, found {other:?}"),
    }
}

fn object<'a>(o: &'a JsonObject, key: &str) -> Option<&'a JsonObject> {
    match o.get(key) {
        Some(JsonValue::Object(inner)) => Some(inner),
        None => None,
        other => panic!("{key}: expected an object, found {other:?}"),
    }
}

fn string<'a>(o: &'a JsonObject, key: &str) -> &'a str {
    match o.get(key) {
        Some(JsonValue::String(s)) => s,
        other => panic!("{key}: expected a string, found {other:?}"),
    }
}

fn as_object(v: &JsonValue) -> &JsonObject {
    match v {
        JsonValue::Object(o) => o,
        other => panic!("expected an object, found {other:?}"),
    }
}

/// To `serde_json` (its maps are sorted, so key order is lost; numbers are doubles).
fn to_serde(value: &JsonValue) -> serde_json::Value {
    match value {
        JsonValue::Null => serde_json::Value::Null,
        JsonValue::Bool(b) => serde_json::Value::Bool(*b),
        JsonValue::Number(n) => {
            serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, serde_json::Value::Number)
        }
        JsonValue::String(s) => serde_json::Value::String(s.clone()),
        JsonValue::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
        JsonValue::Object(object) => {
            serde_json::Value::Object(object.iter().map(|(k, v)| (k.to_owned(), to_serde(v))).collect())
        }
    }
}

/// Order-insensitive comparison form, with JS `null` fields dropped (null == absent).
fn comparable(o: &JsonObject) -> serde_json::Value {
    let serde_json::Value::Object(mut map) = to_serde(&JsonValue::Object(o.clone())) else {
        unreachable!("an object converts to an object")
    };
    map.retain(|_, v| !v.is_null());
    serde_json::Value::Object(map)
}

/// Where the JS SDK threw on a slug an SDK wrote and Python decoded it, we decode it as
/// Python does (`decoded_by_py_v4`): Python's V3 writer packs a 32-hex trace id as UUID
/// bytes whose version or variant JS's `uuid.stringify` refuses, and reads it back as
/// a dashed UUID. (row name, variant, why JS threw)
const DECODED_AS_PYTHON_DOES: &[(&str, &str, &str)] = &[
    ("hex_ids_js_style_hex_row_id", "py_v3", "Python packs a 32-hex trace id as a UUID; JS refuses version 0"),
    ("hex_ids_python_style_uuid_row_id", "py_v3", "packed hex trace id after a packed UUID row id; variant e"),
    ("compute_args_unresolved_logger_hex_ids", "py_v3", "packed hex trace id with compute args in the tail"),
    ("experiment_propagated_event_hex_ids", "py_v3", "version nibble 2 is fine but variant 2 is not"),
    ("playground_logs_hex_ids", "py_v3", "same trace id under playground logs"),
    ("uppercase_hex_is_packed_and_decodes_lowercase", "py_v3", "Python packs upper-case hex too"),
    ("non_ascii_compute_args", "py_v3", "a packed hex trace id before a \\u-escaped tail"),
    ("legacy_child_of_hex_parent_uuid_span_hex_root", "py_v3", "fourth packed field; version nibble c"),
];

/// Legacy rows the JS SDK refused, with our error and why.
const EXPECTED_LEGACY_ERRORS: &[(&str, &str, &str)] = &[(
    "not_base64",
    "unknown object type 170 (byte 1; version 129 knows 1, 2 or 3)",
    "'garbage' is 7 valid base64 characters (5 bytes, as atob reads them): version 0x81 reads as V4, then type 0xaa is unknown",
)];

const VARIANTS: [&str; 4] = ["js_v4", "js_v3", "py_v4", "py_v3"];

#[test]
fn encoding_is_byte_identical_to_the_js_sdk() {
    let v = vectors();
    let rows = array(&v, "slugs");
    assert_eq!(rows.len(), 13, "slug vector count");
    for row in rows {
        let row = as_object(row);
        let name = string(row, "name");
        let input = object(row, "input").expect("input");
        let components = SpanComponents::from_json_object(input).unwrap_or_else(|e| panic!("{name}: input: {e}"));
        let js_v4 = object(row, "js_v4").expect("js_v4");
        assert_eq!(components.to_v4_string(), string(js_v4, "slug"), "{name}: V4");
        assert_eq!(components.to_string(), string(js_v4, "slug"), "{name}: Display writes V4");
        let js_v3 = object(row, "js_v3").unwrap_or_else(|| panic!("{name}: no js_v3"));
        assert_eq!(components.to_v3_string(), string(js_v3, "slug"), "{name}: V3");
    }
}

#[test]
fn every_sdk_slug_decodes_as_the_js_sdk_decodes_it_or_else_as_python_does() {
    let v = vectors();
    let mut checked = 0;
    let mut checked_as_python = 0;
    for row in array(&v, "slugs") {
        let row = as_object(row);
        let name = string(row, "name");
        for variant in VARIANTS {
            let Some(entry) = object(row, variant) else { continue };
            let slug = string(entry, "slug");
            let mut expected = object(entry, "decoded_by_js_v4").expect("decoded_by_js_v4");
            if expected.get("error").is_some() {
                let (_, _, reason) = DECODED_AS_PYTHON_DOES
                    .iter()
                    .find(|(n, var, _)| *n == name && *var == variant)
                    .unwrap_or_else(|| panic!("{name}.{variant}: JS threw; list it with the reason"));
                expected = object(entry, "decoded_by_py_v4").unwrap_or_else(|| panic!("{name}.{variant}: {reason}"));
                checked_as_python += 1;
            }
            let got = SpanComponents::parse(slug).unwrap_or_else(|e| panic!("{name}.{variant}: {e}"));
            assert_eq!(comparable(&got.to_json_object()), comparable(expected), "{name}.{variant}");
            // Serialize gives the same object.
            let serialized = serde_json::to_value(&got).expect("serialize");
            assert_eq!(serialized, comparable(expected), "{name}.{variant}: serde");
            checked += 1;
        }
    }
    assert_eq!(checked_as_python, DECODED_AS_PYTHON_DOES.len(), "every listed slug is a vector");
    assert_eq!(checked, 13 * 4, "every row has four slugs");
}

#[test]
fn js_slugs_re_encode_to_themselves() {
    // Decoding and re-encoding a JS V4 (or V3) slug changes nothing (nested key order included).
    let v = vectors();
    for row in array(&v, "slugs") {
        let row = as_object(row);
        let name = string(row, "name");
        let slug = string(object(row, "js_v4").expect("js_v4"), "slug");
        let decoded = SpanComponents::parse(slug).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded.to_v4_string(), slug, "{name}");
        let js_v3 = object(row, "js_v3").unwrap_or_else(|| panic!("{name}: no js_v3"));
        let slug = string(js_v3, "slug");
        let decoded = SpanComponents::parse(slug).unwrap_or_else(|e| panic!("{name} V3: {e}"));
        assert_eq!(decoded.to_v3_string(), slug, "{name}: V3");
    }
}

#[test]
fn legacy_slugs_decode_as_the_js_sdk_decodes_them() {
    let v = vectors();
    let rows = array(&v, "legacy_slugs");
    assert_eq!(rows.len(), 8, "legacy vector count");
    for row in rows {
        let row = as_object(row);
        let name = string(row, "name");
        let slug = string(row, "slug");
        let expected = object(row, "decoded_by_js_v4").expect("decoded_by_js_v4");
        let got = SpanComponents::parse(slug);
        if expected.get("error").is_some() {
            let (_, message, reason) = EXPECTED_LEGACY_ERRORS
                .iter()
                .find(|(n, _, _)| *n == name)
                .unwrap_or_else(|| panic!("{name}: JS threw; list the error we expect"));
            let error = got.expect_err(&format!("{name}: JS threw ({reason}), we decoded"));
            assert_eq!(error.to_string(), *message, "{name}: {reason}");
        } else {
            let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(comparable(&got.to_json_object()), comparable(expected), "{name}");
        }
    }
}
