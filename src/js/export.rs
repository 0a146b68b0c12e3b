//! wasm exports for the export policy: the JS exporter asks the core's retry
//! schedule ([`crate::export::retry::decide`]) after every failed attempt.

use crate::prelude::*;
use wasm_bindgen::prelude::*;

use crate::export::retry::{decide, Decision, Outcome, RetryPolicy};

/// A JS number as a non-negative integer of milliseconds (NaN and negatives → 0).
fn ms(value: f64) -> u64 {
    if value.is_nan() || value <= 0.0 {
        0
    } else if value >= u64::MAX as f64 {
        u64::MAX
    } else {
        value as u64
    }
}

/// The retry decision after attempt `attempt` (1 = first send) ended with
/// `outcome`: 0 = network error, 1 = timeout, otherwise the HTTP status.
/// Returns the delay in ms before the next attempt, `-1` to give up, or `-2` when
/// the batch was delivered (2xx). `now_ms` is `Date.now()`, `jitter` a fraction in
/// `[0, 1)` (`Math.random()` is fine: it only spreads retries out).
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = retryDelayMs)]
pub fn retry_delay_ms(
    attempt: u32,
    outcome: u32,
    retry_after: Option<String>,
    now_ms: f64,
    jitter: f64,
    max_retries: u32,
    initial_backoff_ms: f64,
    max_backoff_ms: f64,
) -> f64 {
    let outcome = match outcome {
        0 => Outcome::NetworkError,
        1 => Outcome::Timeout,
        s => Outcome::Status(u16::try_from(s).unwrap_or(u16::MAX)),
    };
    let policy = RetryPolicy {
        max_retries,
        initial_backoff_ms: ms(initial_backoff_ms),
        max_backoff_ms: ms(max_backoff_ms),
        ..RetryPolicy::default()
    };
    match decide(&policy, attempt, outcome, retry_after.as_deref(), ms(now_ms), jitter) {
        Decision::Done => -2.0,
        Decision::GiveUp => -1.0,
        Decision::RetryAfterMs(wait) => wait as f64,
    }
}
