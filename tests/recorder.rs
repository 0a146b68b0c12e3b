//! The core recorder: handles, ids in both modes, parents (live, snapshot, headers,
//! slugs), end semantics, queues and bounded memory.

use spanwire::otlp::Encoding;
use spanwire::recorder::{span_id_for, trace_id_for, LoggerConfig, Parent, Recorder, Snapshot};
use spanwire::slug::SpanComponents;
use spanwire::span::SpanKind;
use spanwire::w3c::BraintrustParent;

fn logger(r: &mut Recorder, legacy: bool, encoding: Option<Encoding>) -> u32 {
    r.create_logger(LoggerConfig {
        parent: Some(BraintrustParent::ProjectId("p1".into())),
        legacy_ids: legacy,
        encoding,
        max_queue_size: 4,
        ..LoggerConfig::default()
    })
}

fn start(r: &mut Recorder, l: u32, parent: Parent<'_>) -> u32 {
    r.start(l, "s", SpanKind::Internal, 10, parent).unwrap().handle
}

#[test]
fn root_and_child_ids_hex() {
    let mut r = Recorder::new();
    let l = logger(&mut r, false, None);
    let root = start(&mut r, l, Parent::None);
    let child = start(&mut r, l, Parent::Live(root));
    let (p, c) = (r.identity(root).unwrap().clone(), r.identity(child).unwrap().clone());
    assert_eq!(p.root_span_id().len(), 32);
    assert_eq!(p.span_id().len(), 16);
    assert_eq!(p.row_id().len(), 16);
    assert_eq!(p.parent_id(), None);
    assert_eq!(c.root_span_id(), p.root_span_id());
    assert_eq!(c.parent_id(), Some(p.span_id()));
    assert_eq!(p.trace_flags(), 3);
    assert!(c.propagation().unwrap().starts_with(&format!("00-{}-{}-03\n", c.root_span_id(), c.span_id())));
    assert!(c.propagation().unwrap().ends_with("\nproject_id:p1"));
}

#[test]
fn legacy_ids_are_uuids_root_equals_span_and_do_not_propagate() {
    let mut r = Recorder::new();
    let l = logger(&mut r, true, None);
    let root = start(&mut r, l, Parent::None);
    let id = r.identity(root).unwrap().clone();
    assert_eq!(id.span_id().len(), 36);
    assert_eq!(id.root_span_id(), id.span_id());
    assert_eq!(id.row_id().len(), 36);
    assert_eq!(id.propagation(), None);
    let slug = r.export_slug(root).unwrap();
    let c = SpanComponents::parse(&slug).unwrap();
    assert_eq!(c.span_id.as_deref(), Some(id.span_id().as_str()));
    assert_eq!(slug, c.to_v3_string());
}

/// An ended span's snapshot decodes to the identity it had while live, for every kind
/// of span: hex and UUID ids, roots, children, remote parents with trace state,
/// baggage and a Braintrust parent, and slug parents.
#[test]
fn snapshots_round_trip_for_every_kind_of_span() {
    let tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let slug = "AwIDAaO2wcCaHkuPjD0uT1prfI0DERERESIiQzOERFVVVVVVVQRmZmZmd3dIiJmZqqqqqqqqeyJyb3dfaWQiOiJyIn0=";
    for legacy in [false, true] {
        let mut r = Recorder::new();
        let l = logger(&mut r, legacy, None);
        let root = start(&mut r, l, Parent::None);
        let parents = [
            Parent::None,
            Parent::Live(root),
            Parent::Remote {
                traceparent: tp,
                tracestate: Some("rojo=1,congo=t61rcWkgMzE"),
                baggage: Some("k=v, braintrust.parent=project_name%3AMy%20Proj"),
                tracestate_checked: false,
            },
            Parent::Remote { traceparent: tp, tracestate: Some("rojo=1"), baggage: None, tracestate_checked: true },
            Parent::Remote { traceparent: tp, tracestate: None, baggage: None, tracestate_checked: false },
            Parent::Slug(slug),
        ];
        for parent in parents {
            let h = start(&mut r, l, parent);
            let live = r.identity(h).unwrap().clone();
            let (snap, _) = r.end(h, 20).unwrap();
            let decoded =
                Snapshot::decode(&snap).unwrap_or_else(|e| panic!("{e:?}: legacy {legacy}, parent {parent:?}: {snap}"));
            assert_eq!(decoded, live, "legacy {legacy}, parent {parent:?}: {snap}");
        }
    }
}

/// `startSpan({ event: { id } })`: the given row id is the span's `span.id`, in its
/// slug and its snapshot, in both id modes; an empty one is refused and changes nothing.
#[test]
fn a_row_id_set_by_the_caller_is_kept_in_the_slug_and_the_snapshot() {
    for legacy in [false, true] {
        let mut r = Recorder::new();
        let l = logger(&mut r, legacy, None);
        let h = start(&mut r, l, Parent::None);
        let drawn = r.identity(h).unwrap().row_id();
        assert!(r.set_row_id(h, "").is_err());
        assert_eq!(r.identity(h).unwrap().row_id(), drawn);
        r.set_row_id(h, "row:é 1").unwrap();
        assert_eq!(r.identity(h).unwrap().row_id(), "row:é 1");
        let slug = SpanComponents::parse(&r.export_slug(h).unwrap()).unwrap();
        assert_eq!(slug.row_id.as_deref(), Some("row:é 1"), "legacy {legacy}");
        let live = r.identity(h).unwrap().clone();
        let (snap, _) = r.end(h, 20).unwrap();
        assert_eq!(Snapshot::decode(&snap).unwrap(), live, "legacy {legacy}: {snap}");
        assert!(r.set_row_id(h, "late").is_err(), "an ended span is not live");
    }
}

/// A slug's propagated event is merged into the row of every span under it (Braintrust's
/// SDKs do so in each span's constructor), children and children of ended spans too;
/// a field the log would refuse is left out, the others kept.
#[test]
fn a_slug_propagated_event_is_logged_by_every_span_under_it() {
    use spanwire::json::JsonValue;
    use spanwire::slug::ObjectType;
    let event = match JsonValue::parse(
        r#"{"span_attributes":{"purpose":"scorer"},"metadata":{"run":7},"scores":"not an object","tags":["t",1],"other":1}"#,
    ) {
        Ok(JsonValue::Object(o)) => o,
        other => panic!("{other:?}"),
    };
    let slug = SpanComponents {
        object_type: ObjectType::Experiment,
        object_id: Some("exp-1".into()),
        row_id: Some("r1".into()),
        span_id: Some("0123456789abcdef".into()),
        root_span_id: Some("0123456789abcdef0123456789abcdef".into()),
        propagated_event: Some(event),
        compute_object_metadata_args: None,
    }
    .to_v4_string();
    let mut r = Recorder::new();
    let l = logger(&mut r, false, None);
    let first = start(&mut r, l, Parent::Slug(&slug));
    let child = start(&mut r, l, Parent::Live(first));
    let (ended, _) = r.end(child, 20).unwrap();
    let after = start(&mut r, l, Parent::Snapshot(&ended));
    for h in [first, after] {
        let b = &r.record_mut(h).unwrap().braintrust;
        assert_eq!(b.span_attributes.as_ref().map(|t| t.as_str()), Some(r#"{"purpose":"scorer"}"#));
        assert_eq!(b.metadata.as_ref().map(|t| t.as_str()), Some(r#"{"run":7}"#));
        assert_eq!(b.scores, None, "refused by the log: left out");
        assert_eq!(b.tags, Some(vec!["t".to_string()]));
    }
    // A span under headers or no parent logs nothing of it.
    let plain = start(&mut r, l, Parent::None);
    assert_eq!(r.record_mut(plain).unwrap().braintrust.metadata, None);
}

#[test]
fn end_once_frees_the_slot_and_snapshots_round_trip() {
    let mut r = Recorder::new();
    let l = logger(&mut r, false, Some(Encoding::Json));
    let h = start(&mut r, l, Parent::None);
    let before = r.identity(h).unwrap().clone();
    let (snap, end) = r.end(h, 5).unwrap();
    assert_eq!(end, 10, "clamped to start");
    assert!(r.end(h, 20).is_err(), "a stale handle is refused");
    assert_eq!(r.live(), 0);
    assert_eq!(Snapshot::decode(&snap).unwrap(), before);
    let h2 = start(&mut r, l, Parent::None);
    assert_ne!(h2, h, "the reused slot has a new generation");
    let child = start(&mut r, l, Parent::Snapshot(&snap));
    assert_eq!(r.identity(child).unwrap().parent_id(), Some(before.span_id()));
    assert!(Snapshot::decode("3:abc").is_err());
    assert!(Snapshot::decode("").is_err());
    assert!(Snapshot::decode(&snap[..snap.len() - 1]).is_err());
    assert!(Snapshot::decode(&format!("{snap}0:")).is_err(), "a field too many");
    assert!(Snapshot::decode(&format!("+{snap}")).is_err(), "lengths are digits only");
    assert!(Snapshot::decode(&format!("99999999999999999999999{snap}")).is_err(), "a length past usize");
    // The flags field is two lowercase hex digits and the id mode, `l` or `h`.
    let (flags, rest) = snap.split_at(5);
    assert!(flags.starts_with("3:") && flags.ends_with('h'), "{flags}");
    for bad in ["3:01x", "3:0gh", "3:0Fh", "3:+1h", "2:1h:"] {
        assert!(Snapshot::decode(&format!("{bad}{rest}")).is_err(), "{bad}");
    }
    assert_eq!(Snapshot::decode(&format!("3:00h{rest}")).unwrap().trace_flags(), 0);
}

#[test]
fn remote_and_slug_parents() {
    let mut r = Recorder::new();
    let l = logger(&mut r, false, None);
    let tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let h = start(
        &mut r,
        l,
        Parent::Remote {
            traceparent: tp,
            tracestate: Some("a=b"),
            baggage: Some("braintrust.parent=experiment_id%3Ae1"),
            tracestate_checked: false,
        },
    );
    let id = r.identity(h).unwrap().clone();
    assert_eq!(id.root_span_id(), "0af7651916cd43dd8448eb211c80319c");
    assert_eq!(id.parent_id().as_deref(), Some("b7ad6b7169203331"));
    assert_eq!(SpanComponents::parse(&r.export_slug(h).unwrap()).unwrap().object_id.as_deref(), Some("e1"));
    let bad = start(
        &mut r,
        l,
        Parent::Remote { traceparent: "nope", tracestate: None, baggage: None, tracestate_checked: true },
    );
    assert_eq!(r.identity(bad).unwrap().parent_id(), None);

    // A UUID slug under hex ids links, and does not propagate W3C headers.
    let slug = "AwIDAaO2wcCaHkuPjD0uT1prfI0DERERESIiQzOERFVVVVVVVQRmZmZmd3dIiJmZqqqqqqqqeyJyb3dfaWQiOiJyIn0=";
    let s = r.start(l, "s", SpanKind::Internal, 1, Parent::Slug(slug)).unwrap();
    assert!(s.slug_error.is_none(), "{:?}", s.slug_error);
    let id = r.identity(s.handle).unwrap().clone();
    assert_eq!(id.parent_id().as_deref(), Some("11111111-2222-4333-8444-555555555555"));
    assert_eq!(id.root_span_id(), "66666666-7777-4888-9999-aaaaaaaaaaaa");
    assert_eq!(id.propagation(), None);
    let s = r.start(l, "s", SpanKind::Internal, 1, Parent::Slug("garbage")).unwrap();
    assert!(s.slug_error.is_some());
    assert_eq!(r.identity(s.handle).unwrap().parent_id(), None);
}

/// The OTLP flags of the spans in a JSON batch, by name.
fn exported_flags(r: &mut Recorder, l: u32) -> Vec<(String, u64)> {
    let (body, _, _) = r.take_batch(l, 100, usize::MAX).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let spans = body["resourceSpans"][0]["scopeSpans"][0]["spans"].as_array().unwrap().clone();
    spans.iter().map(|s| (s["name"].as_str().unwrap().to_owned(), s["flags"].as_u64().unwrap())).collect()
}

#[test]
fn otlp_flags_say_whether_the_parent_is_remote() {
    const KNOWN: u64 = 0x100; // SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK
    const REMOTE: u64 = 0x200; // SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK
    let mut r = Recorder::new();
    let l = r.create_logger(LoggerConfig {
        parent: Some(BraintrustParent::ProjectId("p1".into())),
        encoding: Some(Encoding::Json),
        ..LoggerConfig::default()
    });
    let root = r.start(l, "root", SpanKind::Internal, 1, Parent::None).unwrap().handle;
    let live = r.start(l, "live child", SpanKind::Internal, 1, Parent::Live(root)).unwrap().handle;
    let (snapshot, _) = r.end(root, 2).unwrap();
    let after =
        r.start(l, "child of an ended span", SpanKind::Internal, 1, Parent::Snapshot(&snapshot)).unwrap().handle;
    let tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let remote = Parent::Remote { traceparent: tp, tracestate: None, baggage: None, tracestate_checked: false };
    let remote = r.start(l, "remote child", SpanKind::Server, 1, remote).unwrap().handle;
    let slug = r.export_slug(live).unwrap();
    let slugged = r.start(l, "slug child", SpanKind::Internal, 1, Parent::Slug(&slug)).unwrap().handle;
    for h in [live, after, remote, slugged] {
        r.end(h, 2).unwrap();
    }
    assert_eq!(
        exported_flags(&mut r, l),
        [
            ("root".to_owned(), KNOWN | 3),
            ("live child".to_owned(), KNOWN | 3),
            ("child of an ended span".to_owned(), KNOWN | 3),
            ("remote child".to_owned(), KNOWN | REMOTE | 1),
            ("slug child".to_owned(), KNOWN | REMOTE | 1), // a slug carries no trace flags
        ]
    );
}

#[test]
fn queue_is_bounded_and_batches_encode() {
    let mut r = Recorder::new();
    let l = logger(&mut r, false, Some(Encoding::Json));
    for _ in 0..6 {
        let h = start(&mut r, l, Parent::None);
        r.end(h, 20).unwrap();
    }
    assert_eq!((r.queued(l), r.dropped(l)), (4, 2));
    let (body, count, ct) = r.take_batch(l, 3, usize::MAX).unwrap();
    assert_eq!((count, ct), (3, "application/json"));
    assert!(body.starts_with(b"{\"resourceSpans\""));
    assert_eq!(r.queued(l), 1);
    // Export off: nothing retained.
    let off = logger(&mut r, false, None);
    let h = start(&mut r, off, Parent::None);
    r.end(h, 20).unwrap();
    assert_eq!(r.queued(off), 0);
    assert!(r.take_batch(off, 10, usize::MAX).is_none());
}

#[test]
fn slab_does_not_grow_across_many_spans() {
    let mut r = Recorder::new();
    let l = logger(&mut r, false, None);
    for _ in 0..10_000 {
        let h = start(&mut r, l, Parent::None);
        let c = start(&mut r, l, Parent::Live(h));
        r.end(c, 20).unwrap();
        assert!(r.discard(h));
    }
    assert_eq!(r.live(), 0);
    assert!(r.capacity() <= 2);
}

#[test]
fn id_mapping_is_deterministic_and_non_zero() {
    for text in ["", "r", "0g0g0g0g0g0g0g0g", "77e7d0be-1491-4b4b-914f-9b7c8a96d361"] {
        assert_eq!(trace_id_for(text), trace_id_for(text));
        assert!(trace_id_for(text).is_some() && span_id_for(text).is_some());
    }
    assert_eq!(span_id_for("77e7d0be-1491-4b4b-914f-9b7c8a96d361").unwrap().to_hex(), "77e7d0be14914b4b");
}

/// A remote parent's tracestate is validated unless the caller says extract already
/// did (`tracestate_checked`); either way a valid one is carried to the span's
/// propagation unchanged, and an unchecked invalid one is dropped.
#[test]
fn remote_tracestate_checked_or_validated() {
    let mut r = Recorder::new();
    let l = logger(&mut r, false, None);
    let tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let tracestate_of = |r: &mut Recorder, tracestate, tracestate_checked| {
        let h = start(
            r,
            l,
            Parent::Remote { traceparent: tp, tracestate: Some(tracestate), baggage: None, tracestate_checked },
        );
        let lines: Vec<String> = r.identity(h).unwrap().propagation().unwrap().split('\n').map(String::from).collect();
        assert!(lines[0].starts_with("00-0af7651916cd43dd8448eb211c80319c-"), "{lines:?}");
        lines[1].clone()
    };
    for checked in [false, true] {
        assert_eq!(
            tracestate_of(&mut r, "rojo=1,congo=t61rcWkgMzE", checked),
            "rojo=1,congo=t61rcWkgMzE",
            "checked {checked}"
        );
    }
    assert_eq!(tracestate_of(&mut r, "foo=1,foo=2", false), "", "a duplicate key drops the whole header");
}

/// A closed logger's queue and memory are freed and its id is reused; the other
/// loggers and their queues are untouched.
#[test]
fn closed_loggers_are_freed_and_their_ids_reused() {
    let mut r = Recorder::new();
    let a = logger(&mut r, false, Some(Encoding::Json));
    let b = logger(&mut r, false, Some(Encoding::Json));
    let h = start(&mut r, b, Parent::None);
    r.end(h, 20).unwrap();
    assert_eq!((r.loggers(), r.queued(b)), (2, 1));
    r.close_logger(a);
    assert_eq!(r.loggers(), 1);
    assert_eq!(r.queued(b), 1, "another logger's queue is kept");
    let c = logger(&mut r, false, None);
    assert_eq!(c, a, "the freed id is reused");
    assert_eq!(r.queued(c), 0, "a new logger starts empty");
    r.close_logger(b);
    r.close_logger(c);
    r.close_logger(c);
    assert_eq!(r.loggers(), 0);
    for _ in 0..1000 {
        let l = logger(&mut r, false, None);
        r.close_logger(l);
    }
    assert_eq!(r.loggers(), 0);
    assert_eq!(logger(&mut r, false, None), 0, "created and closed in turn, the ids do not grow");
}

#[test]
fn a_span_of_another_logger_as_parent_keeps_its_object() {
    let mut r = Recorder::new();
    let with_parent = |r: &mut Recorder, id: &str| {
        r.create_logger(LoggerConfig {
            parent: Some(BraintrustParent::ProjectId(id.into())),
            encoding: Some(Encoding::Json),
            ..LoggerConfig::default()
        })
    };
    let a = with_parent(&mut r, "pa");
    let b = with_parent(&mut r, "pb");
    let object_of = |r: &Recorder, h: u32| SpanComponents::parse(&r.export_slug(h).unwrap()).unwrap().object_id;
    let parent = start(&mut r, a, Parent::None);
    let child = start(&mut r, b, Parent::Live(parent));
    let own = start(&mut r, b, Parent::None);
    let own_child = start(&mut r, b, Parent::Live(own));
    assert_eq!(object_of(&r, child).as_deref(), Some("pa"), "the parent's object, as its slug would give");
    assert_eq!(object_of(&r, own).as_deref(), Some("pb"));
    assert_eq!(object_of(&r, own_child).as_deref(), Some("pb"));
    // An ended parent (its snapshot) gives the same.
    let (snapshot, _) = r.end(parent, 20).unwrap();
    let late = start(&mut r, b, Parent::Snapshot(&snapshot));
    assert_eq!(object_of(&r, late).as_deref(), Some("pa"));
    // Exported by B, the child rows name A's object; B's own row names none (B's header does).
    for h in [child, own, late, own_child] {
        r.end(h, 30).unwrap();
    }
    let (body, _, _) = r.take_batch(b, 10, usize::MAX).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let parents: Vec<Option<String>> = body["resourceSpans"][0]["scopeSpans"][0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let attrs = s["attributes"].as_array();
            let bt = attrs.and_then(|attrs| attrs.iter().find(|a| a["key"] == "braintrust.parent"));
            bt.map(|a| a["value"]["stringValue"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(parents, [Some("project_id:pa".to_owned()), None, Some("project_id:pa".to_owned()), None]);
}
