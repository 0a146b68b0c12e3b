//! The bounded export queue: FIFO order, drop-newest with a count, batch takes,
//! and the batching options' defaults and normalization.

use spanwire::export::batch::{
    BatchConfig, BatchQueue, DEFAULT_DELAY_MS, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_QUEUE_SIZE, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_MS, MAX_QUEUE_BYTES_LIMIT, MAX_QUEUE_SIZE_LIMIT,
};
use spanwire::span::{AttributeValue, SpanRecord, ITEM_WEIGHT};
use spanwire::{SpanId, TraceId};

fn span(n: u64) -> SpanRecord {
    let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    SpanRecord::new(trace, SpanId::from_hex(&format!("{:016x}", n + 1)).unwrap(), format!("s{n}"), n)
}

fn names(spans: &[SpanRecord]) -> Vec<String> {
    spans.iter().map(|s| s.name.clone()).collect()
}

#[test]
fn defaults_are_opentelemetrys() {
    let c = BatchConfig::default();
    assert_eq!((c.max_queue_size, c.max_batch_size, c.delay_ms, c.timeout_ms), (2048, 512, 5000, 30000));
    assert_eq!(c.max_retries, 5);
    assert_eq!(
        (DEFAULT_MAX_QUEUE_SIZE, DEFAULT_MAX_BATCH_SIZE, DEFAULT_DELAY_MS, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_RETRIES),
        (2048, 512, 5000, 30000, 5)
    );
    assert_eq!((c.max_queue_bytes, c.max_batch_bytes), (32 << 20, 4 << 20));
    assert_eq!(c.normalized(), c);
    assert_eq!(BatchQueue::with_config(&c).capacity(), 2048);
}

#[test]
fn normalization_makes_any_options_usable() {
    let zero = BatchConfig {
        max_queue_size: 0,
        max_queue_bytes: 0,
        max_batch_size: 0,
        max_batch_bytes: 0,
        delay_ms: 0,
        timeout_ms: 0,
        max_retries: 0,
    };
    let n = zero.normalized();
    assert_eq!((n.max_queue_size, n.max_batch_size, n.delay_ms, n.timeout_ms, n.max_retries), (1, 1, 0, 1, 0));
    assert_eq!((n.max_queue_bytes, n.max_batch_bytes), (1, 1));
    let big = BatchConfig {
        max_queue_size: usize::MAX,
        max_batch_size: usize::MAX,
        max_queue_bytes: usize::MAX,
        max_batch_bytes: usize::MAX,
        ..BatchConfig::default()
    };
    let n = big.normalized();
    assert_eq!((n.max_queue_size, n.max_batch_size), (MAX_QUEUE_SIZE_LIMIT, MAX_QUEUE_SIZE_LIMIT));
    assert_eq!((n.max_queue_bytes, n.max_batch_bytes), (MAX_QUEUE_BYTES_LIMIT, MAX_QUEUE_BYTES_LIMIT));
    // The batch never exceeds the queue.
    let c = BatchConfig { max_queue_size: 10, max_batch_size: 512, ..BatchConfig::default() };
    assert_eq!(c.normalized().max_batch_size, 10);
    let c = BatchConfig { max_queue_bytes: 1000, ..BatchConfig::default() };
    assert_eq!(c.normalized().max_batch_bytes, 1000);
}

/// A span named `s{n}` carrying an `input` attribute of `len` bytes.
fn heavy(n: u64, len: usize) -> SpanRecord {
    let mut s = span(n);
    s.set_attribute("input", AttributeValue::String("x".repeat(len)));
    s
}

#[test]
fn weight_counts_every_string_and_value_the_record_holds() {
    let base = span(0).weight();
    assert_eq!(base, ITEM_WEIGHT + "s0".len());
    assert_eq!(heavy(0, 1000).weight(), base + ITEM_WEIGHT + "input".len() + 1000);
    let mut s = span(0);
    s.add_event("retry", 5, vec![("attempt".into(), AttributeValue::Int(2))]);
    assert_eq!(s.weight(), base + ITEM_WEIGHT + "retry".len() + ITEM_WEIGHT + "attempt".len() + 8);
    let mut s = span(0);
    s.trace_state = Some("a=1".into());
    s.braintrust_parent = Some("project_id:p".into());
    s.braintrust.input = Some(spanwire::span::JsonText::new("[1,2]".into()).unwrap());
    s.braintrust.tags = Some(vec!["t1".into()]);
    assert_eq!(s.weight(), base + 3 + 12 + ITEM_WEIGHT + 5 + ITEM_WEIGHT + 2);
    // Nested values count down to the depth the encoders write, and no deeper.
    let mut nested = AttributeValue::String("y".repeat(100));
    for _ in 0..40 {
        nested = AttributeValue::Array(vec![nested]);
    }
    let mut s = span(0);
    s.set_attribute("deep", nested);
    // The encoders write 32 levels of arrays (the attribute's value is level 1), each
    // with its one item; the 33rd level is the empty value they write instead.
    assert_eq!(s.weight(), base + ITEM_WEIGHT + 4 + 32 * ITEM_WEIGHT);
}

/// `take_batch` encodes a batch where it waits and takes it after: `next_batch` leaves
/// the queue as it is, and `take_front` then takes exactly what `take` would have.
#[test]
fn next_batch_leaves_the_spans_queued_until_take_front() {
    let w = heavy(0, 1000).weight();
    let mut q = BatchQueue::new(100, 100 * w);
    let mut twin = BatchQueue::new(100, 100 * w);
    for n in 0..5 {
        assert!(q.push(heavy(n, 1000)) && twin.push(heavy(n, 1000)));
    }
    let batch = q.next_batch(10, 2 * w + 10);
    assert_eq!((batch.count, batch.weight), (2, 2 * w));
    assert_eq!(q.len(), 5, "nothing taken yet");
    assert_eq!(q.as_slice()[..batch.count], twin.as_slice()[..2]);
    let taken = q.take_front(batch);
    assert_eq!(taken, twin.take(10, 2 * w + 10));
    assert_eq!((q.len(), q.as_slice()), (twin.len(), twin.as_slice()));
    assert!(q.holds_batch(usize::MAX, 3 * w) && !q.holds_batch(usize::MAX, 3 * w + 1), "the bytes left are 3 spans'");
}

#[test]
fn the_queue_drops_a_span_that_would_take_it_past_its_bytes() {
    let w = heavy(0, 1000).weight();
    let mut q = BatchQueue::new(100, 3 * w + 100);
    let accepted: Vec<bool> = (0..5).map(|n| q.push(heavy(n, 1000))).collect();
    assert_eq!(accepted, [true, true, true, false, false]);
    assert_eq!((q.len(), q.dropped(), q.bytes()), (3, 2, 3 * w));
    // A lighter span still fits in what is left.
    assert!(q.push(span(9)));
    // A span heavier than the whole budget never fits, even in an empty queue.
    let mut empty = BatchQueue::new(100, w - 1);
    assert!(!empty.push(heavy(0, 1000)));
    assert_eq!((empty.len(), empty.dropped(), empty.bytes()), (0, 1, 0));
}

#[test]
fn takes_stop_at_the_batch_bytes_but_always_take_one_span() {
    let w = heavy(0, 1000).weight();
    let mut q = BatchQueue::new(100, usize::MAX);
    for n in 0..5 {
        q.push(heavy(n, 1000));
    }
    assert!(q.holds_batch(100, 5 * w) && !q.holds_batch(100, 5 * w + 1) && q.holds_batch(5, usize::MAX));
    assert_eq!(names(&q.take(100, 2 * w + w / 2)), ["s0", "s1"]);
    assert_eq!(q.bytes(), 3 * w);
    // One span heavier than the batch bound goes alone.
    assert_eq!(names(&q.take(100, 1)), ["s2"]);
    assert_eq!(names(&q.take(1, usize::MAX)), ["s3"]);
    assert_eq!(names(&q.take(100, 2 * w)), ["s4"]);
    assert_eq!((q.len(), q.bytes()), (0, 0));
    // Freed bytes make room again.
    let mut q = BatchQueue::new(100, 2 * w);
    assert!(q.push(heavy(0, 1000)) && q.push(heavy(1, 1000)) && !q.push(heavy(2, 1000)));
    q.take(1, usize::MAX);
    assert!(q.push(heavy(3, 1000)));
    q.clear();
    assert_eq!(q.bytes(), 0);
    assert!(q.push(heavy(4, 1000)) && q.push(heavy(5, 1000)));
}

#[test]
fn fifo_and_takes_in_batches() {
    let mut q = BatchQueue::new(10, usize::MAX);
    assert!(q.is_empty());
    for n in 0..7 {
        assert!(q.push(span(n)));
    }
    assert_eq!(q.len(), 7);
    assert_eq!(names(&q.take(3, usize::MAX)), ["s0", "s1", "s2"]);
    assert_eq!(names(&q.take(0, usize::MAX)), Vec::<String>::new());
    assert_eq!(q.len(), 4);
    assert_eq!(names(&q.take(100, usize::MAX)), ["s3", "s4", "s5", "s6"]);
    assert!(q.take(5, usize::MAX).is_empty());
    assert_eq!(q.dropped(), 0);
}

#[test]
fn a_full_queue_drops_the_newest_and_counts_every_drop() {
    let mut q = BatchQueue::new(3, usize::MAX);
    let accepted: Vec<bool> = (0..8).map(|n| q.push(span(n))).collect();
    assert_eq!(accepted, [true, true, true, false, false, false, false, false]);
    assert_eq!((q.len(), q.dropped()), (3, 5));
    // The oldest spans are the ones kept.
    assert_eq!(names(&q.take(2, usize::MAX)), ["s0", "s1"]);
    // Room again: new spans are accepted, and the drop count never goes back.
    assert!(q.push(span(8)));
    assert!(q.push(span(9)));
    assert!(!q.push(span(10)));
    assert_eq!(names(&q.take(10, usize::MAX)), ["s2", "s8", "s9"]);
    assert_eq!(q.dropped(), 6);
    q.push(span(11));
    q.clear();
    assert_eq!((q.len(), q.dropped()), (0, 6));
}

#[test]
fn capacity_zero_drops_everything() {
    let mut q = BatchQueue::new(0, usize::MAX);
    assert!(!q.push(span(0)));
    assert_eq!((q.len(), q.dropped()), (0, 1));
}

#[test]
fn accounting_holds_under_a_mixed_workload() {
    // Pushes and takes in a deterministic pattern: every span is either taken
    // exactly once or counted as dropped.
    let mut q = BatchQueue::new(17, usize::MAX);
    let (mut pushed, mut taken, mut x) = (0u64, 0u64, 0x9e37_79b9_7f4a_7c15u64);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if x % 3 == 0 {
            for s in q.take((x % 11) as usize, usize::MAX) {
                assert!(seen.insert(s.name.clone()), "taken twice: {}", s.name);
                taken += 1;
            }
        } else {
            q.push(span(pushed));
            pushed += 1;
        }
        assert!(q.len() <= 17);
    }
    taken += q.take(usize::MAX, usize::MAX).len() as u64;
    assert_eq!(taken + q.dropped(), pushed);
    assert!(q.dropped() > 0 && taken > 0);
}

#[test]
fn as_slice_shows_the_queue_in_order_and_leaves_it_queued() {
    let mut q = BatchQueue::new(8, usize::MAX);
    for n in 0..5 {
        q.push(span(n));
    }
    q.take(2, usize::MAX); // what is left moves to the front
    for n in 5..9 {
        q.push(span(n));
    }
    assert_eq!(names(q.as_slice()), ["s2", "s3", "s4", "s5", "s6", "s7", "s8"]);
    assert_eq!(q.len(), 7, "nothing taken");
    assert_eq!(names(&q.take(10, usize::MAX)), ["s2", "s3", "s4", "s5", "s6", "s7", "s8"]);
}
