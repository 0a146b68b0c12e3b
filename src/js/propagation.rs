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
//! - `__forwardedBaggageScratch(len)` / `__forwardedBaggage(bg)` give, in one parse,
//!   what `injectTraceContext` forwards of an inbound `baggage`: its Braintrust parent
//!   and the `baggage` for a carrier that holds none (see [`write_forwarded`]).
//!
//! ```text
//! packed = 0                                   no valid traceparent: no parent
//! packed = 0x100 | ts_valid << 9 | flags       valid; flags = the raw trace-flags byte
//! ```
//!
//! Every function here is total: any input gives an answer, never a panic (a panic would
//! trap the module).

use crate::prelude::*;
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
pub fn relay_baggage(carrier: Option<String>, inbound: Option<String>, parent: Option<String>) -> Option<String> {
    let inbound = inbound.as_deref().map(baggage::parse).unwrap_or_default().others;
    let ours = parent.as_deref().and_then(|p| p.parse::<BraintrustParent>().ok());
    match baggage::relay(carrier.as_deref(), &inbound, ours.as_ref()) {
        BaggageUpdate::Set(value) => Some(value),
        BaggageUpdate::Remove => Some(String::new()),
        BaggageUpdate::Leave => None,
    }
}

/// The answer of [`write_forwarded`] when the relay is the inbound header exactly as
/// received and it holds no Braintrust parent, the common case: JS forwards its own
/// string and reads nothing from OUT (a decode costs more than the parse's answer).
/// Never an OUT length: OUT is far shorter.
pub const FORWARD_AS_RECEIVED: u32 = u32::MAX;

/// Writes to OUT what an extracted context forwards of its inbound `baggage`, from one
/// parse: [`push_update_and_parent`] of the relay into a carrier that holds none (so
/// never `R`) and of the inbound `braintrust.parent` when valid. Returns the OUT length,
/// or [`FORWARD_AS_RECEIVED`].
fn write_forwarded(inbound: &str) -> u32 {
    let parsed = baggage::parse(inbound);
    let parent = parsed.braintrust_parent.as_ref();
    let update = baggage::relay(None, &parsed.others, parent);
    if parent.is_none() && matches!(&update, BaggageUpdate::Set(value) if value == inbound) {
        return FORWARD_AS_RECEIVED;
    }
    wire::output(|out| push_update_and_parent(out, update, parent))
}

/// The tail shared by the propagation texts JS reads (this module's forwarded baggage,
/// and a span's propagation in `span.rs`): the baggage for a carrier that holds none
/// (`S<value>` set, `R` remove, `L` leave as is), a line break, then the decoded
/// Braintrust parent (`project_id:abc`) or nothing. The parent goes last: only it may
/// hold a line break.
pub(super) fn push_update_and_parent(out: &mut String, update: BaggageUpdate, parent: Option<&BraintrustParent>) {
    match update {
        BaggageUpdate::Set(value) => {
            out.push('S');
            out.push_str(&value);
        }
        BaggageUpdate::Remove => out.push('R'),
        BaggageUpdate::Leave => out.push('L'),
    }
    out.push('\n');
    if let Some(p) = parent {
        out.push_str(p.kind());
        out.push(':');
        out.push_str(p.id());
    }
}

/// [`write_forwarded`] over the `len` bytes of `baggage` JS wrote into TEXT (text that
/// is not UTF-8 reads as empty).
#[wasm_bindgen(js_name = __forwardedBaggageScratch)]
pub fn forwarded_baggage_scratch(len: usize) -> u32 {
    wire::with_input(len, |text, _| write_forwarded(core::str::from_utf8(text).unwrap_or_default()))
}

/// [`forwarded_baggage_scratch`] for a string passed the ordinary way (non-ASCII or
/// longer than TEXT).
#[wasm_bindgen(js_name = __forwardedBaggage)]
pub fn forwarded_baggage(inbound: &str) -> u32 {
    write_forwarded(inbound)
}
