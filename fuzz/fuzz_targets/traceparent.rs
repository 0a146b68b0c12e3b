//! `traceparent`: parsing never panics, whatever parses formats back to a version-00
//! header that parses to the same ids and known flags, and the fast check extract uses
//! (`flags_of`) gives what `parse` gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanwire::w3c::Traceparent;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    assert_eq!(Traceparent::flags_of(text), Traceparent::parse(text).map(|tp| tp.flags));
    if let Ok(parsed) = Traceparent::parse(text) {
        let written = parsed.to_buf();
        let again = Traceparent::parse(written.as_str()).expect("our own output parses");
        assert_eq!(again.trace_id, parsed.trace_id);
        assert_eq!(again.parent_id, parsed.parent_id);
    }
});
