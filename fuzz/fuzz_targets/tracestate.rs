//! `tracestate`: validation never panics; a valid header is kept byte for byte (less
//! the optional white space around the whole value), and
//! splitting it into header lines at a list-member boundary keeps it valid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanwire::w3c::TraceState;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(state) = TraceState::parse_joined(text) {
        assert_eq!(state.as_str(), text.trim_matches([' ', '\t']));
        let _ = state.members().count();
        if let Some((a, b)) = text.split_once(',') {
            assert!(TraceState::parse(&[a, b]).is_some(), "split at a comma: {text:?}");
        }
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let _ = TraceState::parse(&lines);
});
