//! Property test: `SpanComponents::parse` is total. About 100 000 deterministic inputs
//! (xorshift64*): random bytes, records with a valid version byte and random bodies,
//! bit-flipped and truncated real vectors, and random text. Each must give `Ok` or
//! `Err` without panicking; every `Ok` must satisfy the schema, and re-encoding it
//! must not panic either.

use base64::Engine as _;
use spanwire::slug::{JsonObject, JsonValue, SpanComponents};

mod common;
use common::rng::Rng;

/// Decoded bytes of every slug in the vectors, as mutation seeds.
fn seeds() -> Vec<Vec<u8>> {
    let vectors = JsonObject::parse(include_str!("vectors/braintrust-vectors.json")).expect("vectors");
    let mut slugs = Vec::new();
    collect_slugs(&JsonValue::Object(vectors), &mut slugs);
    let seeds: Vec<Vec<u8>> = slugs
        .iter()
        .filter_map(|s| base64::engine::general_purpose::STANDARD.decode(s.trim()).ok())
        .filter(|b| !b.is_empty())
        .collect();
    assert!(seeds.len() >= 50, "found {} seed slugs", seeds.len());
    seeds
}

fn collect_slugs(value: &JsonValue, out: &mut Vec<String>) {
    match value {
        JsonValue::Object(o) => {
            for (key, v) in o.iter() {
                match (key, v) {
                    ("slug", JsonValue::String(s)) => out.push(s.clone()),
                    _ => collect_slugs(v, out),
                }
            }
        }
        JsonValue::Array(items) => items.iter().for_each(|v| collect_slugs(v, out)),
        _ => {}
    }
}

fn check(slug: &str, case: usize, how: &str) {
    // A panic here fails the test with the case number and the input.
    let result = std::panic::catch_unwind(|| SpanComponents::parse(slug));
    let result = result.unwrap_or_else(|_| panic!("case {case} ({how}) panicked on {slug:?}"));
    if let Ok(c) = result {
        assert!(
            !(c.object_id.is_some() && c.compute_object_metadata_args.is_some()),
            "case {case} ({how}): two object references from {slug:?}"
        );
        let present = [&c.row_id, &c.span_id, &c.root_span_id].iter().filter(|v| v.is_some()).count();
        assert!(present == 0 || present == 3, "case {case} ({how}): partial row ids from {slug:?}");
        // What we write reads back, and writes the same again. (Not always `c` itself: an
        // id packed as the JS SDK packs it, `parseInt` pair by pair, reads back as the
        // hex those pairs made; the vector tests pin that.)
        for (version, encode) in [
            ("V4", SpanComponents::to_v4_string as fn(&SpanComponents) -> String),
            ("V3", SpanComponents::to_v3_string),
        ] {
            let written = encode(&c);
            let read = SpanComponents::parse(&written)
                .unwrap_or_else(|e| panic!("case {case} ({how}): {version} of {slug:?} does not read back: {e}"));
            assert_eq!(encode(&read), written, "case {case} ({how}): {version} of {slug:?} is not stable");
        }
        let _ = c.links_child();
    } else if let Err(e) = result {
        assert!(!e.to_string().is_empty(), "case {case} ({how}): empty message");
    }
}

#[test]
fn parse_never_panics() {
    let seeds = seeds();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\n-_*\xc3\xa9";
    let mut oks = 0usize;
    for case in 0..100_000 {
        let how;
        let slug = match case % 5 {
            0 => {
                how = "random bytes";
                let len = rng.below(96);
                b64.encode(rng.bytes(len))
            }
            1 => {
                how = "version 1-5, random body";
                let len = rng.below(96);
                let mut bytes = rng.bytes(len + 1);
                if let Some(first) = bytes.first_mut() {
                    *first = 1 + (rng.below(5) as u8);
                }
                if let Some(second) = bytes.get_mut(1) {
                    *second = 1 + (rng.below(3) as u8);
                }
                b64.encode(bytes)
            }
            2 => {
                how = "bit flips of a vector";
                let mut bytes = seeds[rng.below(seeds.len())].clone();
                for _ in 0..=rng.below(3) {
                    let at = rng.below(bytes.len());
                    bytes[at] ^= 1 << rng.below(8);
                }
                b64.encode(bytes)
            }
            3 => {
                how = "truncated vector";
                let bytes = &seeds[rng.below(seeds.len())];
                let cut = rng.below(bytes.len() + 1);
                let slug = b64.encode(&bytes[..cut]);
                // Sometimes drop padding or cut the text itself.
                match rng.below(3) {
                    0 => slug,
                    1 => slug.trim_end_matches('=').to_owned(),
                    _ => slug[..rng.below(slug.len() + 1)].to_owned(),
                }
            }
            _ => {
                how = "random text";
                let len = rng.below(64);
                let raw: Vec<u8> = (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect();
                String::from_utf8_lossy(&raw).into_owned()
            }
        };
        check(&slug, case, how);
        oks += usize::from(SpanComponents::parse(&slug).is_ok());
    }
    // The generators reach the decoders' success paths too, not only the first check.
    assert!(oks > 1_000, "only {oks} inputs decoded");
}
