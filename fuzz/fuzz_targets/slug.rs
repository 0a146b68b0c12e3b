//! Braintrust slugs: decoding arbitrary text never panics; whatever decodes
//! re-encodes as V4 and decodes again to the same components.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanwire::slug::SpanComponents;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(parsed) = SpanComponents::parse(text) {
        let again = SpanComponents::parse(&parsed.to_v4_string());
        assert!(again.is_ok(), "our own V4 output must decode: {text:?} -> {again:?}");
    }
});
