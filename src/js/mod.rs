//! The wasm-bindgen layer: adapts JS values to the core. Nothing here parses; every
//! function converts, calls the core once, and converts back. The JS side of the
//! package (pkg/src/) reads carriers and holds the public classes; it calls these
//! exports with strings and numbers, keeping JS↔WASM crossings to one per operation.

mod export;
mod ids;
mod propagation;
pub(crate) mod random;
mod span;
mod wire;

use crate::message::Message;

/// Turns a core error into a JS `Error` with the core's message.
pub(crate) fn js_error(err: impl Message) -> wasm_bindgen::JsError {
    message_error(&err)
}

/// [`js_error`]'s work, written once rather than for each error type.
#[inline(never)]
fn message_error(err: &dyn Message) -> wasm_bindgen::JsError {
    wasm_bindgen::JsError::new(&crate::message::text(err))
}
