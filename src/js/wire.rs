//! The byte channels of the hot calls, so that no call marshals strings one by one.
//!
//! Measured in Node 20, each string wasm-bindgen passes costs a `malloc` crossing plus
//! an encode, and each string it returns a `TextDecoder` call: 200–300 ns apiece,
//! more than most of the work behind a call. The hot exports use fixed buffers in
//! wasm memory instead:
//!
//! ```text
//! TEXT  32 KiB  JS -> wasm  the call's strings, concatenated, written by one encodeInto
//! META   8 KiB  JS -> wasm  f64 slots: byte lengths, types and numbers for the strings
//! OUT   grows   wasm -> JS  the answer's bytes; its address (8-byte aligned) is at
//!                           OUT_PTR, its length is the call's return value
//! ```
//!
//! JS (`pkg/src/wire.js`) writes TEXT and META just before a call and reads OUT just
//! after it; nothing else touches them, and wasm never calls back into JS in between,
//! so a call sees exactly what its caller wrote.

use crate::prelude::*;
use core::cell::{RefCell, RefMut, UnsafeCell};

use wasm_bindgen::prelude::*;

use crate::single_thread::SingleThread;

/// Bytes of text JS may write per call.
pub const TEXT_LEN: usize = 32 * 1024;
/// f64 slots JS may write per call.
pub const META_LEN: usize = 1024;
/// OUT keeps at most this much capacity between calls (a rare big answer is freed).
const OUT_KEEP: usize = 64 * 1024;

/// TEXT, 8-byte aligned so JS may also write it as u32 words.
#[repr(C, align(8))]
struct Text([u8; TEXT_LEN]);

struct Buffers {
    text: UnsafeCell<Text>,
    meta: UnsafeCell<[f64; META_LEN]>,
    out_ptr: UnsafeCell<u32>,
}

/// One thread touches these, and only inside one call (see the module docs).
static BUFFERS: SingleThread<Buffers> = SingleThread::new(Buffers {
    text: UnsafeCell::new(Text([0; TEXT_LEN])),
    meta: UnsafeCell::new([0.0; META_LEN]),
    out_ptr: UnsafeCell::new(0),
});

static OUT: SingleThread<RefCell<String>> = SingleThread::new(RefCell::new(String::new()));

/// Addresses of TEXT, META and the OUT pointer slot, in that order (one call at load).
#[wasm_bindgen(js_name = __wire)]
pub fn wire() -> Vec<u32> {
    vec![BUFFERS.text.get() as u32, BUFFERS.meta.get() as u32, BUFFERS.out_ptr.get() as u32]
}

/// What JS wrote for this call: the first `text_len` bytes of TEXT (empty when longer
/// than the buffer) and the META slots.
pub fn with_input<R>(text_len: usize, f: impl FnOnce(&[u8], &[f64; META_LEN]) -> R) -> R {
    // SAFETY: single-threaded, and JS does not run during the call; we only read.
    let (text, meta) = unsafe { (&*BUFFERS.text.get(), &*BUFFERS.meta.get()) };
    f(text.0.get(..text_len).unwrap_or_default(), meta)
}

/// Runs `f` on the emptied OUT buffer and publishes its address; returns its length.
pub fn output(f: impl FnOnce(&mut String)) -> u32 {
    let mut out = emptied_out();
    f(&mut out);
    // SAFETY: as in `with_input`; JS reads the slot after the call returns.
    unsafe { *BUFFERS.out_ptr.get() = out.as_ptr() as u32 };
    out.len() as u32
}

/// OUT, emptied (a rare big answer's capacity freed). Not inlined: [`output`] is
/// generic, and the borrow check would otherwise be written into every caller.
#[inline(never)]
fn emptied_out() -> RefMut<'static, String> {
    let mut out = OUT.borrow_mut();
    out.clear();
    if out.capacity() > OUT_KEEP {
        out.shrink_to(OUT_KEEP);
    }
    out
}

/// Consecutive fields of a call's text, by byte length. A length that runs past the
/// end or splits a UTF-8 sequence gives `None`, never a panic.
pub struct Fields<'a> {
    text: &'a [u8],
}

impl<'a> Fields<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        Fields { text }
    }

    /// The next `len` bytes as text.
    pub fn str(&mut self, len: usize) -> Option<&'a str> {
        let (head, rest) = self.text.split_at_checked(len)?;
        self.text = rest;
        core::str::from_utf8(head).ok()
    }

    /// The next field when `len` is a length (>= 0), `None` for -1 (absent); a bad
    /// length is also absent.
    pub fn opt_str(&mut self, len: f64) -> Option<&'a str> {
        if len >= 0.0 {
            self.str(len as usize)
        } else {
            None
        }
    }
}
