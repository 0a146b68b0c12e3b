//! The slug codec beyond the SDK vectors: hand-built records for every error, round
//! trips for hex and UUID ids, the JSON tail merge, and the child-link helper.

use base64::Engine as _;
use spanwire::slug::{Field, JsonObject, JsonValue, ObjectType, Part, SlugError, SpanComponents};

fn b64(hex_bytes: &str) -> String {
    let bytes = hex::decode(hex_bytes.replace(' ', "")).expect("test hex");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex_of(text: &str) -> String {
    hex::encode(text.as_bytes())
}

const UUID_A: &str = "a3b6c1c09a1e4b8f8c3d2e4f5a6b7c8d";
const UUID_B: &str = "1111111122224333844455555555555";
const SPAN8: &str = "0123456789abcdef";
const TRACE16: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn malformed_records_give_precise_errors() {
    let uuid_b = format!("{UUID_B}5");
    let three_uuids = format!("{UUID_A}{uuid_b}{UUID_A}");
    // (record as hex bytes, expected message, reason)
    let cases: Vec<(String, &str, &str)> = vec![
        ("00".into(), "unsupported version 0 (byte 0; versions 1-4 are known)", "version 0"),
        ("04".into(), "truncated: object type needs 1 byte at offset 1, 0 remain", "version only"),
        ("0409".into(), "unknown object type 9 (byte 1; version 4 knows 1, 2 or 3)", "type 9"),
        ("0400".into(), "unknown object type 0 (byte 1; version 4 knows 1, 2 or 3)", "type 0"),
        ("0402".into(), "truncated: field count needs 1 byte at offset 2, 0 remain", "no field count"),
        ("040201".into(), "truncated: field id needs 1 byte at offset 3, 0 remain", "count 1, no field"),
        (
            "040201 03 01234567".into(),
            "truncated: field 3 (span_id) needs 8 bytes at offset 4, 4 remain",
            "span id cut short",
        ),
        (
            format!("040202 03{SPAN8} 04 0123"),
            "truncated: field 4 (root_span_id) needs 16 bytes at offset 13, 2 remain",
            "root id cut short",
        ),
        (format!("040201 07{TRACE16}"), "unknown field id 7 at offset 3 (version 4 knows 1-4)", "field 7"),
        (format!("040201 00{TRACE16}"), "unknown field id 0 at offset 3 (version 4 knows 1-4)", "field 0"),
        (format!("040200 {}", hex_of("{\"a")), "JSON tail: unexpected end at byte 6", "tail cut short"),
        (format!("040200 {}", hex_of("[]")), "JSON tail: expected a JSON object, found array", "tail is an array"),
        (format!("040200 {}", hex_of("null")), "JSON tail: expected a JSON object, found null", "tail is null"),
        ("040200 7b22ff227d".into(), "JSON tail: invalid UTF-8 at offset 5", "tail not UTF-8"),
        (
            format!("040200 {}", hex_of("{\"a\":1} x")),
            "JSON tail: unexpected data after the value at byte 11",
            "garbage after the tail",
        ),
        (format!("040200 {}", hex_of("{\"span_id\":5}")), "span_id must be a string, found number", "tail id type"),
        (format!("040200 {}", hex_of("{\"object_type\":7}")), "object_type must be 1, 2 or 3, found 7", "tail type 7"),
        (
            format!("040200 {}", hex_of("{\"object_type\":\"2\"}")),
            "object_type must be 1, 2 or 3, found string",
            "tail type as a string",
        ),
        (
            format!("040200 {}", hex_of("{\"object_type\":2.5}")),
            "object_type must be 1, 2 or 3, found 2.5",
            "tail type fractional",
        ),
        (
            format!("040200 {}", hex_of("{\"compute_object_metadata_args\":[1]}")),
            "compute_object_metadata_args must be an object, found array",
            "args as an array",
        ),
        (
            format!("040200 {}", hex_of("{\"propagated_event\":\"x\"}")),
            "propagated_event must be an object, found string",
            "event as a string",
        ),
        (
            format!("040200 {}", hex_of("{\"object_id\":\"o\",\"compute_object_metadata_args\":{}}")),
            "both object_id and compute_object_metadata_args are set; at most one is allowed",
            "two object references",
        ),
        (format!("040201 03{SPAN8}"), "span_id present without row_id", "span id alone"),
        (
            format!("040201 03{SPAN8} {}", hex_of("{\"row_id\":\"r\"}")),
            "row_id present without root_span_id",
            "row and span, no root",
        ),
        (
            format!("040202 03{SPAN8} 04{TRACE16} {}", hex_of("{\"row_id\":null}")),
            "span_id present without row_id",
            "null row id counts as absent",
        ),
        (
            format!("040200 {}", hex_of("\"\\ud800\"")),
            "JSON tail: expected a JSON object, found string",
            "a lone surrogate reads as U+FFFD (as in JS), so this tail is a string",
        ),
        // V3
        ("0304".into(), "unknown object type 4 (byte 1; version 3 knows 1, 2 or 3)", "V3 type 4"),
        (format!("030201 05{UUID_A}"), "unknown field id 5 at offset 3 (version 3 knows 1-4)", "V3 field 5"),
        (
            "030201 01 1111111111111111".into(),
            "truncated: field 1 (object_id) needs 16 bytes at offset 4, 8 remain",
            "V3 UUID cut short",
        ),
        (format!("030200 {}", hex_of("{")), "JSON tail: unexpected end at byte 4", "V3 tail cut short"),
        // V2
        ("0203".into(), "unknown object type 3 (byte 1; version 2 knows 1 or 2)", "V2 has no playground logs"),
        ("020202".into(), "flag has_object_id at offset 2 is 2, expected 0 or 1", "V2 flag 2"),
        ("0202010000".into(), "truncated: flag row_id_is_uuid needs 1 byte at offset 5, 0 remain", "V2 flags cut"),
        ("020200000000".into(), "neither object_id nor compute_object_metadata_args is set", "V2 no object"),
        (
            "020200010000 ffffffff".into(),
            "compute_object_metadata_args length at offset 6 is negative (-1)",
            "V2 negative length",
        ),
        (
            "020200010000 000000".into(),
            "truncated: compute_object_metadata_args length needs 4 bytes at offset 6, 3 remain",
            "V2 length cut",
        ),
        (
            "020200010000 00000010 7b7d".into(),
            "truncated: compute_object_metadata_args needs 16 bytes at offset 10, 2 remain",
            "V2 args shorter than their length",
        ),
        (
            "020200010000 00000002 5b5d".into(),
            "compute_object_metadata_args: expected a JSON object, found array",
            "V2 args an array",
        ),
        (
            "020200010000 00000002 7b7d ff".into(),
            "1 unexpected trailing byte at offset 12",
            "V2 byte after a row-less record",
        ),
        (
            format!("020201010000 {UUID_A} 00000002 7b7d"),
            "both object_id and compute_object_metadata_args are set; at most one is allowed",
            "V2 both references",
        ),
        // V1
        ("0103".into(), "unknown object type 3 (byte 1; version 1 knows 1 or 2)", "V1 type 3"),
        ("01010200".into(), "flag has_row_ids at offset 2 is 2, expected 0 or 1", "V1 flag 2"),
        ("01010000 a3b6c1c0".into(), "truncated: object_id UUID needs 16 bytes at offset 4, 4 remain", "V1 object cut"),
        (format!("01010100 {three_uuids}"), "row_id at offset 52 is empty", "V1 empty row id"),
        (format!("01010100 {three_uuids} ff"), "row_id: invalid UTF-8 at offset 52", "V1 row id not UTF-8"),
        (
            format!("01010101 {three_uuids}{UUID_A} 00"),
            "1 unexpected trailing byte at offset 68",
            "V1 byte after a UUID row id",
        ),
        (
            format!("01010101 {three_uuids} 0102"),
            "truncated: row_id needs 16 bytes at offset 52, 2 remain",
            "V1 UUID row id cut",
        ),
        (format!("01010000 {UUID_A} 00"), "1 unexpected trailing byte at offset 20", "V1 byte after a row-less record"),
    ];
    for (record, message, reason) in &cases {
        let slug = b64(record);
        match SpanComponents::parse(&slug) {
            Ok(c) => panic!("{reason}: decoded {c:?}"),
            Err(e) => assert_eq!(e.to_string(), *message, "{reason}: {record}"),
        }
    }
}

#[test]
fn text_level_errors() {
    // (slug text, expected error, reason)
    let cases: &[(&str, SlugError, &str)] = &[
        ("", SlugError::Empty, "empty"),
        (" \t\r\n", SlugError::Empty, "whitespace only"),
        ("AA==", SlugError::UnsupportedVersion { version: 0 }, "version 0"),
        (
            "BAIA*",
            SlugError::Base64 { at: 4, problem: spanwire::slug::Base64Problem::InvalidCharacter('*') },
            "bad character",
        ),
        (
            "  BAIAe",
            SlugError::Base64 { at: 6, problem: spanwire::slug::Base64Problem::InvalidLength },
            "dangling character; offset counts the leading whitespace",
        ),
        (
            "BAIA\u{a0}",
            SlugError::Base64 { at: 4, problem: spanwire::slug::Base64Problem::InvalidCharacter('\u{a0}') },
            "NBSP is not trimmed",
        ),
    ];
    for (slug, expected, reason) in cases {
        assert_eq!(SpanComponents::parse(slug).as_ref().err(), Some(expected), "{reason}: {slug:?}");
    }
    let message = |slug: &str| SpanComponents::parse(slug).unwrap_err().to_string();
    assert_eq!(message("BAIA*"), "base64: invalid character '*' at 4");
    assert_eq!(message("BAIA\u{a0}"), "base64: invalid character U+00A0 at 4");
    assert_eq!(message("BA I"), "base64: invalid character U+0020 at 2", "a space inside is named, not shown");
    let truncated = SpanComponents::parse(&b64("040201 03 0123")).unwrap_err();
    assert_eq!(
        truncated,
        SlugError::Truncated {
            part: Part::FieldValue { id: 3, field: Field::SpanId },
            offset: 4,
            needed: 8,
            remaining: 2
        }
    );
}

#[test]
fn accepted_variations() {
    let v4_body = format!("0402 02 03{SPAN8} 04{TRACE16} {}", hex_of(r#"{"object_id":"p","row_id":"r"}"#));
    let expected = SpanComponents {
        object_type: ObjectType::ProjectLogs,
        object_id: Some("p".into()),
        compute_object_metadata_args: None,
        row_id: Some("r".into()),
        span_id: Some(SPAN8.into()),
        root_span_id: Some(TRACE16.into()),
        propagated_event: None,
    };
    let padded = b64(&v4_body);
    // (slug, reason)
    let cases: Vec<(String, &str)> = vec![
        (padded.clone(), "padded"),
        (padded.trim_end_matches('=').to_owned(), "unpadded"),
        (format!("\t {padded}\r\n"), "surrounding whitespace"),
        (b64(&format!("05{}", &v4_body[2..])), "version 5 reads as V4"),
        (b64(&format!("ff{}", &v4_body[2..])), "version 255 reads as V4"),
        (
            b64(&format!(
                "0402 01 03{SPAN8} {}",
                hex_of(&format!(r#"{{"object_id":"p","row_id":"r","root_span_id":"{TRACE16}"}}"#))
            )),
            "root id in the tail",
        ),
        (
            b64(&format!(
                "0402 02 03ffffffffffffffff 04{TRACE16} {}",
                hex_of(&format!(r#"{{"object_id":"p","row_id":"r","span_id":"{SPAN8}"}}"#))
            )),
            "the tail overrides a packed field",
        ),
        (
            b64(&format!(
                "0402 00 {}",
                hex_of(&format!(
                    r#" {{"object_id":"p","row_id":"r","span_id":"{SPAN8}","root_span_id":"{TRACE16}","unknown":[1,{{}}]}} "#
                ))
            )),
            "unknown keys ignored, JSON whitespace allowed",
        ),
        (
            b64(&format!(
                "0401 02 03{SPAN8} 04{TRACE16} {}",
                hex_of(r#"{"object_type":2,"object_id":"p","row_id":"r"}"#)
            )),
            "object_type in the tail overrides byte 1",
        ),
        (
            b64(&format!(
                "0402 02 03{SPAN8} 04{TRACE16} {}",
                hex_of(r#"{"object_id":"p","row_id":"r","compute_object_metadata_args":null,"propagated_event":null}"#)
            )),
            "null means absent",
        ),
    ];
    for (slug, reason) in &cases {
        assert_eq!(SpanComponents::parse(slug).as_ref(), Ok(&expected), "{reason}: {slug}");
    }
    // A packed UUID is read whatever its version and variant bits, as Python reads it
    // (the JS SDK refuses these): Python's V3 packs 32-hex trace ids so.
    for (packed, reason) in [
        ("11111111111111111111111111111111", "version 1, variant 1"),
        ("3947a6cbbb6b0b3016fe24381acdd209", "version 0, variant 1: a hex trace id Python packed"),
        ("0123456789abcdef0123456789abcdef", "version c, variant 0"),
    ] {
        let slug = b64(&format!(
            "030201 04{packed} {}",
            hex_of(&format!(r#"{{"object_id":"p","row_id":"r","span_id":"{SPAN8}"}}"#))
        ));
        let decoded = SpanComponents::parse(&slug).unwrap_or_else(|e| panic!("{reason}: {e}"));
        let dashed =
            format!("{}-{}-{}-{}-{}", &packed[..8], &packed[8..12], &packed[12..16], &packed[16..20], &packed[20..]);
        assert_eq!(decoded.root_span_id.as_deref(), Some(dashed.as_str()), "{reason}");
    }
    let bare = SpanComponents::parse(&b64("040300")).expect("type and count only");
    assert_eq!(bare, SpanComponents::new(ObjectType::PlaygroundLogs), "no object and no ids is valid, as in JS");
}

fn sample(object_type: ObjectType, span: &str, root: &str, row: &str) -> SpanComponents {
    SpanComponents {
        object_type,
        object_id: Some("a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8d".into()),
        compute_object_metadata_args: None,
        row_id: Some(row.into()),
        span_id: Some(span.into()),
        root_span_id: Some(root.into()),
        propagated_event: None,
    }
}

#[test]
fn round_trips() {
    let mut args = JsonObject::new();
    args.insert("project_name", JsonValue::String("Café ☕ \"quoted\" \\ \n".into()));
    args.insert("project_id", JsonValue::Number(1e21));
    args.insert("a", JsonValue::Array(vec![JsonValue::Null, JsonValue::Bool(true), JsonValue::Number(-0.5)]));
    let event = JsonObject::parse(r#"{"span_attributes":{"purpose":"scorer","z":{},"a":[]}}"#).expect("event");
    let uuid_span = "77e7d0be-1491-4b4b-914f-9b7c8a96d361";
    let uuid_root = "5b82e17b-d838-49ef-97d0-e647b3041622";
    // (components, reason)
    let cases: Vec<(SpanComponents, &str)> = vec![
        (sample(ObjectType::ProjectLogs, SPAN8, TRACE16, "1cf37a365cf06a8b"), "hex ids"),
        (sample(ObjectType::Experiment, uuid_span, uuid_root, uuid_span), "UUID ids"),
        (sample(ObjectType::PlaygroundLogs, uuid_span, TRACE16, "row"), "UUID span, hex root"),
        (sample(ObjectType::ProjectLogs, SPAN8, uuid_root, "bt-propagation"), "hex span, UUID root"),
        (sample(ObjectType::ProjectLogs, "not-hex", "also not hex", "r"), "free-form ids ride in JSON"),
        (
            SpanComponents {
                object_id: None,
                compute_object_metadata_args: Some(args),
                propagated_event: Some(event),
                ..sample(ObjectType::ProjectLogs, SPAN8, TRACE16, "r")
            },
            "compute args and propagated event, key order and escapes kept",
        ),
        (
            SpanComponents { object_id: Some("proj-id-123".into()), ..SpanComponents::new(ObjectType::ProjectLogs) },
            "object only",
        ),
        (SpanComponents::new(ObjectType::Experiment), "nothing but the type"),
    ];
    for (components, reason) in &cases {
        for (version, slug) in [("V4", components.to_v4_string()), ("V3", components.to_v3_string())] {
            let back = SpanComponents::parse(&slug).unwrap_or_else(|e| panic!("{reason} {version}: {e}"));
            assert_eq!(&back, components, "{reason}: {version} {slug}");
            let again = if version == "V4" { back.to_v4_string() } else { back.to_v3_string() };
            assert_eq!(again, slug, "{reason}: {version} re-encodes identically");
        }
        let json = serde_json::to_string(components).expect("serialize");
        let from_json: SpanComponents = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(
            from_json.to_json_object().to_json_string(),
            components.to_json_object().to_json_string(),
            "{reason}: serde round trip (serde_json sorts nested keys, so compare text of ours)"
        );
    }
}

#[test]
fn lossy_encodings_match_js() {
    // (span_id given, root_span_id given, span_id decoded, root_span_id decoded, reason)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "49923531CA6A710B",
            "3947A6CBBB6B0B3016FE24381ACDD209",
            "49923531ca6a710b",
            "3947a6cbbb6b0b3016fe24381acdd209",
            "upper case hex packs and comes back lower case",
        ),
        (
            "0g0g0g0g0g0g0g0g",
            "-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1",
            "0000000000000000",
            "ffffffffffffffffffffffffffffffff",
            "parseInt quirks",
        ),
        (
            " 1 2 3 4 5 6 7 8",
            "0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x",
            "0102030405060708",
            "0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x",
            "leading space parses; a bare 0x prefix is NaN",
        ),
    ];
    for (span, root, span_back, root_back, reason) in cases {
        let c = sample(ObjectType::ProjectLogs, span, root, "r");
        let back = SpanComponents::parse(&c.to_v4_string()).unwrap_or_else(|e| panic!("{reason}: {e}"));
        assert_eq!(back.span_id.as_deref(), Some(*span_back), "{reason}: span");
        assert_eq!(back.root_span_id.as_deref(), Some(*root_back), "{reason}: root");
    }
    // V3: upper-case UUIDs pack and come back lower case; empty strings are dropped.
    let upper = sample(ObjectType::ProjectLogs, "77E7D0BE-1491-4B4B-914F-9B7C8A96D361", TRACE16, "r");
    let back = SpanComponents::parse(&upper.to_v3_string()).expect("upper UUID");
    assert_eq!(back.span_id.as_deref(), Some("77e7d0be-1491-4b4b-914f-9b7c8a96d361"));
    let empty = SpanComponents { object_id: Some(String::new()), ..SpanComponents::new(ObjectType::Experiment) };
    assert_eq!(empty.to_v4_string(), b64("040100"), "empty object_id is dropped, no JSON tail");
    assert_eq!(empty.to_v3_string(), b64(&format!("030100 {}", hex_of("{}"))), "V3 always writes a tail");
}

/// An empty id is a string, so the JS SDK's schema takes it on decoding, but its
/// encoders drop falsy values: re-exporting such components leaves the row-id triple
/// incomplete, and the slug no longer decodes, in JS as here. The fuzz target `slug`
/// allows exactly this failure.
#[test]
fn an_empty_id_decodes_but_does_not_survive_re_encoding() {
    let tail = format!(r#"{{"row_id":"","span_id":"{SPAN8}","root_span_id":"{TRACE16}"}}"#);
    let slug = b64(&format!("040200 {}", hex_of(&tail)));
    let decoded = SpanComponents::parse(&slug).expect("an empty row_id is a string");
    assert_eq!(decoded.row_id.as_deref(), Some(""));
    assert!(!decoded.links_child(), "an empty id is falsy: no link");
    for again in [decoded.to_v4_string(), decoded.to_v3_string()] {
        assert_eq!(
            SpanComponents::parse(&again),
            Err(SlugError::IncompleteRowIds { present: Field::SpanId, missing: Field::RowId })
        );
    }
}

#[test]
fn links_child_whatever_the_id_format() {
    let uuid = "77e7d0be-1491-4b4b-914f-9b7c8a96d361";
    let object_only = SpanComponents { object_id: Some("p".into()), ..SpanComponents::new(ObjectType::ProjectLogs) };
    // (components, links, reason)
    let cases: Vec<(SpanComponents, bool, &str)> = vec![
        (sample(ObjectType::ProjectLogs, SPAN8, TRACE16, "r"), true, "hex span and trace"),
        (sample(ObjectType::ProjectLogs, uuid, uuid, uuid), true, "UUID span and trace"),
        (sample(ObjectType::ProjectLogs, uuid, TRACE16, "r"), true, "UUID span, hex trace"),
        (sample(ObjectType::ProjectLogs, SPAN8, uuid, "r"), true, "hex span, UUID trace"),
        (object_only, false, "object only: a fresh root under the object"),
        (sample(ObjectType::ProjectLogs, "", TRACE16, "r"), false, "empty span id is falsy in JS"),
        (SpanComponents { row_id: None, ..sample(ObjectType::ProjectLogs, SPAN8, TRACE16, "r") }, false, "no row id"),
    ];
    for (components, links, reason) in &cases {
        assert_eq!(components.links_child(), *links, "{reason}");
        if *links {
            let link = components.span_link().expect("link");
            assert_eq!(Some(link.span_id), components.span_id.as_deref(), "{reason}");
            assert_eq!(Some(link.root_span_id), components.root_span_id.as_deref(), "{reason}");
            assert_eq!(Some(link.row_id), components.row_id.as_deref(), "{reason}");
            let decoded = SpanComponents::parse(&components.to_v4_string()).expect("decodes");
            assert!(decoded.links_child(), "{reason}: still links after V4");
            let decoded = SpanComponents::parse(&components.to_v3_string()).expect("decodes");
            assert!(decoded.links_child(), "{reason}: still links after V3");
        }
    }
}

#[test]
fn hostile_sizes_are_bounded() {
    // 4 MiB of base64 zeros: version 0, rejected after one linear pass.
    let zeros = "A".repeat(4 << 20);
    assert_eq!(SpanComponents::parse(&zeros), Err(SlugError::UnsupportedVersion { version: 0 }));
    // A tail nested 100 000 deep: refused at the depth limit, no stack overflow.
    let deep = format!("040200{}", "5b".repeat(100_000));
    let err = SpanComponents::parse(&b64(&deep)).unwrap_err();
    assert!(err.to_string().starts_with("JSON tail: nested deeper than 128 levels"), "{err}");
    // 200 000 distinct keys (and a duplicate) in the tail: linear-ish, not quadratic.
    let mut tail = String::from("{");
    for i in 0..200_000 {
        tail.push_str(&format!("\"k{i}\":0,"));
    }
    tail.push_str("\"k0\":1,\"object_id\":\"p\"}");
    let slug = b64(&format!("040200{}", hex_of(&tail)));
    let started = std::time::Instant::now();
    let c = SpanComponents::parse(&slug).expect("many keys");
    assert_eq!(c.object_id.as_deref(), Some("p"));
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    // A large but valid tail decodes.
    let big = "x".repeat(1 << 20);
    let c = SpanComponents { object_id: Some(big.clone()), ..SpanComponents::new(ObjectType::Experiment) };
    assert_eq!(SpanComponents::parse(&c.to_v4_string()).expect("big").object_id.as_deref(), Some(big.as_str()));
}
