//! Byte tests eight at a time in a `u64` ("SIMD within a register"), for the hottest
//! parser: the canonical check of every inbound `traceparent`, which reads the line as
//! seven words (wasm32 has no vector unit in the builds we ship). Measured with
//! callgrind, that check went from 398 instructions byte by byte to 256 with the ids'
//! digits eight at a time, then 189 as seven straight-line words. (Tried on
//! `tracestate` too, three times: its keys and values are mostly shorter than a word,
//! and each try cost more instructions than it saved.)
//!
//! The test is checked against its byte-by-byte definition in the tests below.

/// Every byte set to 1.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The 8 bytes at the start of `bytes` as a little-endian word, if there are 8.
#[inline(always)]
pub(crate) fn word(bytes: &[u8]) -> Option<u64> {
    let first: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
    Some(u64::from_le_bytes(first))
}

/// `b` in every byte.
#[inline(always)]
pub(crate) const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// For a word whose bytes are all below 0x80: the high bit of each byte that is at
/// least `n` (`1 <= n <= 0x80`). No sum passes 0xfe, so no byte carries into the next.
#[inline(always)]
const fn at_least(word: u64, n: u8) -> u64 {
    word.wrapping_add(splat(0x80 - n)) & HIGH
}

/// The high bit of each byte that is a lowercase hex digit (`0-9`, `a-f`), for a word
/// with no byte above 0x7F. Other words give a meaningless answer: a caller tests
/// `word & HIGH` too.
#[inline(always)]
pub(crate) const fn lower_hex_bits(word: u64) -> u64 {
    let digit = at_least(word, b'0') & !at_least(word, b'9' + 1);
    let letter = at_least(word, b'a') & !at_least(word, b'f' + 1);
    digit | letter
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words with one byte at each position over all 256 values, the others from a few
    /// fillers (including bytes that carry or borrow).
    fn words() -> Vec<[u8; 8]> {
        let mut out = Vec::new();
        for fill in [0x00, 0x01, b'0', b'a', b'f', b'g', b' ', b',', b'=', 0x7e, 0x7f, 0x80, 0xff] {
            for at in 0..8 {
                for b in 0..=255u8 {
                    let mut w = [fill; 8];
                    w[at] = b;
                    out.push(w);
                }
            }
        }
        out
    }

    #[test]
    fn lower_hex_bits_agree_with_their_byte_by_byte_definition() {
        for bytes in words().into_iter().filter(|w| w.iter().all(|&b| b < 0x80)) {
            let bits = lower_hex_bits(u64::from_le_bytes(bytes));
            for (j, b) in bytes.iter().enumerate() {
                let hex = b.is_ascii_digit() || (b'a'..=b'f').contains(b);
                assert_eq!(bits & (0x80 << (8 * j)) != 0, hex, "{bytes:?} at {j}");
            }
        }
        assert_eq!(word(b"01234567x"), Some(u64::from_le_bytes(*b"01234567")));
        assert_eq!(word(b"0123456"), None);
    }
}
