//! WebAssembly: the core's ids drawn through `crypto.getRandomValues`, and the heap's
//! large blocks over the real `memory.grow`, run by wasm-bindgen-test in Node and (with
//! WASM_BINDGEN_USE_BROWSER=1) in headless Chromium.
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

#[wasm_bindgen_test]
fn large_blocks_freed_serve_smaller_requests_without_growing_memory() {
    use core::arch::wasm32::memory_size;
    const PAGE: usize = 65536;
    let five: Vec<u8> = Vec::with_capacity(5 * PAGE - 100);
    let pages = memory_size(0);
    drop(five);
    // The five freed pages (or a larger free block they joined) hold blocks of three
    // and two pages; before whole-page blocks, three pages took four and grew memory.
    let three: Vec<u8> = Vec::with_capacity(3 * PAGE - 100);
    let two: Vec<u8> = Vec::with_capacity(2 * PAGE - 100);
    assert_eq!(memory_size(0), pages, "memory did not grow");
    assert!(three.capacity() >= 3 * PAGE - 100 && two.capacity() >= 2 * PAGE - 100);
}
