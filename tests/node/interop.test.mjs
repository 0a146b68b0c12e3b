// Interop in one run: headers injected by spanwire are extracted by @opentelemetry/core's
// W3C propagators and by the braintrust npm package (run offline) with the same ids,
// flags, tracestate and Braintrust parent, and the reverse.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initLogger, startSpan, extractTraceContext, injectTraceContext } from 'spanwire';
import { ROOT_CONTEXT, trace, propagation, defaultTextMapGetter, defaultTextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator, W3CBaggagePropagator, TraceState } from '@opentelemetry/core';
import * as braintrust from 'braintrust';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const TRACESTATE = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';
const otelTrace = new W3CTraceContextPropagator();
const otelBaggage = new W3CBaggagePropagator();

before(() => {
  initLogger({ projectId: 'proj-1', projectName: 'proj', exporter: false });
});

/** What OpenTelemetry reads from a carrier. */
function otelExtract(carrier) {
  const ctx = otelBaggage.extract(otelTrace.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter), carrier, defaultTextMapGetter);
  const sc = trace.getSpanContext(ctx);
  return {
    traceId: sc?.traceId,
    spanId: sc?.spanId,
    traceFlags: sc?.traceFlags,
    traceState: sc?.traceState?.serialize(),
    btParent: propagation.getBaggage(ctx)?.getEntry('braintrust.parent')?.value,
  };
}

/** What OpenTelemetry writes for this span context. */
function otelInject(spanContext, baggage) {
  let ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext);
  if (baggage) ctx = propagation.setBaggage(ctx, propagation.createBaggage(baggage));
  const carrier = {};
  otelTrace.inject(ctx, carrier, defaultTextMapSetter);
  otelBaggage.inject(ctx, carrier, defaultTextMapSetter);
  return carrier;
}

test('spanwire -> OpenTelemetry: same trace id, span id, flags, tracestate and baggage', () => {
  for (const [flags, sampled] of [['01', 1], ['00', 0], ['03', 3]]) {
    const parent = extractTraceContext({ traceparent: `00-${TRACE}-${SPAN}-${flags}`, tracestate: TRACESTATE, baggage: 'userId=alice' });
    const span = startSpan({ name: 'client', parent });
    const got = otelExtract(span.inject());
    span.end();
    assert.deepEqual(got, {
      traceId: TRACE,
      spanId: span.spanId,
      traceFlags: sampled,
      traceState: TRACESTATE,
      btParent: 'project_id:proj-1',
    }, `flags ${flags}`);
  }
  const root = startSpan({ name: 'root' });
  const got = otelExtract(Object.fromEntries(root.inject(new Headers())));
  root.end();
  assert.equal(got.traceId, root.rootSpanId);
  assert.equal(got.spanId, root.spanId);
  assert.equal(got.traceFlags, 3, 'sampled + random (Level 2) on a root we start');
  assert.equal(got.traceState, undefined, 'no tracestate when none came in');
});

test('OpenTelemetry -> spanwire: same trace id, span id, flags and tracestate; our child continues the trace', () => {
  for (const traceFlags of [0, 1]) {
    const carrier = otelInject(
      { traceId: TRACE, spanId: SPAN, traceFlags, traceState: new TraceState(TRACESTATE), isRemote: false },
      { 'braintrust.parent': { value: 'project_name:Café a,b' }, userId: { value: 'alice' } },
    );
    const ctx = extractTraceContext(carrier);
    assert.equal(ctx.traceId, TRACE);
    assert.equal(ctx.spanId, SPAN);
    assert.equal(ctx.traceFlags, traceFlags);
    assert.equal(ctx.sampled, traceFlags === 1);
    assert.equal(ctx._tracestate, TRACESTATE);
    const child = startSpan({ name: 'server', parent: ctx });
    assert.equal(child.rootSpanId, TRACE);
    assert.deepEqual(child.spanParents, [SPAN]);
    const back = otelExtract(child.inject());
    child.end();
    assert.equal(back.traceId, TRACE);
    assert.equal(back.traceFlags, traceFlags);
    assert.equal(back.traceState, TRACESTATE);
    assert.equal(back.btParent, 'project_name:Café a,b', 'the inbound Braintrust parent round-trips through both encoders');
    // An unrecorded hop (ctx.child()) in between: OpenTelemetry reads its span id, and a
    // span started from it hangs under that id.
    const hop = ctx.child();
    const viaHop = otelExtract(injectTraceContext(hop, {}));
    assert.deepEqual(viaHop, { traceId: TRACE, spanId: hop.spanId, traceFlags, traceState: TRACESTATE, btParent: 'project_name:Café a,b' });
    const below = startSpan({ name: 'below the hop', parent: hop });
    below.end();
    assert.equal(below.rootSpanId, TRACE);
    assert.deepEqual(below.spanParents, [hop.spanId]);
    assert.equal(below.sampled, traceFlags === 1);
  }
});

// ---- braintrust, offline ----

const noNetwork = () => { throw new Error('network disabled in this test'); };
let btLogger;

async function braintrustOffline() {
  if (btLogger) return btLogger;
  const t = braintrust._exportsForTestingOnly;
  t.setInitialTestState?.();
  await t.simulateLoginForTests();
  t.useTestBackgroundLogger();
  braintrust.setFetch?.(noNetwork);
  btLogger = braintrust.initLogger({ apiKey: 'test-key', projectId: 'proj-1', projectName: 'proj', fetch: noNetwork });
  return btLogger;
}

test('spanwire -> braintrust: the SDK links its span under ours, same trace, flags, tracestate and parent', async () => {
  const logger = await braintrustOffline();
  const parent = extractTraceContext({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: TRACESTATE });
  const ours = startSpan({ name: 'client', parent });
  const headers = ours.inject();
  ours.end();
  const ctx = braintrust.extractTraceContextFromHeaders(headers);
  assert.ok(ctx, 'braintrust extracts our headers');
  const theirs = logger.startSpan({ name: 'server', parent: ctx });
  assert.equal(theirs.rootSpanId, TRACE);
  assert.deepEqual(theirs.spanParents, [ours.spanId]);
  const out = theirs.inject({});
  theirs.end();
  assert.equal(out.traceparent.slice(0, 36), `00-${TRACE}-`);
  assert.equal(out.traceparent.slice(53), '01');
  assert.equal(out.tracestate, TRACESTATE);
  assert.equal(out.baggage, 'braintrust.parent=project_id%3Aproj-1');
});

test('braintrust -> spanwire: our span links under the SDK span, same trace and Braintrust parent', async () => {
  const logger = await braintrustOffline();
  const theirs = logger.startSpan({ name: 'client' });
  const headers = theirs.inject({});
  theirs.end();
  const ctx = extractTraceContext(headers);
  assert.equal(ctx.traceId, theirs.rootSpanId);
  assert.equal(ctx.spanId, theirs.spanId);
  assert.equal(ctx.traceFlags, 1);
  const ours = startSpan({ name: 'server', parent: ctx });
  assert.equal(ours.rootSpanId, theirs.rootSpanId);
  assert.deepEqual(ours.spanParents, [theirs.spanId]);
  const back = braintrust.extractTraceContextFromHeaders(ours.inject());
  ours.end();
  assert.equal(back.traceparent.slice(3, 35), theirs.rootSpanId);
  assert.equal(back.baggage, headers.baggage, 'the SDK\'s braintrust.parent is re-emitted as received');
});
