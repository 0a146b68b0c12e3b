// The opt-in global fetch patch, in Node: calls under a span become client spans with
// headers (to allowed targets only); calls without a span and the exporter's own
// requests are untouched; unpatch restores the original fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../../demo/receiver.mjs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { importSpanwire, NODE_MODULES, startRecorder } from './package-spanwire.mjs';

const sw = await importSpanwire();

test('patchGlobalFetch: traced under a span, untouched otherwise, never its own exports', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const allowed = await startRecorder();
  const other = await startRecorder();
  const original = globalThis.fetch;
  // delayMs 0: every ended span is sent at once, while the patch is on.
  const logger = sw.initLogger({ serviceName: 'patched', exporter: { url: receiver.url }, batch: { delayMs: 0 }, setCurrent: false });
  let current;
  const unpatch = sw.patchGlobalFetch({ getSpan: () => current, propagateTo: [allowed.origin] });
  try {
    assert.notEqual(globalThis.fetch, original);
    assert.throws(() => sw.patchGlobalFetch({ getSpan: () => undefined }), /already patched/);
    current = logger.startSpan({ name: 'job' });
    const r1 = await fetch(`${allowed.origin}/in-span`);
    assert.equal(r1.status, 200);
    await fetch(`${other.origin}/in-span-other`);
    current.end();
    await logger.flush({ timeoutMs: 5000 }); // the exporter's POSTs go through the patched fetch
    const job = current;
    current = undefined;
    await fetch(`${allowed.origin}/no-span`, { headers: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` } });
    await logger.flush({ timeoutMs: 5000 });

    const h = (rec, path) => rec.seen.find((x) => x.path === path).headers;
    assert.match(h(allowed, '/in-span').traceparent ?? '', new RegExp(`^00-${job.rootSpanId}-[0-9a-f]{16}-0[13]$`));
    assert.equal(h(other, '/in-span-other').traceparent, undefined, 'not allowed: no headers');
    assert.equal(h(allowed, '/no-span').traceparent, `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`, 'no span: the call as given');
    const clients = receiver.spans.filter((s) => s.kind === 'client');
    assert.deepEqual(clients.map((c) => c.attributes['url.full']).sort(), [`${allowed.origin}/in-span`, `${other.origin}/in-span-other`].sort());
    assert.ok(clients.every((c) => c.parentSpanId === job.spanId));
    assert.equal(receiver.spans.length, 3, 'the job and its two calls; no span for the exporter requests');
    for (const r of receiver.requests) assert.equal(r.headers.traceparent, undefined, 'exports carry no trace headers');
  } finally {
    unpatch();
    await receiver.close();
    await allowed.close();
    await other.close();
  }
  assert.equal(globalThis.fetch, original, 'unpatch restores the original');
  unpatch(); // twice is harmless
  assert.equal(globalThis.fetch, original);
});

test('patchGlobalFetch with span.fetch: one client span, a child of the span given, not traced again by the patch', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const allowed = await startRecorder();
  const logger = sw.initLogger({ serviceName: 'patched', exporter: { url: receiver.url }, setCurrent: false });
  const ambient = logger.startSpan({ name: 'ambient' }); // what getSpan returns
  const unpatch = sw.patchGlobalFetch({ getSpan: () => ambient, propagateTo: [allowed.origin] });
  try {
    const given = logger.startSpan({ name: 'given' });
    await given.fetch(`${allowed.origin}/explicit`, undefined, { propagateTo: [allowed.origin] });
    await sw.tracedFetch(given, `${allowed.origin}/traced`, undefined, { propagateTo: [allowed.origin], fetch: globalThis.fetch });
    given.end();
    ambient.end();
  } finally {
    unpatch();
  }
  try {
    await logger.flush({ timeoutMs: 5000 });
    const clients = receiver.spans.filter((s) => s.kind === 'client');
    assert.equal(clients.length, 2, 'one client span per call');
    const given = receiver.spans.find((s) => s.name === 'given');
    for (const path of ['/explicit', '/traced']) {
      const client = clients.find((c) => c.attributes['url.full'] === `${allowed.origin}${path}`);
      assert.equal(client.parentSpanId, given.spanId, `${path}: under the span given`);
      const sent = allowed.seen.find((x) => x.path === path).headers.traceparent;
      assert.match(sent, new RegExp(`^00-${given.traceId}-${client.spanId}-0[13]$`), `${path}: the headers name that client span`);
    }
  } finally {
    await receiver.close();
    await allowed.close();
  }
});

test('both builds patched (require beside import): a traced call is still traced once', { timeout: 20_000 }, async () => {
  const cjs = createRequire(join(NODE_MODULES, 'noop.js'))('spanwire');
  const receiver = await startReceiver();
  const allowed = await startRecorder();
  const logger = sw.initLogger({ serviceName: 'esm', exporter: { url: receiver.url }, setCurrent: false });
  const cjsLogger = cjs.initLogger({ serviceName: 'cjs', exporter: { url: receiver.url }, setCurrent: false });
  const ambient = cjsLogger.startSpan({ name: 'cjs ambient' });
  const unpatchCjs = cjs.patchGlobalFetch({ getSpan: () => ambient, propagateTo: [allowed.origin] });
  const unpatchEsm = sw.patchGlobalFetch({ getSpan: () => undefined, propagateTo: [allowed.origin] });
  try {
    const given = logger.startSpan({ name: 'given' });
    await given.fetch(`${allowed.origin}/once`, undefined, { propagateTo: [allowed.origin] });
    given.end();
    ambient.end();
  } finally {
    unpatchEsm();
    unpatchCjs();
  }
  try {
    await logger.flush({ timeoutMs: 5000 });
    await cjsLogger.flush({ timeoutMs: 5000 });
    const clients = receiver.spans.filter((s) => s.kind === 'client');
    assert.equal(clients.length, 1, 'one client span: the call did not go through the other build\'s patch');
    assert.equal(clients[0].parentSpanId, receiver.spans.find((s) => s.name === 'given').spanId);
  } finally {
    await receiver.close();
    await allowed.close();
  }
});
