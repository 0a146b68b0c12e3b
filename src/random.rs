//! The cryptographically secure byte source behind every id.
//!
//! Underneath it is the operating system's CSPRNG natively (through `getrandom`) and
//! `crypto.getRandomValues` in WebAssembly (through the bindings' import,
//! `src/js/random.rs`, which keeps what a failed call threw for the JS layer); nothing
//! here ever uses a non-cryptographic generator such as `Math.random`.
//!
//! In WebAssembly each call to `crypto.getRandomValues` is a JS↔WASM crossing, so
//! bytes are drawn in blocks of [`POOL_BYTES`] into a pool and handed out from
//! there. Every byte is used once. No randomness is drawn when the module loads:
//! Cloudflare Workers forbid `crypto.getRandomValues` at module scope, so the pool
//! is filled on the first draw, inside a request.
//!
//! Natively bytes come straight from the OS on every call: a pool copied into a
//! forked child would hand both processes the same ids.

use crate::prelude::*;

use crate::message::{display_message, Message};

/// Bytes fetched per refill of the WebAssembly pool (`crypto.getRandomValues`
/// accepts at most 65,536 per call).
pub const POOL_BYTES: usize = 4096;

/// The secure source could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomError(SourceError);

/// What went wrong underneath: the OS's error natively.
#[cfg(not(target_arch = "wasm32"))]
type SourceError = getrandom::Error;

/// What went wrong underneath in WebAssembly: `crypto.getRandomValues` is missing or
/// threw (what it threw waits in `src/js/random.rs`).
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SourceError;

impl Message for RandomError {
    fn write_to(&self, out: &mut String) {
        out.push_str("no cryptographically secure random source is available (");
        write_source_error(&self.0, out);
        out.push_str("); in Cloudflare Workers, ids can only be drawn inside a request handler, not at module scope")
    }
}

display_message!(RandomError);

/// What went wrong underneath, in WebAssembly: getrandom's words for the same failure,
/// which this module reported through getrandom before.
#[cfg(target_arch = "wasm32")]
fn write_source_error(_: &SourceError, out: &mut String) {
    out.push_str("Web Crypto API is unavailable")
}

/// What went wrong underneath, as getrandom says it (an OS error, natively).
#[cfg(not(target_arch = "wasm32"))]
fn write_source_error(err: &getrandom::Error, out: &mut String) {
    use core::fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = write!(out, "{err}");
}

impl core::error::Error for RandomError {}

/// Fills `out` with cryptographically secure random bytes.
pub fn fill(out: &mut [u8]) -> Result<(), RandomError> {
    imp::fill(out)
}

/// Fills `out` straight from the secure source, bypassing the pool: for callers that
/// keep a block of their own (the JS id pool).
#[cfg(not(target_arch = "wasm32"))]
pub fn fill_from_source(out: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(out).map_err(RandomError)
}

/// Fills `out` straight from the secure source, bypassing the pool: for callers that
/// keep a block of their own (the JS id pool).
#[cfg(target_arch = "wasm32")]
pub fn fill_from_source(out: &mut [u8]) -> Result<(), RandomError> {
    if crate::js::random::get_random_values(out) {
        Ok(())
    } else {
        Err(RandomError(SourceError))
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub(super) use super::fill_from_source as fill;
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::{fill_from_source, RandomError, POOL_BYTES};
    use crate::single_thread::SingleThread;
    use core::cell::RefCell;

    struct Pool {
        bytes: [u8; POOL_BYTES],
        /// Index of the next unused byte; `POOL_BYTES` means empty.
        next: usize,
    }

    // The wasm32 build is `no_std` and has one thread (see `single_thread.rs`).
    static POOL: SingleThread<RefCell<Pool>> =
        SingleThread::new(RefCell::new(Pool { bytes: [0; POOL_BYTES], next: POOL_BYTES }));

    pub(super) fn fill(out: &mut [u8]) -> Result<(), RandomError> {
        if out.len() > POOL_BYTES / 4 {
            return fill_from_source(out);
        }
        let mut pool = POOL.borrow_mut();
        if POOL_BYTES - pool.next < out.len() {
            fill_from_source(&mut pool.bytes)?;
            pool.next = 0;
        }
        let start = pool.next;
        let end = start + out.len();
        out.copy_from_slice(&pool.bytes[start..end]);
        // Used bytes are wiped so the pool never holds an id that was handed out.
        pool.bytes[start..end].fill(0);
        pool.next = end;
        Ok(())
    }
}
