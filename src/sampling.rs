//! Sampling decisions: parent-based, and a root sample rate decided from the trace
//! id's random bits.
//!
//! - A span with a parent (local, extracted from headers) follows the parent's
//!   sampled bit: every span of a trace is kept or dropped together.
//! - A root (and a span resumed from a Braintrust slug, which carries no flags) is
//!   sampled with probability `sample_rate`, decided from the **low 56 bits** (the
//!   right-most 7 bytes) of the trace id: the bits W3C Trace Context Level 2 says are
//!   random when the `random` flag is set, and the bits OpenTelemetry's
//!   consistent-probability samplers (`TraceIdRatioBased` as respecified with
//!   thresholds) read. The rule is OpenTelemetry's: with `R` the 56-bit value and the
//!   rejection threshold `T = round((1 - rate) * 2^56)`, the span is sampled iff
//!   `R >= T`. Every service that sees the same trace id and the same rate reaches the
//!   same decision, and a service with a higher rate keeps a superset of the traces a
//!   lower rate keeps.
//! - `rate >= 1` (or NaN) samples everything, `rate <= 0` nothing.
//!
//! Unsampled spans still get ids and propagate (`traceparent` with flag `00`), but
//! are not exported.

use crate::ids::TraceId;

/// 2^56: the number of distinct 56-bit randomness values.
const MAX_RANDOMNESS: u64 = 1 << 56;

/// A root sampler: a probability turned into a 56-bit rejection threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatioSampler {
    /// Sample iff the trace id's 56-bit randomness is at least this (0 = always,
    /// 2^56 = never).
    threshold: u64,
}

impl Default for RatioSampler {
    fn default() -> Self {
        RatioSampler::ALWAYS
    }
}

impl RatioSampler {
    /// Samples every trace.
    pub const ALWAYS: RatioSampler = RatioSampler { threshold: 0 };
    /// Samples no trace.
    pub const NEVER: RatioSampler = RatioSampler { threshold: MAX_RANDOMNESS };

    /// The sampler for a probability in `[0, 1]` (clamped; NaN samples everything).
    ///
    /// ```
    /// use spanwire::sampling::RatioSampler;
    /// assert_eq!(RatioSampler::new(1.0), RatioSampler::ALWAYS);
    /// assert_eq!(RatioSampler::new(0.0), RatioSampler::NEVER);
    /// assert_eq!(RatioSampler::new(0.5).threshold(), 1 << 55);
    /// ```
    pub fn new(rate: f64) -> Self {
        if rate.is_nan() || rate >= 1.0 {
            return Self::ALWAYS;
        }
        if rate <= 0.0 {
            return Self::NEVER;
        }
        // (1 - rate) * 2^56 is exact enough in f64 (53-bit mantissa): the rounding
        // error is below one part in 2^53 of the rate.
        let t = crate::float::round_non_negative((1.0 - rate) * MAX_RANDOMNESS as f64);
        RatioSampler { threshold: (t as u64).min(MAX_RANDOMNESS) }
    }

    /// The rejection threshold: traces whose randomness is below it are dropped.
    pub fn threshold(self) -> u64 {
        self.threshold
    }

    /// Whether a root of this trace is sampled.
    ///
    /// ```
    /// use spanwire::sampling::RatioSampler;
    /// use spanwire::TraceId;
    /// let low = TraceId::from_hex("ffffffffffffffffff00000000000001").unwrap();
    /// let high = TraceId::from_hex("000000000000000000ffffffffffffff").unwrap();
    /// let half = RatioSampler::new(0.5);
    /// assert!(!half.should_sample(low) && half.should_sample(high));
    /// ```
    pub fn should_sample(self, trace_id: TraceId) -> bool {
        randomness(trace_id) >= self.threshold
    }
}

/// The trace id's low 56 bits (bytes 9 to 15, big-endian) as a number below 2^56.
pub fn randomness(trace_id: TraceId) -> u64 {
    let b = trace_id.to_bytes();
    let mut r = [0u8; 8];
    r[1..].copy_from_slice(&b[9..]);
    u64::from_be_bytes(r)
}

/// The decision for a new span: the parent's sampled bit when there is a parent with
/// flags, else the ratio decision on the trace id.
pub fn decide(parent_sampled: Option<bool>, sampler: RatioSampler, trace_id: TraceId) -> bool {
    match parent_sampled {
        Some(sampled) => sampled,
        None => sampler.should_sample(trace_id),
    }
}
