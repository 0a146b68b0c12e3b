// The peer-benchmark contenders (bench/contender.mjs, bench/contender-span.mjs) against
// the contract the harness checks before it times anything (../shared/bench/peers
// README, "The contender interface"), on the package scripts/build wrote to pkg/dist:
// a contender that broke would otherwise be found only by the next scripts/bench run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';

const main = await import('../../bench/contender.mjs');
const span = await import('../../bench/contender-span.mjs');
await main.setup();
await span.setup();
const { parseSlug } = await import('../../pkg/dist/api.js');

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;
const TRACESTATE = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,vendor3=opaque-value-3';
const CONTEXT_INPUT = {
  traceId: TRACE_ID,
  spanId: SPAN_ID,
  sampled: true,
  traceState: TRACESTATE,
  baggage: { userId: 'alice', serverNode: 'DF 28', isProduction: 'false' },
};
const BAGGAGE = 'userId=alice,serverNode=DF%2028,isProduction=false';
const incoming = () => ({ traceparent: TRACEPARENT, tracestate: TRACESTATE, baggage: BAGGAGE });

// Nothing the contenders queued is sent at exit (their exporter URL is never reachable).
after(() => {
  main.discardQueued();
  span.discardQueued();
});

test('names are unique, and the recorded round trip is Node only', () => {
  assert.equal(main.name, 'spanwire');
  assert.equal(span.name, 'spanwire-span');
  assert.equal(span.workerd, false);
  assert.equal(span.sizeEntries, undefined);
  assert.equal(span.coldStartModules, undefined);
});

test('ids: crypto-backed hex of the right length, never repeated', () => {
  assert.match(main.traceId(), /^[0-9a-f]{32}$/);
  assert.match(main.spanId(), /^[0-9a-f]{16}$/);
  assert.notEqual(main.traceId(), main.traceId());
});

test('inject and extract, plain objects and Headers', () => {
  const ctx = main.makeContext(CONTEXT_INPUT);
  const plain = main.injectPlain(ctx, {});
  assert.equal(plain.traceparent, TRACEPARENT);
  assert.equal(plain.tracestate, TRACESTATE);
  assert.equal(main.injectHeaders(ctx, new Headers()).get('traceparent'), TRACEPARENT);
  assert.match(main.injectBaggage(ctx, {}).baggage, /(^|,)serverNode=DF%2028(,|$)/);
  assert.equal(main.extract(incoming()).traceId, TRACE_ID);
  assert.equal(main.extractHeaders(new Headers(incoming())).traceId, TRACE_ID);
  assert.equal(main.extract({ traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` })?.traceId, undefined);
});

// The codec forwards the inbound baggage; a recorded span adds its logger's Braintrust parent.
const ROUND_TRIPS = [
  ['codec round trip', main, BAGGAGE],
  ['recorded round trip', span, `${BAGGAGE},braintrust.parent=project_name%3Abench`],
];
for (const [label, contender, baggage] of ROUND_TRIPS) {
  test(`${label}: a new carrier, same trace, new span id, tracestate and baggage carried`, () => {
    const inbound = incoming();
    const seen = new Set();
    for (let i = 0; i < 3; i++) {
      const out = contender.roundTrip(inbound);
      assert.notEqual(out, inbound);
      const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(out.traceparent);
      assert.ok(m, out.traceparent);
      assert.equal(m[1], TRACE_ID);
      assert.notEqual(m[2], SPAN_ID);
      seen.add(m[2]);
      assert.equal(out.tracestate, TRACESTATE);
      assert.equal(out.baggage, baggage);
    }
    assert.equal(seen.size, 3, 'a new span id each time');
    assert.deepEqual(inbound, incoming(), 'the inbound carrier is left alone');
  });
}

test('spans: lifecycle ends its span, export gives a slug, exportBatch encodes the prepared spans', async () => {
  const s = main.spanLifecycle();
  assert.equal(s.ended, true);
  assert.equal(parseSlug(await main.spanExport()).span_id.length, 16);
  assert.equal(main.prepareExport(10), 10);
  const body = JSON.parse(new TextDecoder().decode(main.exportBatch()));
  const spans = body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((x) => x.spans));
  assert.equal(spans.length, 10);
  assert.deepEqual(spans[0].attributes.map((a) => a.key).sort(), ['app.cache_hit', 'http.request.method', 'http.response.status_code']);
});

// The size section bundles these entries: each must be code that works, or its size
// means nothing. The wasm module is already instantiated (above), so the browser
// entry's init returns at once.
test('size entries: the whole API; the tracer usage records, injects and exports; propagation forwards', async () => {
  const full = await import('../../bench/size-entry.mjs');
  for (const name of ['initLogger', 'extractTraceContext', 'injectTraceContext', 'parseSlug', 'tracedFetch', 'newTraceId']) {
    assert.equal(typeof full[name], 'function', name);
  }

  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    sent.push({ url: String(url), body: JSON.parse(new TextDecoder().decode(init.body)) });
    return new Response(null, { status: 200 });
  };
  try {
    const tracer = await import('../../bench/size-tracer.mjs');
    const out = {};
    await tracer.handle(incoming(), out);
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(out.traceparent);
    assert.ok(m, out.traceparent);
    assert.equal(m[1], TRACE_ID);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].url, 'http://127.0.0.1:4318/v1/traces');
    const [s] = sent[0].body.resourceSpans[0].scopeSpans[0].spans;
    assert.equal(s.name, 'handle');
    assert.equal(s.traceId, TRACE_ID);
    assert.equal(s.spanId, m[2]);
    assert.equal(s.parentSpanId, SPAN_ID);
    assert.deepEqual(s.attributes.find((a) => a.key === 'http.request.method')?.value, { stringValue: 'GET' });
  } finally {
    globalThis.fetch = realFetch;
  }

  const propagation = await import('../../bench/size-propagation.mjs');
  const forwarded = propagation.inject(propagation.extractTraceContext(incoming()), {});
  assert.deepEqual(forwarded, incoming());
});
