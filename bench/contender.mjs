// spanwire as a contender in the shared peer benchmark (../shared/bench/peers).
// It drives the built package (pkg/dist, made by scripts/build) through its public
// API, as a user's code would call it. Run by scripts/bench.
//
// What each task does here, next to OpenTelemetry's (contenders/otel.mjs):
// - ids: newTraceId/newSpanId, crypto-backed (OTel's are Math.random).
// - extract*: extractTraceContext validates traceparent and the whole tracestate
//   (OTel keeps tracestate unparsed until first use).
// - inject*: injectTraceContext forwards a context: traceparent, tracestate and the
//   baggage (spanwire writes all three in one call; OTel's trace-context propagator
//   writes two and its baggage propagator the third).
// - roundTrip: extract -> child context (a new span id, nothing recorded) -> inject,
//   the work OTel's roundTrip and the hand-written JS codec do. The same round trip
//   with a real child span started, injected and ended is timed beside it as
//   `spanwire-span` (bench/contender-span.mjs).
// - spanLifecycle: start + 3 attributes + end into a logger whose exporter queues the
//   span (the queue is emptied unsent every 1024 spans, like OTel's in-memory exporter
//   reset; encoding is timed by exportBatch).
// - exportBatch: encode 1,000 queued spans as an OTLP/JSON request body (bytes).
import { drainEvery1024, loadPackage, queueingLogger, spanwire } from './common.mjs';

export const name = 'spanwire';
export const description = 'spanwire (Rust -> wasm): crypto ids, W3C codec and span recorder in wasm, OTLP encoding in wasm';

let logger;     // spans queued for export, never sent
let exportLog;  // the 1,000 spans exportBatch encodes
let drain;      // empties logger's queue every 1,024 spans

export async function setup() {
  await loadPackage();
  logger = queueingLogger();
  exportLog = queueingLogger();
  drain = drainEvery1024(logger);
}

export const traceId = spanwire.newTraceId;
export const spanId = spanwire.newSpanId;

export function makeContext({ traceId: t, spanId: s, sampled, traceState, baggage }) {
  const members = Object.entries(baggage).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(',');
  return spanwire.extractTraceContext({ traceparent: `00-${t}-${s}-${sampled ? '01' : '00'}`, tracestate: traceState, baggage: members });
}

export function injectPlain(ctx, carrier) { return spanwire.injectTraceContext(ctx, carrier); }
export function injectHeaders(ctx, headers) { return spanwire.injectTraceContext(ctx, headers); }
export function injectBaggage(ctx, carrier) { return spanwire.injectTraceContext(ctx, carrier); }
export function extract(carrier) { return spanwire.extractTraceContext(carrier); }
export function extractHeaders(headers) { return spanwire.extractTraceContext(headers); }

export function roundTrip(carrier) {
  const ctx = spanwire.extractTraceContext(carrier);
  return ctx === undefined ? {} : spanwire.injectTraceContext(ctx.child(), {});
}

export function spanLifecycle() {
  const span = logger.startSpan({ name: 'GET /api/items' });
  span.setAttribute('http.request.method', 'GET');
  span.setAttribute('http.response.status_code', 200);
  span.setAttribute('app.cache_hit', true);
  span.end();
  drain();
  return span;
}

export function spanExport() {
  const span = logger.startSpan({ name: 'exported' });
  const slug = span.export();
  span.end();
  drain();
  return slug;
}

export function prepareExport(n) {
  exportLog._source.discard(4096);
  for (let i = 0; i < n; i++) {
    const span = exportLog.startSpan({ name: 'GET /api/items' });
    span.setAttribute('http.request.method', 'GET');
    span.setAttribute('http.response.status_code', 200);
    span.setAttribute('app.cache_hit', true);
    span.end();
  }
  return n;
}

/** Encodes the queued spans as one OTLP/JSON request body, leaving them queued. */
export function exportBatch() { return exportLog._source.encodeQueued(); }

/** Not part of the harness contract: empties both queues unsent (tests/bench, at exit). */
export function discardQueued() {
  logger._source.discard(4096);
  exportLog._source.discard(4096);
}

export const coldStartModules = { 'full package': ['./cold-start.mjs'] };
export const sizeEntries = {
  'full package': './size-entry.mjs',
  'full tracer': './size-tracer.mjs',
  propagation: './size-propagation.mjs',
};
