//! Root sampling from the trace id's low 56 bits (OpenTelemetry's threshold rule).

use spanwire::sampling::{decide, randomness, RatioSampler};
use spanwire::TraceId;

fn id(hex: &str) -> TraceId {
    TraceId::from_hex(hex).unwrap()
}

#[test]
fn only_the_low_56_bits_count() {
    assert_eq!(randomness(id("ffffffffffffffffff00000000000000")), 0);
    assert_eq!(randomness(id("000000000000000000ffffffffffffff")), (1 << 56) - 1);
    assert_eq!(randomness(id("00000000000000000000000000000001")), 1);
}

#[test]
fn thresholds_and_edges() {
    assert!(RatioSampler::new(1.0).should_sample(id("ffffffffffffffffff00000000000000")));
    assert!(RatioSampler::new(f64::NAN).should_sample(id("ffffffffffffffffff00000000000000")));
    assert!(!RatioSampler::new(0.0).should_sample(id("000000000000000000ffffffffffffff")));
    assert!(!RatioSampler::new(-3.0).should_sample(id("000000000000000000ffffffffffffff")));
    let half = RatioSampler::new(0.5);
    assert!(half.should_sample(id("00000000000000000080000000000000")), "R = T is kept");
    assert!(!half.should_sample(id("0000000000000000007fffffffffffff")));
}

#[test]
fn parent_decides_when_present() {
    let t = id("000000000000000000ffffffffffffff");
    assert!(!decide(Some(false), RatioSampler::ALWAYS, t));
    assert!(decide(Some(true), RatioSampler::NEVER, t));
    assert!(decide(None, RatioSampler::ALWAYS, t));
}

#[test]
fn rates_keep_the_right_share_and_nest() {
    let mut kept = [0u32; 3];
    for _ in 0..100_000 {
        let t = TraceId::random().unwrap();
        let k: Vec<bool> = [0.1, 0.5, 0.9].iter().map(|&r| RatioSampler::new(r).should_sample(t)).collect();
        // A higher rate keeps a superset of what a lower rate keeps.
        assert!(!k[0] || k[1]);
        assert!(!k[1] || k[2]);
        for (i, &b) in k.iter().enumerate() {
            kept[i] += u32::from(b);
        }
    }
    for (share, expected) in kept.iter().zip([10_000.0, 50_000.0, 90_000.0]) {
        // 6 standard deviations of a binomial with n = 100,000.
        assert!(
            (f64::from(*share) - expected).abs() < 6.0 * (expected * (1.0 - expected / 100_000.0)).sqrt(),
            "{kept:?}"
        );
    }
}
