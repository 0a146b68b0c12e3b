//! The bounded queue of ended spans waiting for export, and the batching options.
//!
//! ```
//! use spanwire::export::{BatchConfig, BatchQueue};
//! use spanwire::span::SpanRecord;
//! use spanwire::{SpanId, TraceId};
//!
//! let config = BatchConfig { max_queue_size: 2, ..BatchConfig::default() };
//! let mut queue = BatchQueue::new(config.max_queue_size);
//! let span = |n: u64| SpanRecord::new(TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
//!     SpanId::from_hex(&format!("{n:016x}")).unwrap(), "s", 1);
//! assert!(queue.push(span(1)));
//! assert!(queue.push(span(2)));
//! assert!(!queue.push(span(3)));          // full: the newest span is dropped and counted
//! assert_eq!((queue.len(), queue.dropped()), (2, 1));
//! assert_eq!(queue.take(512).len(), 2);   // oldest first
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

/// The batching options (`initLogger({ batch: { … } })`), with OpenTelemetry's
/// defaults. Use [`BatchConfig::normalized`] to make any values usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchConfig {
    /// Most ended spans held while waiting for export; more are dropped (newest first).
    pub max_queue_size: usize,
    /// Most spans in one request.
    pub max_batch_size: usize,
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
            max_batch_size: DEFAULT_MAX_BATCH_SIZE,
            delay_ms: DEFAULT_DELAY_MS,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            max_retries: DEFAULT_MAX_RETRIES,
        }
    }
}

impl BatchConfig {
    /// The same options made consistent: `max_queue_size` in `1..=MAX_QUEUE_SIZE_LIMIT`,
    /// `max_batch_size` in `1..=max_queue_size` (OpenTelemetry also caps the batch by
    /// the queue), `timeout_ms` at least 1. `delay_ms` 0 means "send at once".
    pub fn normalized(self) -> Self {
        let max_queue_size = self.max_queue_size.clamp(1, MAX_QUEUE_SIZE_LIMIT);
        BatchConfig {
            max_queue_size,
            max_batch_size: self.max_batch_size.clamp(1, max_queue_size),
            delay_ms: self.delay_ms,
            timeout_ms: self.timeout_ms.max(1),
            max_retries: self.max_retries,
        }
    }
}

/// A bounded FIFO of ended spans. When full, [`push`](BatchQueue::push) drops the
/// span it is given (the newest) and counts it, so memory stays bounded and the
/// loss is visible. Never panics.
///
/// A `Vec`, not a ring buffer: a batch is taken from the front and the spans left
/// behind it move down. The exporter takes a batch when the queue holds one, so
/// that is usually none; only a backlog behind a slow export moves. A `VecDeque`
/// avoided the move at 1.5 KB more gzip wasm.
#[derive(Debug, Clone, Default)]
pub struct BatchQueue {
    items: Vec<SpanRecord>,
    capacity: usize,
    dropped: u64,
}

impl BatchQueue {
    /// An empty queue holding at most `capacity` spans (0 drops every span).
    pub fn new(capacity: usize) -> Self {
        BatchQueue { items: Vec::new(), capacity, dropped: 0 }
    }

    /// An empty queue sized by `config.normalized().max_queue_size`.
    pub fn with_config(config: &BatchConfig) -> Self {
        Self::new(config.normalized().max_queue_size)
    }

    /// Appends `span`; when the queue is full, drops it instead, counts it and
    /// returns `false`.
    pub fn push(&mut self, span: SpanRecord) -> bool {
        if self.items.len() >= self.capacity {
            self.dropped = self.dropped.saturating_add(1);
            return false;
        }
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

    /// Spans dropped because the queue was full, since it was created.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Removes and returns up to `max` spans, oldest first (none when `max` is 0).
    pub fn take(&mut self, max: usize) -> Vec<SpanRecord> {
        if max == 0 {
            return Vec::new();
        }
        if max >= self.items.len() {
            // Everything: hand over the buffer, and keep one as large for what comes next.
            let capacity = self.items.len();
            return core::mem::replace(&mut self.items, Vec::with_capacity(capacity));
        }
        let rest = self.items.split_off(max);
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
    }
}
