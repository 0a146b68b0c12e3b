//! Decimal text to the nearest `f64` (round half to even), as JavaScript and `str::parse`
//! read it, without core's `dec2flt`: its 20 KiB table of powers of five was the largest
//! single item in the shipped wasm (about 10 KiB of it after gzip).
//!
//! Most numbers a JS program hands over (`JSON.stringify` output: 200, 0.25, 1.5e-7,
//! 3.141592653589793) take the exact fast path: at most 15 significant digits and a
//! power of ten that is itself exact, so one correctly rounded multiply or divide. The
//! rest start from a guess within a few units in the last place and step to the right
//! double by comparing the decimal value exactly, as big integers, with the midpoints
//! between neighbouring doubles. Digits past the 780th are folded into one sticky digit,
//! which cannot change the rounding of a value this long.
//!
//! The other way, `Digits` writes an integer's decimal digits, for OTLP/JSON, the
//! span snapshots and error messages.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::prelude::*;

use core::cmp::Ordering;

/// Significant digits kept exactly; later ones only tell whether the rest is zero.
const MAX_DIGITS: usize = 780;

/// The nearest double to a number in JSON's grammar
/// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`); `None` for any other text.
///
/// ```
/// use spanwire::decimal::parse_f64;
/// assert_eq!(parse_f64("0.1"), Some(0.1));
/// assert_eq!(parse_f64("-2.5e-3"), Some(-0.0025));
/// assert_eq!(parse_f64("1e400"), Some(f64::INFINITY));
/// assert_eq!(parse_f64("0.30000000000000004"), Some(0.1 + 0.2));
/// assert_eq!(parse_f64("1."), None);
/// ```
pub fn parse_f64(text: &str) -> Option<f64> {
    let mut bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    if negative {
        bytes = bytes.get(1..)?;
    }
    let mut digits: Vec<u8> = Vec::new(); // significant digits, leading zeros dropped
    let mut exp10: i64 = 0; // value = digits * 10^exp10
    let mut sticky = false; // a nonzero digit beyond MAX_DIGITS
    let mut i = 0;
    let mut push = |d: u8, fraction: bool, exp10: &mut i64| {
        if digits.is_empty() && d == 0 {
            if fraction {
                *exp10 -= 1;
            }
        } else if digits.len() < MAX_DIGITS {
            digits.push(d);
            if fraction {
                *exp10 -= 1;
            }
        } else {
            sticky |= d != 0;
            if !fraction {
                *exp10 += 1;
            }
        }
    };
    // Integer part: 0 or [1-9][0-9]*.
    let int_start = i;
    while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
        push(b - b'0', false, &mut exp10);
        i += 1;
    }
    let int_len = i - int_start;
    if int_len == 0 || (int_len > 1 && bytes.get(int_start) == Some(&b'0')) {
        return None;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            push(b - b'0', true, &mut exp10);
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        let mut e: i64 = 0;
        while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            e = (e * 10 + i64::from(b - b'0')).min(1 << 40); // far past any double
            i += 1;
        }
        if i == start {
            return None;
        }
        exp10 += if exp_negative { -e } else { e };
    }
    if i != bytes.len() {
        return None;
    }
    while digits.last() == Some(&0) && !sticky {
        digits.pop();
        exp10 += 1;
    }
    if sticky {
        digits.push(1);
        exp10 -= 1;
    }
    let magnitude = magnitude(&digits, exp10);
    Some(if negative { -magnitude } else { magnitude })
}

/// Exact powers of ten as doubles.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

fn pow10(n: i64) -> f64 {
    usize::try_from(n).ok().and_then(|n| POW10.get(n)).copied().unwrap_or(f64::NAN)
}

/// The nearest double to `digits * 10^exp10` (digits without leading or trailing zeros).
fn magnitude(digits: &[u8], exp10: i64) -> f64 {
    let n = digits.len() as i64;
    if n == 0 {
        return 0.0;
    }
    // Far outside the range of doubles (the largest is 1.8e308, the smallest 4.9e-324).
    if n + exp10 > 310 {
        return f64::INFINITY;
    }
    if n + exp10 < -324 {
        return 0.0;
    }
    // Exact fast path: the digits fit a double exactly (< 10^15 < 2^53) and so does the
    // power of ten; IEEE multiply and divide are correctly rounded.
    if n <= 15 {
        let value = digits.iter().fold(0u64, |v, &d| v * 10 + u64::from(d)) as f64;
        if (0..=22).contains(&exp10) {
            return value * pow10(exp10);
        }
        if (-22..0).contains(&exp10) {
            return value / pow10(-exp10);
        }
        // 12e30 = 12000000000000 * 1e22: still exact while the digits stay below 10^15.
        if exp10 > 22 && exp10 <= 22 + 15 - n {
            return value * pow10(exp10 - 22) * 1e22;
        }
    }
    refine(digits, exp10, guess(digits, exp10))
}

/// A double within a few units in the last place of `digits * 10^exp10` (finite).
fn guess(digits: &[u8], exp10: i64) -> f64 {
    let leading = digits.iter().take(19).fold(0u64, |v, &d| v * 10 + u64::from(d));
    let used = digits.len().min(19) as i64;
    // value ~= leading * 10^(exp10 + n - used); scaled in steps so nothing under- or
    // overflows on the way (10^±300 are normal doubles).
    let mut e = exp10 + digits.len() as i64 - used;
    let mut value = leading as f64;
    while e > 300 {
        value *= 1e300;
        e -= 300;
    }
    while e < -300 {
        value *= 1e-300;
        e += 300;
    }
    value *= crate::float::powi(10.0, e as i32);
    if value.is_infinite() {
        f64::MAX
    } else {
        value
    }
}

/// A positive double (or the value just past the largest, `2^1024`) as `m * 2^k`.
fn decompose(bits: u64) -> (u64, i32) {
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), exponent - 1075)
    }
}

/// Compares `digits * 10^exp10` with the point halfway between the doubles with bit
/// patterns `lo` and `lo + 1` (`lo + 1` may be the pattern of infinity: `2^1024`).
fn cmp_midpoint(digits: &[u8], exp10: i64, lo: u64) -> Ordering {
    let (m_lo, k_lo) = decompose(lo);
    let (m_hi, k_hi) = if lo + 1 == f64::INFINITY.to_bits() { (1 << 52, 972) } else { decompose(lo + 1) };
    // midpoint = (m_lo * 2^k_lo + m_hi * 2^k_hi) / 2, with k_hi >= k_lo.
    let mut mid = Big::from_u64(m_hi);
    mid.shl((k_hi - k_lo) as u32);
    mid.add_u64(m_lo);
    let mid_exp2 = i64::from(k_lo) - 1;
    let mut value = Big::from_digits(digits);
    // Both sides as integers: move 10^-e and 2^-k across.
    if exp10 >= 0 {
        value.mul_pow10(exp10 as u32);
    } else {
        mid.mul_pow10((-exp10) as u32);
    }
    if mid_exp2 >= 0 {
        mid.shl(mid_exp2 as u32);
    } else {
        value.shl((-mid_exp2) as u32);
    }
    value.cmp(&mid)
}

/// Steps from `guess` to the nearest double, ties to the even one.
fn refine(digits: &[u8], exp10: i64, guess: f64) -> f64 {
    let inf = f64::INFINITY.to_bits();
    let mut bits = guess.to_bits();
    // Each step moves one double; the guess is a few away at most, the bound is a guard.
    for _ in 0..4096 {
        match cmp_midpoint(digits, exp10, bits) {
            Ordering::Greater => {
                bits += 1;
                if bits == inf {
                    return f64::INFINITY;
                }
                continue;
            }
            Ordering::Equal => {
                let odd = bits & 1 == 1;
                return f64::from_bits(if odd { bits + 1 } else { bits });
            }
            Ordering::Less => {}
        }
        if bits == 0 {
            return 0.0;
        }
        match cmp_midpoint(digits, exp10, bits - 1) {
            Ordering::Less => bits -= 1,
            Ordering::Equal => return f64::from_bits(if bits & 1 == 1 { bits - 1 } else { bits }),
            Ordering::Greater => return f64::from_bits(bits),
        }
    }
    f64::from_bits(bits)
}

/// An unsigned big integer, little-endian base 2^32.
struct Big(Vec<u32>);

impl Big {
    fn from_u64(v: u64) -> Self {
        Big(vec![v as u32, (v >> 32) as u32])
    }

    fn from_digits(digits: &[u8]) -> Self {
        let mut big = Big(Vec::with_capacity(digits.len() / 9 + 2));
        for chunk in digits.chunks(9) {
            let value = chunk.iter().fold(0u32, |v, &d| v * 10 + u32::from(d));
            big.mul_small(10u32.pow(chunk.len() as u32));
            big.add_u64(u64::from(value));
        }
        big
    }

    fn mul_small(&mut self, factor: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    fn add_u64(&mut self, mut v: u64) {
        for limb in &mut self.0 {
            if v == 0 {
                return;
            }
            let sum = u64::from(*limb) + (v & 0xffff_ffff);
            *limb = sum as u32;
            v = (v >> 32) + (sum >> 32);
        }
        while v != 0 {
            self.0.push(v as u32);
            v >>= 32;
        }
    }

    fn mul_pow10(&mut self, mut n: u32) {
        while n >= 9 {
            self.mul_small(1_000_000_000);
            n -= 9;
        }
        self.mul_small(10u32.pow(n));
    }

    fn shl(&mut self, bits: u32) {
        let (words, bits) = ((bits / 32) as usize, bits % 32);
        if bits != 0 {
            let mut carry = 0u32;
            for limb in &mut self.0 {
                let v = (*limb << bits) | carry;
                carry = *limb >> (32 - bits);
                *limb = v;
            }
            if carry != 0 {
                self.0.push(carry);
            }
        }
        if words != 0 {
            // Whole words shift in as zero limbs below the old ones.
            let mut shifted = Vec::with_capacity(words + self.0.len());
            shifted.resize(words, 0);
            shifted.extend_from_slice(&self.0);
            self.0 = shifted;
        }
    }

    fn significant(&self) -> &[u32] {
        let len = self.0.iter().rposition(|&l| l != 0).map_or(0, |p| p + 1);
        self.0.get(..len).unwrap_or_default()
    }

    fn cmp(&self, other: &Big) -> Ordering {
        let (a, b) = (self.significant(), other.significant());
        a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
    }
}

/// The decimal digits of a `u64`, the other way from [`parse_f64`]: for the encoders
/// that write numbers as text (OTLP/JSON, snapshots) and for error messages.
pub(crate) struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    pub(crate) fn new(mut value: u64) -> Digits {
        let mut buf = [0u8; 20];
        let mut start = buf.len();
        for slot in buf.iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
            start -= 1;
            if value == 0 {
                break;
            }
        }
        Digits { buf, start }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits are written.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::{parse_f64, Digits};

    fn same(text: &str) {
        let ours = parse_f64(text).unwrap_or_else(|| panic!("rejected {text}"));
        let std: f64 = text.parse().unwrap();
        assert_eq!(ours.to_bits(), std.to_bits(), "{text}: ours {ours:e}, std {std:e}");
    }

    #[test]
    fn fast_path_and_edges() {
        for t in [
            "0",
            "-0",
            "1",
            "200",
            "0.25",
            "-1.5",
            "1e22",
            "1e23",
            "12e30",
            "123456789012345e22",
            "3.141592653589793",
            "9007199254740993",
            "9007199254740992",
            "9007199254740995",
            "0.30000000000000004",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e309",
            "4.9e-324",
            "5e-324",
            "2e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "1e-400",
            "0.000001",
            "1e-7",
            "123.456e-300",
            "8.98846567431158e307",
        ] {
            same(t);
        }
    }

    #[test]
    fn halfway_cases_round_to_even() {
        // 2^53 + 1 and + 3 are exactly halfway between doubles.
        same("9007199254740993");
        same("9007199254740995");
        // A halfway case decided by a digit far down (folded into the sticky digit).
        let mut long = String::from("9007199254740993");
        long.push('.');
        long.push_str(&"0".repeat(900));
        long.push('1');
        same(&long);
        same(&format!("9007199254740993.{}", "0".repeat(900)));
        same(&format!("{}e-800", "1".repeat(820)));
    }

    #[test]
    fn rejects_what_json_rejects() {
        for t in ["", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1.5x", "0x10", "NaN", "Infinity", "1 "] {
            assert_eq!(parse_f64(t), None, "{t}");
        }
    }

    /// xorshift64*: a fixed, repeatable stream.
    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed;
        move || {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    #[test]
    fn round_trips_random_doubles_in_every_form() {
        let mut next = rng(0x5eed);
        for _ in 0..100_000 {
            let v = f64::from_bits(next() >> 1);
            if !v.is_finite() {
                continue;
            }
            same(&format!("{v:e}"));
            same(&format!("{v:.17e}"));
            same(&format!("{v:.3e}"));
        }
    }

    #[test]
    fn random_digit_strings_match_std() {
        let mut next = rng(42);
        for _ in 0..50_000 {
            let len = 1 + (next() % 40) as usize;
            let mut t: String = (0..len).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            let t2 = t.trim_start_matches('0');
            t = if t2.is_empty() { "0".into() } else { t2.into() };
            let exp = (next() % 700) as i64 - 360;
            same(&format!("{t}e{exp}"));
            let cut = (next() as usize) % t.len();
            if cut > 0 {
                same(&format!("{}.{}e{exp}", &t[..cut], &t[cut..]));
            }
        }
    }

    #[test]
    fn digits_match_display() {
        let mut values = vec![0, 1, 9, 10, 99, 100, 12345, u64::from(u32::MAX), u64::MAX - 1, u64::MAX];
        values.extend((0..64).map(|shift| 1u64 << shift));
        values.extend((1..20).map(|exp| 10u64.pow(exp) - 1));
        for v in values {
            assert_eq!(Digits::new(v).as_str(), v.to_string());
            assert_eq!(Digits::new(v).as_bytes(), v.to_string().as_bytes());
        }
    }
}
