//! W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage.
//!
//! One module per header, each a set of total functions over `&str`: bad input is an
//! error or "no value", never a panic.
//!
//! - [`traceparent`]: `00-<trace-id>-<parent-id>-<flags>`, parse and format.
//! - [`tracestate`]: validated per Level 2, then carried unchanged.
//! - [`baggage`]: limits, the `braintrust.parent` member, relay on inject.
//! - [`percent`]: the percent codec of the `braintrust.parent` value.

pub mod baggage;
pub mod percent;
pub mod traceparent;
pub mod tracestate;

pub use baggage::{BaggageMembers, BaggageUpdate, BraintrustParent, InboundBaggage};
pub use traceparent::{TraceFlags, Traceparent, TraceparentBuf, TraceparentError};
pub use tracestate::{TraceState, TraceStateError};

/// Optional white space (RFC 7230 OWS): a space or a tab, around list members.
#[inline]
pub(crate) fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The index of the first byte at or after `i` that is not a space or tab (the length
/// of `bytes` if there is none): the start of a list member's content.
#[inline]
pub(crate) fn skip_ows(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).copied().is_some_and(is_ows) {
        i += 1;
    }
    i
}

/// One past the last byte of `bytes[from..to]` that is not a space or tab (`from` if
/// there is none): the end of a list member's content.
#[inline]
pub(crate) fn trim_end_ows(bytes: &[u8], from: usize, mut to: usize) -> usize {
    while to > from && bytes.get(to - 1).copied().is_some_and(is_ows) {
        to -= 1;
    }
    to
}

/// `value` without the spaces and tabs around it (RFC 9110 OWS around a header value).
/// Byte-wise: `str::trim_matches` with a pattern is about 1.8 KB of wasm.
pub(crate) fn trim_ows(value: &str) -> &str {
    let bytes = value.as_bytes();
    let start = skip_ows(bytes, 0);
    let end = trim_end_ows(bytes, start, bytes.len());
    // Spaces and tabs are ASCII, so both ends are char boundaries and this is `Some`.
    value.get(start..end).unwrap_or_default()
}

/// The index of the first `,` at or after `i` (the length of `bytes` if there is none):
/// where the list member around `i` ends.
#[inline]
pub(crate) fn member_end(bytes: &[u8], i: usize) -> usize {
    bytes.get(i..).and_then(|rest| rest.iter().position(|&b| b == b',')).map_or(bytes.len(), |p| i + p)
}

/// A byte-class table: true for the ASCII letters and digits and for each byte of
/// `extra`. Evaluated at compile time for the `const` tables that use it (baggage key
/// tokens, percent-encoding's unreserved set), so a lookup is one load a byte.
#[allow(clippy::indexing_slicing)] // a u8 indexes 256 entries; in const evaluation an error would fail the build
pub(crate) const fn alphanumeric_and(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

/// Header names, lowercase as W3C recommends.
pub const TRACEPARENT_HEADER: &str = "traceparent";
pub const TRACESTATE_HEADER: &str = "tracestate";
pub const BAGGAGE_HEADER: &str = "baggage";

#[cfg(test)]
mod tests {
    use super::trim_ows;

    #[test]
    fn trim_ows_strips_only_spaces_and_tabs_at_the_ends() {
        assert_eq!(trim_ows(" \t a b\t \t"), "a b");
        assert_eq!(trim_ows("\n a \r"), "\n a \r", "CR and LF are not OWS");
        assert_eq!(trim_ows("\u{a0}é\u{3000} "), "\u{a0}é\u{3000}", "non-ASCII space is content");
        assert_eq!(trim_ows(" \t "), "");
        assert_eq!(trim_ows(""), "");
    }
}
