//! Property-style checks without extra crates: a xorshift generator with a fixed seed
//! drives many random and mutated header values through every parser.
//! Properties: nothing panics; format → parse round-trips; limits always hold; a
//! `tracestate` that is kept re-validates; relay output re-parses to the same members.

use spanwire::context::{extract, SpanContext};
use spanwire::w3c::baggage::{self, BaggageUpdate, BraintrustParent, MAX_BYTES, MAX_MEMBERS};
use spanwire::w3c::tracestate::validate;
use spanwire::w3c::{percent, TraceFlags, TraceState, Traceparent};
use spanwire::{SpanId, TraceId};

mod common;
use common::rng::Rng;

const SEED: u64 = 0x5eed_cafe_f00d_d00d;
const ROUNDS: usize = 10_000;

/// Characters that matter to the parsers, plus some that never should.
const ALPHABET: &[&str] = &[
    "0",
    "1",
    "9",
    "a",
    "f",
    "g",
    "z",
    "A",
    "F",
    "-",
    "_",
    "*",
    "/",
    "@",
    "=",
    ",",
    ";",
    "%",
    "%2",
    "%C3",
    "%A9",
    "%3A",
    " ",
    "\t",
    "\n",
    "\r",
    "\0",
    "\u{7f}",
    ".",
    ":",
    "é",
    "😀",
    "\u{a0}",
    "braintrust.parent",
    "project_id",
    "project_name",
    "experiment_id",
    "00",
    "ff",
    "cc",
];

/// Replaces, inserts or deletes characters of `seed` at random (on char boundaries).
fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut chars: Vec<String> = seed.chars().map(String::from).collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 if at < chars.len() => chars[at] = rng.pick(ALPHABET).to_owned(),
            1 => chars.insert(at, rng.pick(ALPHABET).to_owned()),
            _ if at < chars.len() => {
                chars.remove(at);
            }
            _ => {}
        }
    }
    chars.concat()
}

fn random_text(rng: &mut Rng, max_parts: usize) -> String {
    (0..rng.below(max_parts + 1)).map(|_| rng.pick(ALPHABET)).collect()
}

#[test]
fn traceparent_never_panics_and_round_trips() {
    let mut rng = Rng(SEED);
    for round in 0..ROUNDS {
        // Format → parse round trip with random ids and flags.
        let (Some(trace), Some(span)) = (TraceId::from_bytes(rng.array()), SpanId::from_bytes(rng.array())) else {
            continue;
        };
        let flags = TraceFlags::from_bits(rng.next() as u8);
        let text = Traceparent::new(trace, span, flags).to_string();
        let back =
            Traceparent::parse(&text).unwrap_or_else(|e| panic!("round {round}: {text:?} did not re-parse: {e}"));
        assert_eq!((back.trace_id, back.parent_id, back.flags), (trace, span, flags.known()), "round {round}: {text}");
        assert_eq!(back.to_string(), text, "round {round}: format is a fixed point");

        // Mutations of a valid value and random text: total, and anything accepted
        // formats to a valid version-00 value.
        for input in [mutate(&mut rng, &text), random_text(&mut rng, 60)] {
            if let Ok(tp) = Traceparent::parse(&input) {
                let again = Traceparent::parse(&tp.to_string());
                assert_eq!(
                    again.map(|t| (t.trace_id, t.parent_id)),
                    Ok((tp.trace_id, tp.parent_id)),
                    "round {round}: {input:?}"
                );
            }
        }
    }
}

#[test]
fn tracestate_never_panics_and_kept_values_revalidate() {
    let mut rng = Rng(SEED ^ 1);
    let seeds = ["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "t@v=1, a=b", "foo=1,,bar=2 "];
    let mut kept = 0;
    for round in 0..ROUNDS {
        let lines: Vec<String> = (0..=rng.below(3))
            .map(|_| {
                let seed = rng.pick(&seeds);
                if rng.below(2) == 0 {
                    mutate(&mut rng, seed)
                } else {
                    random_text(&mut rng, 20)
                }
            })
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        if let Some(ts) = TraceState::parse(&refs) {
            kept += 1;
            let n = validate(ts.as_str()).unwrap_or_else(|e| panic!("round {round}: kept {ts:?} is invalid: {e}"));
            assert!((1..=32).contains(&n), "round {round}: member count {n}");
            assert_eq!(ts.len(), n, "round {round}: members() agrees with validate");
            assert_eq!(TraceState::parse(&[ts.as_str()]).as_ref(), Some(&ts), "round {round}: idempotent");
        }
    }
    // Mutated valid seeds stay valid often enough for the checks above to run.
    assert!(kept >= ROUNDS / 20, "only {kept} of {ROUNDS} inputs were kept");
}

#[test]
fn baggage_never_panics_and_limits_hold() {
    let mut rng = Rng(SEED ^ 2);
    let seeds = [
        "k1=v1 ; p=1 , braintrust.parent=project_id%3Aabc;prop , k2=v%2F2",
        "braintrust.parent=project_name%3AMy%20Proj%2C%20%C3%A9",
        "path=a%2Fb, k=v;prop=1,,junk",
    ];
    let parents = [
        BraintrustParent::ProjectId("p1".into()),
        BraintrustParent::ProjectName("Café, a+b 😀".into()),
        BraintrustParent::ExperimentId("e".into()),
    ];
    for round in 0..ROUNDS {
        let seed = rng.pick(&seeds);
        let mut header = mutate(&mut rng, seed);
        if rng.below(50) == 0 {
            // Now and then, something over the limits.
            let filler = random_text(&mut rng, 8);
            header = format!("{header},{}", format!("k{}={filler},", rng.below(9)).repeat(rng.below(3000)));
        }
        let inbound = baggage::parse(&header);
        assert!(inbound.others.len() <= MAX_MEMBERS, "round {round}: member limit");
        assert!(inbound.others.as_str().len() <= MAX_BYTES, "round {round}: byte limit");
        assert_eq!(
            baggage::parse(inbound.others.as_str()).others,
            inbound.others,
            "round {round}: relayed members re-parse to themselves"
        );

        let ours = (rng.below(4) < 3).then(|| &parents[rng.below(parents.len())]);
        let seed = rng.pick(&seeds);
        let carrier = (rng.below(2) == 0).then(|| mutate(&mut rng, seed));
        match baggage::relay(carrier.as_deref(), &inbound.others, ours) {
            BaggageUpdate::Set(v) => {
                let back = baggage::parse(&v);
                assert!(v.len() <= MAX_BYTES, "round {round}: relay byte limit: {}", v.len());
                assert!(
                    back.others.len() + usize::from(back.braintrust_parent.is_some()) <= MAX_MEMBERS,
                    "round {round}"
                );
                assert_eq!(back.braintrust_parent.as_ref(), ours, "round {round}: ours read back from {v:?}");
            }
            BaggageUpdate::Remove => {
                assert!(carrier.is_some() && ours.is_none(), "round {round}: remove only a carrier's header")
            }
            BaggageUpdate::Leave => {
                assert!(carrier.is_none() && ours.is_none(), "round {round}: leave only when nothing exists")
            }
        }
    }
}

#[test]
fn percent_codec_round_trips_and_decode_is_total() {
    let mut rng = Rng(SEED ^ 3);
    for round in 0..ROUNDS {
        let text = random_text(&mut rng, 12);
        let encoded = percent::encode(&text);
        assert!(encoded.is_ascii(), "round {round}");
        assert_eq!(percent::decode(&encoded).as_deref(), Ok(text.as_str()), "round {round}: {text:?}");
        let _ = percent::decode(&mutate(&mut rng, &encoded)); // never panics
    }
}

#[test]
fn extract_inject_never_panics_and_round_trips() {
    let mut rng = Rng(SEED ^ 4);
    let tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    for round in 0..ROUNDS / 4 {
        let traceparent = mutate(&mut rng, tp);
        let tracestate = mutate(&mut rng, "congo=t61rcWkgMzE");
        let bag = mutate(&mut rng, "braintrust.parent=project_id%3Aabc,k=v");
        let span = match extract(Some(&traceparent), &[&tracestate], Some(&bag)) {
            Some(ctx) => ctx.child().unwrap(),
            None => SpanContext::root(rng.below(2) == 0).unwrap(),
        };
        let out = span.inject(Some(&bag));
        let baggage = match &out.baggage {
            BaggageUpdate::Set(v) => Some(v.as_str()),
            _ => None,
        };
        let back = extract(Some(out.traceparent.as_str()), out.tracestate.as_slice(), baggage)
            .unwrap_or_else(|| panic!("round {round}: our own output must extract"));
        assert_eq!(
            (back.trace_id, back.span_id, back.flags),
            (span.trace_id, span.span_id, span.flags),
            "round {round}"
        );
        assert_eq!(back.braintrust_parent, span.braintrust_parent, "round {round}");
        assert_eq!(back.trace_state, span.trace_state, "round {round}");
    }
}
