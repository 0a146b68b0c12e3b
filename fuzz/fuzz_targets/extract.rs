//! The whole receive path: three header values in, a context or nothing out; a
//! context always injects a well-formed traceparent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanwire::context::extract;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.splitn(3, '\n');
    let traceparent = parts.next();
    let tracestate: Vec<&str> = parts.next().map(|t| t.split('\r').collect()).unwrap_or_default();
    let baggage = parts.next();
    if let Some(ctx) = extract(traceparent, &tracestate, baggage) {
        let child = ctx.child().expect("os randomness");
        let out = child.inject(baggage);
        assert_eq!(out.traceparent.as_str().len(), 55);
        assert_eq!(&out.traceparent.as_str()[3..35], &ctx.trace_id.to_hex()[..]);
    }
});
