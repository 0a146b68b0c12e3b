//! The wasm32 build's panic handler: a trap, and nothing else.
//!
//! The crate is `no_std` on wasm32, so the standard library's panic runtime (its hook,
//! payload boxing and message formatting) is not linked. On `wasm32-unknown-unknown`
//! that runtime's output had nowhere to go (stderr is a no-op there), and with
//! `panic = "abort"` it ended in the same `unreachable` trap as this handler. Nothing
//! that reads input panics (the parsers are total); a panic is a bug, and after its
//! trap the JS layer instantiates the module again (pkg/src/instance.js).
//!
//! The `std` feature links the standard library instead, for `wasm-bindgen-test`
//! builds, whose harness brings std and its panic handler.

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
