//! The retry schedule: which outcomes retry, the attempt bound, exponential backoff
//! with jitter and its cap, `Retry-After` in both forms, and no panic on any input.

use spanwire::export::retry::{
    backoff_ms, decide, is_retryable_status, parse_http_date, parse_retry_after, Decision, Outcome, RetryPolicy,
};

const P: RetryPolicy =
    RetryPolicy { max_retries: 5, initial_backoff_ms: 1_000, max_backoff_ms: 30_000, max_retry_after_ms: 60_000 };

fn retry(ms: u64) -> Decision {
    Decision::RetryAfterMs(ms)
}

#[test]
fn which_outcomes_retry() {
    for s in [200, 201, 202, 204, 299] {
        assert_eq!(decide(&P, 1, Outcome::Status(s), None, 0, 0.0), Decision::Done, "{s}");
    }
    for s in [429, 502, 503, 504] {
        assert!(is_retryable_status(s));
        assert_eq!(decide(&P, 1, Outcome::Status(s), None, 0, 0.0), retry(500), "{s}");
    }
    for s in [0, 100, 199, 300, 301, 304, 400, 401, 403, 404, 408, 409, 413, 415, 499, 500, 501, 505, 599, 999] {
        assert!(!is_retryable_status(s));
        assert_eq!(decide(&P, 1, Outcome::Status(s), Some("1"), 0, 0.0), Decision::GiveUp, "{s}");
    }
    assert_eq!(decide(&P, 1, Outcome::NetworkError, None, 0, 0.0), retry(500));
    assert_eq!(decide(&P, 1, Outcome::Timeout, None, 0, 0.0), retry(500));
}

#[test]
fn at_most_max_retries() {
    for attempt in 1..=5 {
        assert!(matches!(decide(&P, attempt, Outcome::Timeout, None, 0, 0.3), Decision::RetryAfterMs(_)));
    }
    assert_eq!(decide(&P, 6, Outcome::Timeout, None, 0, 0.3), Decision::GiveUp);
    assert_eq!(decide(&P, u32::MAX, Outcome::Status(503), Some("1"), 0, 0.3), Decision::GiveUp);
    let none = RetryPolicy { max_retries: 0, ..P };
    assert_eq!(decide(&none, 1, Outcome::NetworkError, None, 0, 0.0), Decision::GiveUp);
    // A success is a success whatever the attempt number.
    assert_eq!(decide(&none, 9, Outcome::Status(200), None, 0, 0.0), Decision::Done);
}

#[test]
fn exponential_backoff_with_equal_jitter_and_a_cap() {
    // Without jitter: half the backoff; with jitter → 1: the whole backoff.
    let lows: Vec<u64> = (1..=7).map(|n| backoff_ms(&P, n, 0.0)).collect();
    assert_eq!(lows, [500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
    let highs: Vec<u64> = (1..=7).map(|n| backoff_ms(&P, n, 1.0)).collect();
    assert_eq!(highs, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    assert_eq!(backoff_ms(&P, 2, 0.5), 1_500);
    // Every jitter lands in [b/2, b].
    for i in 0..1000 {
        let j = f64::from(i) / 1000.0;
        let d = backoff_ms(&P, 3, j);
        assert!((2_000..=4_000).contains(&d), "{j} -> {d}");
    }
    // Out-of-range jitter is clamped, NaN counts as 0; huge retry numbers stay capped.
    assert_eq!(backoff_ms(&P, 1, -3.0), 500);
    assert_eq!(backoff_ms(&P, 1, 7.0), 1_000);
    assert_eq!(backoff_ms(&P, 1, f64::NAN), 500);
    assert_eq!(backoff_ms(&P, 1, f64::INFINITY), 1_000);
    assert_eq!(backoff_ms(&P, u32::MAX, 1.0), 30_000);
    assert_eq!(backoff_ms(&P, 0, 1.0), 1_000);
    let huge = RetryPolicy { initial_backoff_ms: u64::MAX, max_backoff_ms: u64::MAX, ..P };
    assert_eq!(backoff_ms(&huge, 64, 1.0), u64::MAX);
    assert_eq!(backoff_ms(&huge, 64, 0.0), u64::MAX - u64::MAX / 2);
    let zero = RetryPolicy { initial_backoff_ms: 0, ..P };
    assert_eq!(backoff_ms(&zero, 3, 0.7), 0);
}

#[test]
fn retry_after_seconds_replace_the_backoff() {
    assert_eq!(decide(&P, 1, Outcome::Status(429), Some("3"), 0, 0.9), retry(3_000));
    assert_eq!(decide(&P, 1, Outcome::Status(503), Some(" 0 "), 0, 0.9), retry(0));
    assert_eq!(decide(&P, 4, Outcome::Status(503), Some("2"), 0, 0.9), retry(2_000));
    // Capped at max_retry_after_ms, also when the number overflows.
    assert_eq!(decide(&P, 1, Outcome::Status(429), Some("120"), 0, 0.0), retry(60_000));
    assert_eq!(decide(&P, 1, Outcome::Status(429), Some("99999999999999999999999"), 0, 0.0), retry(60_000));
    // Invalid values are ignored: the backoff applies.
    for bad in ["", " ", "-1", "1.5", "+3", "3s", "soon", "0x10", "١"] {
        assert_eq!(decide(&P, 1, Outcome::Status(429), Some(bad), 0, 0.0), retry(500), "{bad:?}");
    }
    assert_eq!(parse_retry_after("7", 0), Some(7_000));
    assert_eq!(parse_retry_after("\t7\t", 0), Some(7_000));
}

#[test]
fn retry_after_http_dates_in_all_three_forms() {
    // 1994-11-06T08:49:37Z = 784111777 s.
    let at = 784_111_777_000;
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(at));
    assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(at));
    assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(at));
    assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    assert_eq!(parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT"), Some(1_445_412_480_000));
    assert_eq!(parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT"), Some(1_835_481_599_000));
    assert_eq!(parse_http_date("Fri, 31 Dec 2049 00:00:00 GMT"), Some(2_524_521_600_000));
    // Relative to now; a past date means "at once".
    assert_eq!(
        decide(&P, 1, Outcome::Status(503), Some("Sun, 06 Nov 1994 08:49:37 GMT"), at - 4_000, 0.9),
        retry(4_000)
    );
    assert_eq!(decide(&P, 1, Outcome::Status(503), Some("Sun, 06 Nov 1994 08:49:37 GMT"), at + 4_000, 0.9), retry(0));
    assert_eq!(decide(&P, 1, Outcome::Status(503), Some("Sun, 06 Nov 1994 08:49:37 GMT"), 0, 0.9), retry(60_000));
    for bad in [
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 29 Feb 2023 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1969 08:49:37 GMT",
        "Sun, 06 Nov 19940 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT extra",
        "Sun Nov 106 08:49:37 1994",
        "Sun Nov  6 08:49:37 94",
        "1, 06 Nov 1994 08:49:37 GMT",
        "Sun",
        "",
    ] {
        assert_eq!(parse_http_date(bad), None, "{bad:?}");
    }
}

#[test]
fn no_input_panics() {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let alphabet = b"0123456789 ,-:GMTSunNovJanFeb\t\xc3\xa9";
    for _ in 0..50_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 40) as usize;
        let bytes: Vec<u8> = (0..len).map(|i| alphabet[((x >> (i % 50)) as usize + i * 7) % alphabet.len()]).collect();
        let text = String::from_utf8_lossy(&bytes);
        let outcome = match x % 4 {
            0 => Outcome::NetworkError,
            1 => Outcome::Timeout,
            _ => Outcome::Status((x >> 20) as u16),
        };
        let d = decide(&P, (x >> 40) as u32 % 9, outcome, Some(&text), x >> 8, (x as f64) / 1e18);
        if let Decision::RetryAfterMs(ms) = d {
            assert!(ms <= 60_000);
        }
        let _ = parse_http_date(&text);
    }
}
