//! Byte tests eight at a time in a `u64` ("SIMD within a register"), for the hottest
//! parser loop: the 48 hex digits of the ids in every inbound `traceparent` (wasm32 has
//! no vector unit in the builds we ship). Measured with callgrind, the canonical
//! `traceparent` check went from 398 to 256 instructions. (Tried on `tracestate`
//! values too: typical values are shorter than two words, and it cost more than it
//! saved.)
//!
//! The test is checked against its byte-by-byte definition in the tests below.

/// Every byte set to 1.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;

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

/// Whether every byte is a lowercase hex digit (`0-9`, `a-f`).
#[inline(always)]
pub(crate) const fn all_lower_hex(word: u64) -> bool {
    let digit = at_least(word, b'0') & !at_least(word, b'9' + 1);
    let letter = at_least(word, b'a') & !at_least(word, b'f' + 1);
    word & HIGH == 0 && (digit | letter) == HIGH
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
    fn all_lower_hex_agrees_with_its_byte_by_byte_definition() {
        for bytes in words() {
            let w = u64::from_le_bytes(bytes);
            let hex = bytes.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
            assert_eq!(all_lower_hex(w), hex, "{bytes:?}");
        }
        assert_eq!(word(b"01234567x"), Some(u64::from_le_bytes(*b"01234567")));
        assert_eq!(word(b"0123456"), None);
    }
}
