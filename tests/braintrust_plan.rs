//! The Braintrust distributed-tracing test plan (braintrust-spec
//! `docs/features/distributed-tracing.md`, "Test cases"), every case that is pure
//! propagation, as named table tests at the core level.
//!
//! The span layer is reduced to two lines (see `start_span`): a child of the extracted
//! context, or a fresh root; when no Braintrust parent came in, the current logger's.
//! What needs a real logger, span or carrier object is left to the layers above (the
//! report lists them).

use spanwire::context::{extract, SpanContext};
use spanwire::w3c::baggage::{self, BaggageMembers, MAX_BYTES, MAX_MEMBERS};
use spanwire::w3c::{
    BaggageUpdate, BraintrustParent, TraceFlags, BAGGAGE_HEADER, TRACEPARENT_HEADER, TRACESTATE_HEADER,
};
use spanwire::{SpanId, TraceId};

const TP: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const PARENT: &str = "b7ad6b7169203331";

fn pid(id: &str) -> BraintrustParent {
    BraintrustParent::ProjectId(id.into())
}
fn pname(name: &str) -> BraintrustParent {
    BraintrustParent::ProjectName(name.into())
}
fn logger() -> BraintrustParent {
    pid("logger-project")
}

/// The span layer in two lines: child of the remote parent or a fresh root, routed to
/// the baggage parent or else the current logger's.
fn start_span(remote: Option<&SpanContext>) -> SpanContext {
    let span = match remote {
        Some(parent) => parent.child().unwrap(),
        None => SpanContext::root(true).unwrap(),
    };
    let routed = span.braintrust_parent.clone().or_else(|| Some(logger()));
    span.with_braintrust_parent(routed)
}

/// `^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$`, ids non-zero.
fn well_formed(tp: &str) -> bool {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let parts: Vec<&str> = tp.split('-').collect();
    matches!(parts.as_slice(), [v, t, s, f]
        if *v == "00" && t.len() == 32 && s.len() == 16 && f.len() == 2
            && hex(t) && hex(s) && hex(f)
            && t.bytes().any(|b| b != b'0') && s.bytes().any(|b| b != b'0'))
}

fn set(update: &BaggageUpdate) -> &str {
    match update {
        BaggageUpdate::Set(v) => v,
        other => panic!("expected a baggage value, got {other:?}"),
    }
}

// ---------------------------------------------------------------- Send

#[test]
fn send_traceparent_is_well_formed_with_non_zero_ids() {
    let remote = extract(Some(TP), &[], None).unwrap();
    let one = TraceId::from_bytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap();
    let cases: Vec<(SpanContext, &str)> = vec![
        (SpanContext::root(true).unwrap(), "sampled root"),
        (SpanContext::root(false).unwrap(), "unsampled root"),
        (remote.child().unwrap(), "child of a remote parent"),
        (remote.child().unwrap().child().unwrap(), "grandchild"),
        (
            SpanContext::root_with_ids(one, SpanId::from_bytes([0, 0, 0, 0, 0, 0, 0, 1]).unwrap(), true),
            "smallest non-zero ids keep leading zeros",
        ),
    ];
    for (span, reason) in &cases {
        let tp = span.inject(None).traceparent;
        assert!(well_formed(tp.as_str()), "{reason}: {tp}");
    }
}

#[test]
fn send_injected_ids_equal_the_spans() {
    let remote = extract(Some(TP), &[], None).unwrap();
    let cases: Vec<(SpanContext, &str)> = vec![
        (start_span(None), "root span"),
        (start_span(Some(&remote)), "span under a remote parent"),
        (start_span(Some(&remote)).child().unwrap(), "local child"),
    ];
    for (span, reason) in &cases {
        let tp = span.inject(None).traceparent;
        assert_eq!(&tp.as_str()[3..35], span.trace_id.to_hex(), "{reason}: trace id = root_span_id");
        assert_eq!(&tp.as_str()[36..52], span.span_id.to_hex(), "{reason}: parent id = span id");
    }
}

#[test]
fn send_baggage_carries_braintrust_parent() {
    let cases: &[(BraintrustParent, &str, &str)] = &[
        (pid("12345"), "braintrust.parent=project_id%3A12345", "project id"),
        (pname("proj"), "braintrust.parent=project_name%3Aproj", "project name"),
        (BraintrustParent::ExperimentId("exp-1".into()), "braintrust.parent=experiment_id%3Aexp-1", "experiment id"),
    ];
    for (parent, expected, reason) in cases {
        let span = SpanContext::root(true).unwrap().with_braintrust_parent(Some(parent.clone()));
        assert_eq!(set(&span.inject(None).baggage), *expected, "{reason}");
    }
}

#[test]
fn send_other_baggage_members_are_kept() {
    let span = start_span(None);
    let ours = logger().to_member();
    let cases: &[(&str, String, &str)] = &[
        ("userId=alice", format!("userId=alice,{ours}"), "one unrelated member"),
        ("a=1,b=2;p", format!("a=1,b=2;p,{ours}"), "order and properties kept"),
        ("a=1,braintrust.parent=project_id%3Aold,b=2", format!("a=1,b=2,{ours}"), "only our member is replaced"),
    ];
    for (carrier, expected, reason) in cases {
        assert_eq!(set(&span.inject(Some(carrier)).baggage), expected, "{reason}");
    }
}

#[test]
fn send_header_names_are_lowercase() {
    // Replacing a carrier's case-variant (`Baggage`) is the carrier layer's job; the core
    // names every header it produces in lower case.
    for (name, reason) in
        [(TRACEPARENT_HEADER, "traceparent"), (TRACESTATE_HEADER, "tracestate"), (BAGGAGE_HEADER, "baggage")]
    {
        assert_eq!(name, name.to_ascii_lowercase(), "{reason}");
        assert_eq!(name, reason, "{reason}: exact W3C name");
    }
}

// ---------------------------------------------------------------- Value encoding

#[test]
fn value_encoding_percent_encodes_every_baggage_octet_violator() {
    let cases: &[(&str, &str, &str)] = &[
        ("\"", "%22", "double quote"),
        ("\\", "%5C", "backslash"),
        (",", "%2C", "comma"),
        (";", "%3B", "semicolon"),
        (" ", "%20", "space"),
        ("\t", "%09", "tab"),
        ("\n", "%0A", "newline"),
        ("%", "%25", "percent sign"),
        ("é", "%C3%A9", "non-ASCII"),
        ("😀", "%F0%9F%98%80", "emoji"),
    ];
    for (ch, encoded, reason) in cases {
        let name = format!("a{ch}b");
        let span = SpanContext::root(true).unwrap().with_braintrust_parent(Some(pname(&name)));
        let baggage = set(&span.inject(None).baggage).to_owned();
        assert_eq!(baggage, format!("braintrust.parent=project_name%3Aa{encoded}b"), "{reason}");
        assert!(baggage.is_ascii(), "{reason}: pure ASCII on the wire");
        let value = baggage.split_once('=').unwrap().1;
        let baggage_octet = |b: u8| matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e);
        assert!(value.bytes().all(baggage_octet), "{reason}: only baggage-octet in {value}");
    }
}

#[test]
fn value_encoding_round_trips() {
    let cases: &[(&str, &str)] = &[
        ("Café", "non-ASCII name"),
        ("a,b c", "comma and space"),
        ("a+b", "literal + survives as +"),
        ("100% \"real\" \\ ; \t\n 😀", "every violator at once"),
        ("%20", "a name that looks encoded"),
    ];
    for (name, reason) in cases {
        let span = SpanContext::root(true).unwrap().with_braintrust_parent(Some(pname(name)));
        let out = span.inject(None);
        let back = extract(Some(out.traceparent.as_str()), &[], Some(set(&out.baggage))).unwrap();
        assert_eq!(back.braintrust_parent, Some(pname(name)), "{reason}: decode(encode(x)) = x");
    }
}

#[test]
fn value_encoding_is_confined_to_our_member() {
    let span = start_span(None);
    let ours = logger().to_member();
    let cases: &[(&str, &str)] = &[
        ("path=a%2Fb", "existing encoding relayed, not decoded"),
        ("q=a b", "a raw space in another member is not encoded"),
        ("e=%C3%A9;p=%2C", "properties untouched"),
        ("x=caf\u{e9}", "raw non-ASCII in another member is relayed as is"),
    ];
    for (member, reason) in cases {
        assert_eq!(set(&span.inject(Some(member)).baggage), format!("{member},{ours}"), "{reason}");
        let inbound = extract(Some(TP), &[], Some(member)).unwrap();
        assert_eq!(inbound.baggage.as_str(), *member, "{reason}: inbound side too");
    }
}

// ---------------------------------------------------------------- Receive (one test per row)

#[test]
fn receive_traceparent_and_braintrust_baggage() {
    let remote = extract(Some(TP), &[], Some("braintrust.parent=project_id%3Aabc")).unwrap();
    let span = start_span(Some(&remote));
    assert_eq!(span.trace_id.to_hex(), TRACE, "shares the inbound trace id");
    assert_eq!(remote.span_id.to_hex(), PARENT, "parented to the inbound span");
    assert_ne!(span.span_id, remote.span_id, "a new span id");
    assert_eq!(span.braintrust_parent, Some(pid("abc")), "routed to the baggage parent");
}

#[test]
fn receive_traceparent_only_falls_back_to_the_logger() {
    let cases: &[(Option<&str>, &str)] = &[
        (None, "no baggage header"),
        (Some("k=v"), "baggage without braintrust.parent"),
        (Some("braintrust.parent="), "empty braintrust.parent"),
        (Some("braintrust.parent=dataset_id%3Ax"), "unusable braintrust.parent"),
    ];
    for (baggage, reason) in cases {
        let remote = extract(Some(TP), &[], *baggage).unwrap();
        let span = start_span(Some(&remote));
        assert_eq!(span.trace_id.to_hex(), TRACE, "{reason}: trace kept");
        assert_eq!(remote.span_id.to_hex(), PARENT, "{reason}: parent kept");
        assert_eq!(span.braintrust_parent, Some(logger()), "{reason}: logger's parent");
    }
}

#[test]
fn receive_no_headers_is_a_fresh_root() {
    assert_eq!(extract(None, &[], None), None, "no context");
    let a = start_span(None);
    let b = start_span(None);
    assert_ne!(a.trace_id, b.trace_id, "a new trace id each time");
    assert!(a.flags.is_random() && a.flags.is_sampled(), "our roots: sampled and random");
}

#[test]
fn receive_malformed_traceparent_is_a_fresh_root() {
    let cases: &[(&str, &str)] = &[
        ("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "bad version ff"),
        ("0x-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "bad version characters"),
        ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x", "too long for version 00"),
        ("00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01", "short trace id"),
        ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01", "short span id"),
        ("00-00000000000000000000000000000000-b7ad6b7169203331-01", "zero trace id"),
        ("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "zero span id"),
        ("", "empty"),
    ];
    for (tp, reason) in cases {
        let ctx = extract(Some(tp), &["congo=t61rcWkgMzE"], Some("braintrust.parent=project_id%3Aabc"));
        assert_eq!(ctx, None, "{reason}: treated as absent (tracestate and baggage ignored too)");
        let span = start_span(ctx.as_ref());
        assert_ne!(span.trace_id.to_hex(), TRACE, "{reason}: new trace");
        assert_eq!(span.braintrust_parent, Some(logger()), "{reason}: the baggage parent is ignored");
        assert_eq!(span.trace_state, None, "{reason}: tracestate ignored");
    }
}

#[test]
fn receive_non_lowercase_header_names() {
    // Lookup is the carrier layer's; the core receives the values whatever the names were.
    let headers = [("Traceparent", TP), ("Baggage", "braintrust.parent=project_id%3Aabc"), ("TRACESTATE", "a=1")];
    let get = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
    let remote = extract(get("traceparent"), get("tracestate").as_slice(), get("baggage")).unwrap();
    assert_eq!(remote.trace_id.to_hex(), TRACE);
    assert_eq!(remote.braintrust_parent, Some(pid("abc")));
    assert_eq!(remote.trace_state.map(|t| t.as_str().to_owned()).as_deref(), Some("a=1"));
}

#[test]
fn receive_braintrust_and_unrelated_baggage_keys() {
    let cases: &[(&str, &str, &str)] = &[
        ("k1=v1,braintrust.parent=project_id%3Aabc,k2=v2", "k1=v1,k2=v2", "bt in the middle"),
        (
            " k1=v1 ; p=1 , braintrust.parent=project_id%3Aabc;prop , k2=v%2F2",
            "k1=v1 ; p=1,k2=v%2F2",
            "properties and OWS",
        ),
        ("junk,braintrust.parent=project_id%3Aabc,=x", "", "invalid members ignored, not errored"),
    ];
    for (baggage, others, reason) in cases {
        let remote = extract(Some(TP), &[], Some(baggage)).unwrap();
        assert_eq!(remote.braintrust_parent, Some(pid("abc")), "{reason}: bt consumed");
        assert_eq!(remote.baggage.as_str(), *others, "{reason}: unrelated keys kept to relay, never an error");
    }
}

#[test]
fn receive_tracestate_is_forwarded_unchanged() {
    let cases: &[(&[&str], &str, &str)] = &[
        (&["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"], "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "one header"),
        (&["rojo=1", "congo=2"], "rojo=1,congo=2", "two header lines joined"),
        (&["a=1 , b=2"], "a=1 , b=2", "inner OWS kept as received"),
    ];
    for (lines, expected, reason) in cases {
        let remote = extract(Some(TP), lines, None).unwrap();
        let span = start_span(Some(&remote));
        let grandchild = span.child().unwrap().child().unwrap();
        for (who, s) in [("span", &span), ("descendant", &grandchild)] {
            assert_eq!(s.inject(None).tracestate, Some(*expected), "{reason}: {who}");
            assert_eq!(s.inject(Some("x=1")).tracestate, Some(*expected), "{reason}: {who}, every inject");
        }
    }
}

// ---------------------------------------------------------------- Round trip

#[test]
fn round_trip_inject_then_extract() {
    let cases: Vec<(SpanContext, &str)> = vec![
        (start_span(None), "root with the logger's parent"),
        (
            SpanContext::root(false).unwrap().with_braintrust_parent(Some(pname("Café, a+b"))),
            "unsampled root, encoded name",
        ),
        (
            start_span(Some(&extract(Some(TP), &[], Some("braintrust.parent=experiment_id%3Ae1")).unwrap())),
            "remote child, experiment",
        ),
        (SpanContext::root(true).unwrap(), "no Braintrust parent known"),
    ];
    for (span, reason) in &cases {
        let out = span.inject(None);
        let baggage = match &out.baggage {
            BaggageUpdate::Set(v) => Some(v.as_str()),
            _ => None,
        };
        let back = extract(Some(out.traceparent.as_str()), out.tracestate.as_slice(), baggage).unwrap();
        assert_eq!(back.trace_id, span.trace_id, "{reason}: trace id");
        assert_eq!(back.span_id, span.span_id, "{reason}: parent span id");
        assert_eq!(back.braintrust_parent, span.braintrust_parent, "{reason}: Braintrust parent");
        assert_eq!(back.flags, span.flags, "{reason}: flags");
    }
}

#[test]
fn round_trip_tracestate() {
    let cases: &[(&[&str], Option<&str>, &str)] = &[
        (&["congo=t61rcWkgMzE"], Some("congo=t61rcWkgMzE"), "passes through"),
        (&[], None, "none in, none out"),
        (&["INVALID=1"], None, "invalid in, none out"),
    ];
    for (lines, expected, reason) in cases {
        let first = start_span(Some(&extract(Some(TP), lines, None).unwrap()));
        let out = first.inject(None);
        let hop = extract(Some(out.traceparent.as_str()), out.tracestate.as_slice(), None).unwrap();
        let second = start_span(Some(&hop));
        assert_eq!(second.inject(None).tracestate, *expected, "{reason}: after two hops");
    }
}

// ---------------------------------------------------------------- Negative / robustness

#[test]
fn negative_unknown_braintrust_parent_never_breaks_emission() {
    let cases: &[(&str, &str)] = &[
        ("braintrust.parent=dataset_id%3Ax", "unknown prefix"),
        ("braintrust.parent=project_id%3A", "empty id"),
        ("braintrust.parent=project_name%3Abad%E9%ZZ", "undecodable value"),
        ("braintrust.parent", "member without '='"),
    ];
    for (baggage, reason) in cases {
        let remote = extract(Some(TP), &[], Some(baggage)).unwrap_or_else(|| panic!("{reason}: context kept"));
        assert_eq!(remote.braintrust_parent, None, "{reason}: no Braintrust parent");
        // Without a logger either, the span still propagates.
        let span = remote.child().unwrap();
        let out = span.inject(Some(baggage));
        assert!(well_formed(out.traceparent.as_str()), "{reason}: traceparent still sent");
        assert_eq!(&out.traceparent.as_str()[3..35], TRACE, "{reason}: trace identity from traceparent");
        assert_eq!(out.baggage, BaggageUpdate::Remove, "{reason}: the stale member is not relayed");
    }
}

#[test]
fn negative_oversized_or_invalid_baggage_never_throws() {
    let huge = "x".repeat(1 << 20);
    let cases: Vec<(String, &str)> = vec![
        (format!("k={huge}"), "one 1 MiB member"),
        (",".repeat(1 << 20), "a million empty members"),
        ("k=v,".repeat(100_000), "100k members"),
        (format!("braintrust.parent=project_name%3A{huge}"), "huge braintrust.parent"),
        ("%%%===;;;,,,\u{0}\r\n".repeat(1000), "garbage with control characters"),
        ("é".repeat(10_000), "non-ASCII without '='"),
        ("braintrust.parent=%".into(), "truncated escape"),
    ];
    for (baggage, reason) in &cases {
        let remote = extract(Some(TP), &[], Some(baggage)).unwrap();
        assert_eq!(remote.trace_id.to_hex(), TRACE, "{reason}: trace identity unaffected");
        assert!(remote.baggage.len() <= MAX_MEMBERS && remote.baggage.as_str().len() <= MAX_BYTES, "{reason}: bounded");
        let span = start_span(Some(&remote));
        let out = span.inject(Some(baggage));
        let sent = set(&out.baggage);
        assert!(sent.len() <= MAX_BYTES && sent.ends_with(&logger().to_member()), "{reason}: bounded, ours last");
    }
}

// ---------------------------------------------------------------- Baggage size limits

fn kv(n: usize) -> String {
    (0..n).map(|i| format!("k{i}=v")).collect::<Vec<_>>().join(",")
}

#[test]
fn limits_member_count() {
    let cases: &[(usize, usize, &str)] = &[
        (63, 63, "under the limit"),
        (64, 64, "exactly 64 kept"),
        (65, 64, "65 reduced to 64, leading prefix"),
        (500, 64, "far over"),
    ];
    for (n, kept, reason) in cases {
        let parsed = baggage::parse(&kv(*n));
        assert_eq!(parsed.others.len(), *kept, "{reason}");
        assert_eq!(parsed.others.as_str(), kv(*kept), "{reason}: no member split, leading prefix");
    }
}

#[test]
fn limits_bytes_whole_members_utf8_exact() {
    // Members of 1000 bytes: "kNNN=" + filler; in the UTF-8 rows the filler is 497 "é" + "x"
    // (1000 bytes, but only 503 chars).
    let member = |i: usize, two_byte: bool| {
        let head = format!("k{i:03}=");
        let fill = if two_byte { "é".repeat(497) + "x" } else { "x".repeat(995) };
        head + &fill
    };
    let cases: &[(bool, usize, usize, &str)] = &[
        (false, 8, 8, "8 members of 1000 B + 7 commas = 8007 B: all kept"),
        (false, 9, 8, "a 9th would make 9008 B: dropped whole"),
        (true, 9, 8, "bytes, not chars: 9 members are 4535 chars but 9008 bytes"),
    ];
    for (two_byte, n, kept, reason) in cases {
        let header = (0..*n).map(|i| member(i, *two_byte)).collect::<Vec<_>>().join(",");
        let parsed = baggage::parse(&header);
        let want = (0..*kept).map(|i| member(i, *two_byte)).collect::<Vec<_>>().join(",");
        assert_eq!(parsed.others.as_str(), want, "{reason}");
        assert!(parsed.others.as_str().len() <= MAX_BYTES, "{reason}: ≤ 8192 bytes");
    }
}

#[test]
fn limits_single_member_over_the_limit_is_dropped() {
    let cases: &[(String, &str)] = &[
        (format!("big={}", "x".repeat(MAX_BYTES)), "ASCII member over 8192 B"),
        (format!("big={}", "é".repeat(MAX_BYTES / 2)), "UTF-8 member over 8192 B though under 8192 chars"),
    ];
    for (header, reason) in cases {
        let parsed = baggage::parse(header);
        assert!(parsed.others.is_empty(), "{reason}: no partial member kept");
    }
}

#[test]
fn limits_relay_reserves_our_slot_and_bytes() {
    let ours = logger().to_member();
    let filler = format!("a={}", "x".repeat(MAX_BYTES - ours.len() - 3));
    let cases: Vec<(String, BaggageMembers, String, &str)> = vec![
        (kv(64), BaggageMembers::EMPTY, format!("{},{ours}", kv(63)), "64 carrier members: 63 relayed + ours"),
        (
            String::new(),
            baggage::parse(&kv(64)).others,
            format!("{},{ours}", kv(63)),
            "64 inbound members: 63 relayed + ours",
        ),
        (
            filler.clone(),
            BaggageMembers::EMPTY,
            format!("{filler},{ours}"),
            "a member filling the rest of the budget exactly",
        ),
        (
            format!("{filler}x"),
            BaggageMembers::EMPTY,
            ours.clone(),
            "one byte more: that member is dropped, ours survives",
        ),
    ];
    for (carrier, inbound, expected, reason) in &cases {
        let carrier = (!carrier.is_empty()).then_some(carrier.as_str());
        let got = baggage::relay(carrier, inbound, Some(&logger()));
        assert_eq!(set(&got), expected, "{reason}");
        assert!(set(&got).len() <= MAX_BYTES, "{reason}: ≤ 8192 bytes");
        assert!(set(&got).split(',').count() <= MAX_MEMBERS, "{reason}: ≤ 64 members");
    }
}

#[test]
fn limits_nothing_panics() {
    let cases: Vec<(String, &str)> = vec![
        (kv(100_000), "100k members"),
        ("x".repeat(10 << 20), "10 MiB without a member"),
        (format!("a={}", "é".repeat(5 << 20)), "10 MiB UTF-8 member"),
    ];
    for (header, reason) in &cases {
        let parsed = baggage::parse(header);
        assert!(parsed.others.len() <= MAX_MEMBERS, "{reason}");
        let relayed = baggage::relay(Some(header), &parsed.others, Some(&logger()));
        assert!(set(&relayed).len() <= MAX_BYTES, "{reason}");
    }
}

// ---------------------------------------------------------------- Id format back-compat

#[test]
fn id_format_legacy_uuid_ids_never_reach_the_wire() {
    // inject with UUID ids is a no-op: the span layer cannot build a SpanContext from them,
    // because the core's ids only accept W3C hex.
    let cases: &[(&str, bool, &str)] = &[
        ("ba969a1a-1bc6-4109-bc63-fdad024a19fd", false, "dashed UUID as a trace id"),
        ("BA969A1A1BC64109BC63FDAD024A19FD", false, "upper-case hex"),
        ("ba969a1a1bc64109bc63fdad024a19fd", true, "32 lowercase hex: a valid trace id"),
    ];
    for (id, valid, reason) in cases {
        assert_eq!(TraceId::from_hex(id).is_ok(), *valid, "{reason}");
    }
    assert!(SpanId::from_hex("ba969a1a-1bc6-4109-bc63-fdad024a19fd").is_err(), "a UUID span id is refused");
    let tp = "00-ba969a1a-1bc6-4109-bc63-fdad024a19fd-b7ad6b7169203331-01";
    assert_eq!(extract(Some(tp), &[], None), None, "a UUID-shaped traceparent is no parent");
}

#[test]
fn flags_follow_the_contract() {
    let remote = |flags: &str| extract(Some(&format!("00-{TRACE}-{PARENT}-{flags}")), &[], None).unwrap();
    let cases: Vec<(SpanContext, &str, &str)> = vec![
        (SpanContext::root(true).unwrap(), "03", "our sampled root: random bit set"),
        (SpanContext::root(false).unwrap(), "02", "our unsampled root: random bit set"),
        (remote("01").child().unwrap(), "01", "random bit inherited (absent)"),
        (remote("03").child().unwrap(), "03", "random bit inherited (present)"),
        (remote("00").child().unwrap(), "00", "unsampled parent"),
        (remote("ff").child().unwrap(), "03", "unknown bits written as zero"),
    ];
    for (span, flags, reason) in &cases {
        assert_eq!(&span.inject(None).traceparent.as_str()[53..], *flags, "{reason}");
    }
    assert_eq!(TraceFlags::KNOWN.bits(), 0x03);
}
