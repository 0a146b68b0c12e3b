//! Statics for the wasm32 build, where one thread ever exists.
//!
//! `thread_local!` is what the standard library offers for mutable global state, but
//! each use of one writes an access check and its panic path into the caller, and the
//! exports reach their state on every call: a plain `static` costs nothing per use.
//! The heap (`heap.rs`), the recorder, the wire buffers, the id pools and the cached
//! object slug live in these; the build is `no_std` (`trap.rs`), so `thread_local!`
//! is not there to use anyway.

use core::cell::{Ref, RefCell, RefMut};
use core::ops::Deref;

#[cfg(target_feature = "atomics")]
compile_error!("spanwire's wasm statics assume one thread: build without the `atomics` target feature");

/// A value that may sit in a `static` although it is not `Sync` (a `RefCell`, an
/// `UnsafeCell`): sound because the wasm32 build has one thread (the `atomics`
/// target feature, which would allow more, is refused above).
pub(crate) struct SingleThread<T>(T);

// SAFETY: no second thread exists to share the value with (see the type's docs).
unsafe impl<T> Sync for SingleThread<T> {}

impl<T> SingleThread<T> {
    pub(crate) const fn new(value: T) -> Self {
        SingleThread(value)
    }

    /// Runs `f` on the value, as `thread_local!`'s `LocalKey::with` does: core code
    /// whose state is a thread-local natively reads the same on both builds.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}

impl<T> Deref for SingleThread<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> SingleThread<RefCell<T>> {
    /// `RefCell::borrow_mut`, trapping without `RefCell`'s panic message: that message
    /// is formatted with `core::fmt`, which the module otherwise leaves out (see
    /// `message.rs`). A second borrow could only come from JS calling back into the
    /// module while an export holds the value; it traps either way, as any panic does.
    pub(crate) fn borrow_mut(&self) -> RefMut<'_, T> {
        match self.0.try_borrow_mut() {
            Ok(value) => value,
            Err(_) => core::arch::wasm32::unreachable(),
        }
    }

    /// `RefCell::borrow`, trapping as [`Self::borrow_mut`] does.
    pub(crate) fn borrow(&self) -> Ref<'_, T> {
        match self.0.try_borrow() {
            Ok(value) => value,
            Err(_) => core::arch::wasm32::unreachable(),
        }
    }
}
