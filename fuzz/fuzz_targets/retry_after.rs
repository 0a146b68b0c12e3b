//! `Retry-After`, a header any server can send: reading it never panics, and it agrees
//! with the httpdate crate. Where both read a date (each reads some malformed ones the
//! other refuses), they read the same instant; and the IMF-fixdate httpdate writes for
//! any second from 1970 to 9999 (taken from the input's first 8 bytes) reads here as
//! that second.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanwire::export::retry::{parse_http_date, parse_retry_after};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 9999-12-31T23:59:59Z, the last second a four-digit year can write.
const LAST_SECOND: u64 = 253_402_300_799;

fuzz_target!(|data: &[u8]| {
    if let Some(first) = data.first_chunk::<8>() {
        let secs = u64::from_le_bytes(*first) % (LAST_SECOND + 1);
        let written = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(parse_http_date(&written), Some(secs * 1_000), "{written:?}");
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = parse_retry_after(text, 0);
    let _ = parse_retry_after(text, u64::MAX);
    let theirs = httpdate::parse_http_date(text).ok().and_then(|t: SystemTime| t.duration_since(UNIX_EPOCH).ok());
    if let (Some(ours), Some(theirs)) = (parse_http_date(text), theirs) {
        assert_eq!(ours, theirs.as_secs() * 1_000, "{text:?}");
    }
});
