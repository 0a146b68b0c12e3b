//! The official W3C Trace Context test suite (w3c/trace-context `test/test.py`,
//! STRICT_LEVEL=2) replayed against the propagation core: each row is one request the
//! harness sends and what it expects of the call our service makes back.
//!
//! The simulated service does what the JS layer will do: case-insensitive header lookup,
//! repeated headers joined the way Node and `fetch` `Headers` join them (`", "`), then
//! `extract` → child span (or a fresh root) → `inject` into an empty carrier.

use spanwire::context::{extract, SpanContext};

const T: &str = "12345678901234567890123456789012";

/// (test.py name, request headers, expectation)
type TraceparentRow<'a> = (&'a str, Vec<(&'a str, String)>, Expect);
/// (test.py name, request headers, expected (key, value present / absent) in our tracestate)
type TracestateRow<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<(&'a str, Option<&'a str>)>);

/// What the harness checks on the call back.
#[derive(Debug)]
enum Expect {
    /// Same trace id as sent, a new parent id.
    SameTrace,
    /// A new trace id: the inbound traceparent was invalid.
    NewTrace,
}

/// The headers our service sends on its call back, given the harness's request.
fn service(headers: &[(&str, &str)]) -> (String, Option<String>) {
    let values = |name: &str| -> Vec<&str> {
        headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v).collect()
    };
    let traceparent = values("traceparent");
    let traceparent = (!traceparent.is_empty()).then(|| traceparent.join(", "));
    let tracestate = values("tracestate");
    let ctx = extract(traceparent.as_deref(), &tracestate, None);
    let span = match &ctx {
        Some(parent) => parent.child().unwrap(),
        None => SpanContext::root(true).unwrap(),
    };
    let out = span.inject(None);
    (out.traceparent.as_str().to_owned(), out.tracestate.map(str::to_owned))
}

/// The harness's own tracestate reader: members split on OWS-comma-OWS, first key wins.
fn harness_get<'a>(tracestate: &'a Option<String>, key: &str) -> Option<&'a str> {
    tracestate
        .as_deref()?
        .split(',')
        .map(|m| m.trim_matches([' ', '\t']))
        .filter_map(|m| m.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

#[test]
fn traceparent_cases() {
    let tp = |v: &str| format!("00-{T}-1234567890123456-{v}");
    let cases: Vec<TraceparentRow> = vec![
        ("test_both_traceparent_and_tracestate_missing", vec![], Expect::NewTrace),
        ("test_traceparent_included_tracestate_missing", vec![("traceparent", tp("01"))], Expect::SameTrace),
        (
            "test_traceparent_duplicated",
            vec![("traceparent", format!("00-{}1-1234567890123456-01", &T[..31])), ("traceparent", tp("01"))],
            Expect::NewTrace,
        ),
        ("test_traceparent_header_name (trace-parent)", vec![("trace-parent", tp("01"))], Expect::NewTrace),
        ("test_traceparent_header_name (trace.parent)", vec![("trace.parent", tp("01"))], Expect::NewTrace),
        ("test_traceparent_header_name_valid_casing (TraceParent)", vec![("TraceParent", tp("01"))], Expect::SameTrace),
        ("test_traceparent_header_name_valid_casing (TrAcEpArEnT)", vec![("TrAcEpArEnT", tp("01"))], Expect::SameTrace),
        ("test_traceparent_header_name_valid_casing (TRACEPARENT)", vec![("TRACEPARENT", tp("01"))], Expect::SameTrace),
        ("test_traceparent_version_0x00 (trailing '.')", vec![("traceparent", tp("01."))], Expect::NewTrace),
        (
            "test_traceparent_version_0x00 (extra fields)",
            vec![("traceparent", tp("01-what-the-future-will-be-like"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_version_0xcc",
            vec![("traceparent", format!("cc-{T}-1234567890123456-01"))],
            Expect::SameTrace,
        ),
        (
            "test_traceparent_version_0xcc (extra fields)",
            vec![("traceparent", format!("cc-{T}-1234567890123456-01-what-the-future-will-be-like"))],
            Expect::SameTrace,
        ),
        (
            "test_traceparent_version_0xcc ('.' after flags)",
            vec![("traceparent", format!("cc-{T}-1234567890123456-01.what-the-future-will-be-like"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_version_0xff",
            vec![("traceparent", format!("ff-{T}-1234567890123456-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_version_illegal_characters (.0)",
            vec![("traceparent", format!(".0-{T}-1234567890123456-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_version_illegal_characters (0.)",
            vec![("traceparent", format!("0.-{T}-1234567890123456-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_version_too_long (000)",
            vec![("traceparent", format!("000-{T}-1234567890123456-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_version_too_long (0000)",
            vec![("traceparent", format!("0000-{T}-1234567890123456-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_version_too_short",
            vec![("traceparent", format!("0-{T}-1234567890123456-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_trace_id_all_zero",
            vec![("traceparent", format!("00-{}-1234567890123456-01", "0".repeat(32)))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_trace_id_illegal_characters (first)",
            vec![("traceparent", format!("00-.{}-1234567890123456-01", &T[1..]))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_trace_id_illegal_characters (last)",
            vec![("traceparent", format!("00-{}.-1234567890123456-01", &T[..31]))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_trace_id_too_long",
            vec![("traceparent", format!("00-{T}3-1234567890123456-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_trace_id_too_short",
            vec![("traceparent", format!("00-{}-1234567890123456-01", &T[..31]))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_parent_id_all_zero",
            vec![("traceparent", format!("00-{T}-0000000000000000-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_parent_id_illegal_characters (first)",
            vec![("traceparent", format!("00-{T}-.234567890123456-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_parent_id_illegal_characters (last)",
            vec![("traceparent", format!("00-{T}-123456789012345.-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_parent_id_too_long",
            vec![("traceparent", format!("00-{T}-12345678901234567-01"))],
            Expect::NewTrace,
        ),
        (
            "test_traceparent_parent_id_too_short",
            vec![("traceparent", format!("00-{T}-123456789012345-01"))],
            Expect::NewTrace,
        ),
        ("test_traceparent_trace_flags_illegal_characters (.0)", vec![("traceparent", tp(".0"))], Expect::NewTrace),
        ("test_traceparent_trace_flags_illegal_characters (0.)", vec![("traceparent", tp("0."))], Expect::NewTrace),
        ("test_traceparent_trace_flags_too_long", vec![("traceparent", tp("001"))], Expect::NewTrace),
        ("test_traceparent_trace_flags_too_short", vec![("traceparent", tp("1"))], Expect::NewTrace),
        (
            "test_traceparent_ows_handling (leading space)",
            vec![("traceparent", format!(" {}", tp("01")))],
            Expect::SameTrace,
        ),
        (
            "test_traceparent_ows_handling (leading tab)",
            vec![("traceparent", format!("\t{}", tp("01")))],
            Expect::SameTrace,
        ),
        (
            "test_traceparent_ows_handling (trailing space)",
            vec![("traceparent", format!("{} ", tp("01")))],
            Expect::SameTrace,
        ),
        (
            "test_traceparent_ows_handling (trailing tab)",
            vec![("traceparent", format!("{}\t", tp("01")))],
            Expect::SameTrace,
        ),
        (
            "test_traceparent_ows_handling (both)",
            vec![("traceparent", format!("\t {} \t", tp("01")))],
            Expect::SameTrace,
        ),
    ];
    for (name, headers, expect) in &cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (out, _) = service(&headers);
        check_traceparent_format(&out, name);
        let trace = &out[3..35];
        let parent = &out[36..52];
        match expect {
            Expect::SameTrace => {
                assert_eq!(trace, T, "{name}: trace id kept");
                assert_ne!(parent, "1234567890123456", "{name}: a new parent id");
            }
            Expect::NewTrace => {
                let reused = headers.iter().any(|(_, sent)| sent.contains(trace));
                assert!(!reused, "{name}: a newly generated trace id, got {out}");
                assert_ne!(trace, "0".repeat(32), "{name}: never the zero id");
            }
        }
    }
}

/// `^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$` and the harness's
/// `Traceparent` class: version 00, non-zero ids.
fn check_traceparent_format(out: &str, name: &str) {
    let parts: Vec<&str> = out.split('-').collect();
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    assert_eq!(lens, [2, 32, 16, 2], "{name}: shape of {out}");
    assert!(
        out.bytes().all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{name}: lowercase hex {out}"
    );
    assert_eq!(parts[0], "00", "{name}: version 00");
    assert_ne!(parts[1], "0".repeat(32), "{name}: non-zero trace id");
    assert_ne!(parts[2], "0".repeat(16), "{name}: non-zero parent id");
}

#[test]
fn tracestate_cases() {
    let tp = format!("00-{T}-1234567890123456-00");
    let key: String = ('a'..='z').chain("0123456789_-*/".chars()).collect();
    let key_vendor = format!("{key}@a-z0-9_-*/");
    let value: String = (0x20u8..=0x7e).filter(|b| *b != b',' && *b != b'=').map(char::from).collect();
    let kv = |from: usize, to: usize| (from..=to).map(|i| format!("bar{i:02}={i:02}")).collect::<Vec<_>>().join(",");
    let (z256, z257) = (format!("{}=1", "z".repeat(256)), format!("{}=1", "z".repeat(257)));
    let tenant_ok = format!("{}@{}=1", "t".repeat(241), "v".repeat(14));
    let tenant_long = format!("{}@v=1", "t".repeat(242));
    let system_long = format!("t@{}=1", "v".repeat(15));
    let (all_chars, all_chars_vendor) = (format!("{key}={value}"), format!("{key_vendor}={value}"));
    let (b1_10, b11_20, b21_30, b31_32, b31_33) = (kv(1, 10), kv(11, 20), kv(21, 30), kv(31, 32), kv(31, 33));
    let cases: Vec<TracestateRow> = vec![
        (
            "test_tracestate_included_traceparent_missing",
            vec![("tracestate", "foo=1,bar=2")],
            vec![("foo", None), ("bar", None)],
        ),
        (
            "test_tracestate_included_traceparent_included",
            vec![("traceparent", &tp), ("tracestate", "foo=1,bar=2")],
            vec![("foo", Some("1")), ("bar", Some("2"))],
        ),
        (
            "test_tracestate_header_name (trace-state)",
            vec![("traceparent", &tp), ("trace-state", "foo=1")],
            vec![("foo", None)],
        ),
        (
            "test_tracestate_header_name (trace.state)",
            vec![("traceparent", &tp), ("trace.state", "foo=1")],
            vec![("foo", None)],
        ),
        (
            "test_tracestate_header_name_valid_casing (TraceState)",
            vec![("traceparent", &tp), ("TraceState", "foo=1")],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_header_name_valid_casing (TrAcEsTaTe)",
            vec![("traceparent", &tp), ("TrAcEsTaTe", "foo=1")],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_header_name_valid_casing (TRACESTATE)",
            vec![("traceparent", &tp), ("TRACESTATE", "foo=1")],
            vec![("foo", Some("1"))],
        ),
        ("test_tracestate_empty_header (only empty)", vec![("traceparent", &tp), ("tracestate", "")], vec![]),
        (
            "test_tracestate_empty_header (foo=1, then empty)",
            vec![("traceparent", &tp), ("tracestate", "foo=1"), ("tracestate", "")],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_empty_header (empty, then foo=1)",
            vec![("traceparent", &tp), ("tracestate", ""), ("tracestate", "foo=1")],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_multiple_headers_different_keys",
            vec![
                ("traceparent", &tp),
                ("tracestate", "foo=1,bar=2"),
                ("tracestate", "rojo=1,congo=2"),
                ("tracestate", "baz=3"),
            ],
            vec![("foo", Some("1")), ("bar", Some("2")), ("rojo", Some("1")), ("congo", Some("2")), ("baz", Some("3"))],
        ),
        (
            "test_tracestate_duplicated_keys (foo=1,foo=1)",
            vec![("traceparent", &tp), ("tracestate", "foo=1,foo=1")],
            vec![("foo", None)],
        ),
        (
            "test_tracestate_duplicated_keys (foo=1,foo=2)",
            vec![("traceparent", &tp), ("tracestate", "foo=1,foo=2")],
            vec![("foo", None)],
        ),
        (
            "test_tracestate_duplicated_keys (two lines, same)",
            vec![("traceparent", &tp), ("tracestate", "foo=1"), ("tracestate", "foo=1")],
            vec![("foo", None)],
        ),
        (
            "test_tracestate_duplicated_keys (two lines, different)",
            vec![("traceparent", &tp), ("tracestate", "foo=1"), ("tracestate", "foo=2")],
            vec![("foo", None)],
        ),
        (
            "test_tracestate_all_allowed_characters (key)",
            vec![("traceparent", &tp), ("tracestate", &all_chars)],
            vec![(&key, Some(&value))],
        ),
        (
            "test_tracestate_all_allowed_characters (vendor key)",
            vec![("traceparent", &tp), ("tracestate", &all_chars_vendor)],
            vec![(&key_vendor, Some(&value))],
        ),
        (
            "test_tracestate_ows_handling (around commas)",
            vec![("traceparent", &tp), ("tracestate", "foo=1 \t , \t bar=2, \t baz=3")],
            vec![("foo", Some("1")), ("bar", Some("2")), ("baz", Some("3"))],
        ),
        (
            "test_tracestate_ows_handling (tabs and spaces)",
            vec![("traceparent", &tp), ("tracestate", "foo=1\t \t,\t \tbar=2,\t \tbaz=3")],
            vec![("foo", Some("1")), ("bar", Some("2")), ("baz", Some("3"))],
        ),
        (
            "test_tracestate_ows_handling (leading space)",
            vec![("traceparent", &tp), ("tracestate", " foo=1")],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_ows_handling (leading tab)",
            vec![("traceparent", &tp), ("tracestate", "\tfoo=1")],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_ows_handling (trailing space)",
            vec![("traceparent", &tp), ("tracestate", "foo=1 ")],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_ows_handling (trailing tab)",
            vec![("traceparent", &tp), ("tracestate", "foo=1\t")],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_ows_handling (both)",
            vec![("traceparent", &tp), ("tracestate", "\t foo=1 \t")],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_key_illegal_characters (space)",
            vec![("traceparent", &tp), ("tracestate", "foo =1")],
            vec![("foo ", None), ("foo", None)],
        ),
        (
            "test_tracestate_key_illegal_characters (upper case)",
            vec![("traceparent", &tp), ("tracestate", "FOO=1")],
            vec![("FOO", None)],
        ),
        (
            "test_tracestate_key_illegal_characters (dot)",
            vec![("traceparent", &tp), ("tracestate", "foo.bar=1")],
            vec![("foo.bar", None)],
        ),
        (
            "test_tracestate_key_illegal_vendor_format (foo@)",
            vec![("traceparent", &tp), ("tracestate", "foo@=1,bar=2")],
            vec![("bar", None)],
        ),
        (
            "test_tracestate_key_illegal_vendor_format (@foo)",
            vec![("traceparent", &tp), ("tracestate", "@foo=1,bar=2")],
            vec![("bar", None)],
        ),
        (
            "test_tracestate_key_illegal_vendor_format (foo@@bar)",
            vec![("traceparent", &tp), ("tracestate", "foo@@bar=1,bar=2")],
            vec![("bar", None)],
        ),
        (
            "test_tracestate_key_illegal_vendor_format (foo@bar@baz)",
            vec![("traceparent", &tp), ("tracestate", "foo@bar@baz=1,bar=2")],
            vec![("bar", None)],
        ),
        (
            "test_tracestate_member_count_limit (32)",
            vec![
                ("traceparent", &tp),
                ("tracestate", &b1_10),
                ("tracestate", &b11_20),
                ("tracestate", &b21_30),
                ("tracestate", &b31_32),
            ],
            vec![("bar01", Some("01")), ("bar32", Some("32"))],
        ),
        (
            "test_tracestate_member_count_limit (33)",
            vec![
                ("traceparent", &tp),
                ("tracestate", &b1_10),
                ("tracestate", &b11_20),
                ("tracestate", &b21_30),
                ("tracestate", &b31_33),
            ],
            vec![("bar01", None)],
        ),
        (
            "test_tracestate_key_length_limit (256)",
            vec![("traceparent", &tp), ("tracestate", "foo=1"), ("tracestate", &z256)],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_key_length_limit (257)",
            vec![("traceparent", &tp), ("tracestate", "foo=1"), ("tracestate", &z257)],
            vec![("foo", None)],
        ),
        (
            "test_tracestate_key_length_limit (tenant 241, system 14)",
            vec![("traceparent", &tp), ("tracestate", "foo=1"), ("tracestate", &tenant_ok)],
            vec![("foo", Some("1"))],
        ),
        (
            "test_tracestate_key_length_limit (tenant 242)",
            vec![("traceparent", &tp), ("tracestate", "foo=1"), ("tracestate", &tenant_long)],
            vec![("foo", None)],
        ),
        (
            "test_tracestate_key_length_limit (system 15)",
            vec![("traceparent", &tp), ("tracestate", "foo=1"), ("tracestate", &system_long)],
            vec![("foo", None)],
        ),
        (
            "test_tracestate_value_illegal_characters (foo=bar=baz)",
            vec![("traceparent", &tp), ("tracestate", "foo=bar=baz")],
            vec![("foo", None)],
        ),
        (
            "test_tracestate_value_illegal_characters (empty value)",
            vec![("traceparent", &tp), ("tracestate", "foo=,bar=3")],
            vec![("foo", None), ("bar", None)],
        ),
    ];
    for (name, headers, expected) in &cases {
        let (out, tracestate) = service(headers);
        if headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("traceparent")) {
            assert_eq!(&out[3..35], T, "{name}: trace id kept");
        }
        for (key, value) in expected {
            assert_eq!(harness_get(&tracestate, key), *value, "{name}: key {key:?} in {tracestate:?}");
        }
        if name.starts_with("test_tracestate_empty_header (only") {
            assert_eq!(tracestate, None, "{name}: an empty tracestate is not forwarded");
        }
        if name.starts_with("test_tracestate_multiple_headers") {
            assert_eq!(tracestate.as_deref(), Some("foo=1,bar=2,rojo=1,congo=2,baz=3"), "{name}: order kept");
        }
    }
}

#[test]
fn advanced_cases() {
    let tp = format!("00-{T}-1234567890123456-01");
    let rows: &[(&str, Option<&str>, bool)] = &[
        ("test_multiple_requests_with_valid_traceparent", Some(&tp), true),
        ("test_multiple_requests_without_traceparent", None, false),
        (
            "test_multiple_requests_with_illegal_traceparent",
            Some("00-00000000000000000000000000000000-1234567890123456-01"),
            false,
        ),
    ];
    for (name, traceparent, linked) in rows {
        // One inbound request, three outgoing calls, each from its own child span.
        let ctx = extract(*traceparent, &[], None);
        let server_span = match &ctx {
            Some(parent) => parent.child().unwrap(),
            None => SpanContext::root(true).unwrap(),
        };
        let outs: Vec<String> =
            (0..3).map(|_| server_span.child().unwrap().inject(None).traceparent.as_str().to_owned()).collect();
        let traces: std::collections::HashSet<&str> = outs.iter().map(|o| &o[3..35]).collect();
        let parents: std::collections::HashSet<&str> = outs.iter().map(|o| &o[36..52]).collect();
        assert_eq!(traces.len(), 1, "{name}: one trace id");
        assert_eq!(parents.len(), 3, "{name}: a different parent id each time");
        assert_eq!(traces.contains(T), *linked, "{name}: trace id inherited iff the traceparent is valid");
        assert!(!traces.contains("00000000000000000000000000000000"), "{name}: never the zero id");
    }
}
