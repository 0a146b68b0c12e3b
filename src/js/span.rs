//! wasm exports for loggers and spans: numbers and strings in and out, `u32`
//! handles into the core [`Recorder`]. One call per JS operation; no JS object is
//! walked from here (objects and arrays arrive as JSON text).
//!
//! Times cross as `f64` milliseconds since the Unix epoch (`performance.timeOrigin +
//! performance.now()`), converted to integer nanoseconds here (f64 keeps about a
//! quarter of a microsecond at today's epoch values).

use crate::prelude::*;
use core::cell::{RefCell, RefMut};

use wasm_bindgen::prelude::*;

use super::js_error;
use super::wire::{self, Fields};
use crate::export::batch::{MAX_QUEUE_BYTES_LIMIT, MAX_QUEUE_SIZE_LIMIT};
use crate::message::message_text;
use crate::otlp::Encoding;
use crate::recorder::{LoggerConfig, Parent, Recorder};
use crate::single_thread::SingleThread;
use crate::span::{
    unix_nano_from_ms, AttributeValue, Attributes, BraintrustFields, JsonText, Resource, SpanKind, StatusCode,
};
use crate::w3c::BraintrustParent;

/// The module's one recorder.
static RECORDER: SingleThread<RefCell<Recorder>> = SingleThread::new(RefCell::new(Recorder::new()));

/// The recorder, borrowed for one call. Not inlined, so the borrow check and its trap
/// path are written once, not in every export (no export re-enters another).
#[inline(never)]
fn recorder() -> RefMut<'static, Recorder> {
    RECORDER.borrow_mut()
}

fn with<R>(f: impl FnOnce(&mut Recorder) -> R) -> R {
    f(&mut recorder())
}

/// A JSON object's entries as attributes (for events and resources).
fn attributes_from_json(text: &str) -> Result<Attributes, JsError> {
    crate::span::attributes_from_json(text).map_err(js_error)
}

fn kind_from(code: u8) -> SpanKind {
    match code {
        2 => SpanKind::Server,
        3 => SpanKind::Client,
        4 => SpanKind::Producer,
        5 => SpanKind::Consumer,
        _ => SpanKind::Internal,
    }
}

/// Creates a logger. `parent_kind`: 0 none, 1 project_id, 2 project_name,
/// 3 experiment_id (`parent_value` is the id or name). `protocol`: 0 export off,
/// 1 OTLP/JSON, 2 OTLP protobuf. `resource_json`: extra resource attributes (a JSON
/// object, or empty). Returns the logger id.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn logger_create(
    service_name: &str,
    sdk_language: &str,
    parent_kind: u8,
    parent_value: &str,
    legacy_ids: bool,
    sample_rate: f64,
    protocol: u8,
    max_queue_size: u32,
    max_queue_bytes: u32,
    resource_json: &str,
) -> Result<u32, JsError> {
    let parent = match parent_kind {
        1 => Some(BraintrustParent::ProjectId(parent_value.to_owned())),
        2 => Some(BraintrustParent::ProjectName(parent_value.to_owned())),
        3 => Some(BraintrustParent::ExperimentId(parent_value.to_owned())),
        _ => None,
    };
    let mut resource = Resource::for_service(service_name, sdk_language);
    if !resource_json.is_empty() {
        for (k, v) in attributes_from_json(resource_json)? {
            crate::span::set_attribute(&mut resource.attributes, k, v);
        }
    }
    let encoding = match protocol {
        1 => Some(Encoding::Json),
        2 => Some(Encoding::Protobuf),
        _ => None,
    };
    let config = LoggerConfig {
        parent,
        resource,
        legacy_ids,
        sample_rate,
        encoding,
        max_queue_size: (max_queue_size as usize).clamp(1, MAX_QUEUE_SIZE_LIMIT),
        max_queue_bytes: (max_queue_bytes as usize).clamp(1, MAX_QUEUE_BYTES_LIMIT),
    };
    Ok(with(|r| r.create_logger(config)))
}

/// Closes a logger (its queue is dropped): when its JS `Logger` and exporter are
/// collected (pkg/src/logger.js).
#[wasm_bindgen]
pub fn logger_close(logger: u32) {
    with(|r| r.close_logger(logger));
}

/// Ended spans waiting for export.
#[wasm_bindgen]
pub fn logger_queued(logger: u32) -> u32 {
    with(|r| r.queued(logger)) as u32
}

/// Spans dropped because the queue was full.
#[wasm_bindgen]
pub fn logger_dropped(logger: u32) -> f64 {
    with(|r| r.dropped(logger)) as f64
}

/// Whether a full batch waits: `max` spans or `max_bytes` (see [`Recorder::holds_batch`]).
#[wasm_bindgen]
pub fn logger_holds_batch(logger: u32, max: u32, max_bytes: u32) -> bool {
    with(|r| r.holds_batch(logger, max as usize, max_bytes as usize))
}

/// Removes up to `max` spans weighing up to `max_bytes` (at least one span) and
/// returns one OTLP body (JSON or protobuf per the logger), or `undefined` when
/// nothing is queued.
#[wasm_bindgen]
pub fn logger_take_batch(logger: u32, max: u32, max_bytes: u32) -> Option<Vec<u8>> {
    with(|r| r.take_batch(logger, max as usize, max_bytes as usize)).map(|(body, _, _)| body)
}

/// Drops up to `max` queued spans unsent; returns how many (see
/// [`Recorder::discard_queued`]).
#[wasm_bindgen]
pub fn logger_discard_queued(logger: u32, max: u32) -> u32 {
    with(|r| r.discard_queued(logger, max as usize)) as u32
}

/// Encodes `logger`'s queued spans as one body, leaving them queued (the benchmark's
/// `exportBatch`: the encoder alone).
#[wasm_bindgen]
pub fn logger_encode_queued(logger: u32) -> Option<Vec<u8>> {
    with(|r| r.encode_queued(logger))
}

/// The spans `logger` has queued, even when a failed call (a trap, a stack overflow)
/// left the recorder borrowed: called then, before the module is instantiated again
/// (pkg/src/instance.js), when the queue could not be taken. Those spans are lost with
/// the instance, and the exporter counts them as dropped.
#[wasm_bindgen]
pub fn logger_queued_after_trap(logger: u32) -> u32 {
    if let Ok(recorder) = RECORDER.try_borrow() {
        return recorder.queued(logger) as u32;
    }
    // SAFETY: one thread (`SingleThread`), and the borrow was left by a failed call: it
    // belongs to frames that no longer exist and never resume, so no reference to the
    // recorder is in use. `queued` only reads. A recorder stopped mid-change can at
    // worst give a wrong count (the exporter caps it) or trap again (the caller
    // catches that).
    (unsafe { &*RECORDER.as_ptr() }).queued(logger) as u32
}

/// Whether no call left the recorder borrowed. A trap is not the only way a call can
/// stop half way: the engine throws a `RangeError` when the stack overflows, in wasm
/// as in JS, and that unwinds the wasm frames as a trap does. So after any exception
/// but a trap, pkg/src/instance.js asks, and restarts the module if the recorder
/// was left mid-call (no call is running then). Only the recorder is checked: the
/// other `RefCell` statics hold scratch buffers, and one left borrowed traps at its
/// next use, which restarts the module (docs/js-layer.md says what is not covered).
#[wasm_bindgen(js_name = __intact)]
pub fn intact() -> bool {
    RECORDER.try_borrow_mut().is_ok()
}

/// Overflows the stack with the recorder borrowed, as unbounded recursion in it
/// would: for the restart tests, which need a call that stops half way without a trap.
#[wasm_bindgen(js_name = __overflowInRecorder)]
pub fn overflow_in_recorder() -> u32 {
    with(|_| deeper(0))
}

#[inline(never)]
fn deeper(n: u32) -> u32 {
    if n == u32::MAX {
        return n;
    }
    core::hint::black_box(deeper(core::hint::black_box(n + 1))) ^ n
}

/// Traps, as a bug would: for the restart tests (tests/node/restart.test.mjs), which
/// need a trap the JS layer (pkg/src/instance.js) must recover from. With
/// `in_recorder`, the trap leaves the recorder borrowed, so the queued spans cannot be
/// taken from the old instance; without it, they can.
#[wasm_bindgen(js_name = __trap)]
pub fn trap_for_tests(in_recorder: bool) {
    if in_recorder {
        with(|_| core::arch::wasm32::unreachable())
    } else {
        core::arch::wasm32::unreachable()
    }
}

/// Live spans in the recorder (all loggers) and slab slots: for leak tests.
#[wasm_bindgen]
pub fn recorder_live() -> u32 {
    with(|r| r.live()) as u32
}

/// Open loggers: for leak tests.
#[wasm_bindgen]
pub fn recorder_loggers() -> u32 {
    with(|r| r.loggers()) as u32
}

fn started(r: Result<crate::recorder::Started, crate::recorder::RecorderError>) -> Result<u32, JsError> {
    r.map(|s| s.handle).map_err(js_error)
}

/// Starts a root span (or a child of nothing). Returns its handle. The name comes at
/// [`span_end`], with the attributes: nothing reads it before.
#[wasm_bindgen]
pub fn span_start_root(logger: u32, kind: u8, start_ms: f64) -> Result<u32, JsError> {
    started(with(|r| r.start(logger, "", kind_from(kind), unix_nano_from_ms(start_ms), Parent::None)))
}

/// Starts a child of a live span.
#[wasm_bindgen]
pub fn span_start_child(logger: u32, kind: u8, start_ms: f64, parent: u32) -> Result<u32, JsError> {
    started(with(|r| r.start(logger, "", kind_from(kind), unix_nano_from_ms(start_ms), Parent::Live(parent))))
}

/// Starts a child of an ended span, given its snapshot.
#[wasm_bindgen]
pub fn span_start_after(logger: u32, kind: u8, start_ms: f64, snapshot_len: usize) -> Result<u32, JsError> {
    with_snapshot(snapshot_len, |snapshot| {
        started(with(|r| r.start(logger, "", kind_from(kind), unix_nano_from_ms(start_ms), Parent::Snapshot(snapshot))))
    })
}

/// Starts a span under inbound headers; an invalid `traceparent` gives a root. TEXT
/// holds the `traceparent`, then the `tracestate` and `baggage` when their lengths are
/// not -1. `tracestate_checked`: the tracestate is an extracted context's, which
/// extract validated (see [`Parent::Remote`]); the JS layer sets it for nothing else.
#[wasm_bindgen]
pub fn span_start_remote(
    logger: u32,
    kind: u8,
    start_ms: f64,
    traceparent_len: f64,
    tracestate_len: f64,
    baggage_len: f64,
    tracestate_checked: bool,
) -> Result<u32, JsError> {
    let text_len = [traceparent_len, tracestate_len, baggage_len].iter().map(|&l| l.max(0.0) as usize).sum();
    wire::with_input(text_len, |text, _| {
        let mut fields = Fields::new(text);
        let traceparent = fields.opt_str(traceparent_len).unwrap_or_default();
        let tracestate = fields.opt_str(tracestate_len);
        let baggage = fields.opt_str(baggage_len);
        start_remote(logger, kind, start_ms, Parent::Remote { traceparent, tracestate, baggage, tracestate_checked })
    })
}

/// [`span_start_remote`] for inbound values longer than TEXT (32 KiB) together, passed
/// as strings: a baggage or a tracestate of any length (the core applies the W3C limits
/// to them), or a long higher-version `traceparent`. `bits`: 1 a tracestate is given,
/// 2 a baggage is given (an absent one is passed as `""`), 4 the tracestate is checked.
#[wasm_bindgen]
pub fn span_start_remote_strings(
    logger: u32,
    kind: u8,
    start_ms: f64,
    traceparent: &str,
    tracestate: &str,
    baggage: &str,
    bits: u8,
) -> Result<u32, JsError> {
    let tracestate = (bits & 1 != 0).then_some(tracestate);
    let baggage = (bits & 2 != 0).then_some(baggage);
    let tracestate_checked = bits & 4 != 0;
    start_remote(logger, kind, start_ms, Parent::Remote { traceparent, tracestate, baggage, tracestate_checked })
}

/// The one body of both remote starts (kept out of line: it is most of their code).
#[inline(never)]
fn start_remote(logger: u32, kind: u8, start_ms: f64, parent: Parent<'_>) -> Result<u32, JsError> {
    started(with(|r| r.start(logger, "", kind_from(kind), unix_nano_from_ms(start_ms), parent)))
}

static LAST_SLUG_ERROR: SingleThread<RefCell<Option<String>>> = SingleThread::new(RefCell::new(None));

/// Starts a span under a Braintrust slug. A malformed slug gives a fresh root; its
/// error is then kept for [`take_slug_error`].
#[wasm_bindgen]
pub fn span_start_slug(logger: u32, kind: u8, start_ms: f64, slug: &str) -> Result<u32, JsError> {
    let s = with(|r| r.start(logger, "", kind_from(kind), unix_nano_from_ms(start_ms), Parent::Slug(slug)))
        .map_err(js_error)?;
    *LAST_SLUG_ERROR.borrow_mut() = s.slug_error.map(|e| crate::message::text(&e));
    Ok(s.handle)
}

/// Why the last `span_start_slug` ignored its slug, if it did.
#[wasm_bindgen]
pub fn take_slug_error() -> Option<String> {
    LAST_SLUG_ERROR.borrow_mut().take()
}

/// Attribute types in META (see [`apply_attributes`]).
const ATTR_STRING: f64 = 1.0;
const ATTR_NUMBER: f64 = 2.0;
const ATTR_BOOL: f64 = 3.0;

/// A JS number as an attribute: an integer that fits an i64 exactly is an Int.
fn number_value(value: f64) -> AttributeValue {
    if value.abs() < 9_007_199_254_740_992.0 && crate::float::is_whole_i64(value) {
        AttributeValue::Int(value as i64)
    } else {
        AttributeValue::Double(value)
    }
}

fn malformed() -> JsError {
    JsError::new("spanwire: malformed attribute buffer")
}

/// Sets `count` attributes described by META slots from `first`, three per attribute
/// (type, key length, value: string length, number, or 0/1 for a boolean), their keys
/// and string values read from `fields` in order.
fn apply_attributes(
    rec: &mut crate::span::SpanRecord,
    fields: &mut Fields<'_>,
    meta: &[f64],
    count: usize,
) -> Result<(), JsError> {
    let slots = meta.get(..count.checked_mul(3).ok_or_else(malformed)?).ok_or_else(malformed)?;
    for attr in slots.chunks_exact(3) {
        let &[kind, key_len, value] = attr else { return Err(malformed()) };
        let key = fields.str(key_len as usize).ok_or_else(malformed)?;
        let value = if kind == ATTR_STRING {
            AttributeValue::String(fields.str(value as usize).ok_or_else(malformed)?.to_owned())
        } else if kind == ATTR_NUMBER {
            number_value(value)
        } else if kind == ATTR_BOOL {
            AttributeValue::Bool(value != 0.0)
        } else {
            return Err(malformed());
        };
        rec.set_attribute(key, value);
    }
    Ok(())
}

/// Sets `count` attributes from TEXT (`text_len` bytes) and META (see
/// [`apply_attributes`]): a live span's buffered `setAttribute` calls, in order.
#[wasm_bindgen]
pub fn span_set_attributes(h: u32, text_len: usize, count: usize) -> Result<(), JsError> {
    wire::with_input(text_len, |text, meta| {
        with(|r| {
            let rec = r.record_mut(h).map_err(js_error)?;
            apply_attributes(rec, &mut Fields::new(text), meta, count)
        })
    })
}

/// Ends a live span: first sets its name (TEXT's first `name_len` bytes; -1 keeps the
/// name) and its buffered attributes (`count`, as in [`span_set_attributes`]); then
/// writes its snapshot (what an ended span keeps in JS) to OUT and returns its length.
#[wasm_bindgen]
pub fn span_end(h: u32, end_ms: f64, text_len: usize, name_len: i32, count: usize) -> Result<u32, JsError> {
    wire::with_input(text_len, |text, meta| {
        with(|r| {
            let mut fields = Fields::new(text);
            let rec = r.record_mut(h).map_err(js_error)?;
            if let Ok(name_len) = usize::try_from(name_len) {
                rec.name.clear();
                rec.name.push_str(fields.str(name_len).ok_or_else(malformed)?);
            }
            apply_attributes(rec, &mut fields, meta, count)?;
            let mut result = Ok(());
            let len = wire::output(|out| result = r.end_into(h, unix_nano_from_ms(end_ms), out).map(drop));
            result.map(|()| len).map_err(js_error)
        })
    })
}

/// Sets a live span's name (for a name too long for TEXT; see [`span_end`]).
#[wasm_bindgen]
pub fn span_rename(h: u32, name: &str) -> Result<(), JsError> {
    with(|r| r.record_mut(h).map(|rec| name.clone_into(&mut rec.name))).map_err(js_error)
}

/// Runs `f` on the snapshot JS wrote back into TEXT (`len` bytes).
/// Runs `f` on a snapshot JS wrote back: the first `len` bytes of TEXT, or, when `len`
/// is [`STAGED`], the one staged by [`snapshot_stage`] (longer than TEXT).
fn with_snapshot<R>(len: usize, f: impl FnOnce(&str) -> Result<R, JsError>) -> Result<R, JsError> {
    let bad = || js_error(crate::recorder::RecorderError::BadSnapshot);
    if len == STAGED {
        let staged = STAGED_SNAPSHOT.borrow_mut().take().ok_or_else(bad)?;
        return f(core::str::from_utf8(&staged).map_err(|_| bad())?);
    }
    wire::with_input(len, |text, _| core::str::from_utf8(text).map_err(|_| bad()).and_then(f))
}

/// The `len` that says "the staged snapshot" (see [`with_snapshot`]).
const STAGED: usize = u32::MAX as usize;

static STAGED_SNAPSHOT: SingleThread<RefCell<Option<Vec<u8>>>> = SingleThread::new(RefCell::new(None));

/// Stages a snapshot too long for TEXT (a slug parent's large propagated event) for the
/// next call that reads one with `len` = 4294967295.
#[wasm_bindgen]
pub fn snapshot_stage(snapshot: Vec<u8>) {
    *STAGED_SNAPSHOT.borrow_mut() = Some(snapshot);
}

/// Sets a live span's row id (`startSpan({ event: { id } })`).
#[wasm_bindgen]
pub fn span_set_row_id(h: u32, row_id: &str) -> Result<(), JsError> {
    with(|r| r.set_row_id(h, row_id)).map_err(js_error)
}

/// Frees a live span without recording it (FinalizationRegistry callback).
#[wasm_bindgen]
pub fn span_discard(h: u32) {
    with(|r| r.discard(h));
}

/// One id of a live span: 0 row id, 1 span id, 2 root span id, 3 parent span id
/// ("" for a root).
#[wasm_bindgen]
pub fn span_field(h: u32, field: u8) -> Result<String, JsError> {
    with(|r| r.identity(h).map(|id| identity_field(id, field))).map_err(js_error)
}

/// The same fields read from an ended span's snapshot (written back into TEXT).
#[wasm_bindgen]
pub fn snapshot_field(snapshot_len: usize, field: u8) -> Result<String, JsError> {
    with_snapshot(snapshot_len, |snapshot| {
        crate::recorder::Snapshot::decode(snapshot).map(|id| identity_field(&id, field)).map_err(js_error)
    })
}

fn identity_field(id: &crate::recorder::Identity, field: u8) -> String {
    match field {
        0 => id.row_id(),
        1 => id.span_id(),
        2 => id.root_span_id(),
        3 => id.parent_id().unwrap_or_default(),
        4 => crate::message::text(&id.trace_flags()),
        _ => String::new(),
    }
}

/// W3C trace flags of a live span.
#[wasm_bindgen]
pub fn span_flags(h: u32) -> Result<u8, JsError> {
    with(|r| r.identity(h).map(|id| id.trace_flags())).map_err(js_error)
}

/// Writes what `inject` needs to OUT: `traceparent \n tracestate \n baggage \n
/// outbound \n braintrustParent`, where `baggage` is the relayed inbound members,
/// `outbound` the `baggage` to write into a carrier that holds none (`S<value>` set,
/// `R` remove, `L` leave as is) and `braintrustParent` the decoded member value, last
/// because only it may hold a line break. Returns the length, or -1 when the span does
/// not propagate (legacy UUID ids).
fn write_propagation(id: &crate::recorder::Identity) -> i32 {
    if !id.propagates() {
        return -1;
    }
    let ctx = &id.ctx;
    let injected = ctx.inject(None);
    let len = wire::output(|out| {
        out.push_str(injected.traceparent.as_str());
        out.push('\n');
        out.push_str(injected.tracestate.unwrap_or(""));
        out.push('\n');
        out.push_str(ctx.baggage.as_str());
        out.push('\n');
        super::propagation::push_update_and_parent(out, injected.baggage, ctx.braintrust_parent.as_ref());
    });
    len as i32
}

/// [`write_propagation`] for a live span.
#[wasm_bindgen]
pub fn span_propagation(h: u32) -> Result<i32, JsError> {
    with(|r| r.identity(h).map(write_propagation)).map_err(js_error)
}

/// [`write_propagation`] from a snapshot.
#[wasm_bindgen]
pub fn snapshot_propagation(snapshot_len: usize) -> Result<i32, JsError> {
    with_snapshot(snapshot_len, |snapshot| {
        crate::recorder::Snapshot::decode(snapshot).map(|id| write_propagation(&id)).map_err(js_error)
    })
}

/// `span.export()` of a live span.
#[wasm_bindgen]
pub fn span_export(h: u32) -> Result<String, JsError> {
    with(|r| r.export_slug(h)).map_err(js_error)
}

/// `span.export()` of an ended span.
#[wasm_bindgen]
pub fn snapshot_export(logger: u32, snapshot_len: usize) -> Result<String, JsError> {
    with_snapshot(snapshot_len, |snapshot| with(|r| r.export_snapshot(logger, snapshot)).map_err(js_error))
}

/// Sets an attribute from JSON text (arrays, objects); `null` is ignored.
#[wasm_bindgen]
pub fn span_set_json(h: u32, key: &str, json: &str) -> Result<(), JsError> {
    let value =
        crate::json::JsonValue::parse(json).map_err(|e| JsError::new(&message_text!("attribute `", key, "`: ", e)))?;
    let Some(v) = crate::span::attribute_from_json(value) else {
        return Ok(());
    };
    with(|r| r.record_mut(h).map(|rec| rec.set_attribute(key, v))).map_err(js_error)
}

/// Adds an event; `attributes_json` is a JSON object or empty.
#[wasm_bindgen]
pub fn span_add_event(h: u32, name: &str, time_ms: f64, attributes_json: &str) -> Result<(), JsError> {
    let attributes = if attributes_json.is_empty() { Vec::new() } else { attributes_from_json(attributes_json)? };
    with(|r| r.record_mut(h).map(|rec| rec.add_event(name, unix_nano_from_ms(time_ms), attributes))).map_err(js_error)
}

/// Sets the status: 0 unset, 1 ok, 2 error.
#[wasm_bindgen]
pub fn span_set_status(h: u32, code: u8, message: &str) -> Result<(), JsError> {
    let code = match code {
        1 => StatusCode::Ok,
        2 => StatusCode::Error,
        _ => StatusCode::Unset,
    };
    with(|r| r.record_mut(h).map(|rec| rec.set_status(code, message))).map_err(js_error)
}

fn json_field(name: &str, text: Option<String>) -> Result<Option<JsonText>, JsError> {
    text.map(|t| JsonText::new(t).map_err(|e| JsError::new(&message_text!("log: `", name, "` is ", e)))).transpose()
}

/// Braintrust `span.log(...)`: each field JSON text or `undefined`; `tags` a JSON
/// array of strings. Merges as Braintrust does.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn span_log(
    h: u32,
    input: Option<String>,
    output: Option<String>,
    expected: Option<String>,
    error: Option<String>,
    metadata: Option<String>,
    metrics: Option<String>,
    scores: Option<String>,
    tags: Option<String>,
    span_attributes: Option<String>,
) -> Result<(), JsError> {
    log_fields(h, [input, output, expected, error, metadata, metrics, scores, span_attributes], tags)
}

/// The `span.log` JSON fields in the order `span_log` takes them.
const LOG_JSON_FIELDS: [&str; 8] =
    ["input", "output", "expected", "error", "metadata", "metrics", "scores", "span_attributes"];

/// `span_log` after the arguments are in: the fields are checked in a loop, so one
/// error path serves them all.
fn log_fields(h: u32, texts: [Option<String>; 8], tags: Option<String>) -> Result<(), JsError> {
    let tags = match tags {
        None => None,
        Some(t) => Some(
            crate::span::tags_from_json(&t).ok_or_else(|| JsError::new("log: `tags` must be an array of strings"))?,
        ),
    };
    let mut json: [Option<JsonText>; 8] = Default::default();
    for ((slot, text), name) in json.iter_mut().zip(texts).zip(LOG_JSON_FIELDS) {
        *slot = json_field(name, text)?;
    }
    let [input, output, expected, error, metadata, metrics, scores, span_attributes] = json;
    let update = BraintrustFields { input, output, expected, error, metadata, metrics, scores, span_attributes, tags };
    with(|r| r.record_mut(h).map_err(js_error).and_then(|rec| rec.log(update).map_err(js_error)))
}

/// Decodes a slug (V1–V4): the fields as JSON text, or an `Error` naming the problem.
#[wasm_bindgen]
pub fn slug_parse(slug: &str) -> Result<String, JsError> {
    crate::slug::SpanComponents::parse(slug).map(|c| c.to_json_object().to_json_string()).map_err(js_error)
}

/// Encodes slug fields (a JSON object with the slug's field names, key order kept)
/// as V4 (`version` 4) or V3 (3).
#[wasm_bindgen]
pub fn slug_format(fields_json: &str, version: u8) -> Result<String, JsError> {
    let object = crate::slug::JsonObject::parse(fields_json).map_err(js_error)?;
    let c = crate::slug::SpanComponents::from_json_object(&object).map_err(js_error)?;
    match version {
        3 => Ok(c.to_v3_string()),
        4 => Ok(c.to_v4_string()),
        v => Err(JsError::new(&message_text!("slug version must be 3 or 4, got ", v))),
    }
}
