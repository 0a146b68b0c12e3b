//! The span model, the export queue and both OTLP encodings, driven by the input as a
//! program: loggers made and closed, spans started from every kind of parent (live,
//! snapshot, headers, slug; bad ones too), logged to, given attributes, events and a
//! status, ended, exported and taken in batches. Nothing panics, and:
//! - every OTLP/JSON batch is JSON holding as many spans as were taken, and every
//!   protobuf batch walks cleanly against the OTLP schema with as many spans;
//! - a queue never holds more than its bound, and a batch takes what it says;
//! - an ended span's snapshot decodes and parents a child; an exported slug decodes.
#![no_main]

#[path = "../../tests/otlp/wire.rs"]
mod wire;

use libfuzzer_sys::fuzz_target;
use spanwire::json::JsonValue;
use spanwire::otlp::Encoding;
use spanwire::recorder::{LoggerConfig, Parent, Recorder, Snapshot};
use spanwire::slug::SpanComponents;
use spanwire::span::{
    attribute_from_json, attributes_from_json, tags_from_json, AttributeValue, BraintrustFields, JsonText, SpanKind,
    StatusCode,
};
use spanwire::w3c::BraintrustParent;

/// Reads the program: bytes and length-prefixed texts, zeros once it runs out.
struct Program<'a>(&'a [u8]);

impl Program<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }

    /// An index below `len`, if there is one.
    fn index(&mut self, len: usize) -> Option<usize> {
        let i = usize::from(self.byte());
        (len > 0).then(|| i % len)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        self.index(items.len()).map(|i| items[i])
    }

    fn text(&mut self) -> String {
        let len = usize::from(self.byte()).min(self.0.len());
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8_lossy(text).into_owned()
    }

    fn maybe_text(&mut self) -> Option<String> {
        (self.byte() & 1 == 1).then(|| self.text())
    }

    fn time(&mut self) -> u64 {
        u64::from(self.byte()) << (self.byte() % 64)
    }
}

const KINDS: [SpanKind; 5] =
    [SpanKind::Internal, SpanKind::Server, SpanKind::Client, SpanKind::Producer, SpanKind::Consumer];
const STATUS: [StatusCode; 3] = [StatusCode::Unset, StatusCode::Ok, StatusCode::Error];

struct Logger {
    id: u32,
    bound: usize,
}

fn check_batch(body: &[u8], count: usize, content_type: &str) {
    if content_type == "application/json" {
        let value: serde_json::Value = serde_json::from_slice(body).expect("OTLP/JSON batch is JSON");
        let spans: usize = value["resourceSpans"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["scopeSpans"].as_array().into_iter().flatten())
            .map(|s| s["spans"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(spans, count, "spans in the JSON batch");
        // Each span's attribute keys are unique (set again, a key keeps one entry).
        let all = value["resourceSpans"][0]["scopeSpans"][0]["spans"].as_array().cloned().unwrap_or_default();
        for span in &all {
            let keys: Vec<&str> =
                span["attributes"].as_array().into_iter().flatten().filter_map(|kv| kv["key"].as_str()).collect();
            let unique: std::collections::HashSet<&str> = keys.iter().copied().collect();
            assert_eq!(unique.len(), keys.len(), "repeated attribute keys: {keys:?}");
        }
    } else {
        let mut seen = wire::Seen::default();
        wire::walk(body, wire::Msg::Request, &mut seen).expect("protobuf batch walks");
        assert_eq!(seen.spans, count, "spans in the protobuf batch");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut p = Program(data);
    let mut r = Recorder::new();
    let mut loggers: Vec<Logger> = Vec::new();
    let mut live: Vec<u32> = Vec::new();
    let mut snapshots: Vec<String> = Vec::new();
    for _ in 0..64 {
        if p.0.is_empty() {
            break;
        }
        match p.byte() % 12 {
            0 => {
                let bound = 1 + usize::from(p.byte() % 8);
                let config = LoggerConfig {
                    parent: p.maybe_text().and_then(|t| BraintrustParent::from_member_value(&t).ok()),
                    legacy_ids: p.byte() & 1 == 1,
                    sample_rate: f64::from(p.byte() % 3) / 2.0,
                    encoding: p.pick(&[None, Some(Encoding::Json), Some(Encoding::Protobuf)]).flatten(),
                    max_queue_size: bound,
                    max_queue_bytes: p.pick(&[300, 2_000, usize::MAX]).unwrap_or(usize::MAX),
                    ..LoggerConfig::default()
                };
                loggers.push(Logger { id: r.create_logger(config), bound });
            }
            1 => {
                let Some(logger) = p.index(loggers.len()).map(|i| loggers[i].id) else { continue };
                let name = p.text();
                let kind = p.pick(&KINDS).unwrap_or_default();
                let (traceparent, tracestate, baggage, other) = (p.text(), p.maybe_text(), p.maybe_text(), p.text());
                let snapshot = p.index(snapshots.len()).map(|i| snapshots[i].clone());
                let choice = p.byte() % 6;
                let from_snapshot = choice == 2 && snapshot.is_some();
                let parent = match choice {
                    0 => Parent::None,
                    1 => {
                        // A live handle; with none live, whatever number the input gives.
                        let stale = u32::from(p.byte());
                        Parent::Live(p.pick(&live).unwrap_or(stale))
                    }
                    2 => Parent::Snapshot(snapshot.as_deref().unwrap_or(&other)),
                    3 => Parent::Remote {
                        traceparent: &traceparent,
                        tracestate: tracestate.as_deref(),
                        baggage: baggage.as_deref(),
                        tracestate_checked: false,
                    },
                    4 => Parent::Slug(&other),
                    _ => Parent::Snapshot(&other),
                };
                match r.start(logger, &name, kind, p.time(), parent) {
                    Ok(started) => live.push(started.handle),
                    Err(e) => assert!(!from_snapshot, "an ended span's snapshot must parent a child: {e:?}"),
                }
            }
            2 => {
                let Some(h) = p.pick(&live) else { continue };
                let mut json = || p.maybe_text().and_then(|t| JsonText::new(t).ok());
                let update = BraintrustFields {
                    input: json(),
                    output: json(),
                    metadata: json(),
                    metrics: json(),
                    scores: json(),
                    span_attributes: json(),
                    tags: p.maybe_text().and_then(|t| tags_from_json(&t)),
                    ..BraintrustFields::default()
                };
                if let Ok(record) = r.record_mut(h) {
                    let _ = record.log(update);
                }
            }
            3 => {
                let Some(h) = p.pick(&live) else { continue };
                let (key, value) = (p.text(), p.text());
                if let (Ok(record), Some(value)) =
                    (r.record_mut(h), JsonValue::parse(&value).ok().and_then(attribute_from_json))
                {
                    record.set_attribute(key, value);
                }
                // Then up to 63 more, keys from a small alphabet: past 16 attributes a
                // span settles repeated keys in bulk, which the batch check then sees.
                let more = p.byte() % 64;
                if let Ok(record) = r.record_mut(h) {
                    for i in 0..more {
                        record.set_attribute(format!("k{}", p.byte() % 24), AttributeValue::Int(i64::from(i)));
                    }
                }
            }
            4 => {
                let Some(h) = p.pick(&live) else { continue };
                let (name, time, attributes) = (p.text(), p.time(), p.text());
                if let (Ok(record), Ok(attributes)) = (r.record_mut(h), attributes_from_json(&attributes)) {
                    record.add_event(name, time, attributes);
                }
            }
            5 => {
                let Some(h) = p.pick(&live) else { continue };
                let (code, message) = (p.pick(&STATUS).unwrap_or_default(), p.text());
                if let Ok(record) = r.record_mut(h) {
                    record.set_status(code, &message);
                }
            }
            6 => {
                let Some(h) = p.pick(&live) else { continue };
                if let Ok((snapshot, _)) = r.end(h, p.time()) {
                    Snapshot::decode(&snapshot).expect("a snapshot decodes");
                    snapshots.push(snapshot);
                }
            }
            7 => {
                let Some(h) = p.pick(&live) else { continue };
                if let Ok(slug) = r.export_slug(h) {
                    SpanComponents::parse(&slug).expect("an exported slug decodes");
                }
            }
            8 => {
                let Some(l) = p.index(loggers.len()) else { continue };
                let (id, bound) = (loggers[l].id, loggers[l].bound);
                let before = r.queued(id);
                assert!(before <= bound, "queue {before} over its bound {bound}");
                let max = usize::from(p.byte() % 10);
                let max_bytes = p.pick(&[1, 500, usize::MAX]).unwrap_or(usize::MAX);
                if let Some((body, count, content_type)) = r.take_batch(id, max, max_bytes) {
                    if max_bytes == usize::MAX {
                        assert_eq!(count, before.min(max));
                    }
                    assert!(count >= 1 && count <= before.min(max), "took {count} of {before} (max {max})");
                    assert_eq!(r.queued(id), before - count);
                    check_batch(&body, count, content_type);
                }
            }
            9 => {
                let Some(h) = p.pick(&live) else { continue };
                r.discard(h);
            }
            10 => {
                let (Some(logger), Some(i)) = (p.index(loggers.len()).map(|i| loggers[i].id), p.index(snapshots.len()))
                else {
                    continue;
                };
                if let Ok(slug) = r.export_snapshot(logger, &snapshots[i]) {
                    SpanComponents::parse(&slug).expect("a snapshot's slug decodes");
                }
            }
            _ => {
                // Closing a logger frees its id for the next one; forget it here.
                let Some(l) = p.index(loggers.len()) else { continue };
                r.close_logger(loggers.swap_remove(l).id);
            }
        }
    }
});
