//! Live spans between start and end, per-logger state, and where ended spans go.
//!
//! Plain Rust, no JS types: the wasm layer (`src/js/span.rs`) holds one [`Recorder`]
//! and hands JS a `u32` [`Handle`] per live span.
//!
//! ```text
//! start ─► slab slot (SpanRecord + Identity) ─► end ─► logger queue (sampled, export on)
//!                                                 └──► Snapshot text (returned to JS)
//! ```
//!
//! - **Handles** pack a slot index (low 22 bits) and the slot's generation (high 10
//!   bits), so a stale handle (a span already ended or discarded) is refused instead
//!   of reaching another span.
//! - **Identity** is what a span hands to children, writes into its slug and into
//!   outbound headers: the W3C [`SpanContext`], the Braintrust ids (row id, span id,
//!   root span id, parent) in whatever format they have, the Braintrust object and
//!   the slug's `propagated_event`.
//! - At **end** the record leaves the slab (to the logger's queue, or dropped when the
//!   span is unsampled or export is off) and the identity is written as a
//!   [`Snapshot`] string, which JS keeps so an ended span can still be exported,
//!   injected or used as a parent. No wasm memory stays behind an ended span.
//!
//! # Ids in the two modes
//!
//! | | hex (default) | legacy UUID |
//! |---|---|---|
//! | `rootSpanId` | trace id, 32 hex | root's span id, UUIDv4 |
//! | `spanId` | 16 hex | UUIDv4 |
//! | `id` (row) | 16 hex (as Braintrust JS) | UUIDv4 |
//!
//! OTLP needs 16- and 8-byte ids, so Braintrust ids that are not hex of the right
//! length are mapped deterministically ([`trace_id_for`], [`span_id_for`]): a UUID
//! gives its 16 bytes (trace) or its first 8 (span), anything else a 64-bit FNV-1a
//! hash. Every service maps the same text to the same id, so parent links hold across
//! services and formats.

use crate::prelude::*;
use alloc::sync::{Arc, Weak};
use core::cell::RefCell;

use crate::context::{self, SpanContext};
use crate::ids::{format_uuid, hex_byte, parse_uuid, SpanId, TraceId};
use crate::message::{display_message, message, Message};
use crate::otlp::Encoding;
use crate::random::{self, RandomError};
use crate::sampling::RatioSampler;
use crate::slug::{JsonObject, ObjectType, SlugError, SpanComponents};
use crate::span::{Resource, Scope, SpanKind, SpanRecord};
use crate::w3c::baggage::{self, BaggageMembers, BraintrustParent};
use crate::w3c::{BaggageUpdate, TraceFlags, TraceState};

/// The queue ended spans wait in until the exporter takes them: the export issue's
/// bounded queue (drops the newest span when full and counts it).
pub type EndedQueue = crate::export::batch::BatchQueue;

/// Default bound of a logger's queue (OpenTelemetry's `maxQueueSize`).
pub const DEFAULT_MAX_QUEUE: usize = 2048;
/// Bits of a handle that index the slab.
const INDEX_BITS: u32 = 22;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
/// Generations wrap at 2^10.
const GEN_MASK: u32 = (1 << (32 - INDEX_BITS)) - 1;

/// A live span, as JS holds it.
pub type Handle = u32;

/// Why a recorder operation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum RecorderError {
    /// No live span with this handle (ended, discarded or never started).
    NoSuchSpan,
    /// No logger with this id (closed or never created).
    NoSuchLogger,
    /// More than 2^22 spans alive at once.
    TooManySpans,
    /// The secure random source failed (e.g. Workers at module scope).
    Random(RandomError),
    /// A snapshot string that this recorder did not write.
    BadSnapshot,
    /// `export()` needs a Braintrust object (projectName, projectId or experimentId).
    NoObject,
    /// An empty row id: a slug cannot carry one.
    EmptyRowId,
}

impl Message for RecorderError {
    fn write_to(&self, out: &mut String) {
        match self {
            Self::NoSuchSpan => out.push_str("span is not live (already ended or discarded)"),
            Self::NoSuchLogger => out.push_str("logger is closed"),
            Self::TooManySpans => out.push_str("too many live spans (more than 4194304)"),
            Self::Random(e) => e.write_to(out),
            Self::BadSnapshot => out.push_str("not a span snapshot written by this module"),
            Self::NoObject => out.push_str(
                "span.export() needs a Braintrust parent: pass projectName, projectId or experimentId to initLogger",
            ),
            Self::EmptyRowId => out.push_str("a span's row id (`event.id`) must not be empty"),
        }
    }
}

display_message!(RecorderError);

impl core::error::Error for RecorderError {}

impl From<RandomError> for RecorderError {
    fn from(e: RandomError) -> Self {
        RecorderError::Random(e)
    }
}

/// The Braintrust object spans are logged to (the slug's object part).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectRef {
    pub object_type: ObjectType,
    pub object_id: Option<String>,
    pub compute_args: Option<JsonObject>,
}

impl ObjectRef {
    /// The object a `braintrust.parent` value names: `project_id:` and `experiment_id:`
    /// give a resolved id, `project_name:` the compute args `{"project_name": …}`.
    pub fn from_parent(parent: &BraintrustParent) -> Self {
        match parent {
            BraintrustParent::ProjectId(id) => {
                ObjectRef { object_type: ObjectType::ProjectLogs, object_id: Some(id.clone()), compute_args: None }
            }
            BraintrustParent::ExperimentId(id) => {
                ObjectRef { object_type: ObjectType::Experiment, object_id: Some(id.clone()), compute_args: None }
            }
            BraintrustParent::ProjectName(name) => {
                let mut args = JsonObject::new();
                args.insert("project_name", crate::slug::JsonValue::String(name.clone()));
                ObjectRef { object_type: ObjectType::ProjectLogs, object_id: None, compute_args: Some(args) }
            }
        }
    }

    /// The `braintrust.parent` value for this object, when it has one
    /// (`project_id:`, `experiment_id:`, `project_name:`; playground logs have none).
    pub fn to_parent(&self) -> Option<BraintrustParent> {
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        match (self.object_type, &self.object_id, &self.compute_args) {
            (ObjectType::Experiment, Some(id), _) => non_empty(id).map(BraintrustParent::ExperimentId),
            (ObjectType::ProjectLogs, Some(id), _) => non_empty(id).map(BraintrustParent::ProjectId),
            (ObjectType::ProjectLogs, None, Some(args)) => match (args.get("project_id"), args.get("project_name")) {
                (Some(crate::slug::JsonValue::String(id)), _) if !id.is_empty() => {
                    Some(BraintrustParent::ProjectId(id.clone()))
                }
                (_, Some(crate::slug::JsonValue::String(n))) if !n.is_empty() => {
                    Some(BraintrustParent::ProjectName(n.clone()))
                }
                _ => None,
            },
            _ => None,
        }
    }
}

/// What `initLogger` configures in the core.
#[derive(Debug, Clone)]
pub struct LoggerConfig {
    /// Where spans are logged in Braintrust; `None` = nowhere known (propagation only).
    pub parent: Option<BraintrustParent>,
    /// `service.name` and the rest of the resource.
    pub resource: Resource,
    /// UUIDv4 ids and V3 slugs.
    pub legacy_ids: bool,
    /// Probability that a root is sampled.
    pub sample_rate: f64,
    /// `None`: export off, ended spans are dropped.
    pub encoding: Option<Encoding>,
    /// Bound of the ended-span queue, in spans.
    pub max_queue_size: usize,
    /// Bound of the ended-span queue, in bytes ([`crate::span::SpanRecord::weight`]).
    pub max_queue_bytes: usize,
}

impl Default for LoggerConfig {
    fn default() -> Self {
        LoggerConfig {
            parent: None,
            resource: Resource::for_service("unknown_service", "webjs"),
            legacy_ids: false,
            sample_rate: 1.0,
            encoding: Some(Encoding::Json),
            max_queue_size: DEFAULT_MAX_QUEUE,
            max_queue_bytes: crate::export::batch::DEFAULT_MAX_QUEUE_BYTES,
        }
    }
}

struct Logger {
    legacy_ids: bool,
    parent: Option<BraintrustParent>,
    sampler: RatioSampler,
    encoding: Option<Encoding>,
    object: Option<Arc<ObjectRef>>,
    resource: Resource,
    scope: Scope,
    queue: EndedQueue,
}

/// A span's Braintrust row id.
#[derive(Debug, Clone, PartialEq)]
enum RowId {
    Hex(SpanId),
    Text(Box<str>),
}

impl RowId {
    fn to_text(&self) -> String {
        match self {
            RowId::Hex(id) => id.to_hex(),
            RowId::Text(t) => String::from(&**t),
        }
    }
}

/// Everything a span passes on: to children, slugs and headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// Ids, flags, trace state, relayed baggage and Braintrust parent (W3C side).
    pub ctx: SpanContext,
    /// The parent's OTLP span id, `None` for a root.
    pub parent_span_id: Option<SpanId>,
    /// The span id as Braintrust writes it; `None` = `ctx.span_id` in hex.
    span_text: Option<Box<str>>,
    /// The root span id as Braintrust writes it; `None` = `ctx.trace_id` in hex.
    root_text: Option<Box<str>>,
    /// The parent's Braintrust span id; `None` = `parent_span_id` in hex.
    parent_text: Option<Box<str>>,
    row: RowId,
    /// The object this span logs to; `None` = its logger's.
    object: Option<Arc<ObjectRef>>,
    propagated_event: Option<Arc<JsonObject>>,
    /// Started in legacy UUID mode (exports V3).
    pub legacy: bool,
}

impl Identity {
    /// `span.id`.
    pub fn row_id(&self) -> String {
        self.row.to_text()
    }
    /// `span.spanId`.
    pub fn span_id(&self) -> String {
        self.span_text.as_deref().map_or_else(|| self.ctx.span_id.to_hex(), str::to_owned)
    }
    /// `span.rootSpanId`.
    pub fn root_span_id(&self) -> String {
        self.root_text.as_deref().map_or_else(|| self.ctx.trace_id.to_hex(), str::to_owned)
    }
    /// `span.spanParents[0]`, if any.
    pub fn parent_id(&self) -> Option<String> {
        match (&self.parent_text, self.parent_span_id) {
            (Some(t), _) => Some(String::from(&**t)),
            (None, Some(id)) => Some(id.to_hex()),
            (None, None) => None,
        }
    }
    /// W3C trace flags.
    pub fn trace_flags(&self) -> u8 {
        self.ctx.flags.bits()
    }
    /// Whether `inject` writes headers: both Braintrust ids are the W3C ids in hex.
    pub fn propagates(&self) -> bool {
        self.span_text.is_none() && self.root_text.is_none()
    }

    fn effective_object<'a>(&'a self, logger: Option<&'a Arc<ObjectRef>>) -> Option<&'a Arc<ObjectRef>> {
        self.object.as_ref().or(logger)
    }

    fn components(&self, logger_object: Option<&Arc<ObjectRef>>) -> Result<SpanComponents, RecorderError> {
        let object = self.effective_object(logger_object).ok_or(RecorderError::NoObject)?;
        Ok(SpanComponents {
            object_type: object.object_type,
            object_id: object.object_id.clone(),
            compute_object_metadata_args: object.compute_args.clone(),
            row_id: Some(self.row_id()),
            span_id: Some(self.span_id()),
            root_span_id: Some(self.root_span_id()),
            propagated_event: self.propagated_event.as_deref().cloned(),
        })
    }

    /// `span.export()`: V4, or V3 for a span started in legacy mode.
    pub fn export_slug(&self, logger_object: Option<&Arc<ObjectRef>>) -> Result<String, RecorderError> {
        let c = self.components(logger_object)?;
        Ok(if self.legacy { c.to_v3_string() } else { c.to_v4_string() })
    }

    /// The headers `inject` writes, as `traceparent \n tracestate \n baggage \n
    /// braintrust.parent` (empty lines for absent values), or `None` when the span
    /// does not propagate (legacy / UUID ids). `baggage` is the relayed inbound
    /// members; `braintrust.parent` the decoded member value.
    pub fn propagation(&self) -> Option<String> {
        if !self.propagates() {
            return None;
        }
        let mut out = String::with_capacity(60);
        out.push_str(self.ctx.traceparent().as_str());
        out.push('\n');
        if let Some(ts) = &self.ctx.trace_state {
            out.push_str(ts.as_str());
        }
        out.push('\n');
        out.push_str(self.ctx.baggage.as_str());
        out.push('\n');
        if let Some(p) = &self.ctx.braintrust_parent {
            out.push_str(p.kind());
            out.push(':');
            out.push_str(p.id());
        }
        Some(out)
    }

    /// The outbound header values for a carrier whose `baggage` is `carrier_baggage`.
    pub fn inject(&self, carrier_baggage: Option<&str>) -> Option<(String, Option<String>, BaggageUpdate)> {
        if !self.propagates() {
            return None;
        }
        let out = self.ctx.inject(carrier_baggage);
        Some((out.traceparent.as_str().to_owned(), out.tracestate.map(str::to_owned), out.baggage))
    }
}

/// A live span.
struct LiveSpan {
    record: SpanRecord,
    id: Identity,
    logger: u32,
}

struct Slot {
    gen: u32,
    span: Option<LiveSpan>,
}

/// What a new span descends from.
#[derive(Debug, Clone, Copy)]
pub enum Parent<'a> {
    /// A fresh root under the logger's object.
    None,
    /// A live span.
    Live(Handle),
    /// An ended span's [`Snapshot`] text.
    Snapshot(&'a str),
    /// Inbound headers, parsed here. `tracestate_checked`: the `tracestate` is one that
    /// [`crate::w3c::tracestate::is_valid_joined`] accepted, trimmed (the values of an
    /// extracted context), and is not validated again.
    Remote { traceparent: &'a str, tracestate: Option<&'a str>, baggage: Option<&'a str>, tracestate_checked: bool },
    /// A Braintrust slug (`span.export()` of another span or service).
    Slug(&'a str),
}

/// The result of [`Recorder::start`]: the handle, and the reason a slug parent was
/// ignored (the span is then a fresh root).
#[derive(Debug)]
pub struct Started {
    pub handle: Handle,
    pub slug_error: Option<SlugError>,
}

/// Live spans and loggers.
#[derive(Default)]
pub struct Recorder {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    loggers: Vec<Option<Logger>>,
}

fn fnv64(seed: u64, text: &str) -> u64 {
    let mut h = seed;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// The OTLP trace id for a Braintrust root span id: itself when it is 32 lowercase
/// hex, the UUID's bytes, else a hash of the text (made non-zero). Always `Some`;
/// the `Option` only spares an unreachable panic.
///
/// ```
/// use spanwire::recorder::trace_id_for;
/// assert_eq!(trace_id_for("4bf92f3577b34da6a3ce929d0e0e4736").unwrap().to_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(trace_id_for("77e7d0be-1491-4b4b-914f-9b7c8a96d361").unwrap().to_hex(), "77e7d0be14914b4b914f9b7c8a96d361");
/// assert_eq!(trace_id_for("row"), trace_id_for("row"));
/// ```
pub fn trace_id_for(text: &str) -> Option<TraceId> {
    if let Ok(id) = TraceId::from_hex(text) {
        return Some(id);
    }
    if let Some(id) = parse_uuid(text).and_then(TraceId::from_bytes) {
        return Some(id);
    }
    let hi = fnv64(FNV_OFFSET, text);
    let lo = fnv64(hi ^ 0x9e37_79b9_7f4a_7c15, text);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi.to_be_bytes());
    bytes[8..].copy_from_slice(&lo.to_be_bytes());
    bytes[15] |= 1;
    TraceId::from_bytes(bytes)
}

/// The OTLP span id for a Braintrust span id: itself when it is 16 lowercase hex, a
/// UUID's first 8 bytes, else a hash of the text (made non-zero). Always `Some`.
pub fn span_id_for(text: &str) -> Option<SpanId> {
    if let Ok(id) = SpanId::from_hex(text) {
        return Some(id);
    }
    if let Some(bytes) = parse_uuid(text) {
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes[..8]);
        if let Some(id) = SpanId::from_bytes(first) {
            return Some(id);
        }
    }
    SpanId::from_bytes((fnv64(FNV_OFFSET, text) | 1).to_be_bytes())
}

fn trace_or_random(text: &str) -> Result<TraceId, RandomError> {
    trace_id_for(text).map_or_else(TraceId::random, Ok)
}

fn span_or_random(text: &str) -> Result<SpanId, RandomError> {
    span_id_for(text).map_or_else(SpanId::random, Ok)
}

/// Lower-case hex of exactly `len` chars and not all zero: the form W3C ids take.
fn is_w3c_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && text.bytes().any(|b| b != b'0')
}

/// A fresh UUIDv4: its text and its bytes.
fn new_uuid() -> Result<(String, [u8; 16]), RandomError> {
    let mut bytes = [0u8; 16];
    random::fill(&mut bytes)?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Ok((format_uuid(&bytes), bytes))
}

/// A new span id in the active format: (OTLP id, Braintrust text if not hex).
fn new_span_id(legacy: bool) -> Result<(SpanId, Option<Box<str>>), RandomError> {
    if legacy {
        let (text, _) = new_uuid()?;
        Ok((span_or_random(&text)?, Some(text.into_boxed_str())))
    } else {
        Ok((SpanId::random()?, None))
    }
}

fn new_row_id(legacy: bool) -> Result<RowId, RandomError> {
    if legacy {
        Ok(RowId::Text(new_uuid()?.0.into_boxed_str()))
    } else {
        Ok(RowId::Hex(SpanId::random()?))
    }
}

impl Recorder {
    /// An empty recorder.
    pub const fn new() -> Self {
        Recorder { slots: Vec::new(), free: Vec::new(), live: 0, loggers: Vec::new() }
    }

    /// Creates a logger; returns its id.
    pub fn create_logger(&mut self, config: LoggerConfig) -> u32 {
        let logger = Logger {
            legacy_ids: config.legacy_ids,
            parent: config.parent.clone(),
            sampler: RatioSampler::new(config.sample_rate),
            encoding: config.encoding,
            object: config.parent.as_ref().map(|p| Arc::new(ObjectRef::from_parent(p))),
            resource: config.resource,
            scope: Scope::new(crate::span::SDK_NAME, crate::span::SDK_VERSION),
            queue: EndedQueue::new(config.max_queue_size, config.max_queue_bytes),
        };
        if let Some(i) = self.loggers.iter().position(Option::is_none) {
            if let Some(slot) = self.loggers.get_mut(i) {
                *slot = Some(logger);
                return i as u32;
            }
        }
        self.loggers.push(Some(logger));
        (self.loggers.len() - 1) as u32
    }

    /// Closes a logger: its queue is dropped; its live spans end into nothing. Its id
    /// is given to the next logger created, so the caller must hold no other use of it
    /// (the JS layer closes a logger once nothing can reach its id).
    pub fn close_logger(&mut self, id: u32) {
        if let Some(slot) = self.loggers.get_mut(id as usize) {
            *slot = None;
        }
        while self.loggers.last().is_some_and(Option::is_none) {
            self.loggers.pop();
        }
    }

    /// Number of open loggers.
    pub fn loggers(&self) -> usize {
        self.loggers.iter().filter(|l| l.is_some()).count()
    }

    fn logger(&self, id: u32) -> Result<&Logger, RecorderError> {
        self.loggers.get(id as usize).and_then(Option::as_ref).ok_or(RecorderError::NoSuchLogger)
    }

    fn logger_mut(&mut self, id: u32) -> Result<&mut Logger, RecorderError> {
        self.loggers.get_mut(id as usize).and_then(Option::as_mut).ok_or(RecorderError::NoSuchLogger)
    }

    /// Number of live (started, not ended) spans.
    pub fn live(&self) -> usize {
        self.live
    }

    /// Slab slots allocated (live plus reusable).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    fn get(&self, h: Handle) -> Result<&LiveSpan, RecorderError> {
        let slot = self.slots.get((h & INDEX_MASK) as usize).ok_or(RecorderError::NoSuchSpan)?;
        if slot.gen != h >> INDEX_BITS {
            return Err(RecorderError::NoSuchSpan);
        }
        slot.span.as_ref().ok_or(RecorderError::NoSuchSpan)
    }

    fn get_mut(&mut self, h: Handle) -> Result<&mut LiveSpan, RecorderError> {
        let slot = self.slots.get_mut((h & INDEX_MASK) as usize).ok_or(RecorderError::NoSuchSpan)?;
        if slot.gen != h >> INDEX_BITS {
            return Err(RecorderError::NoSuchSpan);
        }
        slot.span.as_mut().ok_or(RecorderError::NoSuchSpan)
    }

    fn take(&mut self, h: Handle) -> Result<LiveSpan, RecorderError> {
        let index = h & INDEX_MASK;
        let slot = self.slots.get_mut(index as usize).ok_or(RecorderError::NoSuchSpan)?;
        if slot.gen != h >> INDEX_BITS {
            return Err(RecorderError::NoSuchSpan);
        }
        let span = slot.span.take().ok_or(RecorderError::NoSuchSpan)?;
        slot.gen = (slot.gen + 1) & GEN_MASK;
        self.free.push(index);
        self.live -= 1;
        Ok(span)
    }

    fn insert(&mut self, span: LiveSpan) -> Result<Handle, RecorderError> {
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                if self.slots.len() > INDEX_MASK as usize {
                    return Err(RecorderError::TooManySpans);
                }
                self.slots.push(Slot { gen: 0, span: None });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = self.slots.get_mut(index as usize).ok_or(RecorderError::TooManySpans)?;
        slot.span = Some(span);
        self.live += 1;
        Ok((slot.gen << INDEX_BITS) | index)
    }

    /// The identity of a live span.
    pub fn identity(&self, h: Handle) -> Result<&Identity, RecorderError> {
        Ok(&self.get(h)?.id)
    }

    /// The record of a live span (to set attributes, log, …).
    pub fn record_mut(&mut self, h: Handle) -> Result<&mut SpanRecord, RecorderError> {
        Ok(&mut self.get_mut(h)?.record)
    }

    /// Sets a live span's row id (`span.id`), as Braintrust's `startSpan({ event: { id } })`
    /// does. An empty id is refused: a slug cannot carry one.
    pub fn set_row_id(&mut self, h: Handle, row_id: &str) -> Result<(), RecorderError> {
        if row_id.is_empty() {
            return Err(RecorderError::EmptyRowId);
        }
        self.get_mut(h)?.id.row = RowId::Text(row_id.into());
        Ok(())
    }

    /// The logger object spans of `logger` default to.
    fn logger_object(&self, logger: u32) -> Option<&Arc<ObjectRef>> {
        self.logger(logger).ok().and_then(|l| l.object.as_ref())
    }

    /// `span.export()` of a live span.
    pub fn export_slug(&self, h: Handle) -> Result<String, RecorderError> {
        let span = self.get(h)?;
        span.id.export_slug(self.logger_object(span.logger))
    }

    /// `span.export()` of an ended span from its snapshot, under `logger`.
    pub fn export_snapshot(&self, logger: u32, snapshot: &str) -> Result<String, RecorderError> {
        let id = Snapshot::decode(snapshot)?;
        id.export_slug(self.logger_object(logger))
    }

    /// Starts a span under `logger`.
    pub fn start(
        &mut self,
        logger: u32,
        name: &str,
        kind: SpanKind,
        start_unix_nano: u64,
        parent: Parent<'_>,
    ) -> Result<Started, RecorderError> {
        let (legacy, sampler) = {
            let l = self.logger(logger)?;
            (l.legacy_ids, l.sampler)
        };
        let mut slug_error = None;
        let mut parent_is_remote = false;
        let id = match parent {
            Parent::None => root_identity(legacy, sampler, None)?,
            Parent::Live(h) => child_identity(&self.get(h)?.id, legacy)?,
            Parent::Snapshot(text) => child_identity(&Snapshot::decode(text)?, legacy)?,
            Parent::Remote { traceparent, tracestate, baggage, tracestate_checked } => {
                let trace_state = match tracestate {
                    Some(text) if tracestate_checked => Some(TraceState::checked(text)),
                    Some(text) => TraceState::parse_joined(text),
                    None => None,
                };
                match context::extract_parts(traceparent, trace_state, baggage) {
                    Some(ctx) => {
                        parent_is_remote = true;
                        remote_identity(ctx, legacy)?
                    }
                    None => root_identity(legacy, sampler, None)?,
                }
            }
            Parent::Slug(text) => match SpanComponents::parse(text) {
                Ok(c) => {
                    // A slug is a context serialized elsewhere, as headers are.
                    parent_is_remote = true;
                    slug_identity(c, legacy, sampler)?
                }
                Err(e) => {
                    slug_error = Some(e);
                    root_identity(legacy, sampler, None)?
                }
            },
        };
        let mut id = id;
        let own_parent = self.logger(logger).ok().and_then(|l| l.parent.as_ref());
        if id.ctx.braintrust_parent.is_none() {
            // No parent named by the headers or the slug: the logger's (as Braintrust JS).
            // The logger was found above; `ok()` spares an error path that drops `id`.
            id.ctx.braintrust_parent = own_parent.cloned();
        } else if id.object.is_none() && id.ctx.braintrust_parent.as_ref() != own_parent {
            // A live or ended span of another logger as the parent: the child is logged
            // under the object its parent's headers name, as it would be from the
            // parent's exported slug, not under this logger's.
            id.object = id.ctx.braintrust_parent.as_ref().map(|p| Arc::new(ObjectRef::from_parent(p)));
        }
        let mut record = SpanRecord::new(id.ctx.trace_id, id.ctx.span_id, name, start_unix_nano);
        record.kind = kind;
        record.parent_span_id = id.parent_span_id;
        record.parent_is_remote = parent_is_remote;
        record.trace_flags = id.ctx.flags.bits();
        // Under a slug that carries a propagated event, every span logs it (Braintrust's
        // SDKs merge it into each span's row); the span's own fields go on top of it.
        if let Some(event) = id.propagated_event.as_deref() {
            record.log_propagated_event(event);
        }
        let handle = self.insert(LiveSpan { record, id, logger })?;
        Ok(Started { handle, slug_error })
    }

    /// Ends a live span at `end_unix_nano` (clamped to its start): queues its record
    /// when sampled and its logger exports, else drops it, and frees its slot.
    /// Returns the span's [`Snapshot`] and the recorded end time.
    pub fn end(&mut self, h: Handle, end_unix_nano: u64) -> Result<(String, u64), RecorderError> {
        let mut snapshot = String::new();
        let end = self.end_into(h, end_unix_nano, &mut snapshot)?;
        Ok((snapshot, end))
    }

    /// [`Recorder::end`], appending the snapshot to `snapshot` (a buffer the caller
    /// reuses); returns the recorded end time.
    pub fn end_into(&mut self, h: Handle, end_unix_nano: u64, snapshot: &mut String) -> Result<u64, RecorderError> {
        let LiveSpan { mut record, id, logger } = self.take(h)?;
        record.end(end_unix_nano);
        let end = record.end_time_unix_nano;
        Snapshot::encode_into(&id, snapshot);
        if let Ok(l) = self.logger_mut(logger) {
            if l.encoding.is_some() && id.ctx.flags.is_sampled() {
                let own = match (&id.object, &l.object) {
                    (None, _) => true,
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
                    (Some(_), None) => false,
                };
                if !own {
                    record.braintrust_parent = id
                        .object
                        .as_ref()
                        .and_then(|o| o.to_parent())
                        .or_else(|| id.ctx.braintrust_parent.clone())
                        .map(|p| crate::message::text(&p));
                }
                record.trace_state = id.ctx.trace_state.as_ref().map(|t| t.as_str().to_owned());
                l.queue.push(record);
            }
        }
        Ok(end)
    }

    /// Frees a live span without recording it (its JS object was collected unended).
    pub fn discard(&mut self, h: Handle) -> bool {
        self.take(h).is_ok()
    }

    /// Ended spans waiting in `logger`'s queue.
    pub fn queued(&self, logger: u32) -> usize {
        self.logger(logger).map_or(0, |l| l.queue.len())
    }

    /// Spans `logger`'s queue dropped because it was full.
    pub fn dropped(&self, logger: u32) -> u64 {
        self.logger(logger).map_or(0, |l| l.queue.dropped())
    }

    /// Whether `logger`'s queue holds a full batch: `max` spans, or `max_bytes`
    /// ([`crate::span::SpanRecord::weight`]).
    pub fn holds_batch(&self, logger: u32, max: usize, max_bytes: usize) -> bool {
        self.logger(logger).is_ok_and(|l| !l.queue.is_empty() && l.queue.holds_batch(max, max_bytes))
    }

    /// Removes up to `max` ended spans weighing up to `max_bytes` together (but at
    /// least one; see [`EndedQueue::take`]) from `logger`'s queue and encodes them as
    /// one OTLP/HTTP body; `None` when the queue is empty or export is off.
    pub fn take_batch(&mut self, logger: u32, max: usize, max_bytes: usize) -> Option<(Vec<u8>, usize, &'static str)> {
        let l = self.logger_mut(logger).ok()?;
        let encoding = l.encoding?;
        if l.queue.is_empty() || max == 0 {
            return None;
        }
        // Encoded where they wait, then taken: should the encoding trap (memory runs
        // out), the spans are still queued, where a restart counts or salvages them.
        let batch = l.queue.next_batch(max, max_bytes);
        let spans = l.queue.as_slice().get(..batch.count).unwrap_or_default();
        let mut body = Vec::with_capacity(256 * spans.len());
        encoding.encode(&l.resource, &l.scope, spans, &mut body);
        l.queue.take_front(batch);
        Some((body, batch.count, encoding.content_type()))
    }

    /// Drops up to `max` of `logger`'s queued spans unsent (oldest first); returns how
    /// many. The peer benchmark empties the queue with it, as OpenTelemetry's in-memory
    /// exporter is reset.
    pub fn discard_queued(&mut self, logger: u32, max: usize) -> usize {
        self.logger_mut(logger).map_or(0, |l| l.queue.take(max, usize::MAX).len())
    }

    /// Encodes every span in `logger`'s queue as one OTLP/HTTP body without taking them
    /// out: the encoder's work alone (the peer benchmark times it); `None` when the
    /// queue is empty or export is off.
    pub fn encode_queued(&mut self, logger: u32) -> Option<Vec<u8>> {
        let l = self.logger_mut(logger).ok()?;
        let encoding = l.encoding?;
        let (resource, scope) = (&l.resource, &l.scope);
        let spans = l.queue.as_slice();
        if spans.is_empty() {
            return None;
        }
        let mut body = Vec::with_capacity(256 * spans.len());
        encoding.encode(resource, scope, spans, &mut body);
        Some(body)
    }
}

fn root_identity(
    legacy: bool,
    sampler: RatioSampler,
    object: Option<(Arc<ObjectRef>, Option<Arc<JsonObject>>)>,
) -> Result<Identity, RandomError> {
    let (trace_id, span_id, span_text, root_text) = if legacy {
        let (text, bytes) = new_uuid()?;
        let trace = match TraceId::from_bytes(bytes) {
            Some(t) => t,
            None => trace_or_random(&text)?,
        };
        let boxed: Box<str> = text.into_boxed_str();
        (trace, span_or_random(&boxed)?, Some(boxed.clone()), Some(boxed))
    } else {
        (TraceId::random()?, SpanId::random()?, None, None)
    };
    let row = new_row_id(legacy)?;
    let sampled = sampler.should_sample(trace_id);
    let (object, propagated_event) = match object {
        Some((o, e)) => (Some(o), e),
        None => (None, None),
    };
    let mut ctx = SpanContext::root_with_ids(trace_id, span_id, sampled);
    ctx.braintrust_parent = object.as_ref().and_then(|o| o.to_parent());
    Ok(Identity {
        ctx,
        parent_span_id: None,
        span_text,
        root_text,
        parent_text: None,
        row,
        object,
        propagated_event,
        legacy,
    })
}

fn child_identity(parent: &Identity, legacy: bool) -> Result<Identity, RandomError> {
    let (span_id, span_text) = new_span_id(legacy)?;
    let row = new_row_id(legacy)?;
    Ok(Identity {
        ctx: parent.ctx.child_with_span_id(span_id),
        parent_span_id: Some(parent.ctx.span_id),
        span_text,
        root_text: parent.root_text.clone(),
        parent_text: parent.span_text.clone(),
        row,
        object: parent.object.clone(),
        propagated_event: parent.propagated_event.clone(),
        legacy,
    })
}

fn remote_identity(ctx: SpanContext, legacy: bool) -> Result<Identity, RandomError> {
    let (span_id, span_text) = new_span_id(legacy)?;
    let row = new_row_id(legacy)?;
    let object = ctx.braintrust_parent.as_ref().map(|p| Arc::new(ObjectRef::from_parent(p)));
    Ok(Identity {
        parent_span_id: Some(ctx.span_id),
        ctx: ctx.child_with_span_id(span_id),
        span_text,
        root_text: None,
        parent_text: None,
        row,
        object,
        propagated_event: None,
        legacy,
    })
}

fn slug_identity(c: SpanComponents, legacy: bool, sampler: RatioSampler) -> Result<Identity, RandomError> {
    let object = if c.object_id.is_some() || c.compute_object_metadata_args.is_some() {
        Some(Arc::new(ObjectRef {
            object_type: c.object_type,
            object_id: c.object_id.clone(),
            compute_args: c.compute_object_metadata_args.clone(),
        }))
    } else {
        None
    };
    let event = c.propagated_event.clone().map(Arc::new);
    let Some(link) = c.span_link() else {
        return root_identity(legacy, sampler, object.map(|o| (o, event)));
    };
    let trace_id = trace_or_random(link.root_span_id)?;
    let parent_span_id = span_or_random(link.span_id)?;
    let (span_id, span_text) = new_span_id(legacy)?;
    let row = new_row_id(legacy)?;
    // A slug carries no flags: decide like a root, from the trace id.
    let sampled = sampler.should_sample(trace_id);
    let mut ctx = SpanContext::root_with_ids(trace_id, span_id, sampled);
    ctx.flags = TraceFlags::NONE.with_sampled(sampled);
    ctx.braintrust_parent = object.as_ref().and_then(|o| o.to_parent());
    Ok(Identity {
        ctx,
        parent_span_id: Some(parent_span_id),
        span_text,
        root_text: (!is_w3c_hex(link.root_span_id, 32)).then(|| link.root_span_id.into()),
        parent_text: (!is_w3c_hex(link.span_id, 16)).then(|| link.span_id.into()),
        row,
        object,
        propagated_event: event,
        legacy,
    })
}

/// The text form of an ended span's [`Identity`]: length-prefixed fields
/// (`<decimal byte length>:<bytes>`), so any id text round-trips.
///
/// Fields: flags+mode (`03h` / `01l`), trace id, span id, parent span id, span
/// text, root text, parent text, row id (`h<hex>` / `t<text>`), trace state, relayed
/// baggage, Braintrust parent (decoded), object slug (V4, object and
/// `propagated_event` only).
pub struct Snapshot;

fn push_field(out: &mut String, value: &str) {
    push_field_parts(out, &[value]);
}

/// One field whose text is `parts` joined, written without joining them first.
fn push_field_parts(out: &mut String, parts: &[&str]) {
    push_len(out, parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
}

/// Copies `bytes` into `buf` at `at`; returns the end (unchanged if they do not fit:
/// the snapshot's fixed fields always do).
fn put(buf: &mut [u8], at: usize, bytes: &[u8]) -> usize {
    match buf.get_mut(at..at + bytes.len()) {
        Some(dst) => {
            dst.copy_from_slice(bytes);
            at + bytes.len()
        }
        None => at,
    }
}

/// Writes `prefix`, then an id's `N` hex digits (by `write_hex`), into `buf` at `at`;
/// returns the end.
fn put_id<const N: usize>(buf: &mut [u8], at: usize, prefix: &[u8], write_hex: impl FnOnce(&mut [u8; N])) -> usize {
    let at = put(buf, at, prefix);
    match buf.get_mut(at..at + N).and_then(|s| <&mut [u8; N]>::try_from(s).ok()) {
        Some(digits) => {
            write_hex(digits);
            at + N
        }
        None => at,
    }
}

/// A field's length prefix, `<decimal>:`, without core::fmt (this runs at every span end).
fn push_len(out: &mut String, len: usize) {
    message!(out, len, ":");
}

/// The slug fields naming `object` (no span ids).
fn object_components(object: &ObjectRef, propagated_event: Option<&JsonObject>) -> SpanComponents {
    SpanComponents {
        object_type: object.object_type,
        object_id: object.object_id.clone(),
        compute_object_metadata_args: object.compute_args.clone(),
        row_id: None,
        span_id: None,
        root_span_id: None,
        propagated_event: propagated_event.cloned(),
    }
}

/// The last object and its V4 slug. The spans of a logger share one object, so it is
/// encoded once instead of at every span end. The `Weak` keeps the allocation, so a
/// pointer match is always the same object.
type ObjectSlug = RefCell<Option<(Weak<ObjectRef>, String)>>;

#[cfg(not(target_arch = "wasm32"))]
thread_local! {
    static OBJECT_SLUG: ObjectSlug = const { RefCell::new(None) };
}

// The wasm32 build is `no_std` and has one thread (see `single_thread.rs`).
#[cfg(target_arch = "wasm32")]
static OBJECT_SLUG: crate::single_thread::SingleThread<ObjectSlug> =
    crate::single_thread::SingleThread::new(RefCell::new(None));

fn object_slug(object: &Arc<ObjectRef>) -> String {
    OBJECT_SLUG.with(|cell| {
        // The cache is never busy here (nothing below calls back); if it were, the
        // slug would be made without it. `borrow_mut`'s panic message would link
        // `core::fmt` into the wasm (see `message.rs`).
        let Ok(mut cached) = cell.try_borrow_mut() else {
            return object_components(object, None).to_v4_string();
        };
        if let Some((weak, slug)) = cached.as_ref() {
            if core::ptr::eq(weak.as_ptr(), Arc::as_ptr(object)) {
                return slug.clone();
            }
        }
        let slug = object_components(object, None).to_v4_string();
        *cached = Some((Arc::downgrade(object), slug.clone()));
        slug
    })
}

struct FieldReader<'a> {
    rest: &'a str,
}

impl<'a> FieldReader<'a> {
    fn next(&mut self) -> Result<&'a str, RecorderError> {
        let (len, rest) = self.rest.split_once(':').ok_or(RecorderError::BadSnapshot)?;
        let len = decimal_usize(len).ok_or(RecorderError::BadSnapshot)?;
        let value = rest.get(..len).ok_or(RecorderError::BadSnapshot)?;
        self.rest = rest.get(len..).ok_or(RecorderError::BadSnapshot)?;
        Ok(value)
    }
}

/// A length as [`push_len`] writes it: decimal digits only, no sign.
fn decimal_usize(text: &str) -> Option<usize> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0usize, |n, b| {
        let digit = usize::from(b.wrapping_sub(b'0'));
        if digit < 10 {
            n.checked_mul(10)?.checked_add(digit)
        } else {
            None
        }
    })
}

fn opt_box(text: &str) -> Option<Box<str>> {
    (!text.is_empty()).then(|| text.into())
}

impl Snapshot {
    /// Writes an identity.
    pub fn encode(id: &Identity) -> String {
        let mut out = String::new();
        Self::encode_into(id, &mut out);
        out
    }

    /// [`Snapshot::encode`], appending to `out`.
    pub fn encode_into(id: &Identity, out: &mut String) {
        // Room for every field as usual (ids, lengths, the object's slug), so the string
        // grows at most once.
        out.reserve(320 + id.ctx.trace_state.as_ref().map_or(0, |t| t.as_str().len()) + id.ctx.baggage.as_str().len());
        // The fixed-width fields (flags, the ids, and in hex mode the empty UUID texts
        // and the row id) are written into a stack buffer and appended in one piece:
        // this runs at every span end, and a dozen small appends cost more than the
        // rest of the encoding. They take at most 5 + 35 + 19 + 19 + 26 = 104 bytes
        // (flags, trace, span, parent, the empty texts and the row); the round-trip
        // test covers that longest case.
        let mut head = [0u8; 104];
        let [hi, lo] = id.ctx.flags.to_hex();
        let mut at = put(&mut head, 0, &[b'3', b':', hi, lo, if id.legacy { b'l' } else { b'h' }]);
        at = put_id(&mut head, at, b"32:", |h| id.ctx.trace_id.write_hex(h));
        at = put_id(&mut head, at, b"16:", |h| id.ctx.span_id.write_hex(h));
        at = match id.parent_span_id {
            Some(p) => put_id(&mut head, at, b"16:", |h| p.write_hex(h)),
            None => put(&mut head, at, b"0:"),
        };
        let no_texts =
            [&id.span_text, &id.root_text, &id.parent_text].iter().all(|t| t.as_deref().map_or(true, str::is_empty));
        let hex_row = match &id.row {
            RowId::Hex(r) if no_texts => Some(r),
            _ => None,
        };
        if let Some(row) = hex_row {
            at = put_id(&mut head, at, b"0:0:0:17:h", |h| row.write_hex(h));
        }
        // Every byte written is ASCII, so this never falls back.
        out.push_str(head.get(..at).and_then(|h| core::str::from_utf8(h).ok()).unwrap_or(""));
        if hex_row.is_none() {
            push_field(out, id.span_text.as_deref().unwrap_or(""));
            push_field(out, id.root_text.as_deref().unwrap_or(""));
            push_field(out, id.parent_text.as_deref().unwrap_or(""));
            match &id.row {
                RowId::Hex(r) => push_field_parts(out, &["h", &r.to_hex()]),
                RowId::Text(t) => push_field_parts(out, &["t", t]),
            }
        }
        push_field(out, id.ctx.trace_state.as_ref().map_or("", TraceState::as_str));
        push_field(out, id.ctx.baggage.as_str());
        match &id.ctx.braintrust_parent {
            // `kind:id`, the Display form.
            Some(p) => push_field_parts(out, &[p.kind(), ":", p.id()]),
            None => push_field(out, ""),
        }
        match &id.object {
            Some(o) if id.propagated_event.is_none() => push_field(out, &object_slug(o)),
            Some(o) => push_field(out, &object_components(o, id.propagated_event.as_deref()).to_v4_string()),
            None => push_field(out, ""),
        }
    }

    /// Reads what [`Snapshot::encode`] wrote; any other text is an error, never a panic.
    pub fn decode(text: &str) -> Result<Identity, RecorderError> {
        // Every field is read and every check that builds nothing is made first, so
        // the early returns have nothing to drop.
        let mut r = FieldReader { rest: text };
        let mut fields = [""; 12];
        for field in &mut fields {
            *field = r.next()?;
        }
        if !r.rest.is_empty() {
            return Err(RecorderError::BadSnapshot);
        }
        let [flags, trace_id, span_id, parent, span_text, root_text, parent_text, row, trace_state, baggage_text, bt, object] =
            fields;
        let (bits, legacy) = match (hex_byte(flags.as_bytes(), 0), flags.as_bytes().get(2..)) {
            (Some(bits), Some([mode @ (b'l' | b'h')])) => (bits, *mode == b'l'),
            _ => return Err(RecorderError::BadSnapshot),
        };
        let bad = |_| RecorderError::BadSnapshot;
        let trace_id = TraceId::from_hex(trace_id).map_err(bad)?;
        let span_id = SpanId::from_hex(span_id).map_err(bad)?;
        let parent_span_id = if parent.is_empty() { None } else { Some(SpanId::from_hex(parent).map_err(bad)?) };
        let hex_row = match (row.get(..1), row.get(1..)) {
            (Some("h"), Some(h)) => Some(SpanId::from_hex(h).map_err(bad)?),
            (Some("t"), Some(_)) => None,
            _ => return Err(RecorderError::BadSnapshot),
        };
        let braintrust_parent =
            if bt.is_empty() { None } else { Some(bt.parse().map_err(|_| RecorderError::BadSnapshot)?) };
        let components = if object.is_empty() {
            None
        } else {
            Some(SpanComponents::parse(object).map_err(|_| RecorderError::BadSnapshot)?)
        };
        // Nothing below can fail.
        let (object, propagated_event) = match components {
            None => (None, None),
            Some(c) => (
                Some(Arc::new(ObjectRef {
                    object_type: c.object_type,
                    object_id: c.object_id,
                    compute_args: c.compute_object_metadata_args,
                })),
                c.propagated_event.map(Arc::new),
            ),
        };
        let row = match hex_row {
            Some(h) => RowId::Hex(h),
            None => RowId::Text(row.get(1..).unwrap_or_default().into()),
        };
        let trace_state = if trace_state.is_empty() { None } else { TraceState::parse_joined(trace_state) };
        let baggage = if baggage_text.is_empty() { BaggageMembers::EMPTY } else { baggage::parse(baggage_text).others };
        let (span_text, root_text, parent_text) = (opt_box(span_text), opt_box(root_text), opt_box(parent_text));
        Ok(Identity {
            ctx: SpanContext {
                trace_id,
                span_id,
                flags: TraceFlags::from_bits(bits).known(),
                trace_state,
                braintrust_parent,
                baggage,
                is_remote: false,
            },
            parent_span_id,
            span_text,
            root_text,
            parent_text,
            row,
            object,
            propagated_event,
            legacy,
        })
    }
}
