//! Ids for JS: the bytes come from the secure source in blocks; JS formats them.
//!
//! Returning a `String` from wasm costs a `TextDecoder` call per id, which is most of
//! the time an id takes, and even a call per id is a crossing. Instead
//! `__refillIdPool()` fills a static block of [`ID_POOL_BYTES`] secure random bytes
//! and returns its address; `pkg/src/ids.js` takes ids from it in order through a
//! view of the wasm memory (each byte used once, an all-zero draw skipped) and
//! formats them with a lookup table: one crossing per block of ids, no strings
//! marshalled.

use crate::prelude::*;
use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::random::{self, RandomError};
use crate::single_thread::SingleThread;

/// Bytes per refill: 1,024 trace ids or 2,048 span ids. `crypto.getRandomValues` takes at
/// most 65,536 bytes a call.
pub const ID_POOL_BYTES: usize = 16384;

static ID_POOL: SingleThread<RefCell<[u8; ID_POOL_BYTES]>> = SingleThread::new(RefCell::new([0; ID_POOL_BYTES]));
static LAST_ERROR: SingleThread<RefCell<Option<RandomError>>> = SingleThread::new(RefCell::new(None));

/// Refills the id pool from the secure source and returns its address, or 0 when no
/// secure source is available (the reason is then in `__randomErrorMessage()`).
#[wasm_bindgen(js_name = __refillIdPool)]
pub fn refill_id_pool() -> *const u8 {
    let mut pool = ID_POOL.borrow_mut();
    match random::fill_from_source(&mut pool[..]) {
        Ok(()) => pool.as_ptr(),
        Err(err) => {
            *LAST_ERROR.borrow_mut() = Some(err);
            core::ptr::null()
        }
    }
}

/// The size of the block `__refillIdPool` fills.
#[wasm_bindgen(js_name = __idPoolBytes)]
pub fn id_pool_bytes() -> usize {
    ID_POOL_BYTES
}

/// Why the last `__refillIdPool` call returned 0.
#[wasm_bindgen(js_name = __randomErrorMessage)]
pub fn random_error_message() -> String {
    LAST_ERROR.borrow().map(|err| crate::message::text(&err)).unwrap_or_default()
}

/// The module's linear memory, for zero-copy views from JS.
#[wasm_bindgen(js_name = __memory)]
pub fn memory() -> JsValue {
    wasm_bindgen::memory()
}
