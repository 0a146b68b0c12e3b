//! # spanwire
//!
//! Distributed tracing for the edge: OpenTelemetry-compatible ids, W3C Trace Context
//! and Baggage propagation, Braintrust-compatible spans and OTLP/HTTP export, compiled
//! to one WebAssembly package for browsers, Cloudflare Workers and Node.js.
//!
//! The crate has two layers:
//!
//! - **The core** (every module but `js`): plain Rust with no JS types. It builds and
//!   is tested natively with `cargo test`, and it is what the fuzzers exercise. Every
//!   parser in it is a total function: bad input is an `Err` or "no parent", never a
//!   panic, because a panic in WebAssembly traps and can leave the module unusable.
//! - **The bindings** (`js`, wasm32 only): a thin `#[wasm_bindgen]` layer that adapts
//!   JS values to the core, designed for few JS↔WASM crossings per call.
//!
//! On wasm32 the crate is `no_std` (with `alloc`): the standard library's panic
//! runtime is left out of the shipped module, whose panic handler is a trap
//! (`trap.rs`). Natively, and with the `std` feature, it uses std as usual.
//!
//! ```
//! use spanwire::{SpanId, TraceId};
//! let trace = TraceId::random().unwrap();
//! let span = SpanId::random().unwrap();
//! let traceparent = format!("00-{trace}-{span}-01");
//! assert_eq!(traceparent.len(), 55);
//! ```

#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

pub mod context;
pub mod decimal;
pub mod export;
mod float;
pub mod heap;
pub mod ids;
pub mod json;
mod message;
pub mod otlp;
pub mod random;
pub mod recorder;
pub mod sampling;
#[cfg(target_arch = "wasm32")]
mod single_thread;
pub mod slug;
pub mod span;
mod swar;
pub mod w3c;

#[cfg(target_arch = "wasm32")]
mod js;
mod prelude;
#[cfg(test)]
mod test_rng;
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
mod trap;

pub use ids::{IdError, SpanId, TraceId};
pub use random::RandomError;
