//! W3C Baggage: members, limits, the `braintrust.parent` member, its percent codec and
//! the relay on inject. One row per rule, each with its reason.

use spanwire::w3c::baggage::{
    self, BaggageMembers, BaggageUpdate, BraintrustParent, BraintrustParentError, Member, MAX_BYTES, MAX_MEMBERS,
};
use spanwire::w3c::percent::{self, PercentError};

mod common;
use common::rng::Rng;

/// (piece, the member's (text, key, value) if kept, reason)
type MemberRow<'a> = (&'a str, Option<(&'a str, &'a str, &'a str)>, &'a str);
/// (carrier baggage, inbound members, our parent, expected update, reason)
type RelayRow<'a> = (Option<&'a str>, BaggageMembers, Option<&'a BraintrustParent>, BaggageUpdate, &'a str);

fn pid(id: &str) -> BraintrustParent {
    BraintrustParent::ProjectId(id.into())
}

/// `k0=v,k1=v,…` with `n` members.
fn kv(n: usize) -> String {
    (0..n).map(|i| format!("k{i}=v")).collect::<Vec<_>>().join(",")
}

#[test]
fn percent_encoding_leaves_only_unreserved_raw() {
    let cases: &[(&str, &str, &str)] = &[
        ("abcXYZ019-_.~", "abcXYZ019-_.~", "unreserved set stays raw"),
        ("a b", "a%20b", "space is %20, not +"),
        ("a+b", "a%2Bb", "plus is encoded"),
        ("!*'()", "%21%2A%27%28%29", "stricter than encodeURIComponent (Python's quote)"),
        ("\"\\,;%", "%22%5C%2C%3B%25", "baggage-octet violators and the percent sign"),
        ("\t\n", "%09%0A", "control characters"),
        ("é", "%C3%A9", "non-ASCII as UTF-8 bytes, upper-case hex"),
        ("☕", "%E2%98%95", "three-byte char"),
        ("😀", "%F0%9F%98%80", "emoji (four bytes)"),
        (":", "%3A", "the prefix separator"),
        ("", "", "empty"),
    ];
    for (raw, encoded, reason) in cases {
        assert_eq!(percent::encode(raw), *encoded, "{reason}");
        assert_eq!(percent::encoded_len(raw), encoded.len(), "{reason}: encoded_len");
        assert_eq!(percent::decode(encoded).as_deref(), Ok(*raw), "{reason}: round trip");
    }
}

#[test]
fn percent_decoding_follows_decode_uri_component() {
    let cases: &[(&str, Result<&str, PercentError>, &str)] = &[
        ("a%2fb", Ok("a/b"), "lower-case hex escapes decode"),
        ("a%2Fb", Ok("a/b"), "upper-case hex escapes decode"),
        ("a+b", Ok("a+b"), "'+' is a literal plus, not a space"),
        ("café", Ok("café"), "raw non-ASCII passes through"),
        ("%", Err(PercentError::BadEscape { at: 0 }), "lone percent"),
        ("ab%2", Err(PercentError::BadEscape { at: 2 }), "truncated escape"),
        ("bad%ZZ", Err(PercentError::BadEscape { at: 3 }), "non-hex escape"),
        ("%é", Err(PercentError::BadEscape { at: 0 }), "non-ASCII after percent"),
        ("bad%E9", Err(PercentError::InvalidUtf8), "lone Latin-1 byte is not UTF-8"),
        ("%C3", Err(PercentError::InvalidUtf8), "truncated UTF-8 sequence"),
        ("%FF%FE", Err(PercentError::InvalidUtf8), "bytes that are never UTF-8"),
    ];
    for (input, expected, reason) in cases {
        assert_eq!(percent::decode(input).as_deref().map_err(|e| *e), *expected, "{reason}: {input:?}");
    }
}

#[test]
fn braintrust_parent_values() {
    use BraintrustParent as P;
    use BraintrustParentError as E;
    let cases: &[(&str, Result<BraintrustParent, BraintrustParentError>, &str)] = &[
        ("project_id%3Aabc", Ok(P::ProjectId("abc".into())), "encoded colon"),
        ("project_id:abc", Ok(P::ProjectId("abc".into())), "unencoded colon is accepted"),
        ("project_name%3AMy%20Proj%2C%20%C3%A9", Ok(P::ProjectName("My Proj, é".into())), "encoded name"),
        ("experiment_id%3Aexp-1", Ok(P::ExperimentId("exp-1".into())), "experiment"),
        ("project_name%3Aa%3Ab", Ok(P::ProjectName("a:b".into())), "only the first colon separates"),
        ("project_name%3A%20", Ok(P::ProjectName(" ".into())), "a space is a non-empty name"),
        ("dataset_id%3Ax", Err(E::UnknownPrefix), "unknown prefix"),
        ("Project_id%3Ax", Err(E::UnknownPrefix), "prefix is case-sensitive"),
        ("project_id", Err(E::UnknownPrefix), "no colon"),
        ("", Err(E::UnknownPrefix), "empty value"),
        ("project_id%3A", Err(E::EmptyId), "empty id"),
        ("project_name%3Abad%E9%ZZ", Err(E::Decode(PercentError::BadEscape { at: 21 })), "bad escape: no parent (JS)"),
        ("project_name%3Abad%E9", Err(E::Decode(PercentError::InvalidUtf8)), "invalid UTF-8: no parent (JS)"),
        (
            "project_name:bad%ZZ",
            Err(E::Decode(PercentError::BadEscape { at: 16 })),
            "a decode error invalidates even an unencoded prefix",
        ),
    ];
    for (value, expected, reason) in cases {
        assert_eq!(&BraintrustParent::from_member_value(value), expected, "{reason}: {value:?}");
    }
}

#[test]
fn braintrust_parent_member_encoding_round_trips() {
    let names = ["Café", "a,b c", "a+b", "\"\\,; \t\n%é😀", "100%", "x=y;z", "", "~"];
    for name in names {
        let parent = BraintrustParent::ProjectName(name.into());
        let member = parent.to_member();
        assert!(member.is_ascii(), "{name:?}: the member is pure ASCII: {member}");
        assert_eq!(member.len(), parent.member_len(), "{name:?}: member_len");
        let value = member.strip_prefix("braintrust.parent=").unwrap();
        assert!(
            value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)),
            "{name:?}: only unreserved bytes and escapes: {value}"
        );
        if name.is_empty() {
            assert!(BraintrustParent::from_member_value(value).is_err(), "empty name never parses");
            continue;
        }
        assert_eq!(BraintrustParent::from_member_value(value), Ok(parent.clone()), "{name:?}: decode(encode(x)) = x");
    }
    assert_eq!(pid("abc").to_member(), "braintrust.parent=project_id%3Aabc");
    assert_eq!(BraintrustParent::ExperimentId("e".into()).to_string(), "experiment_id:e");
}

#[test]
fn members_are_trimmed_and_invalid_ones_dropped() {
    let cases: &[MemberRow] = &[
        ("k=v", Some(("k=v", "k", "v")), "plain"),
        ("  k = v ; p=1 ", Some(("k = v ; p=1", "k", "v")), "OWS trimmed around member, key and value; text kept"),
        ("k=v;prop", Some(("k=v;prop", "k", "v")), "properties kept in the text"),
        ("k=", Some(("k=", "k", "")), "empty value is a member"),
        ("k=a=b", Some(("k=a=b", "k", "a=b")), "only the first '=' splits"),
        ("k=café", Some(("k=café", "k", "café")), "non-ASCII value up to U+00FF relayed as is"),
        ("k=\u{ff}", Some(("k=\u{ff}", "k", "\u{ff}")), "U+00FF, the last a header carries"),
        ("k=\u{100}", None, "U+0100: no HTTP header can carry it"),
        ("k=v;p=東京", None, "above U+00FF in a property"),
        ("k=😀", None, "an emoji"),
        ("k=a b", Some(("k=a b", "k", "a b")), "W3C-invalid value still relayed (SDK behaviour)"),
        ("", None, "empty member"),
        ("  \t", None, "OWS-only member"),
        ("junk", None, "no '='"),
        ("=v", None, "empty key"),
        ("a b=v", None, "key is not a token"),
        ("k(=v", None, "separator in key"),
        ("ké=v", None, "non-ASCII key"),
        ("k=v\r\nx", None, "control characters would break the header"),
        ("k=v\u{7f}", None, "DEL"),
    ];
    for (piece, expected, reason) in cases {
        let got = Member::parse(piece).map(|m| (m.text, m.key, m.value));
        assert_eq!(got, *expected, "{reason}: {piece:?}");
    }
}

#[test]
fn parse_applies_limits_and_reads_braintrust_parent() {
    let big = format!("big={}", "x".repeat(MAX_BYTES - 4)); // exactly 8192 bytes
    let too_big = format!("big={}", "x".repeat(MAX_BYTES - 3)); // 8193 bytes
                                                                // "é" is 2 bytes: 4096 of them make a 8194-byte member, 4094 a 8190-byte one.
    let utf8_fits = format!("k={}", "é".repeat(4095)); // 8192 bytes, 4097 chars
    let utf8_over = format!("k={}", "é".repeat(4095) + "a"); // 8193 bytes
    let cases: Vec<(String, Option<BraintrustParent>, String, usize, &str)> = vec![
        ("braintrust.parent=project_id%3Aabc".into(), Some(pid("abc")), "".into(), 0, "only our member"),
        (
            " k1=v1 ; p=1 , braintrust.parent=project_id%3Aabc;prop , k2=v%2F2".into(),
            Some(pid("abc")),
            "k1=v1 ; p=1,k2=v%2F2".into(),
            2,
            "properties and OWS, others kept trimmed",
        ),
        (
            "braintrust.parent=project_id%3Afirst,braintrust.parent=project_id%3Asecond".into(),
            Some(pid("second")),
            "".into(),
            0,
            "duplicate braintrust.parent: last wins",
        ),
        (
            "braintrust.parent=project_id%3Afirst,braintrust.parent=dataset_id%3Ax".into(),
            None,
            "".into(),
            0,
            "last wins even when it is invalid",
        ),
        (
            "braintrust.parent=dataset_id%3Ax,k=v".into(),
            None,
            "k=v".into(),
            1,
            "unknown prefix: no parent, others kept",
        ),
        ("braintrust.parent=project_id%3A".into(), None, "".into(), 0, "empty id: no parent"),
        ("k=v,,junk, =x,k=w".into(), None, "k=v,k=w".into(), 2, "junk dropped, duplicates of other keys kept"),
        (kv(64), None, kv(64), 64, "64 members all kept"),
        (kv(65), None, kv(64), 64, "65 members: the leading 64 kept"),
        (kv(1000), None, kv(64), 64, "far over the member limit"),
        (
            format!("{},braintrust.parent=project_id%3Aabc", kv(63)),
            Some(pid("abc")),
            kv(63),
            63,
            "our member as the 64th is kept",
        ),
        (format!("{},braintrust.parent=project_id%3Aabc", kv(64)), None, kv(64), 64, "our member as the 65th is cut"),
        (big.clone(), None, big.clone(), 1, "one member of exactly 8192 bytes fits"),
        (too_big.clone(), None, "".into(), 0, "one member over 8192 bytes is dropped"),
        (format!("{too_big},k=v"), None, "".into(), 0, "a leading run: nothing after an oversized first member"),
        (format!("a=1,{too_big},k=v"), None, "a=1".into(), 1, "the run stops at the first member that does not fit"),
        (
            format!("{},k=v", &big[..MAX_BYTES - 4]),
            None,
            format!("{},k=v", &big[..MAX_BYTES - 4]),
            2,
            "exactly 8192 bytes with the comma",
        ),
        (
            format!("{},k=v", &big[..MAX_BYTES - 3]),
            None,
            big[..MAX_BYTES - 3].to_string(),
            1,
            "8193 bytes with the comma: last member dropped",
        ),
        (utf8_fits.clone(), None, utf8_fits.clone(), 1, "multi-byte member of exactly 8192 bytes (4097 chars) fits"),
        (utf8_over, None, "".into(), 0, "multi-byte member of 8193 bytes dropped: bytes, not chars"),
        ("".into(), None, "".into(), 0, "empty header"),
        (",,, ,".into(), None, "".into(), 0, "only empty members"),
    ];
    for (header, parent, others, count, reason) in &cases {
        let got = baggage::parse(header);
        assert_eq!(&got.braintrust_parent, parent, "{reason}");
        assert_eq!(got.others.as_str(), others, "{reason}");
        assert_eq!(got.others.len(), *count, "{reason}");
        assert!(got.others.as_str().len() <= MAX_BYTES, "{reason}: within the byte limit");
        assert!(got.others.len() <= MAX_MEMBERS, "{reason}: within the member limit");
    }
}

#[test]
fn relay_merges_carrier_inbound_and_ours() {
    use BaggageUpdate::{Leave, Remove, Set};
    let inbound = |h: &str| baggage::parse(h).others;
    let none = BaggageMembers::EMPTY;
    let p = pid("p1");
    let ours = "braintrust.parent=project_id%3Ap1";
    let (kv64, kv40) = (kv(64), kv(40));
    let cases: Vec<RelayRow> = vec![
        (None, none.clone(), Some(&p), Set(ours.into()), "no carrier baggage: ours alone"),
        (None, none.clone(), None, Leave, "nothing to write, no header to remove"),
        (
            Some("path=a%2Fb, k=v;prop=1,,junk"),
            none.clone(),
            Some(&p),
            Set(format!("path=a%2Fb,k=v;prop=1,{ours}")),
            "carrier members relayed byte for byte, trimmed, junk dropped",
        ),
        (
            Some("braintrust.parent=project_id%3Aold,k=v"),
            none.clone(),
            Some(&p),
            Set(format!("k=v,{ours}")),
            "old braintrust.parent replaced, ours last",
        ),
        (
            Some("braintrust.parent=project_id%3Aold,k=v"),
            none.clone(),
            None,
            Set("k=v".into()),
            "no parent known: stale member removed",
        ),
        (
            Some("braintrust.parent=project_id%3Aold"),
            none.clone(),
            None,
            Remove,
            "no parent known: header emptied, so removed",
        ),
        (Some(""), none.clone(), None, Remove, "an empty carrier header is removed"),
        (Some("junk"), none.clone(), None, Remove, "a carrier header with no valid member is removed"),
        (Some("a=1"), none.clone(), None, Set("a=1".into()), "no parent known: other members kept"),
        (
            None,
            inbound("k1=v1 ; p=1 , braintrust.parent=project_id%3Aabc , k2=v%2F2"),
            Some(&p),
            Set(format!("k1=v1 ; p=1,k2=v%2F2,{ours}")),
            "inbound members relayed",
        ),
        (
            Some("c=1"),
            inbound("i=2"),
            Some(&p),
            Set(format!("c=1,i=2,{ours}")),
            "carrier first, then inbound, then ours",
        ),
        (
            Some("k=carrier"),
            inbound("k=inbound,j=1"),
            None,
            Set("k=carrier,j=1".into()),
            "a key the carrier holds is not added again from inbound",
        ),
        (
            Some("k=v,j=1"),
            inbound("k=v,j=1"),
            Some(&p),
            Set(format!("k=v,j=1,{ours}")),
            "inbound headers copied into the carrier are not duplicated",
        ),
        (Some(&kv64), none.clone(), Some(&p), Set(format!("{},{ours}", kv(63))), "64 carrier members: 63 + ours"),
        (Some(&kv64), none.clone(), None, Set(kv(64)), "64 carrier members and no parent: all 64"),
        (
            Some(&kv40),
            inbound(&kv(64).replace('k', "i")),
            Some(&p),
            Set(format!("{},{},{ours}", kv(40), kv(23).replace('k', "i"))),
            "carrier and inbound share the 63 slots",
        ),
    ];
    for (carrier, inbound, parent, expected, reason) in &cases {
        assert_eq!(&baggage::relay(*carrier, inbound, *parent), expected, "{reason}");
    }
}

#[test]
fn relay_reserves_our_bytes_first() {
    let p = pid("p1");
    let ours = p.to_member();
    let budget = MAX_BYTES - ours.len() - 1; // bytes left for relayed members
    let fits = format!("a={}", "x".repeat(budget - 2));
    let over = format!("a={}", "x".repeat(budget - 1));
    let cases: Vec<(String, String, &str)> = vec![
        (fits.clone(), format!("{fits},{ours}"), "a member that fills the budget exactly"),
        (over.clone(), ours.clone(), "one byte more: the member is dropped, ours survives"),
        (format!("{over},b=1"), ours.clone(), "a leading run: nothing after the first member that does not fit"),
        (format!("b=1,{over},c=1"), format!("b=1,{ours}"), "whole members only"),
        (
            format!("a={},b={},c=z", "x".repeat(5000), "y".repeat(4000)),
            format!("a={},{ours}", "x".repeat(5000)),
            "shaped like the Braintrust vector existing_over_8192_bytes",
        ),
    ];
    for (carrier, expected, reason) in &cases {
        let got = baggage::relay(Some(carrier), &BaggageMembers::EMPTY, Some(&p));
        assert_eq!(got, BaggageUpdate::Set(expected.clone()), "{reason}");
        if let BaggageUpdate::Set(v) = got {
            assert!(v.len() <= MAX_BYTES, "{reason}: {} bytes", v.len());
            assert!(v.ends_with(&ours), "{reason}: ours last");
        }
    }
    // Our own member alone over the byte limit cannot be sent; the others still are.
    let huge = BraintrustParent::ProjectName("n".repeat(MAX_BYTES));
    assert_eq!(
        baggage::relay(Some("a=1"), &BaggageMembers::EMPTY, Some(&huge)),
        BaggageUpdate::Set("a=1".into()),
        "an oversized own member is dropped, not cut"
    );
}

/// A header-like string built from the pieces that matter to member parsing.
fn header(rng: &mut Rng, max_parts: usize) -> String {
    const PARTS: &[&str] = &[
        "k",
        "userId",
        "=",
        "v",
        ";",
        "p=1",
        " ",
        "\t",
        ",",
        "é",
        "%20",
        "(",
        "\u{1}",
        "\u{7f}",
        "\r\n",
        "braintrust.parent",
        "=project_id%3Aabc",
        "a=b",
        "=",
    ];
    (0..rng.below(max_parts + 1)).map(|_| rng.pick(PARTS)).collect()
}

/// The member rules written with std's string methods: the reference the byte-level
/// [`Member::parse`] must agree with.
fn reference_member(piece: &str) -> Option<(&str, &str, &str)> {
    let ows: &[char] = &[' ', '\t'];
    let text = piece.trim_matches(ows);
    if text.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return None;
    }
    let (key, rest) = text.split_once('=')?;
    let key = key.trim_matches(ows);
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if key.is_empty() || !key.bytes().all(token) {
        return None;
    }
    let value = rest.split_once(';').map_or(rest, |(v, _)| v).trim_matches(ows);
    Some((text, key, value))
}

#[test]
fn member_parse_agrees_with_the_std_reference() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..200_000 {
        let header = header(&mut rng, 12);
        for piece in header.split(',') {
            let got = Member::parse(piece).map(|m| (m.text, m.key, m.value));
            assert_eq!(got, reference_member(piece), "piece {piece:?}");
        }
        let got: Vec<_> = baggage::members(&header).map(|m| m.text).collect();
        let want: Vec<_> = header.split(',').filter_map(reference_member).map(|(t, _, _)| t).collect();
        assert_eq!(got, want, "header {header:?}");
    }
}

/// With no carrier baggage, relay copies the inbound text whole when it fits; the
/// member-by-member path (taken for an empty carrier) must give the same header,
/// including at the byte and member limits where the inbound run is cut.
#[test]
fn relay_without_carrier_agrees_with_member_by_member_relay() {
    let p = pid("p1");
    let ours = p.to_member();
    let mut inbound_headers: Vec<String> = vec![
        kv(MAX_MEMBERS - 1),
        kv(MAX_MEMBERS),
        format!("a={}", "x".repeat(MAX_BYTES - ours.len() - 1 - 2)),
        format!("a={}", "x".repeat(MAX_BYTES - ours.len() - 1 - 1)),
        format!("a={},b=1", "x".repeat(MAX_BYTES - ours.len() - 1 - 6)),
        format!("a={}", "x".repeat(MAX_BYTES - 2)),
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    inbound_headers.extend((0..20_000).map(|_| header(&mut rng, 30)));
    for header in &inbound_headers {
        let inbound = baggage::parse(header).others;
        for parent in [None, Some(&p)] {
            let fast = baggage::relay(None, &inbound, parent);
            let slow = baggage::relay(Some(""), &inbound, parent);
            match slow {
                BaggageUpdate::Set(_) => assert_eq!(fast, slow, "inbound {header:?}, parent {parent:?}"),
                _ => assert_eq!(fast, BaggageUpdate::Leave, "nothing to write: {header:?}"),
            }
        }
    }
}

/// `parse` relays an inbound header without copying it member by member while every
/// piece is kept as it stands; the result must be the members of the reference rules,
/// joined, within the limits, whichever piece ends that run (a trimmed or dropped
/// piece, `braintrust.parent`, a limit) and wherever it falls.
#[test]
fn parse_agrees_with_the_member_by_member_reference() {
    fn reference(header: &str) -> (String, usize, Option<String>) {
        let (mut joined, mut count, mut used, mut bytes, mut parent) = (Vec::new(), 0, 0, 0, None);
        for (text, key, value) in header.split(',').filter_map(reference_member) {
            let cost = if used == 0 { text.len() } else { text.len() + 1 };
            if used == MAX_MEMBERS || bytes + cost > MAX_BYTES {
                break;
            }
            (used, bytes) = (used + 1, bytes + cost);
            if key == "braintrust.parent" {
                parent = Some(value.to_owned());
            } else {
                joined.push(text);
                count += 1;
            }
        }
        (joined.join(","), count, parent)
    }
    const CLEAN: &[&str] = &["userId=alice", "k=v;p=1", "serverNode=DF%2028", "a=b", "isProduction=false"];
    let mut rng = Rng(0x6a09_e667_f3bc_c909);
    let mut headers: Vec<String> = vec![
        kv(MAX_MEMBERS),
        kv(MAX_MEMBERS + 1),
        format!("{},braintrust.parent=project_id%3Ap", kv(MAX_MEMBERS - 1)),
        format!("a={},b=1", "x".repeat(MAX_BYTES - 2)),
        format!("a={},b=1", "x".repeat(MAX_BYTES - 6)),
        format!("a={},b=1", "x".repeat(MAX_BYTES - 7)),
        format!("a={}", "x".repeat(MAX_BYTES - 1)),
    ];
    for _ in 0..100_000 {
        // A clean run, then anything: the run ends at a random place, or never.
        let clean = (0..rng.below(6)).map(|_| rng.pick(CLEAN)).collect::<Vec<_>>().join(",");
        let tail = header(&mut rng, 8);
        headers.push(match rng.below(3) {
            0 => clean,
            1 => format!("{clean},{tail}"),
            _ => format!("{clean}{tail}"),
        });
    }
    for header in &headers {
        let got = baggage::parse(header);
        let (joined, count, parent) = reference(header);
        assert_eq!((got.others.as_str(), got.others.len()), (joined.as_str(), count), "header {header:?}");
        let parent = parent.and_then(|v| BraintrustParent::from_member_value(&v).ok());
        assert_eq!(got.braintrust_parent, parent, "header {header:?}");
    }
}

/// `encode` appends runs of unreserved characters whole; it must give what escaping
/// byte by byte gives, wherever the runs start and end.
#[test]
fn percent_encode_agrees_with_the_per_byte_reference() {
    const PARTS: &[&str] = &["a", "bench", "Z9", "-_.~", " ", ":", "é", "☕", "😀", "%", "+", "\u{1}"];
    let mut rng = Rng(0xbb67_ae85_84ca_a73b);
    for _ in 0..50_000 {
        let text: String = (0..rng.below(8)).map(|_| rng.pick(PARTS)).collect();
        let want: String = text
            .bytes()
            .map(|b| if percent::is_unreserved(b) { char::from(b).to_string() } else { format!("%{b:02X}") })
            .collect();
        assert_eq!(percent::encode(&text), want, "{text:?}");
    }
}
