// The batching exporter (pkg/src/exporter.js, internal) over a fake logger queue,
// against a real OTLP/HTTP receiver on 127.0.0.1: batching, headers, Braintrust
// defaults, key redaction, retries on 503 / 429+Retry-After / hang / reset / down,
// give-up on other 4xx, bounded queue accounting, flush reports and timeouts, gzip,
// and the real encoders' bodies (every field, JSON and protobuf) checked by the
// official OTLP schema. Any unhandled promise rejection fails the test it happens in.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import 'spanwire'; // instantiates the wasm the exporter's retry schedule runs in

// The repository's tests/ folder: the scratch consumer project lives inside it.
let TESTS = dirname(fileURLToPath(import.meta.url));
for (let i = 0; i < 8 && !existsSync(join(TESTS, 'support', 'otlp-receiver.mjs')); i++) TESTS = dirname(TESTS);
const REPO = dirname(TESTS);
const { assertEachOnce, startReceiver, withReceiver } = await import(pathToFileURL(join(TESTS, 'support', 'otlp-receiver.mjs')).href);
const { default: Exporter, BRAINTRUST_OTLP_URL } = await import(
  new URL('../node_modules/spanwire/dist/exporter.js', import.meta.url).href
);

const rejections = [];
process.on('unhandledRejection', (err) => rejections.push(err));
afterEach(() => assert.deepEqual(rejections.splice(0), [], 'no unhandled promise rejection'));

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = (n) => (n + 1).toString(16).padStart(16, '0');

/** A stand-in for the logger's core queue: bounded, drops the newest, counts; encodes OTLP/JSON. */
function fakeSource(maxQueueSize = 2048) {
  const q = [];
  let dropped = 0;
  let next = 0;
  return {
    add(n = 1) {
      for (let i = 0; i < n; i++) {
        const id = spanId(next++);
        if (q.length >= maxQueueSize) dropped++;
        else q.push(id);
      }
    },
    sent: () => next,
    takeBatch(max) {
      if (q.length === 0) return undefined;
      const ids = q.splice(0, max);
      const spans = ids.map((id) => ({ traceId: TRACE, spanId: id, name: `s${id}`, kind: 1, startTimeUnixNano: '1', endTimeUnixNano: '2' }));
      const body = JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 'test' }, spans }] }] });
      return { body: new TextEncoder().encode(body), count: ids.length, contentType: 'application/json' };
    },
    holdsBatch: (max) => q.length >= max,
    queued: () => q.length,
    dropped: () => dropped,
  };
}

/** Records console.warn lines during `fn`. */
async function capturingWarnings(fn) {
  const lines = [];
  const orig = console.warn;
  console.warn = (...args) => lines.push(args.join(' '));
  try {
    await fn(lines);
  } finally {
    console.warn = orig;
  }
  return lines;
}

const FAST = { delayMs: 20, timeoutMs: 200, initialBackoffMs: 20, maxBackoffMs: 100, maxRetries: 8 };

/** The receiver got the fake source's first `n` spans, each exactly once. */
function assertExactlyOnce(rx, n) {
  assertEachOnce(rx.spans(), Array.from({ length: n }, (_, i) => spanId(i)));
}

test('batches by maxBatchSize after delayMs, with custom headers; flush reports what happened', () =>
  withReceiver(async (rx) => {
    const src = fakeSource();
    const ex = new Exporter({ exporter: { url: rx.url, headers: { 'X-Team': 'a', authorization: 'Basic x' } }, batch: { ...FAST, maxBatchSize: 3 } }, src);
    src.add(2);
    ex.notify();
    await rx.waitForSpans(2, 2000); // sent by the delay timer, no flush
    for (let i = 0; i < 100 && ex.stats().exported < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(ex.stats().exported, 2);
    src.add(8);
    for (let i = 0; i < 8; i++) ex.notify();
    const report = await ex.flush();
    assert.deepEqual(report, { exported: 8, dropped: 0, failed: 0, pending: 0 });
    assertExactlyOnce(rx, 10);
    assert.ok(rx.requests.every((r) => r.spans.length <= 3));
    const h = rx.requests[0].headers;
    assert.equal(h['content-type'], 'application/json');
    assert.equal(h['x-team'], 'a');
    assert.equal(h.authorization, 'Basic x');
    assert.equal(h['x-bt-parent'], undefined);
    assert.equal(rx.requests[0].method, 'POST');
    const s = ex.stats();
    assert.equal(s.exported, 10);
    assert.equal(s.queued, 0);
    assert.equal(s.inFlight, 0);
    assert.deepEqual(await ex.flush(), { exported: 0, dropped: 0, failed: 0, pending: 0 });
    await ex.shutdown();
  }));

test('apiKey: Braintrust endpoint by default, Bearer auth and x-bt-parent; the key is never in errors, warnings or stats', async () => {
  const key = 'sk-SECRET-123';
  const src = fakeSource();
  const bt = new Exporter({ apiKey: key, parent: 'project_id:abc', batch: FAST }, src);
  assert.equal(bt.url, BRAINTRUST_OTLP_URL);
  assert.equal(BRAINTRUST_OTLP_URL, 'https://api.braintrust.dev/otel/v1/traces');
  await bt.shutdown();
  assert.throws(() => new Exporter({ apiKey: 'bad key\n' }, src), (err) => /apiKey must be/.test(err.message) && !err.message.includes('bad key'));
  await withReceiver(async (rx) => {
    rx.script({ status: 401, body: `invalid key ${key}` });
    const ex = new Exporter({ apiKey: key, braintrustParent: 'project_id:abc', exporter: { url: rx.url }, batch: FAST }, src);
    let report;
    const warnings = await capturingWarnings(async () => {
      src.add(1);
      ex.notify();
      report = await ex.flush();
    });
    assert.deepEqual(report, { exported: 0, dropped: 0, failed: 1, pending: 0 });
    assert.equal(rx.requests.length, 1, 'no retry on 401');
    assert.equal(rx.requests[0].headers.authorization, `Bearer ${key}`);
    assert.equal(rx.requests[0].headers['x-bt-parent'], 'project_id:abc');
    const stats = ex.stats();
    assert.match(stats.lastError, /HTTP 401/);
    assert.match(stats.lastError, /\[redacted\]/);
    const everything = JSON.stringify([warnings, stats, report]);
    assert.ok(!everything.includes(key), everything);
    assert.equal(warnings.length, 1);
    await ex.shutdown();
  });
});

test('the API key is redacted before an echoed error body is cut short, so no part of it shows', () =>
  withReceiver(async (rx) => {
    const key = 'sk-SECRETSECRETSECRET-0123456789';
    // The 200-character cut would fall inside the key.
    rx.script({ status: 401, body: `${'x'.repeat(180)} Bearer ${key}` }, { status: 400, body: `${'y'.repeat(190)}${key}` });
    for (let i = 0; i < 2; i++) {
      const src = fakeSource();
      const ex = new Exporter({ apiKey: key, exporter: { url: rx.url }, batch: FAST }, src);
      let report;
      const warnings = await capturingWarnings(async () => {
        src.add(1);
        report = await ex.flush();
      });
      assert.equal(report.failed, 1);
      const everything = JSON.stringify([warnings, ex.stats()]);
      assert.ok(!everything.includes(key.slice(0, 6)), everything);
      await ex.shutdown();
    }
  }));

test('x-bt-parent: the logger\'s object as Braintrust reads it; a name a header cannot carry goes as a V3 slug', () =>
  withReceiver(async (rx) => {
    const { initLogger } = await import('spanwire');
    const { resolveParentHeader } = await import('braintrust/util'); // what Braintrust's endpoint runs
    const cases = [
      [{ projectName: 'plain name' }, 'project_name:plain name', { object_type: 2, compute_object_metadata_args: { project_name: 'plain name' } }],
      [{ projectName: 'Café ☕' }, undefined, { object_type: 2, compute_object_metadata_args: { project_name: 'Café ☕' } }],
      [{ projectName: 'Café' }, undefined, { object_type: 2, compute_object_metadata_args: { project_name: 'Café' } }],
      [{ projectName: 'trailing ' }, undefined, { object_type: 2, compute_object_metadata_args: { project_name: 'trailing ' } }],
      [{ projectId: 'p-1' }, 'project_id:p-1', { object_type: 2, object_id: 'p-1' }],
      [{ projectId: 'p\t1' }, undefined, { object_type: 2, object_id: 'p\t1' }],
      [{ experimentId: 'exp-ü' }, undefined, { object_type: 1, object_id: 'exp-ü' }],
    ];
    for (const [options, raw, object] of cases) {
      const before = rx.requests.length;
      const logger = initLogger({ ...options, apiKey: 'k', exporter: { url: rx.url }, batch: FAST, setCurrent: false });
      logger.startSpan({ name: 'x' }).end();
      assert.deepEqual(await logger.flush(), { exported: 1, dropped: 0, failed: 0, pending: 0 }, JSON.stringify(options));
      const header = rx.requests[before].headers['x-bt-parent'];
      if (raw !== undefined) assert.equal(header, raw);
      else assert.match(header, /^[A-Za-z0-9+/=]+$/, 'a slug: base64, pure ASCII');
      const { object_type, object_id, compute_object_metadata_args } = resolveParentHeader(header).data;
      assert.deepEqual(
        Object.fromEntries(Object.entries({ object_type, object_id, compute_object_metadata_args }).filter(([, v]) => v != null)),
        object,
        JSON.stringify(options),
      );
    }
  }));

test('a partial success (OTLP/JSON or protobuf answer) counts the rejected spans as failed, with the reason', () =>
  withReceiver(async (rx) => {
    const { initLogger } = await import('spanwire');
    const reason = 'spans too old';
    const protobufAnswer = Buffer.concat([
      // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1): 2, error_message (2) } }
      Buffer.from([0x0a, 4 + reason.length, 0x08, 0x02, 0x12, reason.length]),
      Buffer.from(reason),
    ]);
    const answers = {
      json: { status: 200, body: JSON.stringify({ partialSuccess: { rejectedSpans: '2', errorMessage: reason } }) },
      protobuf: { status: 200, body: protobufAnswer, contentType: 'application/x-protobuf' },
    };
    for (const protocol of ['json', 'protobuf']) {
      const logger = initLogger({ exporter: { url: rx.url, protocol }, batch: FAST, setCurrent: false });
      rx.script(answers[protocol]);
      let report;
      const warnings = await capturingWarnings(async () => {
        for (let i = 0; i < 3; i++) logger.startSpan({ name: `s${i}` }).end();
        report = await logger.flush();
      });
      assert.deepEqual(report, { exported: 1, dropped: 0, failed: 2, pending: 0 }, protocol);
      assert.equal(logger.stats().lastError, `the collector rejected 2 span(s): ${reason}`, protocol);
      assert.equal(warnings.length, 1, protocol);
      // A full success, in the same encoding, rejects nothing.
      logger.startSpan({ name: 'ok' }).end();
      assert.deepEqual(await logger.flush(), { exported: 1, dropped: 0, failed: 0, pending: 0 }, protocol);
    }
  }));

/**
 * An exporter to `rx` whose first request never settles and ignores its abort signal,
 * as a Worker's send loop stops for good when the request whose flush started it
 * ends: 2 spans are queued, and a flush that gives up at once leaves its loop stalled.
 * Runs `fn({ src, ex })`, then puts `fetch` back.
 */
async function withStalledLoop(rx, fn) {
  const realFetch = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = (url, init) => (++calls === 1 ? new Promise(() => {}) : realFetch(url, init));
  try {
    const src = fakeSource();
    const ex = new Exporter({ exporter: { url: rx.url }, batch: { ...FAST, timeoutMs: 100 } }, src);
    src.add(2);
    ex.notify();
    assert.deepEqual(await ex.flush({ timeoutMs: 50 }), { exported: 0, dropped: 0, failed: 0, pending: 2 });
    await fn({ src, ex });
    const ids = rx.spans().map((span) => span.spanId);
    assert.equal(new Set(ids).size, ids.length, 'each span delivered once');
    await ex.shutdown();
  } finally {
    globalThis.fetch = realFetch;
  }
}

test('a send loop whose I/O context ended (its fetch and timers never settle) is replaced by the next flush, which sends its batch again', () =>
  withReceiver((rx) => withStalledLoop(rx, async ({ src, ex }) => {
    await new Promise((r) => setTimeout(r, 2500)); // past the request's 100 ms and the 2 s slack
    src.add(1);
    ex.notify();
    assert.deepEqual(await ex.flush({ timeoutMs: 5000 }), { exported: 3, dropped: 0, failed: 0, pending: 0 });
    assert.equal(rx.spans().length, 3);
    const stats = ex.stats();
    assert.deepEqual([stats.queued, stats.inFlight, stats.exported, stats.failed], [0, 0, 3, 0]);
  })));

test('a flush that joins a stalled loop of another request replaces it once past its deadline, not at its own timeout', () =>
  withReceiver((rx) => withStalledLoop(rx, async ({ src, ex }) => {
    // Request B flushes before the loop is past its deadline (the request's 100 ms
    // plus 2 s of slack): it waits for the deadline, not for its own 20 s.
    src.add(1);
    const t0 = performance.now();
    assert.deepEqual(await ex.flush({ timeoutMs: 20_000 }), { exported: 3, dropped: 0, failed: 0, pending: 0 });
    assert.ok(performance.now() - t0 < 10_000, `waited ${Math.round(performance.now() - t0)} ms`);
    assert.equal(rx.spans().length, 3);
  })));

test('a flush with nothing new queued, waiting on a stalled loop\'s batch, replaces the loop at its deadline', () =>
  withReceiver((rx) => withStalledLoop(rx, async ({ ex }) => {
    const t0 = performance.now();
    const report = await ex.flush({ timeoutMs: 20_000 }); // its target: the stalled batch alone
    assert.deepEqual(report, { exported: 2, dropped: 0, failed: 0, pending: 0 });
    assert.ok(performance.now() - t0 < 10_000, `waited ${Math.round(performance.now() - t0)} ms`);
    assert.equal(rx.spans().length, 2);
  })));

test('a loop judged stalled (the event loop was blocked past its deadline) stops taking batches once replaced', async () => {
  const realFetch = globalThis.fetch;
  let calls = 0;
  let inFlight = 0;
  let most = 0;
  const sent = [];
  globalThis.fetch = async (url, init) => {
    const call = ++calls;
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 50));
    inFlight--;
    if (call === 1) return new Response('', { status: 503 }); // the first loop backs off
    const body = JSON.parse(new TextDecoder().decode(init.body));
    sent.push(...body.resourceSpans[0].scopeSpans[0].spans.map((x) => x.spanId));
    return new Response('{}', { status: 200 });
  };
  try {
    const src = fakeSource();
    const ex = new Exporter({ exporter: { url: 'http://127.0.0.1:9/v1/traces', compression: 'none' },
      batch: { delayMs: 0, maxBatchSize: 4, timeoutMs: 200, initialBackoffMs: 600, maxBackoffMs: 600, maxRetries: 3 } }, src);
    src.add(12);
    ex.notify(); // the first loop: 3 batches, the first answered 503
    await new Promise((r) => setTimeout(r, 150)); // it sleeps in its backoff (300 to 600 ms)
    const t = Date.now();
    while (Date.now() - t < 2900) { /* the event loop blocked past the backoff and the 2 s slack */ }
    src.add(4);
    ex.notify(); // a full batch: the loop is past its deadline, judged stalled, replaced
    const report = await ex.flush({ timeoutMs: 10_000 });
    assert.deepEqual(report, { exported: 16, dropped: 0, failed: 0, pending: 0 });
    assert.equal(most, 1, 'one request at a time: the replaced loop took no more batches');
    assert.deepEqual([sent.length, new Set(sent).size], [16, 16], 'each span delivered once');
    await ex.shutdown();
  } finally {
    globalThis.fetch = realFetch;
  }
});

test('flush with a bad timeoutMs still waits for the spans in flight (bounded by the default)', () =>
  withReceiver(async (rx) => {
    rx.script('hang');
    const src = fakeSource();
    const ex = new Exporter({ exporter: { url: rx.url }, batch: { ...FAST, timeoutMs: 200 } }, src);
    src.add(2);
    ex.notify();
    const report = await ex.flush({ timeoutMs: '5000' }); // e.g. a Worker's env var, a string
    assert.deepEqual(report, { exported: 2, dropped: 0, failed: 0, pending: 0 });
    assert.equal(rx.spans().length, 2);
    await ex.shutdown();
  }));

test('the API key is redacted from the warning even when it is part of the exporter URL', async () => {
  const key = 'sk-IN-THE-URL-42';
  await withReceiver(async (rx) => {
    rx.script({ status: 400 });
    const src = fakeSource();
    const ex = new Exporter({ apiKey: key, exporter: { url: `${rx.url}?api_key=${key}` }, batch: FAST }, src);
    const warnings = await capturingWarnings(async () => {
      src.add(1);
      ex.notify();
      await ex.flush();
    });
    assert.equal(warnings.length, 1);
    assert.ok(!warnings[0].includes(key), warnings[0]);
    assert.match(warnings[0], /\[redacted\]/);
    await ex.shutdown();
  });
});

for (const [label, steps] of [
  ['503 twice', [503, 503]],
  ['502 and 504', [502, 504]],
  ['a reset connection', ['reset']],
  ['a hang past the timeout', ['hang']],
  ['429 with Retry-After: 1', [{ status: 429, retryAfter: '1' }]],
]) {
  test(`retries after ${label}: every span arrives exactly once`, () =>
    withReceiver(async (rx) => {
      rx.script(...steps);
      const src = fakeSource();
      const ex = new Exporter({ exporter: { url: rx.url }, batch: { ...FAST, maxBatchSize: 4 } }, src);
      src.add(10);
      ex.notify();
      const t0 = performance.now();
      const report = await ex.flush({ timeoutMs: 5000 });
      const elapsed = performance.now() - t0;
      assert.deepEqual(report, { exported: 10, dropped: 0, failed: 0, pending: 0 });
      assertExactlyOnce(rx, 10);
      assert.equal(ex.stats().retries, steps.length);
      assert.equal(rx.requests.length, 3 + steps.length);
      if (label.includes('Retry-After')) assert.ok(elapsed >= 950, `waited ${elapsed} ms for Retry-After: 1`);
      if (label.includes('hang')) assert.ok(elapsed >= 190, 'the hung request was aborted at timeoutMs');
      await ex.shutdown();
    }));
}

test('gives up at once on 400 and after maxRetries on 503; both counted as failed and warned once', () =>
  withReceiver(async (rx) => {
    const src = fakeSource();
    const ex = new Exporter({ exporter: { url: rx.url }, batch: { ...FAST, maxRetries: 2, maxBatchSize: 5 } }, src);
    let r1;
    let r2;
    const warnings = await capturingWarnings(async () => {
      rx.script(400);
      src.add(5);
      r1 = await ex.flush();
      rx.script(503, 503, 503, 503);
      src.add(5);
      r2 = await ex.flush();
    });
    assert.deepEqual(r1, { exported: 0, dropped: 0, failed: 5, pending: 0 });
    assert.deepEqual(r2, { exported: 0, dropped: 0, failed: 5, pending: 0 });
    assert.equal(rx.requests.length, 1 + 3);
    assert.equal(ex.stats().failed, 10);
    assert.match(ex.stats().lastError, /HTTP 503/);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    await ex.shutdown();
  }));

test('down for a while then back: with a large queue every span arrives exactly once', () =>
  withReceiver(async (rx) => {
    const src = fakeSource(1000);
    const ex = new Exporter({ exporter: { url: rx.url }, batch: { ...FAST, maxBatchSize: 7, maxRetries: 30 } }, src);
    const down = rx.down(400);
    for (let i = 0; i < 6; i++) {
      src.add(10);
      ex.notify();
      await new Promise((r) => setTimeout(r, 40));
    }
    await down;
    const report = await ex.flush({ timeoutMs: 5000 });
    assert.equal(report.failed, 0);
    assert.equal(report.pending, 0);
    assertExactlyOnce(rx, 60);
    assert.equal(ex.stats().exported, 60);
    assert.ok(ex.stats().retries > 0);
    await ex.shutdown();
  }));

test('down for a while with a small queue: dropped equals what is missing, warned once', () =>
  withReceiver(async (rx) => {
    const src = fakeSource(5);
    const ex = new Exporter({ exporter: { url: rx.url }, batch: { ...FAST, maxQueueSize: 5, maxBatchSize: 5, maxRetries: 30 } }, src);
    let report;
    const warnings = await capturingWarnings(async () => {
      const down = rx.down(300);
      for (let i = 0; i < 40; i++) {
        src.add(1);
        ex.notify();
        await new Promise((r) => setTimeout(r, 5));
      }
      await down;
      report = await ex.flush({ timeoutMs: 5000 });
    });
    const arrived = new Set(rx.spans().map((s) => s.spanId));
    assert.equal(arrived.size, rx.spans().length, 'no duplicates');
    const stats = ex.stats();
    assert.ok(stats.dropped > 0);
    assert.equal(40 - arrived.size, stats.dropped);
    assert.equal(report.dropped, stats.dropped);
    assert.equal(stats.exported, arrived.size);
    assert.equal(warnings.filter((w) => /queue is full/.test(w)).length, 1, warnings.join('\n'));
    assert.equal((await ex.flush()).dropped, 0, 'each drop is reported by one flush');
    await ex.shutdown();
  }));

test('flush is bounded by its timeout and reports what is pending; nothing rejects later', () =>
  withReceiver(async (rx) => {
    rx.script('hang');
    const src = fakeSource();
    // The request times out at 2 s; the flush gives up at 100 ms, long before (the bound
    // leaves a loaded machine room).
    const ex = new Exporter({ exporter: { url: rx.url }, batch: { ...FAST, timeoutMs: 2000, maxRetries: 0 } }, src);
    src.add(3);
    const t0 = performance.now();
    const report = await ex.flush({ timeoutMs: 100 });
    assert.ok(performance.now() - t0 < 1500, `the flush waited ${Math.round(performance.now() - t0)} ms`);
    assert.deepEqual(report, { exported: 0, dropped: 0, failed: 0, pending: 3 });
    const later = await ex.flush({ timeoutMs: 8000 });
    assert.deepEqual(later, { exported: 0, dropped: 0, failed: 3, pending: 0 });
    assert.match(ex.stats().lastError, /within 2000 ms/);
    await ex.shutdown();
  }));

test('a network error on an unreachable port fails after retries without rejecting', async () => {
  const rx = await startReceiver();
  const url = rx.url;
  await rx.close();
  const src = fakeSource();
  const ex = new Exporter({ exporter: { url }, batch: { ...FAST, maxRetries: 2 } }, src);
  let report;
  await capturingWarnings(async () => {
    src.add(2);
    ex.notify();
    report = await ex.flush();
  });
  assert.deepEqual(report, { exported: 0, dropped: 0, failed: 2, pending: 0 });
  assert.equal(ex.stats().retries, 2);
  assert.match(ex.stats().lastError, /failed/);
  await ex.shutdown();
});

test('gzip: on for large bodies by default, forced by "gzip", off with "none"', () =>
  withReceiver(async (rx) => {
    const cases = [
      [undefined, 1, false], [undefined, 40, true], ['auto', 1, false], ['auto', 40, true],
      ['gzip', 1, true], [true, 1, true], ['none', 40, false], [false, 40, false],
    ];
    for (const [compression, n, gzipped] of cases) {
      const src = fakeSource();
      const ex = new Exporter({ exporter: { url: rx.url, compression }, batch: FAST }, src);
      const before = rx.spans().length;
      src.add(n);
      assert.deepEqual(await ex.flush(), { exported: n, dropped: 0, failed: 0, pending: 0 });
      const req = rx.requests.at(-1);
      assert.equal(req.headers['content-encoding'] === 'gzip', gzipped, `${compression} ${n}`);
      if (gzipped) assert.ok(req.raw.length < req.body.length);
      assert.equal(rx.spans().length - before, n);
      await ex.shutdown();
    }
    assert.throws(() => new Exporter({ exporter: { url: rx.url, compression: 'br' } }, fakeSource()), /compression/);
    assert.throws(() => new Exporter({ exporter: { url: rx.url, protocol: 'xml' } }, fakeSource()), /protocol/);
    assert.throws(() => new Exporter({ exporter: { url: 'not a url' } }, fakeSource()), /url/);
    assert.throws(() => new Exporter({ batch: { maxQueueSize: -1 } }, fakeSource()), /maxQueueSize/);
  }));

test('exporter.headers as Headers, a Map or [name, value] pairs are sent like an object', () =>
  withReceiver(async (rx) => {
    const forms = [
      new Headers({ 'X-Team': 'a', 'X-Form': 'headers' }),
      new Map([['X-Team', 'a'], ['X-Form', 'map']]),
      [['X-Team', 'a'], ['X-Form', 'pairs']],
    ];
    for (const headers of forms) {
      const src = fakeSource();
      const ex = new Exporter({ exporter: { url: rx.url, headers }, batch: FAST }, src);
      src.add(1);
      assert.deepEqual(await ex.flush(), { exported: 1, dropped: 0, failed: 0, pending: 0 });
      const h = rx.requests.at(-1).headers;
      assert.equal(h['x-team'], 'a');
      assert.equal(h['x-form'], headers instanceof Headers ? 'headers' : headers instanceof Map ? 'map' : 'pairs');
      assert.equal(h['content-type'], 'application/json');
      await ex.shutdown();
    }
  }));

test("without url or apiKey the exporter sends to OpenTelemetry's default endpoint", async () => {
  const { OTLP_DEFAULT_URL } = await import('spanwire');
  assert.equal(OTLP_DEFAULT_URL, 'http://localhost:4318/v1/traces');
  const ex = new Exporter({ batch: FAST }, fakeSource());
  assert.equal(ex.url, OTLP_DEFAULT_URL);
  await ex.shutdown();
});

test('exporter: false sends nothing', async () => {
  const src = fakeSource();
  const ex = new Exporter({ exporter: false }, src);
  src.add(3);
  ex.notify();
  assert.equal(ex.enabled, false);
  assert.deepEqual(await ex.flush(), { exported: 0, dropped: 0, failed: 0, pending: 0 });
  assert.equal(ex.stats().requests, 0);
});

test('the real encoders\' bodies (every field) arrive intact, gzipped, and parse with the official OTLP schema', () =>
  withReceiver(async (rx) => {
    const fixtures = join(REPO, 'tests', 'fixtures', 'export');
    const out = await mkdtemp(join(tmpdir(), 'spanwire-export-'));
    for (const name of ['full', 'resource_scope', 'kinds']) {
      for (const [protocol, ext, contentType] of [['json', 'json', 'application/json'], ['protobuf', 'pb', 'application/x-protobuf']]) {
        const body = new Uint8Array(await readFile(join(fixtures, `${name}.${ext}`)));
        let served = false;
        const count = name === 'kinds' ? 5 : 1;
        const src = {
          takeBatch: () => (served ? undefined : ((served = true), { body, count, contentType })),
          holdsBatch: (max) => !served && count >= max,
          queued: () => (served ? 0 : count),
          dropped: () => 0,
        };
        const ex = new Exporter({ exporter: { url: rx.url, protocol, compression: 'gzip' }, batch: FAST }, src);
        assert.deepEqual(await ex.flush(), { exported: count, dropped: 0, failed: 0, pending: 0 });
        const req = rx.requests.at(-1);
        assert.equal(req.headers['content-type'], contentType);
        assert.equal(req.headers['content-encoding'], 'gzip');
        assert.deepEqual(new Uint8Array(req.body), body, 'byte-identical after gunzip');
        assert.equal(req.spans.length, count);
        await writeFile(join(out, `${name}.${ext}`), req.body);
        await ex.shutdown();
      }
    }
    const python = process.env.SPANWIRE_PYTHON ?? join(REPO, '.venv', 'bin', 'python');
    const log = execFileSync(python, [join(REPO, 'tests', 'otlp', 'check_otlp.py'), out], { encoding: 'utf8' });
    assert.match(log, /3 bodies match the OTLP schema/);
  }));
