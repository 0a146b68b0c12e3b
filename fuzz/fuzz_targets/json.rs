//! JSON: parsing never panics, and agrees with serde_json on what is JSON. Where both
//! accept, our compact form is JSON to serde_json and a fixed point of parse and write;
//! a bare number parses to the double Rust's own `f64` parser gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanwire::json::JsonValue;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ours = JsonValue::parse(text);
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match (&ours, &theirs) {
        (Ok(_), Ok(_)) | (Err(_), Err(_)) => {}
        // JSON.parse reads `1e400` as Infinity; serde_json refuses it.
        (Ok(_), Err(e)) if e.to_string().starts_with("number out of range") => {}
        // JSON.parse keeps a lone surrogate escape (we read U+FFFD); serde_json refuses it,
        // as a lone surrogate or, for a high one followed by no `\u`, an unended escape.
        (Ok(_), Err(e))
            if (text.contains("\\ud") || text.contains("\\uD"))
                && (e.to_string().contains("surrogate") || e.to_string().contains("hex escape")) => {}
        _ => panic!("{text:?}: ours {ours:?}, serde_json {theirs:?}"),
    }
    let Ok(value) = ours else { return };
    let written = value.to_json_string();
    assert!(serde_json::from_str::<serde_json::Value>(&written).is_ok(), "{text:?} wrote {written:?}");
    // One write maps non-finite numbers to null; from there, parse and write is exact.
    let again = JsonValue::parse(&written).expect("our own output parses");
    assert_eq!(again.to_json_string(), written, "{text:?}");
    if let JsonValue::Number(n) = value {
        let std: f64 = text.trim_matches([' ', '\t', '\n', '\r']).parse().expect("a JSON number is a Rust float");
        assert_eq!(n.to_bits(), std.to_bits(), "{text:?}");
    }
});
