//! The secure source of the wasm build: `crypto.getRandomValues`, called here rather
//! than through getrandom's `wasm_js` backend so that what it throws is kept.
//!
//! getrandom turned any exception into one error code. But a stack overflow on the way
//! into the import (a deep JS stack calling in) is a `RangeError` too, and was then
//! reported as "Web Crypto API is unavailable"; in Workers at module scope, workerd's
//! own reason was lost. The core ([`crate::random`]) calls [`get_random_values`] and
//! sees only success or failure; the exception waits here, and the JS layer takes it
//! with `__takeRandomCause()` when a call fails (pkg/src/instance.js
//! `withRandomCause`): a `RangeError` is thrown as itself, anything else becomes the
//! `cause` of the error the call throws.

use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::single_thread::SingleThread;

/// Most bytes `crypto.getRandomValues` fills in one call.
const MAX_CALL_BYTES: usize = 65536;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["globalThis", "crypto"], js_name = getRandomValues)]
    fn fill_view(view: &mut [u8]) -> Result<(), JsValue>;
}

/// What the last failed `crypto.getRandomValues` call threw, until JS takes it.
static THROWN: SingleThread<RefCell<Option<JsValue>>> = SingleThread::new(RefCell::new(None));

/// Fills `out` from `crypto.getRandomValues`; false when it is missing or throws (what
/// it threw is kept for `__takeRandomCause`).
pub(crate) fn get_random_values(out: &mut [u8]) -> bool {
    // A draw that worked leaves nothing behind: a kept exception is always the last draw's.
    *THROWN.borrow_mut() = None;
    for chunk in out.chunks_mut(MAX_CALL_BYTES) {
        if let Err(thrown) = fill_view(chunk) {
            *THROWN.borrow_mut() = Some(thrown);
            return false;
        }
    }
    true
}

/// What `crypto.getRandomValues` threw in the last failed draw (`undefined` if it did
/// not throw since the last take), and forgets it.
#[wasm_bindgen(js_name = __takeRandomCause)]
pub fn take_random_cause() -> JsValue {
    THROWN.borrow_mut().take().unwrap_or(JsValue::UNDEFINED)
}
