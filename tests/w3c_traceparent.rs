//! `traceparent` parsing and formatting (W3C Trace Context Level 2, §3.2 and §4.3).
//! One row per processing-model rule; each row carries the reason it exists.

use spanwire::ids::IdError;
use spanwire::w3c::{TraceFlags, Traceparent, TraceparentError};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN: &str = "00f067aa0ba902b7";

fn tp(version: &str, flags: &str, suffix: &str) -> String {
    format!("{version}-{TRACE}-{SPAN}-{flags}{suffix}")
}

#[test]
fn valid_traceparents_parse_to_their_fields() {
    // (input, version, flags byte as received, reason)
    let cases: Vec<(String, u8, u8, &str)> = vec![
        (tp("00", "01", ""), 0, 0x01, "version 00, sampled"),
        (tp("00", "00", ""), 0, 0x00, "version 00, not sampled"),
        (tp("00", "03", ""), 0, 0x03, "Level 2 random bit"),
        (tp("00", "ff", ""), 0, 0xff, "unknown flag bits are read (and zeroed on write)"),
        (tp("00", "02", ""), 0, 0x02, "random without sampled"),
        (format!(" {}", tp("00", "01", "")), 0, 0x01, "leading space is OWS"),
        (format!("\t{}", tp("00", "01", "")), 0, 0x01, "leading tab is OWS"),
        (format!("{} ", tp("00", "01", "")), 0, 0x01, "trailing space is OWS"),
        (format!("{}\t", tp("00", "01", "")), 0, 0x01, "trailing tab is OWS"),
        (format!("\t {} \t", tp("00", "01", "")), 0, 0x01, "OWS on both sides"),
        (tp("01", "01", ""), 1, 0x01, "higher version, exactly 55 chars"),
        (tp("cc", "01", ""), 0xcc, 0x01, "future version 0xcc (W3C test suite)"),
        (tp("cc", "01", "-what-the-future-will-be-like"), 0xcc, 0x01, "higher version followed by '-' and more fields"),
        (tp("fe", "09", "-"), 0xfe, 0x09, "highest allowed version, bare '-' after flags"),
    ];
    for (input, version, flags, reason) in &cases {
        let parsed = Traceparent::parse(input).unwrap_or_else(|e| panic!("{reason}: {input:?} rejected: {e}"));
        assert_eq!(parsed.version, *version, "{reason}: {input:?}");
        assert_eq!(parsed.trace_id.to_hex(), TRACE, "{reason}: {input:?}");
        assert_eq!(parsed.parent_id.to_hex(), SPAN, "{reason}: {input:?}");
        assert_eq!(parsed.flags.bits(), *flags, "{reason}: {input:?}");
    }
}

#[test]
fn invalid_traceparents_are_rejected_with_the_reason() {
    use TraceparentError as E;
    let zero_trace = format!("00-{}-{SPAN}-01", "0".repeat(32));
    let zero_span = format!("00-{TRACE}-{}-01", "0".repeat(16));
    let cases: Vec<(String, TraceparentError, &str)> = vec![
        (String::new(), E::TooShort { len: 0 }, "empty"),
        ("   \t ".into(), E::TooShort { len: 0 }, "only OWS"),
        (tp("00", "01", "")[..54].to_string(), E::TooShort { len: 54 }, "one char short"),
        (tp("ff", "01", ""), E::ForbiddenVersion, "version ff is invalid"),
        (tp("0A", "01", ""), E::InvalidVersion, "upper-case version"),
        (tp(".0", "01", ""), E::InvalidVersion, "illegal char in version (.0)"),
        (tp("0.", "01", ""), E::InvalidVersion, "illegal char in version (0.)"),
        (format!("0-{TRACE}-{SPAN}-01x"), E::InvalidVersion, "version too short (1 digit), padded to 55"),
        (format!("000-{TRACE}-{SPAN}-01"), E::TrailingData { len: 56 }, "version too long (000)"),
        (format!("0000-{TRACE}-{SPAN}-01"), E::TrailingData { len: 57 }, "version too long (0000)"),
        (tp("00", "01", "."), E::TrailingData { len: 56 }, "version 00 with a trailing character"),
        (tp("00", "01", "-what-the-future-will-be-like"), E::TrailingData { len: 84 }, "version 00 with extra fields"),
        (
            tp("cc", "01", ".what-the-future-will-be-like"),
            E::BadFutureSuffix,
            "higher version: flags not followed by '-'",
        ),
        (tp("01", "01", "x"), E::BadFutureSuffix, "higher version: 56th char is not '-'"),
        (
            format!("00-{}-{SPAN}-01", TRACE.to_uppercase()),
            E::TraceId(IdError::NotLowercaseHex { at: 1 }),
            "upper-case trace id",
        ),
        (
            format!("00-{}-{}-01", TRACE, SPAN.to_uppercase()),
            E::ParentId(IdError::NotLowercaseHex { at: 2 }),
            "upper-case parent id",
        ),
        (zero_trace, E::TraceId(IdError::AllZero), "all-zero trace id"),
        (zero_span, E::ParentId(IdError::AllZero), "all-zero parent id"),
        (
            format!("00-.{}-{SPAN}-01", &TRACE[1..]),
            E::TraceId(IdError::NotLowercaseHex { at: 0 }),
            "illegal char at start of trace id",
        ),
        (
            format!("00-{}.-{SPAN}-01", &TRACE[..31]),
            E::TraceId(IdError::NotLowercaseHex { at: 31 }),
            "illegal char at end of trace id",
        ),
        (
            format!("00-{TRACE}-.{}-01", &SPAN[1..]),
            E::ParentId(IdError::NotLowercaseHex { at: 0 }),
            "illegal char in parent id",
        ),
        (format!("00-{TRACE}3-{SPAN}-01"), E::TrailingData { len: 56 }, "trace id too long (33 digits)"),
        (format!("01-{TRACE}3-{SPAN}-01"), E::MissingDash { at: 35 }, "trace id too long, higher version"),
        (format!("00-{}-{SPAN}-01x", &TRACE[..31]), E::MissingDash { at: 35 }, "trace id too short (31 digits)"),
        (format!("00-{TRACE}-{SPAN}7-01"), E::TrailingData { len: 56 }, "parent id too long (17 digits)"),
        (format!("01-{TRACE}-{SPAN}7-01"), E::MissingDash { at: 52 }, "parent id too long, higher version"),
        (format!("00-{TRACE}-{}-01x", &SPAN[..15]), E::MissingDash { at: 52 }, "parent id too short (15 digits)"),
        (tp("00", ".0", ""), E::InvalidFlags, "illegal char in flags (.0)"),
        (tp("00", "0.", ""), E::InvalidFlags, "illegal char in flags (0.)"),
        (tp("00", "0g", ""), E::InvalidFlags, "flags not hex (0g)"),
        (tp("00", "0A", ""), E::InvalidFlags, "upper-case flags"),
        (tp("00", "001", ""), E::TrailingData { len: 56 }, "flags too long (3 digits)"),
        (tp("00", "1", ""), E::TooShort { len: 54 }, "flags too short (1 digit)"),
        (format!("00_{TRACE}_{SPAN}_01"), E::MissingDash { at: 2 }, "wrong delimiter"),
        (
            format!("{}, {}", tp("00", "01", ""), tp("00", "01", "")),
            E::TrailingData { len: 112 },
            "two traceparent headers joined by a proxy",
        ),
        (
            format!("00-{}-{SPAN}-01", "é".repeat(16)),
            E::TraceId(IdError::NotLowercaseHex { at: 0 }),
            "non-ASCII in trace id (32 bytes)",
        ),
        (
            format!("00-{}€{}-01", "a".repeat(31), &SPAN[..15]),
            E::MissingDash { at: 35 },
            "a multi-byte char straddles a dash position",
        ),
        (format!("\u{a0}{}", tp("00", "01", "")), E::InvalidVersion, "NBSP is not OWS"),
        (format!("\n{}", tp("00", "01", "")), E::InvalidVersion, "newline is not OWS"),
    ];
    for (input, expected, reason) in &cases {
        assert_eq!(Traceparent::parse(input).as_ref(), Err(expected), "{reason}: {input:?}");
    }
}

#[test]
fn format_writes_version_00_lowercase_and_known_flags_only() {
    let trace = TRACE.parse().unwrap();
    let span = SPAN.parse().unwrap();
    let cases: &[(u8, &str, &str)] = &[
        (0x00, "00", "unsampled"),
        (0x01, "01", "sampled"),
        (0x02, "02", "random only"),
        (0x03, "03", "sampled + random"),
        (0xff, "03", "unknown bits are written as zero"),
        (0x04, "00", "an unknown bit alone is dropped"),
        (0xfd, "01", "unknown bits dropped, sampled kept"),
    ];
    for (bits, flags, reason) in cases {
        let out = Traceparent::new(trace, span, TraceFlags::from_bits(*bits)).to_buf();
        assert_eq!(out.as_str(), format!("00-{TRACE}-{SPAN}-{flags}"), "{reason}");
        assert_eq!(out.as_str().len(), 55, "{reason}");
    }
    // A parsed higher version is written back as version 00, with only its sampled bit:
    // W3C defines no other bit of a version it does not know.
    let future = Traceparent::parse(&tp("cc", "01", "-extra")).unwrap();
    assert_eq!(future.to_string(), tp("00", "01", ""), "higher version re-emitted as 00");
    let future = Traceparent::parse(&tp("cc", "03", "-extra")).unwrap();
    assert_eq!(future.to_string(), tp("00", "01", ""), "a higher version's bit 1 is not the random flag");
}

#[test]
fn a_child_carries_the_random_flag_of_version_00_only() {
    use spanwire::context::extract;
    let child_flags = |traceparent: &str| extract(Some(traceparent), &[], None).unwrap().child().unwrap().flags;
    assert_eq!(child_flags(&tp("00", "03", "")), TraceFlags::KNOWN);
    assert_eq!(child_flags(&tp("00", "02", "")), TraceFlags::RANDOM);
    assert_eq!(child_flags(&tp("cc", "03", "-extra")), TraceFlags::SAMPLED);
    assert_eq!(child_flags(&tp("01", "02", "")), TraceFlags::NONE);
}

#[test]
fn trace_flags_accessors() {
    let cases: &[(TraceFlags, bool, bool, u8, &str)] = &[
        (TraceFlags::NONE, false, false, 0x00, "none"),
        (TraceFlags::SAMPLED, true, false, 0x01, "sampled"),
        (TraceFlags::RANDOM, false, true, 0x02, "random"),
        (TraceFlags::SAMPLED | TraceFlags::RANDOM, true, true, 0x03, "both"),
        (TraceFlags::from_bits(0xfe), false, true, 0x02, "unknown bits + random"),
    ];
    for (flags, sampled, random, known, reason) in cases {
        assert_eq!(flags.is_sampled(), *sampled, "{reason}");
        assert_eq!(flags.is_random(), *random, "{reason}");
        assert_eq!(flags.known().bits(), *known, "{reason}");
        assert!(flags.with_sampled(true).is_sampled(), "{reason}: set sampled");
        assert!(!flags.with_sampled(false).is_sampled(), "{reason}: clear sampled");
        assert_eq!(flags.with_sampled(false).is_random(), *random, "{reason}: random survives");
    }
}

/// `Traceparent::flags_of` (the fast acceptance path extract uses) agrees with `parse`
/// on every input: valid headers and every single-byte mutation of them, other
/// versions, surrounding white space, wrong lengths, zero ids and upper case.
#[test]
fn flags_of_agrees_with_parse() {
    let mut inputs: Vec<String> = vec![
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into(),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00".into(),
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01".into(),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01".into(),
        "00-00000000000000000000000000000001-0000000000000001-ff".into(),
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-future".into(),
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into(),
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\t".into(),
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01".into(),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-".into(),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0".into(),
        String::new(),
    ];
    let base = inputs[0].clone().into_bytes();
    for at in 0..base.len() {
        for b in [b'0', b'1', b'a', b'f', b'g', b'A', b'-', b' ', 0xff] {
            let mut m = base.clone();
            m[at] = b;
            inputs.push(String::from_utf8_lossy(&m).into_owned());
        }
    }
    for input in &inputs {
        assert_eq!(Traceparent::flags_of(input), Traceparent::parse(input).map(|tp| tp.flags), "{input:?}");
    }
}
