//! The bounded queue of ended spans waiting for export, and the batching options.
//!
//! The queue is bounded twice: by span count (`maxQueueSize`, as OpenTelemetry's) and
//! by bytes ([`SpanRecord::weight`], `maxQueueBytes`), so a burst of large inputs is
//! dropped and counted instead of filling the wasm memory: running out of it traps,
//! and a trap inside the recorder leaves the module unusable.
//!
//! ```
//! use spanwire::export::{BatchConfig, BatchQueue};
//! use spanwire::span::SpanRecord;
//! use spanwire::{SpanId, TraceId};
//!
//! let config = BatchConfig { max_queue_size: 2, ..BatchConfig::default() };
//! let mut queue = BatchQueue::new(config.max_queue_size, config.max_queue_bytes);
//! let span = |n: u64| SpanRecord::new(TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
//!     SpanId::from_hex(&format!("{n:016x}")).unwrap(), "s", 1);
//! assert!(queue.push(span(1)));
//! assert!(queue.push(span(2)));
//! assert!(!queue.push(span(3)));          // full: the newest span is dropped and counted
//! assert_eq!((queue.len(), queue.dropped()), (2, 1));
//! assert_eq!(queue.take(512, usize::MAX).len(), 2);   // oldest first
//! assert!(queue.is_empty());
//! ```

use crate::prelude::*;
use crate::span::SpanRecord;

/// OpenTelemetry's default `maxQueueSize`.
pub const DEFAULT_MAX_QUEUE_SIZE: usize = 2048;
/// OpenTelemetry's default `maxExportBatchSize`.
pub const DEFAULT_MAX_BATCH_SIZE: usize = 512;
/// OpenTelemetry's default `scheduledDelayMillis`.
pub const DEFAULT_DELAY_MS: u32 = 5_000;
/// OpenTelemetry's default `exportTimeoutMillis` (per HTTP request).
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Retries of one batch after its first attempt (OpenTelemetry JS makes 5 attempts in all).
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// The largest accepted `maxQueueSize`: a bound on memory whatever the caller asks.
pub const MAX_QUEUE_SIZE_LIMIT: usize = 1 << 20;
/// Default `maxQueueBytes`: a quarter of a Cloudflare Worker's 128 MB isolate.
pub const DEFAULT_MAX_QUEUE_BYTES: usize = 32 << 20;
/// The largest accepted `maxQueueBytes`: a quarter of wasm32's 4 GiB memory.
pub const MAX_QUEUE_BYTES_LIMIT: usize = 1 << 30;
/// Default `maxBatchBytes`: gRPC's default message limit, which OTLP collectors
/// commonly keep; the collector's HTTP receiver takes 20 MiB.
pub const DEFAULT_MAX_BATCH_BYTES: usize = 4 << 20;

/// The oldest queued spans that make one batch: how many, and their weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    pub count: usize,
    pub weight: usize,
}

/// The batching options (`initLogger({ batch: { … } })`), with OpenTelemetry's
/// defaults. Use [`BatchConfig::normalized`] to make any values usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchConfig {
    /// Most ended spans held while waiting for export; more are dropped (newest first).
    pub max_queue_size: usize,
    /// Most bytes ([`SpanRecord::weight`]) held while waiting for export; a span that
    /// does not fit is dropped.
    pub max_queue_bytes: usize,
    /// Most spans in one request.
    pub max_batch_size: usize,
    /// Most bytes ([`SpanRecord::weight`]) in one request, though a batch always
    /// takes its first span.
    pub max_batch_bytes: usize,
    /// How long the first span of a batch may wait before the batch is sent.
    pub delay_ms: u32,
    /// Timeout of one HTTP request.
    pub timeout_ms: u32,
    /// Retries of one batch after its first attempt.
    pub max_retries: u32,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig {
            max_queue_size: DEFAULT_MAX_QUEUE_SIZE,
            max_queue_bytes: DEFAULT_MAX_QUEUE_BYTES,
            max_batch_size: DEFAULT_MAX_BATCH_SIZE,
            max_batch_bytes: DEFAULT_MAX_BATCH_BYTES,
            delay_ms: DEFAULT_DELAY_MS,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            max_retries: DEFAULT_MAX_RETRIES,
        }
    }
}

impl BatchConfig {
    /// The same options made consistent: `max_queue_size` in `1..=MAX_QUEUE_SIZE_LIMIT`,
    /// `max_batch_size` in `1..=max_queue_size` (OpenTelemetry also caps the batch by
    /// the queue), `max_queue_bytes` in `1..=MAX_QUEUE_BYTES_LIMIT`, `max_batch_bytes`
    /// in `1..=max_queue_bytes`, `timeout_ms` at least 1. `delay_ms` 0 means "send at
    /// once".
    pub fn normalized(self) -> Self {
        let max_queue_size = self.max_queue_size.clamp(1, MAX_QUEUE_SIZE_LIMIT);
        let max_queue_bytes = self.max_queue_bytes.clamp(1, MAX_QUEUE_BYTES_LIMIT);
        BatchConfig {
            max_queue_size,
            max_queue_bytes,
            max_batch_size: self.max_batch_size.clamp(1, max_queue_size),
            max_batch_bytes: self.max_batch_bytes.clamp(1, max_queue_bytes),
            delay_ms: self.delay_ms,
            timeout_ms: self.timeout_ms.max(1),
            max_retries: self.max_retries,
        }
    }
}

/// A bounded FIFO of ended spans. When full, by count or by bytes,
/// [`push`](BatchQueue::push) drops the span it is given (the newest) and counts it,
/// so memory stays bounded and the loss is visible. Never panics.
///
/// A `Vec`, not a ring buffer: a batch is taken from the front and the spans left
/// behind it move down. The exporter takes a batch when the queue holds one, so
/// that is usually none; only a backlog behind a slow export moves. A `VecDeque`
/// avoided the move at 1.5 KB more gzip wasm.
#[derive(Debug, Clone, Default)]
pub struct BatchQueue {
    items: Vec<SpanRecord>,
    capacity: usize,
    /// The sum of the queued spans' weights, and its bound.
    bytes: usize,
    max_bytes: usize,
    dropped: u64,
}

impl BatchQueue {
    /// An empty queue holding at most `capacity` spans (0 drops every span) weighing
    /// at most `max_bytes` together ([`SpanRecord::weight`]).
    pub fn new(capacity: usize, max_bytes: usize) -> Self {
        BatchQueue { items: Vec::new(), capacity, bytes: 0, max_bytes, dropped: 0 }
    }

    /// An empty queue sized by `config.normalized()`.
    pub fn with_config(config: &BatchConfig) -> Self {
        let config = config.normalized();
        Self::new(config.max_queue_size, config.max_queue_bytes)
    }

    /// Appends `span`; when the queue is full, or the span would take it past its
    /// bytes, drops it instead, counts it and returns `false`.
    pub fn push(&mut self, mut span: SpanRecord) -> bool {
        span.settle_attributes(); // done at `end`; a record that skipped it is settled here
        let weight = span.weight();
        if self.items.len() >= self.capacity || weight > self.max_bytes - self.bytes.min(self.max_bytes) {
            self.dropped = self.dropped.saturating_add(1);
            return false;
        }
        self.bytes += weight;
        self.items.push(span);
        true
    }

    /// Spans waiting.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no span is waiting.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The most spans the queue holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The queued spans' weight ([`SpanRecord::weight`]).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether a batch of `max` spans or `max_bytes` is waiting.
    pub fn holds_batch(&self, max: usize, max_bytes: usize) -> bool {
        self.items.len() >= max || self.bytes >= max_bytes
    }

    /// Spans dropped because the queue was full, since it was created.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Removes and returns up to `max` spans weighing up to `max_bytes` together,
    /// oldest first, and always the first span however heavy (none when `max` is 0).
    pub fn take(&mut self, max: usize, max_bytes: usize) -> Vec<SpanRecord> {
        let batch = self.next_batch(max, max_bytes);
        self.take_front(batch)
    }

    /// The batch [`BatchQueue::take`] would take (the first span, then each next one
    /// while `max` spans and `max_bytes` hold), left in the queue: encode
    /// `as_slice()[..batch.count]`, then [`BatchQueue::take_front`] it.
    pub fn next_batch(&self, max: usize, max_bytes: usize) -> Batch {
        let mut batch = Batch { count: 0, weight: 0 };
        for span in self.items.iter().take(max) {
            let weight = span.weight();
            if batch.count > 0 && weight > max_bytes.saturating_sub(batch.weight) {
                break;
            }
            batch.weight += weight;
            batch.count += 1;
        }
        batch
    }

    /// Removes and returns the spans of `batch`, which [`BatchQueue::next_batch`] gave
    /// with nothing taken since.
    pub fn take_front(&mut self, batch: Batch) -> Vec<SpanRecord> {
        let count = batch.count.min(self.items.len());
        self.bytes -= batch.weight.min(self.bytes);
        if count == self.items.len() {
            // Everything: hand over the buffer, and keep one as large for what comes next.
            return core::mem::replace(&mut self.items, Vec::with_capacity(count));
        }
        let rest = self.items.split_off(count);
        core::mem::replace(&mut self.items, rest)
    }

    /// The queued spans, oldest first, left in the queue (for encoding without
    /// taking, e.g. to time the encoder alone).
    pub fn as_slice(&self) -> &[SpanRecord] {
        &self.items
    }

    /// Removes every waiting span (without counting them as dropped).
    pub fn clear(&mut self) {
        self.items.clear();
        self.bytes = 0;
    }
}
