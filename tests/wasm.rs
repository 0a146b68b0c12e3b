//! WebAssembly: the core's ids drawn through `crypto.getRandomValues`, run by
//! wasm-bindgen-test in Node and (with WASM_BINDGEN_USE_BROWSER=1) in headless Chromium.
#![cfg(target_arch = "wasm32")]

mod common;

use common::id_stats::check_ids;
use spanwire::{SpanId, TraceId};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn trace_ids_are_unique_nonzero_and_uniform() {
    check_ids("TraceId::random (wasm)", 32, 100_000, || TraceId::random().unwrap().to_hex());
}

#[wasm_bindgen_test]
fn span_ids_are_unique_nonzero_and_uniform() {
    check_ids("SpanId::random (wasm)", 16, 100_000, || SpanId::random().unwrap().to_hex());
}

#[wasm_bindgen_test]
fn uuid_mode_ids_are_version_4() {
    let id = spanwire::ids::uuid_v4().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(id.as_bytes()[14], b'4');
}
