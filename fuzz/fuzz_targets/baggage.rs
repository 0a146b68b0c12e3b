//! `baggage`: parsing and relaying never panic, and a relayed header respects the
//! W3C limits (64 members, 8192 bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanwire::w3c::baggage::{self, MAX_BYTES, MAX_MEMBERS};
use spanwire::w3c::BaggageUpdate;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (carrier, inbound) = text.split_once('\u{0}').unwrap_or((text, ""));
    let parsed = baggage::parse(inbound);
    if let BaggageUpdate::Set(header) = baggage::relay(Some(carrier), &parsed.others, parsed.braintrust_parent.as_ref())
    {
        assert!(header.len() <= MAX_BYTES, "{} bytes", header.len());
        assert!(header.split(',').count() <= MAX_MEMBERS);
    }
});
