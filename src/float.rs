//! The few `f64` operations the crate needs that `core` lacks without the standard
//! library (the wasm32 build is `no_std`): each exact, and tested against std's.

/// `base^exp` by repeated squaring: the algorithm of compiler-rt's `__powidf2`, which
/// std's `f64::powi` lowers to on wasm32, so the result is the same bits.
pub(crate) fn powi(mut base: f64, exp: i32) -> f64 {
    let mut n = exp.unsigned_abs();
    let mut r = 1.0;
    loop {
        if n & 1 == 1 {
            r *= base;
        }
        n /= 2;
        if n == 0 {
            break;
        }
        base *= base;
    }
    if exp < 0 {
        1.0 / r
    } else {
        r
    }
}

/// Whether `x` is a whole number in the i64 range, [-2^63, 2^63), so `x as i64` is
/// exact. Both bounds are exact doubles; -2^63 is in the range and 2^63 is not.
pub(crate) fn is_whole_i64(x: f64) -> bool {
    (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&x) && (x as i64) as f64 == x
}

/// `x.round()` (half away from zero) for `0 <= x < 2^64`: below 2^53 the fraction
/// `x - trunc(x)` is exact; from 2^53 up every double is already whole.
pub(crate) fn round_non_negative(x: f64) -> f64 {
    let whole = x as u64;
    if x - whole as f64 >= 0.5 {
        (whole + 1) as f64
    } else {
        whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powi_is_std_powi() {
        for base in [10.0, 2.0, 0.1, 1.5, -3.0, 1e-300] {
            for exp in -400..=400 {
                let (ours, std) = (powi(base, exp), base.powi(exp));
                assert!(
                    ours.to_bits() == std.to_bits() || (ours.is_nan() && std.is_nan()),
                    "{base}^{exp}: {ours} vs {std}"
                );
            }
        }
    }

    #[test]
    fn is_whole_i64_is_integral_within_i64() {
        let reference = |x: f64| x.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&x);
        let cases = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1e-300,
            4.5e15,
            4503599627370495.5,
            9007199254740993.0,
            9.223_372_036_854_776e18,
            -9.223_372_036_854_776e18,
            9.223_372_036_854_775e18,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
        ];
        for x in cases {
            assert_eq!(is_whole_i64(x), reference(x), "{x}");
        }
        assert!(is_whole_i64(-9.223_372_036_854_776e18), "-2^63 is an i64");
        assert!(!is_whole_i64(9.223_372_036_854_776e18), "2^63 is not");
        assert!(!is_whole_i64(0.5) && !is_whole_i64(f64::NAN));
    }

    #[test]
    fn round_non_negative_is_std_round() {
        let mut cases = vec![
            0.0,
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            4503599627370495.5,
            4503599627370496.5,
            9007199254740993.0,
            72057594037927936.0,
        ];
        let mut next = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..100_000 {
            let x = next();
            // Uniform in [0, 2^56), the sampler's range, and small values with fractions.
            cases.push((x >> 8) as f64 * (1.0 / (1u64 << 56) as f64) * 72057594037927936.0);
            cases.push((x >> 11) as f64 / 1024.0 / 1024.0);
        }
        for v in cases {
            assert_eq!(round_non_negative(v).to_bits(), v.round().to_bits(), "{v}");
        }
    }
}
