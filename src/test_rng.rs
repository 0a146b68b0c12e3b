//! A fixed, repeatable stream of pseudo-random numbers for the unit tests' random
//! workloads (xorshift64): the same seed gives the same cases on every run.

/// xorshift64 from `seed` (not 0).
pub(crate) fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}
