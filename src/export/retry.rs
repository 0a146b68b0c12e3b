//! The retry schedule of one export request, as a pure function.
//!
//! [`decide`] takes the number of the attempt that just ended, its [`Outcome`],
//! the response's `Retry-After` header if any, the current time and a jitter
//! fraction the caller draws, and answers [`Decision::Done`], retry after so many
//! milliseconds, or [`Decision::GiveUp`]. It keeps no state and never panics, so
//! the same inputs always give the same answer and tests need no clock.
//!
//! Rules (the OTLP/HTTP exporter specification's, made concrete):
//! - 2xx is done. Network errors, timeouts, 429, 502, 503 and 504 are retried;
//!   every other status (other 4xx, 500, 501, 3xx, 1xx) gives up at once.
//! - At most `max_retries` retries: attempt `max_retries + 1` failing gives up.
//! - Without `Retry-After`, retry `n` (counting from 1) waits an exponential
//!   backoff `b = min(initial · 2^(n-1), max)` with "equal jitter":
//!   `b/2 + jitter · b/2` for a caller-drawn `jitter` in `[0, 1)`, so concurrent
//!   clients spread out and no wait is shorter than half the backoff.
//! - With a valid `Retry-After` (delay-seconds or an HTTP-date, RFC 9110 §10.2.3)
//!   on a retryable response, wait exactly that long (a date in the past means 0),
//!   capped at `max_retry_after_ms` so a hostile header cannot park the exporter.
//!   An invalid header is ignored (the backoff applies).
//!
//! ```
//! use spanwire::export::retry::{decide, Decision, Outcome, RetryPolicy};
//! let p = RetryPolicy::default();
//! assert_eq!(decide(&p, 1, Outcome::Status(200), None, 0, 0.0), Decision::Done);
//! assert_eq!(decide(&p, 1, Outcome::Status(400), None, 0, 0.0), Decision::GiveUp);
//! assert_eq!(decide(&p, 1, Outcome::Status(503), None, 0, 0.0), Decision::RetryAfterMs(500));
//! assert_eq!(decide(&p, 2, Outcome::NetworkError, None, 0, 0.5), Decision::RetryAfterMs(1500));
//! assert_eq!(decide(&p, 1, Outcome::Status(429), Some("3"), 0, 0.9), Decision::RetryAfterMs(3000));
//! assert_eq!(decide(&p, 6, Outcome::Timeout, None, 0, 0.0), Decision::GiveUp);
//! ```

// `Retry-After` comes from whatever server answers: its parser, like the header
// parsers, is held to no panics.
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// How an export attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The request failed before a response arrived (refused, reset, DNS, …).
    NetworkError,
    /// No response within the export timeout (the request was aborted).
    Timeout,
    /// A response arrived with this HTTP status.
    Status(u16),
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The batch was delivered (2xx).
    Done,
    /// Send the batch again after this many milliseconds.
    RetryAfterMs(u64),
    /// Stop: the batch has finally failed.
    GiveUp,
}

/// Default first backoff.
pub const DEFAULT_INITIAL_BACKOFF_MS: u64 = 1_000;
/// Default largest backoff.
pub const DEFAULT_MAX_BACKOFF_MS: u64 = 30_000;
/// Default largest wait a `Retry-After` header can impose.
pub const DEFAULT_MAX_RETRY_AFTER_MS: u64 = 60_000;

/// The parameters of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Backoff before the first retry (before jitter).
    pub initial_backoff_ms: u64,
    /// Largest backoff (before jitter).
    pub max_backoff_ms: u64,
    /// Largest wait honoured from a `Retry-After` header.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: super::batch::DEFAULT_MAX_RETRIES,
            initial_backoff_ms: DEFAULT_INITIAL_BACKOFF_MS,
            max_backoff_ms: DEFAULT_MAX_BACKOFF_MS,
            max_retry_after_ms: DEFAULT_MAX_RETRY_AFTER_MS,
        }
    }
}

/// Whether a response status is worth retrying (429, 502, 503, 504).
pub const fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The decision after attempt number `attempt` (1 for the first send) ended with
/// `outcome`. `retry_after` is the response's `Retry-After` value, `now_ms` the
/// current time in ms since the Unix epoch (for HTTP-dates), `jitter` a fraction
/// in `[0, 1)` (values outside are clamped; NaN counts as 0).
pub fn decide(
    policy: &RetryPolicy,
    attempt: u32,
    outcome: Outcome,
    retry_after: Option<&str>,
    now_ms: u64,
    jitter: f64,
) -> Decision {
    let retryable = match outcome {
        Outcome::Status(s) if (200..300).contains(&s) => return Decision::Done,
        Outcome::Status(s) => is_retryable_status(s),
        Outcome::NetworkError | Outcome::Timeout => true,
    };
    if !retryable || attempt > policy.max_retries {
        return Decision::GiveUp;
    }
    if let Some(wait) = retry_after.and_then(|v| parse_retry_after(v, now_ms)) {
        return Decision::RetryAfterMs(wait.min(policy.max_retry_after_ms));
    }
    Decision::RetryAfterMs(backoff_ms(policy, attempt, jitter))
}

/// The jittered exponential backoff before retry number `retry` (1-based).
pub fn backoff_ms(policy: &RetryPolicy, retry: u32, jitter: f64) -> u64 {
    let shift = retry.saturating_sub(1).min(63);
    let base = policy.initial_backoff_ms.checked_shl(shift).filter(|b| b >> shift == policy.initial_backoff_ms);
    let base = base.unwrap_or(u64::MAX).min(policy.max_backoff_ms);
    let jitter = if jitter.is_nan() { 0.0 } else { jitter.clamp(0.0, 1.0) };
    let half = base / 2;
    // `half as f64 * jitter` is at most `half`, so the sum cannot overflow.
    (base - half).saturating_add(((half as f64) * jitter) as u64).min(base)
}

/// Milliseconds to wait from a `Retry-After` value: delay-seconds (`120`) or an
/// HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, also the obsolete RFC 850 and
/// asctime forms), measured from `now_ms`. `None` when the value is neither.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = crate::w3c::trim_ows(value);
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // Overlong numbers saturate (they are capped by the policy anyway).
        let secs = value.bytes().fold(0u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0')));
        return Some(secs.saturating_mul(1000));
    }
    let at = parse_http_date(value)?;
    Some(at.saturating_sub(now_ms))
}

const MONTHS: [&[u8]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

/// An HTTP-date (RFC 9110 §5.6.7) as ms since the Unix epoch; `None` if malformed
/// or before 1970. Read as bytes: every separator and digit is ASCII, and `str`
/// splitting and number parsing cost about 2 KB more wasm.
pub fn parse_http_date(value: &str) -> Option<u64> {
    let mut tokens = value.as_bytes().split(|b| matches!(b, b' ' | b',' | b'-')).filter(|t| !t.is_empty());
    let mut next = || tokens.next();
    let weekday = next()?;
    if weekday.len() < 3 || !weekday.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let a = next()?;
    let (day, month, year, time) = if a.iter().all(u8::is_ascii_digit) {
        if a.len() != 2 {
            return None;
        }
        // IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` or RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`.
        let month = month_number(next()?)?;
        let y = next()?;
        let year = match (y.len(), number(y)?) {
            (4, y) => y,
            (2, y) if y < 70 => 2000 + y,
            (2, y) => 1900 + y,
            _ => return None,
        };
        let time = next()?;
        if next()? != b"GMT" {
            return None;
        }
        (number(a)?, month, year, time)
    } else {
        // asctime `Sun Nov  6 08:49:37 1994`.
        let month = month_number(a)?;
        let d = next()?;
        if d.len() > 2 {
            return None;
        }
        let day = number(d)?;
        let time = next()?;
        let y = next()?;
        if y.len() != 4 {
            return None;
        }
        (day, month, number(y)?, time)
    };
    if next().is_some() || !(1..=31).contains(&day) {
        return None;
    }
    let mut hms = time.split(|&b| b == b':');
    let (h, m, s) = (two_digits(hms.next()?)?, two_digits(hms.next()?)?, two_digits(hms.next()?)?);
    if hms.next().is_some() || h > 23 || m > 59 || s > 60 || year < 1970 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some((days * 86_400 + h * 3_600 + m * 60 + s) * 1_000)
}

fn month_number(name: &[u8]) -> Option<u64> {
    MONTHS.iter().position(|m| *m == name).map(|i| i as u64 + 1)
}

/// One to four ASCII digits.
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0, |n, &d| n * 10 + u64::from(d - b'0')))
}

fn two_digits(digits: &[u8]) -> Option<u64> {
    if digits.len() == 2 {
        number(digits)
    } else {
        None
    }
}

fn days_in_month(year: u64, month: u64) -> u64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (year ≥ 1970; Howard Hinnant's algorithm).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
