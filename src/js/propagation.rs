//! Propagation for JS: validate an inbound context, build an outbound `baggage`.
//!
//! `pkg/src/propagation.js` and `pkg/src/carrier.js` read and write carriers; these
//! exports do the parsing, one call per operation:
//!
//! - `__extractScratch(tpLen, tsLen)` / `__extract(tp, ts)` validate a `traceparent` and a
//!   joined `tracestate` and answer with one packed number (below). JS slices the ids out
//!   of its own string, so no string comes back across the boundary. The scratch form
//!   reads what JS wrote into TEXT ([`super::wire`]) with one `encodeInto`; the string
//!   form is the fallback for input longer than TEXT.
//! - `__relayBaggage(carrier, inbound, parent)` is [`crate::w3c::baggage::relay`].
//!
//! ```text
//! packed = 0                                   no valid traceparent: no parent
//! packed = 0x100 | ts_valid << 9 | flags       valid; flags = the raw trace-flags byte
//! ```
//!
//! Every function here is total: any input gives an answer, never a panic (a panic would
//! trap the module).

use wasm_bindgen::prelude::*;

use super::wire;

use crate::w3c::baggage::{self, BaggageUpdate, BraintrustParent};
use crate::w3c::{tracestate, Traceparent};

/// Bit set when the `traceparent` is valid.
const VALID: u32 = 0x100;
/// Bit set when the `tracestate` is valid (and should be carried).
const TRACESTATE_VALID: u32 = 0x200;

/// Validates both headers (already trimmed of spaces and tabs by JS; trimmed again here
/// so the answer never depends on that).
fn check(traceparent: &[u8], tracestate: &[u8]) -> u32 {
    let Some(flags) = Traceparent::flags_of_bytes(traceparent) else { return 0 };
    let mut packed = VALID | u32::from(flags.bits());
    if tracestate::is_valid_joined(tracestate) {
        packed |= TRACESTATE_VALID;
    }
    packed
}

/// Validates the `tpLen` bytes of `traceparent` then `tsLen` bytes of `tracestate` that
/// JS wrote into TEXT ([`super::wire`]). Lengths beyond the buffer, or a traceparent
/// that is not ASCII, give 0 (no parent); a tracestate that is not ASCII is invalid.
#[wasm_bindgen(js_name = __extractScratch)]
pub fn extract_scratch(tp_len: usize, ts_len: usize) -> u32 {
    wire::with_input(tp_len.saturating_add(ts_len), |text, _| {
        // Bytes, not text: a valid header is ASCII, so nothing needs UTF-8 checking.
        match text.split_at_checked(tp_len) {
            Some((tp, rest)) => check(tp, rest.get(..ts_len).unwrap_or_default()),
            None => 0,
        }
    })
}

/// [`extract_scratch`] for strings passed the ordinary way (non-ASCII or long input).
/// An empty `tracestate` means none.
#[wasm_bindgen(js_name = __extract)]
pub fn extract(traceparent: &str, tracestate: &str) -> u32 {
    check(traceparent.as_bytes(), tracestate.as_bytes())
}

/// The outbound `baggage`: the carrier's members, then the inbound members (raw header,
/// any `braintrust.parent` in it ignored) whose key the carrier lacks, then ours
/// (`parent`, decoded, e.g. `project_id:abc`; an unknown form means none).
///
/// Returns the value to write, `""` when the carrier's header must be deleted, or
/// `undefined` when the carrier is to be left as it is.
#[wasm_bindgen(js_name = __relayBaggage)]
pub fn relay_baggage(
    carrier: Option<String>,
    inbound: Option<String>,
    parent: Option<String>,
) -> Option<String> {
    let inbound = inbound.as_deref().map(baggage::parse).unwrap_or_default().others;
    let ours = parent.as_deref().and_then(|p| p.parse::<BraintrustParent>().ok());
    match baggage::relay(carrier.as_deref(), &inbound, ours.as_ref()) {
        BaggageUpdate::Set(value) => Some(value),
        BaggageUpdate::Remove => Some(String::new()),
        BaggageUpdate::Leave => None,
    }
}

/// The `braintrust.parent` named by an inbound `baggage` value (`project_id:abc`), or
/// `undefined` when it names none (or an invalid one).
#[wasm_bindgen(js_name = __braintrustParentOf)]
pub fn braintrust_parent_of(baggage: &str) -> Option<String> {
    baggage::parse(baggage).braintrust_parent.map(|p| p.to_string())
}
