// Export end to end through initLogger inside a Cloudflare Worker (workerd via
// Miniflare): the Worker (export-logger-worker.js, bundled from the installed package
// as a user's esbuild would) records spans, answers at once and hands logger.flush()
// to ctx.waitUntil; every span still arrives at a real OTLP receiver on 127.0.0.1,
// exactly once (counted by span id), also when the receiver first answers 503, resets,
// answers 429 or hangs past timeoutMs, and when concurrent requests share one logger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO, SCRATCH, bundleForRuntime } from '../support/consumer.mjs';
import { startWorker } from '../support/workerd.mjs';
import { assertEachOnce, withReceiver } from '../support/otlp-receiver.mjs';

let worker;
const unhandled = [];
const onRejection = (e) => unhandled.push(e);

before(async () => {
  process.on('unhandledRejection', onRejection);
  const dir = join(SCRATCH, 'workerd-export-logger-src');
  await mkdir(dir, { recursive: true });
  await copyFile(join(REPO, 'tests', 'workerd', 'export-logger-worker.js'), join(dir, 'export-logger-worker.js'));
  const file = await bundleForRuntime(join(dir, 'export-logger-worker.js'), join(SCRATCH, 'workerd-export-logger'), 'workerd');
  worker = await startWorker(file);
});

after(async () => {
  const res = await fetch(new URL('/rejections', worker.url));
  const inWorker = await res.json();
  await worker.dispose();
  process.off('unhandledRejection', onRejection);
  assert.deepEqual(inWorker, [], 'no unhandled rejection in the Worker');
  assert.deepEqual(unhandled, [], 'no unhandled rejection in the test process');
});

/** One request to the Worker; resolves with its answer and how long it took. */
async function call(rx, { protocol = 'json', n = 6, tag = '', headers = {}, timeoutMs = 300 } = {}) {
  const q = new URLSearchParams({ url: rx.url, protocol, n: String(n), tag, timeoutMs: String(timeoutMs) });
  const t0 = performance.now();
  const res = await fetch(new URL(`/?${q}`, worker.url), { headers });
  const body = await res.json();
  return { ...body, ms: performance.now() - t0, arrivedAtAnswer: rx.spans().length };
}


test('workerd: a Worker answers at once and every span arrives through ctx.waitUntil(logger.flush()), with its ids, parents and fields', () =>
  withReceiver(async (rx) => {
    const inbound = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    // A non-ASCII tag: the Worker writes it to wasm memory by its non-ASCII path.
    const r = await call(rx, { n: 12, tag: 'first-é', headers: { traceparent: inbound, tracestate: 'edge=1' } });
    assert.equal(r.stats.exported, 0, 'nothing was delivered before the answer');
    assert.equal(r.stats.queued + r.stats.inFlight, 12);
    await rx.waitForSpans(12, 5000);
    const ids = r.spans.map((s) => s.spanId);
    assertEachOnce(rx.spans(), ids);
    assert.equal(rx.requests.length, 3, '12 spans in batches of 5');
    const arrived = new Map(rx.requests.flatMap((req) => req.json.resourceSpans[0].scopeSpans[0].spans).map((s) => [s.spanId, s]));
    assert.equal(r.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    for (const rec of r.spans) {
      const s = arrived.get(rec.spanId);
      assert.equal(s.traceId, r.traceId);
      assert.equal(s.name, rec.name);
      assert.equal(s.parentSpanId, rec.parent);
      assert.equal(s.traceState, 'edge=1');
    }
    const root = arrived.get(r.spans[0].spanId);
    assert.equal(root.parentSpanId, '00f067aa0ba902b7', 'the server span continues the inbound traceparent');
    assert.equal(root.kind, 2);
    assert.equal(root.flags, 0x301);
    assert.deepEqual(root.attributes.slice(0, 3), [
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: 'spans.count', value: { intValue: '12' } },
      { key: 'tag', value: { stringValue: 'first-é' } },
    ]);
    const step3 = arrived.get(r.spans[3].spanId);
    assert.equal(step3.parentSpanId, r.spans[0].spanId);
    assert.deepEqual(step3.attributes.map((a) => [a.key, a.value.stringValue]), [
      ['braintrust.input_json', '{"i":3}'], ['braintrust.output_json', '6'], ['braintrust.metadata', '{"tag":"first-é"}'],
    ]);
    const resource = Object.fromEntries(rx.requests[0].json.resourceSpans[0].resource.attributes.map((a) => [a.key, a.value.stringValue]));
    assert.equal(resource['service.name'], 'edge');
    assert.equal(resource['telemetry.sdk.language'], 'webjs');
    assert.equal(rx.requests[0].headers['x-bt-parent'], 'project_id:proj-worker');
  }));

test('workerd: the receiver answers 503, then resets, then 429: every span still arrives exactly once after the response (protobuf)', () =>
  withReceiver(async (rx) => {
    rx.script(503, 'reset', { status: 429, retryAfter: '0' });
    const r = await call(rx, { protocol: 'protobuf', n: 8 });
    assert.equal(r.stats.exported, 0);
    await rx.waitForSpans(8, 5000);
    assertEachOnce(rx.spans(), r.spans.map((s) => s.spanId));
    assert.equal(rx.requests.slice(0, 3).map((q) => q.action).join(','), '503,reset,429');
    assert.ok(rx.requests.every((q) => q.headers['content-type'] === 'application/x-protobuf'));
    assert.ok(rx.spans().every((s) => s.traceId === r.traceId));
  }));

test('workerd: with the receiver hanging past timeoutMs the answer does not wait; the spans arrive after the retry', () =>
  withReceiver(async (rx) => {
    rx.script('hang');
    // A 3 s request timeout: the answer must come well before it, even on a loaded machine.
    const r = await call(rx, { n: 3, timeoutMs: 3000 });
    assert.equal(r.arrivedAtAnswer, 0, 'answered before any span was delivered');
    assert.ok(r.ms < 2500, `answered in ${r.ms} ms, before the hung request timed out (3000 ms)`);
    const t0 = performance.now();
    await rx.waitForSpans(3, 10000);
    assertEachOnce(rx.spans(), r.spans.map((s) => s.spanId));
    assert.equal(rx.requests[0].action, 'hang');
    assert.ok(performance.now() - t0 + r.ms >= 2900, 'delivered after the timeout, in waitUntil');
  }));

test('workerd: concurrent requests sharing one logger, receiver first answering 503: every span of every request exactly once', () =>
  withReceiver(async (rx) => {
    rx.script(503, 503);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => call(rx, { n: 4, tag: `c${i}` })));
    const ids = answers.flatMap((a) => a.spans.map((s) => s.spanId));
    assert.equal(new Set(ids).size, 24);
    await rx.waitForSpans(24, 8000);
    await new Promise((r) => setTimeout(r, 200)); // a late duplicate would show up here
    assertEachOnce(rx.spans(), ids);
    assert.equal(new Set(answers.map((a) => a.traceId)).size, 6, 'one trace per request');
  }));
