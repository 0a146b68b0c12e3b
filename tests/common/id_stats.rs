//! Statistical checks on generated ids: format, uniqueness, never all zero, and
//! uniform hex digits by a chi-square test. The same checks, with the same
//! thresholds, run in JS (tests/js/id-checks.mjs) for Node, browsers and workerd.
//!
//! Thresholds are chi-square critical values at p = 1e-6 (a correct generator fails
//! one run in a million):
//! - all digits pooled, 16 categories, df = 15: 56.49
//! - digit counts per position, df = positions × 15: 358.88 (16 positions, span ids),
//!   641.93 (32 positions, trace ids). This one catches a stuck or biased nibble.

use std::collections::HashSet;

pub const CHI2_POOLED_CRITICAL: f64 = 56.49;

pub fn per_position_critical(length: usize) -> f64 {
    match length {
        16 => 358.88,
        32 => 641.93,
        other => panic!("no threshold recorded for {other}-digit ids"),
    }
}

/// Draws `n` ids and checks them; panics with the reason on failure.
pub fn check_ids(label: &str, length: usize, n: usize, mut draw: impl FnMut() -> String) {
    let mut seen = HashSet::with_capacity(n);
    let mut per_position = vec![[0u64; 16]; length];
    for i in 0..n {
        let id = draw();
        assert_eq!(id.len(), length, "{label}: draw {i} is {id:?}");
        let mut non_zero = false;
        for (p, c) in id.bytes().enumerate() {
            let digit = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => panic!("{label}: {id:?} is not lowercase hex"),
            };
            non_zero |= digit != 0;
            per_position[p][usize::from(digit)] += 1;
        }
        assert!(non_zero, "{label}: all-zero id drawn");
        assert!(seen.insert(id), "{label}: duplicate id after {i} draws");
    }
    let expected_cell = n as f64 / 16.0;
    let mut pooled = [0u64; 16];
    let mut chi2_per_position = 0.0;
    for counts in &per_position {
        for (d, &c) in counts.iter().enumerate() {
            pooled[d] += c;
            chi2_per_position += (c as f64 - expected_cell).powi(2) / expected_cell;
        }
    }
    let expected_pooled = (n * length) as f64 / 16.0;
    let chi2_pooled: f64 = pooled.iter().map(|&c| (c as f64 - expected_pooled).powi(2) / expected_pooled).sum();
    assert!(
        chi2_pooled < CHI2_POOLED_CRITICAL,
        "{label}: pooled chi-square {chi2_pooled:.2} >= {CHI2_POOLED_CRITICAL} (df 15)"
    );
    let critical = per_position_critical(length);
    assert!(
        chi2_per_position < critical,
        "{label}: per-position chi-square {chi2_per_position:.2} >= {critical} (df {})",
        length * 15
    );
}
