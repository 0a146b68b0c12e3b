//! Braintrust slugs: decoding arbitrary text never panics, nor does decoding the
//! input's bytes as a slug's binary record (base64-encoded first, so that mutations
//! reach the record's fields and JSON tail directly); whatever decodes
//! re-encodes as V3 and V4 and decodes again, and V4 gives back the same components
//! but for what the JS SDK's V4 encoder changes: empty ids are dropped (falsy in JS),
//! an id that JS's `parseInt` can pack comes back as lowercase hex, and a number in the
//! JSON that overflowed to Infinity comes back as null.
//!
//! The one decoding failure allowed is the JS SDK's own: an empty id decodes (it is a
//! string) but is then dropped, which can leave the row-id triple incomplete
//! (`tests/slug_codec.rs` pins it).
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use spanwire::slug::{Field, JsonObject, SlugError, SpanComponents};

fn id(c: &SpanComponents, field: Field) -> Option<&str> {
    match field {
        Field::ObjectId => c.object_id.as_deref(),
        Field::RowId => c.row_id.as_deref(),
        Field::SpanId => c.span_id.as_deref(),
        Field::RootSpanId => c.root_span_id.as_deref(),
        _ => None,
    }
}

/// Decodes our own output: `None` only for the incomplete triple an empty id leaves.
fn decode_again(text: &str, parsed: &SpanComponents, slug: &str) -> Option<SpanComponents> {
    match SpanComponents::parse(slug) {
        Ok(c) => Some(c),
        Err(SlugError::IncompleteRowIds { missing, .. }) if id(parsed, missing) == Some("") => None,
        Err(e) => panic!("our own output must decode: {text:?} -> {slug:?}: {e:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    check(&STANDARD.encode(data));
    if let Ok(text) = std::str::from_utf8(data) {
        check(text);
    }
});

fn check(text: &str) {
    let Ok(parsed) = SpanComponents::parse(text) else { return };
    decode_again(text, &parsed, &parsed.to_v3_string());
    let Some(again) = decode_again(text, &parsed, &parsed.to_v4_string()) else { return };

    assert_eq!(again.object_type, parsed.object_type, "{text:?}");
    // Compared as the JSON they write: a number that overflowed to Infinity is written
    // as null, as JSON.stringify writes it.
    let json = |o: &Option<JsonObject>| o.as_ref().map(JsonObject::to_json_string);
    assert_eq!(json(&again.compute_object_metadata_args), json(&parsed.compute_object_metadata_args), "{text:?}");
    assert_eq!(json(&again.propagated_event), json(&parsed.propagated_event), "{text:?}");
    for field in [Field::ObjectId, Field::RowId, Field::SpanId, Field::RootSpanId] {
        let before = id(&parsed, field).filter(|s| !s.is_empty());
        let after = id(&again, field);
        let packed_units = match field {
            Field::SpanId => 16,
            Field::RootSpanId => 32,
            _ => 0,
        };
        let repacked = |before: &str, after: &str| {
            before.encode_utf16().count() == packed_units
                && after.len() == packed_units
                && after.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        match (before, after) {
            (Some(b), Some(a)) if a == b || repacked(b, a) => {}
            (None, None) => {}
            _ => panic!("{text:?}: {field:?} {before:?} came back as {after:?}"),
        }
    }
}
