//! JS times (milliseconds since the epoch, as `f64`) to OTLP nanoseconds: exact for
//! whole milliseconds, the nearest nanosecond otherwise, checked against exact integer
//! arithmetic on the `f64`'s own bits.

mod common;

use common::rng::Rng;
use spanwire::span::unix_nano_from_ms;

/// The exact `ms * 1e6`, rounded half up to an integer, from the float's mantissa and
/// exponent (for `ms` from 2^-20 to below 2^53).
fn exact_ns(ms: f64) -> u64 {
    let bits = ms.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32 - 1075;
    let mantissa = u128::from((bits & ((1 << 52) - 1)) | (1 << 52));
    let scaled = mantissa * 1_000_000;
    let value = if exponent >= 0 {
        scaled << exponent
    } else {
        let shift = -exponent as u32;
        (scaled + (1u128 << (shift - 1))) >> shift
    };
    u64::try_from(value).expect("in range")
}

#[test]
fn whole_milliseconds_are_exact_where_f64_multiplication_is_not() {
    // 1.7e18 ns is past 2^53: `ms * 1e6` rounds to a multiple of 256 ns.
    let ms = 1_700_000_000_250.0_f64;
    assert_ne!((ms * 1e6) as u64, 1_700_000_000_250_000_000, "the old conversion was off here");
    assert_eq!(unix_nano_from_ms(ms), 1_700_000_000_250_000_000);
    let mut rng = Rng(0x5eed_7133);
    for _ in 0..100_000 {
        let whole = 1_500_000_000_000 + (rng.next() >> 24); // 2017 to 2052, in ms
        assert_eq!(unix_nano_from_ms(whole as f64), whole * 1_000_000, "{whole} ms");
    }
}

#[test]
fn fractions_round_to_the_nearest_nanosecond() {
    let mut rng = Rng(0xfac7_0001);
    for _ in 0..100_000 {
        // performance.timeOrigin + performance.now(): fractional milliseconds.
        let ms = 1_500_000_000_000.0 + ((rng.next() >> 24) as f64) + ((rng.next() >> 44) as f64) / (1u64 << 20) as f64;
        assert_eq!(unix_nano_from_ms(ms), exact_ns(ms), "{ms} ms");
    }
    for (ms, ns) in [(0.5, 500_000), (0.000_000_4, 0), (0.000_000_6, 1), (1.25, 1_250_000), (1e-9, 0)] {
        assert_eq!(unix_nano_from_ms(ms), ns, "{ms} ms");
    }
}

#[test]
fn the_epoch_and_before_nan_and_overflow() {
    for ms in [0.0, -0.0, -1.0, f64::NEG_INFINITY, f64::NAN] {
        assert_eq!(unix_nano_from_ms(ms), 0, "{ms}");
    }
    assert_eq!(unix_nano_from_ms(f64::INFINITY), u64::MAX);
    assert_eq!(unix_nano_from_ms(1e300), u64::MAX);
    assert_eq!(
        unix_nano_from_ms(18_446_744_073_709.0),
        18_446_744_073_709_000_000,
        "the last whole ms below u64::MAX ns"
    );
}
