//! `newTraceId()`, `newSpanId()`: fresh ids as lowercase hex strings.

use wasm_bindgen::prelude::*;

use super::js_error;
use crate::{SpanId, TraceId};

/// A new random trace id: 32 lowercase hex characters, never all zero, drawn from
/// `crypto.getRandomValues`.
///
/// Throws an `Error` when no secure random source is available (in Cloudflare
/// Workers: when called at module scope instead of inside a request).
///
/// @example
/// ```js
/// import { newTraceId } from 'spanwire';
/// const traceId = newTraceId(); // '4bf92f3577b34da6a3ce929d0e0e4736'
/// ```
#[wasm_bindgen(js_name = newTraceId)]
pub fn new_trace_id() -> Result<String, JsError> {
    TraceId::random().map(|id| id.to_hex()).map_err(js_error)
}

/// A new random span id: 16 lowercase hex characters, never all zero, drawn from
/// `crypto.getRandomValues`.
///
/// @example
/// ```js
/// import { newSpanId } from 'spanwire';
/// const spanId = newSpanId(); // '00f067aa0ba902b7'
/// ```
#[wasm_bindgen(js_name = newSpanId)]
pub fn new_span_id() -> Result<String, JsError> {
    SpanId::random().map(|id| id.to_hex()).map_err(js_error)
}
