//! Native: 100,000 draws of each id kind are well-formed, unique, never all zero and
//! uniformly distributed (chi-square, see common/id_stats.rs).

mod common;

use common::id_stats::check_ids;
use spanwire::{SpanId, TraceId};

#[test]
fn trace_ids_are_unique_nonzero_and_uniform() {
    check_ids("TraceId::random", 32, 100_000, || TraceId::random().unwrap().to_hex());
}

#[test]
fn span_ids_are_unique_nonzero_and_uniform() {
    check_ids("SpanId::random", 16, 100_000, || SpanId::random().unwrap().to_hex());
}

/// The checker itself must be able to fail: a generator that never emits 'f' in
/// the last position is caught by the per-position test.
#[test]
#[should_panic(expected = "chi-square")]
fn a_biased_generator_fails_the_check() {
    check_ids("biased", 16, 100_000, || {
        let mut id = SpanId::random().unwrap().to_hex();
        if id.ends_with('f') {
            id.pop();
            id.push('e');
        }
        id
    });
}
