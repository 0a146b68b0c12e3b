//! `tracestate` validation (W3C Trace Context Level 2, §3.3): one row per rule.
//! An invalid header is dropped whole; a valid one is kept as received.

use spanwire::w3c::tracestate::{validate, TraceStateError, MAX_MEMBERS};
use spanwire::w3c::TraceState;

mod common;
use common::rng::Rng;

/// Every character the key grammar allows, without and with a vendor part (W3C suite).
fn all_key_chars() -> String {
    let mut key: String = ('a'..='z').collect();
    key.push_str("0123456789_-*/");
    key
}

/// Every character the value grammar allows (0x20-0x7E except ',' and '='), as in the
/// W3C suite: it ends with '~', so the trailing-space rule holds.
fn all_value_chars() -> String {
    (0x20u8..=0x7e).filter(|b| *b != b',' && *b != b'=').map(char::from).collect()
}

fn members(n: usize) -> String {
    (1..=n).map(|i| format!("bar{i:02}={i:02}")).collect::<Vec<_>>().join(",")
}

#[test]
fn valid_tracestate_is_kept_as_received() {
    let key = all_key_chars();
    let value = all_value_chars();
    let cases: Vec<(Vec<String>, &str, usize, &str)> = vec![
        (vec!["foo=1".into()], "foo=1", 1, "one member"),
        (vec!["foo=1,bar=2".into()], "foo=1,bar=2", 2, "two members, order kept"),
        (
            vec!["foo=1,bar=2".into(), "rojo=1,congo=2".into(), "baz=3".into()],
            "foo=1,bar=2,rojo=1,congo=2,baz=3",
            5,
            "several header lines joined with ',' in order",
        ),
        (vec!["foo=1".into(), "".into()], "foo=1,", 1, "an empty second header line adds an empty member"),
        (vec!["".into(), "foo=1".into()], ",foo=1", 1, "an empty first header line adds an empty member"),
        (vec!["foo=1 \t , \t bar=2, \t baz=3".into()], "foo=1 \t , \t bar=2, \t baz=3", 3, "OWS around commas"),
        (
            vec!["foo=1\t \t,\t \tbar=2,\t \tbaz=3".into()],
            "foo=1\t \t,\t \tbar=2,\t \tbaz=3",
            3,
            "mixed tabs and spaces around commas",
        ),
        (
            vec!["rojo=1,rozo=2,n=3,congo=4,i=5,roy=6,ro=7".into()],
            "rojo=1,rozo=2,n=3,congo=4,i=5,roy=6,ro=7",
            7,
            "distinct keys that share a signature bit (same length and end bytes, by the hash, or a prefix)",
        ),
        (vec![" foo=1".into()], "foo=1", 1, "leading space trimmed from the value"),
        (vec!["\tfoo=1".into()], "foo=1", 1, "leading tab trimmed"),
        (vec!["foo=1 ".into()], "foo=1", 1, "trailing space trimmed"),
        (vec!["foo=1\t".into()], "foo=1", 1, "trailing tab trimmed"),
        (vec!["\t foo=1 \t".into()], "foo=1", 1, "OWS both sides"),
        (vec!["foo=1,,bar=2".into()], "foo=1,,bar=2", 2, "empty list member ignored"),
        (vec!["dd=1,ot=2,dx=3,od=4".into()], "dd=1,ot=2,dx=3,od=4", 4, "keys of one length sharing a first byte"),
        (vec!["foo=1, \t ,bar=2".into()], "foo=1, \t ,bar=2", 2, "OWS-only list member ignored"),
        (vec![format!("{key}={value}")], "", 1, "every allowed key and value char (simple key)"),
        (vec![format!("{key}@a-z0-9_-*/={value}")], "", 1, "every allowed char in a tenant@system key"),
        (vec![format!("{}=1", "z".repeat(256))], "", 1, "simple key of 256 chars (limit)"),
        (
            vec![format!("{}@{}=1", "t".repeat(241), "v".repeat(14))],
            "",
            1,
            "tenant 241 chars, system 14 chars (limits)",
        ),
        (vec!["0tenant@vendor=1".into()], "", 1, "tenant may start with a digit"),
        (vec![format!("foo={}", "v".repeat(256))], "", 1, "value of 256 chars (limit)"),
        (vec!["foo= 1".into()], "", 1, "value may start with a space"),
        (vec!["foo=a b".into()], "", 1, "value may contain a space"),
        (vec![members(32)], "", 32, "exactly 32 members"),
        (vec![members(10), members(32)[90..].to_string()], "", 32, "32 members over two header lines"),
        (vec![format!("{},,,", members(32))], "", 32, "32 members plus empty ones"),
        (
            vec!["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE".into()],
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
            2,
            "the spec's example",
        ),
    ];
    for (lines, expected, count, reason) in &cases {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let ts = TraceState::parse(&refs)
            .unwrap_or_else(|| panic!("{reason}: {lines:?} rejected: {:?}", validate(&refs.join(","))));
        let expected = if expected.is_empty() { refs.join(",") } else { (*expected).to_string() };
        assert_eq!(ts.as_str(), expected, "{reason}");
        assert_eq!(ts.len(), *count, "{reason}");
    }
}

#[test]
fn invalid_tracestate_is_dropped_whole_with_the_reason() {
    use TraceStateError as E;
    let cases: Vec<(String, TraceStateError, &str)> = vec![
        (String::new(), E::Empty, "empty header"),
        (" , \t,".into(), E::Empty, "only empty members"),
        (members(33), E::TooManyMembers, "33 members"),
        (format!("{},{}", members(32), "bar33=33"), E::TooManyMembers, "33 members over header lines"),
        ("foo=1,foo=1".into(), E::DuplicateKey { member: 1 }, "duplicate key, same value"),
        ("foo=1,foo=2".into(), E::DuplicateKey { member: 1 }, "duplicate key, different value"),
        ("a@b=1,c=2,a@b=3".into(), E::DuplicateKey { member: 2 }, "duplicate tenant@system key"),
        ("dd=1,ot=2,dx=3,dd=4".into(), E::DuplicateKey { member: 3 }, "duplicate among keys of one length"),
        (
            "rojo=1,n=2,rozo=3,rojo=4".into(),
            E::DuplicateKey { member: 3 },
            "duplicate after keys with its signature bit",
        ),
        (" , rojo=1 ,\t,n=2, rojo=3".into(), E::DuplicateKey { member: 4 }, "duplicate behind empty members and OWS"),
        ("t@v=1,t@w=2,t@v=3".into(), E::DuplicateKey { member: 2 }, "duplicate tenant@system key of one length"),
        ("foo".into(), E::MissingEquals { member: 0 }, "no '='"),
        ("foo=1,bar".into(), E::MissingEquals { member: 1 }, "second member without '='"),
        ("foo =1".into(), E::InvalidKey { member: 0 }, "space before '='"),
        ("FOO=1".into(), E::InvalidKey { member: 0 }, "upper-case key"),
        ("foo.bar=1".into(), E::InvalidKey { member: 0 }, "'.' in key"),
        ("1foo=1".into(), E::InvalidKey { member: 0 }, "simple key starting with a digit"),
        ("_foo=1".into(), E::InvalidKey { member: 0 }, "key starting with '_'"),
        ("=1".into(), E::InvalidKey { member: 0 }, "empty key"),
        ("foo@=1,bar=2".into(), E::InvalidKey { member: 0 }, "empty system id"),
        ("@foo=1,bar=2".into(), E::InvalidKey { member: 0 }, "empty tenant id"),
        ("foo@@bar=1,bar=2".into(), E::InvalidKey { member: 0 }, "double '@'"),
        ("foo@bar@baz=1,bar=2".into(), E::InvalidKey { member: 0 }, "two '@'"),
        ("foo@1bar=1".into(), E::InvalidKey { member: 0 }, "system id starting with a digit"),
        ("_t@v=1".into(), E::InvalidKey { member: 0 }, "tenant id starting with '_'"),
        (format!("{}=1", "z".repeat(257)), E::InvalidKey { member: 0 }, "simple key of 257 chars"),
        (format!("{}@v=1", "t".repeat(242)), E::InvalidKey { member: 0 }, "tenant of 242 chars"),
        (format!("t@{}=1", "v".repeat(15)), E::InvalidKey { member: 0 }, "system of 15 chars"),
        ("féé=1".into(), E::InvalidKey { member: 0 }, "non-ASCII key"),
        ("foo=bar=baz".into(), E::InvalidValue { member: 0 }, "'=' in value"),
        ("foo=,bar=3".into(), E::InvalidValue { member: 0 }, "empty value"),
        ("foo=1 ,bar= ".into(), E::InvalidValue { member: 1 }, "value of only spaces (trimmed as OWS, so empty)"),
        (format!("foo={}", "v".repeat(257)), E::InvalidValue { member: 0 }, "value of 257 chars"),
        ("foo=a\u{7f}".into(), E::InvalidValue { member: 0 }, "DEL in value"),
        ("foo=a\u{1}b".into(), E::InvalidValue { member: 0 }, "control char in value"),
        ("foo=a\tb".into(), E::InvalidValue { member: 0 }, "tab inside value"),
        ("foo=é".into(), E::InvalidValue { member: 0 }, "non-ASCII value"),
    ];
    for (input, expected, reason) in &cases {
        assert_eq!(validate(input.trim_matches([' ', '\t'])), Err(*expected), "{reason}: {input:?}");
        assert_eq!(TraceState::parse(&[input]), None, "{reason}: {input:?} must be dropped");
    }
}

#[test]
fn several_header_lines_are_validated_together() {
    let cases: &[(&[&str], bool, &str)] = &[
        (&["foo=1", "foo=1"], false, "duplicate key across lines"),
        (&["foo=1", "foo=2"], false, "duplicate key with another value across lines"),
        (&["foo=1", "z=1"], true, "distinct keys across lines"),
        (&["foo=1", "BAR=1"], false, "one bad line drops every line"),
        (&["", ""], false, "only empty lines"),
        (&[], false, "no header line"),
    ];
    for (lines, valid, reason) in cases {
        assert_eq!(TraceState::parse(lines).is_some(), *valid, "{reason}: {lines:?}");
    }
}

#[test]
fn members_and_get() {
    let ts = TraceState::parse(&["rojo=00f067aa0ba902b7 , ,congo=t61rcWkgMzE", "t@v=x y"]).unwrap();
    let got: Vec<(&str, &str)> = ts.members().collect();
    assert_eq!(got, [("rojo", "00f067aa0ba902b7"), ("congo", "t61rcWkgMzE"), ("t@v", "x y")]);
    assert_eq!(ts.get("congo"), Some("t61rcWkgMzE"));
    assert_eq!(ts.get("nope"), None);
    assert_eq!(MAX_MEMBERS, 32);
}

/// `is_valid_joined` (what extract uses, over bytes) keeps exactly what `parse_joined` keeps.
#[test]
fn is_valid_joined_agrees_with_parse_joined() {
    for text in [
        "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
        " \tfoo=1 ",
        "\t",
        "",
        " , ",
        "foo=1,foo=2",
        "foo=1\t,bar=2",
        "foo= 1",
        "foo =1",
        "é=1",
        "t@s=x",
        "\nfoo=1",
        "foo=1\n",
    ] {
        assert_eq!(
            spanwire::w3c::tracestate::is_valid_joined(text.as_bytes()),
            spanwire::w3c::TraceState::parse_joined(text).is_some(),
            "{text:?}"
        );
    }
}

/// The validity rules written plainly from the grammar (split, trim, check each part):
/// the reference the one-pass validator must agree with.
fn reference_is_valid(text: &str) -> bool {
    let ows: &[char] = &[' ', '\t'];
    let key_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-*/".contains(c);
    let key_ok = |key: &str| match key.split_once('@') {
        None => key.len() <= 256 && key.starts_with(|c: char| c.is_ascii_lowercase()) && key.chars().all(key_char),
        Some((tenant, system)) => {
            (1..=241).contains(&tenant.len())
                && (1..=14).contains(&system.len())
                && tenant.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && system.starts_with(|c: char| c.is_ascii_lowercase())
                && tenant.chars().chain(system.chars()).all(key_char)
        }
    };
    let value_ok = |v: &str| {
        (1..=256).contains(&v.len())
            && v.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b',' && b != b'=')
            && !v.ends_with(' ')
    };
    let mut keys = Vec::new();
    for member in text.split(',').map(|m| m.trim_matches(ows)).filter(|m| !m.is_empty()) {
        let Some((key, value)) = member.split_once('=') else { return false };
        if !key_ok(key) || !value_ok(value) || keys.contains(&key) {
            return false;
        }
        keys.push(key);
    }
    (1..=MAX_MEMBERS).contains(&keys.len())
}

/// Generated headers, shaped to reach every branch: members mostly well formed, with
/// long runs of value characters (the 8-at-a-time path) cut by the bytes that end or
/// break them, and some junk members.
#[test]
fn validate_agrees_with_the_plain_reference() {
    const KEYS: &[&str] = &["a", "k1", "rojo", "congo", "abc-_*/", "0t@v", "t@s1", "z", "q9", "vendor@sys"];
    // Distinct keys the duplicate check compares in full (tracestate.rs key_bit): `rozo`
    // and `n` share the bit of `rojo`, `i` that of `congo`, and `ro` that of `roy`,
    // whose key it begins.
    const BIT_SHARING_KEYS: &[&str] = &["rojo", "rozo", "n", "congo", "i", "roy", "ro"];
    const BAD_KEYS: &[&str] = &["A", "a b", "a@", "@v", "1a", "é", ""];
    const VALUES: &[&str] =
        &["abcdefghijklmnop", "0123456789abcdef!", "x y", "~", "!\"#$%&'()*+-./:;<>?", " ", "00f067aa0ba902b7"];
    const BAD_VALUES: &[&str] = &["\t", "é", "=", "\u{7f}", "\u{1}"];
    const OWS: &[&str] = &["", "", " ", "\t", " \t "];
    const JUNK: &[&str] = &["=", ",", "a", "==", "\u{1}", "x=", "=y"];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut valid = 0;
    for _ in 0..300_000 {
        let mut members = Vec::new();
        for _ in 0..rng.below(6) {
            let member = if rng.below(12) == 0 {
                (0..rng.below(3)).map(|_| rng.pick(JUNK)).collect::<String>()
            } else {
                let key = match rng.below(10) {
                    0 => rng.pick(BAD_KEYS),
                    1..=3 => rng.pick(BIT_SHARING_KEYS),
                    _ => rng.pick(KEYS),
                };
                let value: String = (0..1 + rng.below(3))
                    .map(|_| if rng.below(14) == 0 { rng.pick(BAD_VALUES) } else { rng.pick(VALUES) })
                    .collect();
                format!("{}{key}={value}{}", rng.pick(OWS), rng.pick(OWS))
            };
            members.push(member);
        }
        let text = members.join(",");
        valid += usize::from(reference_is_valid(&text));
        assert_eq!(validate(&text).is_ok(), reference_is_valid(&text), "{text:?}: {:?}", validate(&text));
    }
    // Both answers occur often enough for the comparison to mean something.
    assert!((30_000..270_000).contains(&valid), "{valid} of 300,000 valid");
}
