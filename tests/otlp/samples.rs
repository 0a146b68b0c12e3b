//! Sample export requests covering every field the encoders write, shared by the
//! OTLP integration tests (`#[path = "otlp/samples.rs"] mod samples;`).
#![allow(dead_code)]

use spanwire::span::{
    AttributeValue as V, BraintrustFields, JsonText, Link, Resource, Scope, SpanKind, SpanRecord, Status, StatusCode,
    MAX_VALUE_DEPTH,
};
use spanwire::{SpanId, TraceId};

#[path = "../common/rng.rs"]
mod rng;

/// One request body to encode: a name (used for file names), resource, scope, spans.
pub struct Sample {
    pub name: &'static str,
    pub resource: Resource,
    pub scope: Scope,
    pub spans: Vec<SpanRecord>,
}

pub const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
pub const SPAN: &str = "00f067aa0ba902b7";
pub const PARENT: &str = "b7ad6b7169203331";

pub fn trace_id(hex: &str) -> TraceId {
    TraceId::from_hex(hex).expect("sample trace id")
}

pub fn span_id(hex: &str) -> SpanId {
    SpanId::from_hex(hex).expect("sample span id")
}

pub fn json(text: &str) -> Option<JsonText> {
    Some(JsonText::new(text.to_owned()).expect("sample JSON"))
}

/// Random strings, ids, attributes and spans for property loops and bulk samples, from
/// the tests' deterministic generator (tests/common/rng.rs) seeded with `seed`.
pub struct XorShift(rng::Rng);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        XorShift(rng::Rng(seed))
    }

    pub fn next(&mut self) -> u64 {
        self.0.next()
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0.below(n as usize) as u64
    }

    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }

    /// A string mixing ASCII, JSON specials, control characters and multi-byte UTF-8.
    pub fn string(&mut self, max_len: u64) -> String {
        const PIECES: &[&str] = &[
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1f}", "\u{7f}", "é", "ß", "€", "中",
            "😀", "\u{2028}", "{", "}", "[", "]", ":", ",", "%", "+",
        ];
        let len = self.below(max_len + 1);
        let mut s = String::new();
        for _ in 0..len {
            let i = self.below(PIECES.len() as u64) as usize;
            s.push_str(PIECES.get(i).copied().unwrap_or("x"));
        }
        s
    }

    pub fn trace_id(&mut self) -> TraceId {
        loop {
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&self.next().to_le_bytes());
            b[8..].copy_from_slice(&self.next().to_le_bytes());
            if self.chance(8) {
                b = [0; 16];
                b[15] = 1; // small ids: leading zero bytes
            }
            if let Some(id) = TraceId::from_bytes(b) {
                return id;
            }
        }
    }

    pub fn span_id(&mut self) -> SpanId {
        loop {
            if let Some(id) = SpanId::from_bytes(self.next().to_le_bytes()) {
                return id;
            }
        }
    }

    pub fn f64(&mut self) -> f64 {
        match self.below(8) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => -0.0,
            4 => f64::MIN_POSITIVE,
            5 => (self.next() as i64 as f64) / 1e6,
            _ => {
                let v = f64::from_bits(self.next());
                if v.is_nan() {
                    0.5
                } else {
                    v
                }
            }
        }
    }

    pub fn value(&mut self, depth: usize) -> V {
        if self.below(16) == 0 {
            return V::Empty; // a null kept inside an array or kvlist
        }
        match self.below(if depth > 3 { 5 } else { 7 }) {
            0 => V::String(self.string(12)),
            1 => V::Bool(self.chance(2)),
            2 => V::Int(match self.below(4) {
                0 => i64::MIN,
                1 => i64::MAX,
                2 => 0,
                _ => self.next() as i64,
            }),
            3 => V::Double(self.f64()),
            4 => V::Bytes((0..self.below(7)).map(|_| self.next() as u8).collect()),
            5 => V::Array((0..self.below(4)).map(|_| self.value(depth + 1)).collect()),
            _ => V::KvList((0..self.below(3)).map(|_| (self.string(5), self.value(depth + 1))).collect()),
        }
    }

    pub fn attributes(&mut self, max: u64) -> Vec<(String, V)> {
        (0..self.below(max + 1)).map(|_| (self.string(8), self.value(0))).collect()
    }

    pub fn json_text(&mut self) -> Option<JsonText> {
        let text = match self.below(6) {
            0 => return None,
            1 => serde_json::to_string(&self.string(10)).unwrap_or_default(),
            2 => format!(
                "{{\"k\":{},\"n\":{}}}",
                serde_json::to_string(&self.string(6)).unwrap_or_default(),
                self.below(1000)
            ),
            3 => "null".to_owned(),
            4 => "[1,2.5,true,null,\"x\"]".to_owned(),
            _ => format!("{}", self.below(1 << 40)),
        };
        JsonText::new(text).ok()
    }

    pub fn span(&mut self) -> SpanRecord {
        let mut span = SpanRecord::new(self.trace_id(), self.span_id(), self.string(10), self.next());
        if self.chance(2) {
            span.parent_span_id = Some(self.span_id());
            span.parent_is_remote = self.chance(2);
        }
        span.trace_flags = self.next() as u8;
        if self.chance(3) {
            span.trace_state = Some(self.string(10));
        }
        span.kind = [SpanKind::Internal, SpanKind::Server, SpanKind::Client, SpanKind::Producer, SpanKind::Consumer]
            .get(self.below(5) as usize)
            .copied()
            .unwrap_or_default();
        span.end_time_unix_nano = if self.chance(5) { 0 } else { self.next() };
        span.attributes = self.attributes(6);
        span.dropped_attributes_count = [0, 1, u32::MAX].get(self.below(3) as usize).copied().unwrap_or(0);
        for _ in 0..self.below(3) {
            let attributes = self.attributes(3);
            span.add_event(self.string(6), self.next(), attributes);
        }
        span.dropped_events_count = self.below(2) as u32;
        for _ in 0..self.below(3) {
            span.links.push(Link {
                trace_id: self.trace_id(),
                span_id: self.span_id(),
                trace_state: if self.chance(2) { Some(self.string(6)) } else { None },
                trace_flags: self.next() as u8,
                is_remote: [None, Some(false), Some(true)].get(self.below(3) as usize).copied().flatten(),
                attributes: self.attributes(2),
                dropped_attributes_count: self.below(2) as u32,
            });
        }
        span.dropped_links_count = self.below(2) as u32;
        span.status = match self.below(3) {
            0 => Status::default(),
            1 => Status { code: StatusCode::Ok, message: String::new() },
            _ => Status { code: StatusCode::Error, message: self.string(8) },
        };
        span.braintrust = BraintrustFields {
            input: self.json_text(),
            output: self.json_text(),
            expected: self.json_text(),
            error: None,
            metadata: self.json_text(),
            metrics: self.json_text(),
            scores: self.json_text(),
            span_attributes: self.json_text(),
            tags: if self.chance(2) { Some((0..self.below(3)).map(|_| self.string(5)).collect()) } else { None },
        };
        if self.chance(2) {
            span.braintrust_parent = Some(format!("project_name:{}", self.string(8)));
        }
        span
    }
}

fn nested(depth: usize) -> V {
    let mut v = V::String("bottom".into());
    for i in 0..depth {
        v = if i % 2 == 0 { V::Array(vec![v]) } else { V::KvList(vec![("k".into(), v)]) };
    }
    v
}

/// A span that sets every field, with every kind of attribute value.
pub fn full_span() -> SpanRecord {
    let mut span =
        SpanRecord::new(trace_id(TRACE), span_id(SPAN), "GET /checkout ✓ — 日本語 😀", 1_700_000_000_123_456_789);
    span.parent_span_id = Some(span_id(PARENT));
    span.parent_is_remote = true;
    span.trace_flags = 0x03;
    span.trace_state = Some("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7".into());
    span.kind = SpanKind::Server;
    span.end_time_unix_nano = u64::MAX;
    span.attributes = vec![
        ("http.method".into(), V::from("GET")),
        ("empty.string".into(), V::from("")),
        ("bool.true".into(), V::Bool(true)),
        ("bool.false".into(), V::Bool(false)),
        ("int.zero".into(), V::Int(0)),
        ("int.min".into(), V::Int(i64::MIN)),
        ("int.max".into(), V::Int(i64::MAX)),
        ("int.minus_one".into(), V::Int(-1)),
        ("double.zero".into(), V::Double(0.0)),
        ("double.neg_zero".into(), V::Double(-0.0)),
        ("double.nan".into(), V::Double(f64::NAN)),
        ("double.inf".into(), V::Double(f64::INFINITY)),
        ("double.neg_inf".into(), V::Double(f64::NEG_INFINITY)),
        ("double.max".into(), V::Double(f64::MAX)),
        ("double.tiny".into(), V::Double(5e-324)),
        ("double.tenth".into(), V::Double(0.1)),
        ("bytes".into(), V::Bytes(vec![0, 1, 2, 0xfe, 0xff])),
        ("bytes.empty".into(), V::Bytes(Vec::new())),
        ("array.strings".into(), V::Array(vec!["a".into(), "".into(), "ü\"\\".into()])),
        ("array.bools".into(), V::Array(vec![true.into(), false.into()])),
        ("array.ints".into(), V::Array(vec![V::Int(i64::MIN), V::Int(0), V::Int(i64::MAX)])),
        ("array.doubles".into(), V::Array(vec![V::Double(1.5), V::Double(f64::NAN), V::Double(-2e-10)])),
        ("array.empty".into(), V::Array(Vec::new())),
        ("array.mixed".into(), V::Array(vec!["s".into(), V::Int(1), V::Bytes(vec![9])])),
        ("array.with_null".into(), V::Array(vec![V::Int(1), V::Empty, V::Int(3)])),
        (
            "kvlist".into(),
            V::KvList(vec![("inner".into(), V::Int(7)), ("".into(), V::Bool(false)), ("null".into(), V::Empty)]),
        ),
        ("kvlist.empty".into(), V::KvList(Vec::new())),
        ("nested.deep".into(), nested(MAX_VALUE_DEPTH + 4)),
        ("key with \"quotes\"\n and \u{1} control".into(), V::from("value\twith\u{0}nul")),
        ("braintrust.input_json".into(), V::from("overridden by the log field")),
        (String::new(), V::from("empty key")),
    ];
    span.dropped_attributes_count = 3;
    span.add_event(
        "exception",
        1_700_000_000_200_000_000,
        vec![("exception.message".into(), V::from("boom \"quoted\"")), ("exception.type".into(), V::from("Error"))],
    );
    span.add_event("", 0, Vec::new());
    span.events.push(spanwire::span::Event {
        name: "dropped".into(),
        time_unix_nano: 1,
        attributes: Vec::new(),
        dropped_attributes_count: 2,
    });
    span.dropped_events_count = 1;
    span.links.push(Link {
        trace_id: trace_id("0af7651916cd43dd8448eb211c80319c"),
        span_id: span_id("b7ad6b7169203331"),
        trace_state: Some("k=v".into()),
        trace_flags: 1,
        is_remote: Some(true),
        attributes: vec![("link.kind".into(), V::from("follows"))],
        dropped_attributes_count: 1,
    });
    span.links.push(Link {
        trace_id: trace_id("00000000000000000000000000000001"),
        span_id: span_id("0000000000000001"),
        trace_state: None,
        trace_flags: 0,
        is_remote: None,
        attributes: Vec::new(),
        dropped_attributes_count: 0,
    });
    span.dropped_links_count = 4;
    span.status = Status { code: StatusCode::Error, message: "upstream failed: «timeout»".into() };
    span.braintrust = BraintrustFields {
        input: json(r#"[{"role":"user","content":"What is 2+2? \"quoted\" \\ é 😀"}]"#),
        output: json(r#"{"answer":4}"#),
        expected: json("4"),
        error: None,
        metadata: json(r#"{"model":"gpt","nested":{"a":[1,2]}}"#),
        metrics: json(r#"{"tokens":12,"latency":0.25}"#),
        scores: json(r#"{"accuracy":1,"relevance":0.5}"#),
        span_attributes: json(r#"{"type":"llm","name":"chat"}"#),
        tags: Some(vec!["prod".into(), "ünïcode".into(), "".into()]),
    };
    span.braintrust_parent = Some("project_name:My Project/é".into());
    span
}

/// Every sample body the schema check runs over.
pub fn samples() -> Vec<Sample> {
    let resource = Resource::for_service("checkout-service", "webjs");
    let scope = Scope::new("spanwire", "0.1.0");

    let kinds = [SpanKind::Internal, SpanKind::Server, SpanKind::Client, SpanKind::Producer, SpanKind::Consumer]
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let mut span = SpanRecord::new(
                trace_id(TRACE),
                span_id(&format!("{:016x}", i + 1)),
                format!("{kind:?}"),
                1 + i as u64,
            );
            span.kind = *kind;
            span.end(100 + i as u64);
            if i % 2 == 1 {
                span.parent_span_id = Some(span_id(SPAN));
                span.parent_is_remote = i == 3;
            }
            span.status = match i % 3 {
                0 => Status::default(),
                1 => Status { code: StatusCode::Ok, message: String::new() },
                _ => Status { code: StatusCode::Error, message: String::new() },
            };
            span.trace_flags = 1;
            span
        })
        .collect();

    let minimal = SpanRecord::new(trace_id(TRACE), span_id(SPAN), "", 0);

    let mut rng = XorShift::new(0x9e37_79b9_7f4a_7c15);
    let random = (0..200).map(|_| rng.span()).collect();

    let rich_resource = Resource {
        attributes: vec![
            ("service.name".into(), V::from("svc")),
            ("deployment.environment.name".into(), V::from("staging")),
            ("process.pid".into(), V::Int(4242)),
        ],
        dropped_attributes_count: 9,
        schema_url: "https://opentelemetry.io/schemas/1.26.0".into(),
    };
    let rich_scope = Scope {
        name: "spanwire/manual".into(),
        version: "".into(),
        attributes: vec![("scope.attr".into(), V::Bool(true))],
        dropped_attributes_count: 1,
        schema_url: "https://opentelemetry.io/schemas/1.25.0".into(),
    };

    vec![
        Sample { name: "full", resource: resource.clone(), scope: scope.clone(), spans: vec![full_span()] },
        Sample { name: "kinds", resource: resource.clone(), scope: scope.clone(), spans: kinds },
        Sample { name: "minimal", resource: Resource::default(), scope: Scope::default(), spans: vec![minimal] },
        Sample { name: "resource_scope", resource: rich_resource, scope: rich_scope, spans: vec![full_span()] },
        Sample { name: "random", resource, scope, spans: random },
    ]
}
