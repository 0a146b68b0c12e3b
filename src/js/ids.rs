//! Ids for JS: the bytes come from the core's secure pool; JS formats them as hex.
//!
//! Returning a `String` from wasm costs a `TextDecoder` call per id, which is most of
//! the time an id takes. Instead `__idBytes(n)` draws `n` non-zero bytes into a
//! static buffer and returns its address; `pkg/src/ids.js` reads them through a view
//! of the wasm memory and formats them with a lookup table: one crossing, no string
//! marshalling.

use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::random::{self, RandomError};

thread_local! {
    static ID_BYTES: RefCell<[u8; 16]> = const { RefCell::new([0; 16]) };
    static LAST_ERROR: RefCell<Option<RandomError>> = const { RefCell::new(None) };
}

/// Draws `len` (at most 16) secure random bytes, not all zero, into a static buffer
/// and returns its address; returns 0 when no secure source is available (the reason
/// is then in `__randomErrorMessage()`).
#[wasm_bindgen(js_name = __idBytes)]
pub fn id_bytes(len: usize) -> *const u8 {
    ID_BYTES.with(|cell| {
        let mut buf = cell.borrow_mut();
        let Some(out) = buf.get_mut(..len.clamp(1, 16)) else { return core::ptr::null() };
        loop {
            if let Err(err) = random::fill(out) {
                LAST_ERROR.with(|e| *e.borrow_mut() = Some(err));
                return core::ptr::null();
            }
            if out.iter().any(|&b| b != 0) {
                return buf.as_ptr();
            }
        }
    })
}

/// Why the last `__idBytes` call returned 0.
#[wasm_bindgen(js_name = __randomErrorMessage)]
pub fn random_error_message() -> String {
    LAST_ERROR.with(|e| e.borrow().map(|err| err.to_string()).unwrap_or_default())
}

/// The module's linear memory, for zero-copy views from JS.
#[wasm_bindgen(js_name = __memory)]
pub fn memory() -> JsValue {
    wasm_bindgen::memory()
}
