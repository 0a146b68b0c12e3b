//! Export policy, independent of any transport: the bounded batch queue and the
//! retry schedule. The JS side (`pkg/src/exporter.js`) owns the timers and sends
//! with the runtime's `fetch`; it asks the core for every decision.
//!
//! - [`batch`]: [`BatchQueue`], a bounded FIFO of ended spans that drops the
//!   newest span when full and counts what it dropped, and [`BatchConfig`], the
//!   batching options with OpenTelemetry's defaults (2048 / 512 / 5 s / 30 s).
//! - [`retry`]: [`retry::decide`], the retry schedule as a pure function of the
//!   attempt number, the outcome, the `Retry-After` header, the current time and a
//!   caller-supplied jitter fraction.

pub mod batch;
pub mod retry;

pub use batch::{BatchConfig, BatchQueue};
pub use retry::{Decision, Outcome, RetryPolicy};
