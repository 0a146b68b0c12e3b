// Exporter lifecycle hooks, each in a child Node process: `beforeExit` sends what a
// script left queued (the delay timer does not hold the process open), within a bound
// that lets a script exit when no collector answers, and a
// `pagehide` event (a browser-like global) sends every queued span at once with
// fetch(..., { keepalive: true }) within the 64 KiB keepalive budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

let TESTS = dirname(fileURLToPath(import.meta.url));
for (let i = 0; i < 8 && !existsSync(join(TESTS, 'support', 'otlp-receiver.mjs')); i++) TESTS = dirname(TESTS);
const { startReceiver } = await import(pathToFileURL(join(TESTS, 'support', 'otlp-receiver.mjs')).href);
const EXPORTER = new URL('../node_modules/spanwire/dist/exporter.js', import.meta.url).href;

const PRELUDE = `
import 'spanwire';
const { default: Exporter } = await import(${JSON.stringify(EXPORTER)});
process.on('unhandledRejection', (e) => { console.error('UNHANDLED', e); process.exitCode = 9; });
// A browser-like global (events on globalThis, a document) whose fetch calls are
// recorded by \`record(init)\`; returns the records.
function browserLike(record = (init) => ({ keepalive: init.keepalive === true })) {
  const calls = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => { calls.push(record(init)); return realFetch(url, init); };
  const target = new EventTarget();
  globalThis.addEventListener = target.addEventListener.bind(target);
  globalThis.removeEventListener = target.removeEventListener.bind(target);
  globalThis.dispatchEvent = target.dispatchEvent.bind(target);
  globalThis.document = { visibilityState: 'visible' };
  return calls;
}
// A logger's queue stand-in: n spans now, \`add(k)\` queues k more.
function source(n, perSpanPad = 0) {
  let made = 0;
  const make = (k) => Array.from({ length: k }, () => (++made).toString(16).padStart(16, '0'));
  const q = make(n);
  return {
    add(k = 1) {
      q.push(...make(k));
    },
    takeBatch(max) {
      if (!q.length) return undefined;
      const ids = q.splice(0, max);
      const spans = ids.map((spanId) => ({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId, name: 'x'.repeat(perSpanPad) }));
      const body = new TextEncoder().encode(JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: {}, spans }] }] }));
      return { body, count: ids.length, contentType: 'application/json' };
    },
    holdsBatch: (max) => q.length >= max,
    queued: () => q.length,
    dropped: () => 0,
  };
}
`;

function run(script) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PRELUDE + script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill(), 15000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** An OTLP URL on a port that was just closed: nothing listens there (a collector down). */
function closedPortUrl() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(`http://127.0.0.1:${port}/v1/traces`));
    });
  });
}

test('Node: beforeExit sends spans still waiting for the batch delay, then the process exits', async () => {
  const rx = await startReceiver();
  try {
    const t0 = performance.now();
    const { code, out } = await run(`
      const ex = new Exporter({ exporter: { url: ${JSON.stringify(rx.url)} }, batch: { delayMs: 60000 } }, source(7));
      ex.notify();
      process.on('exit', () => console.log('stats', JSON.stringify(ex.stats())));
    `);
    assert.equal(code, 0, out);
    assert.ok(performance.now() - t0 < 10000, 'did not wait for the 60 s delay');
    assert.equal(rx.spans().length, 7, out);
    assert.match(out, /"exported":7/);
  } finally {
    await rx.close();
  }
});

test('Node: with no collector listening, the process still exits within the exit flush bound (5 s), the spans counted as failed', async () => {
  const closed = await closedPortUrl();
  const t0 = performance.now();
  const { code, out } = await run(`
    const ex = new Exporter({ exporter: { url: ${JSON.stringify(closed)} }, batch: { delayMs: 60000 } }, source(3));
    ex.notify();
    process.on('exit', () => console.log('stats', JSON.stringify(ex.stats())));
  `);
  const elapsed = performance.now() - t0;
  assert.equal(code, 0, out);
  assert.ok(elapsed < 15000, `exited after ${Math.round(elapsed)} ms (the retries' backoff alone is 31 s)`);
  const stats = JSON.parse(out.split('stats ')[1]);
  assert.equal(stats.failed, 3);
  assert.ok(stats.requests >= 2, 'retried within the bound');
  assert.match(out, /3 span\(s\) could not be exported/);
});

test('Node: a send loop already in its retry backoff when the event loop empties is bounded by the exit flush too', async () => {
  const closed = await closedPortUrl();
  const t0 = performance.now();
  // delayMs 0: the loop starts at once, fails, and sleeps in its backoff (15.5 s to 31 s
  // in all with the default jitter) before the script's event loop empties.
  const { code, out } = await run(`
    const ex = new Exporter({ exporter: { url: ${JSON.stringify(closed)} }, batch: { delayMs: 0, maxBatchSize: 2 } }, source(5));
    ex.notify();
    process.on('exit', () => console.log('stats', JSON.stringify(ex.stats())));
  `);
  const elapsed = performance.now() - t0;
  assert.equal(code, 0, out);
  assert.ok(elapsed < 12000, `exited after ${Math.round(elapsed)} ms`);
  const stats = JSON.parse(out.split('stats ')[1]);
  assert.equal(stats.failed, 5, out);
  assert.equal(stats.queued + stats.inFlight, 0);
});

test('Node: an exit flush honours the backoff (Retry-After here) within its bound, not retrying at once', async () => {
  const rx = await startReceiver();
  rx.script(...Array(10).fill({ status: 503, retryAfter: '2' }));
  try {
    const t0 = performance.now();
    const { code, out } = await run(`
      const ex = new Exporter({ exporter: { url: ${JSON.stringify(rx.url)} }, batch: { delayMs: 0 } }, source(3));
      ex.notify();
      process.on('exit', () => console.log('stats', JSON.stringify(ex.stats())));
    `);
    const elapsed = performance.now() - t0;
    assert.equal(code, 0, out);
    const stats = JSON.parse(out.split('stats ')[1]);
    assert.equal(stats.failed, 3, out);
    // Attempts 2 s apart: at 0, 2 and 4 s; a fourth would come after the 5 s bound.
    assert.equal(rx.requests.length, 3, `${rx.requests.length} requests`);
    assert.ok(elapsed >= 3500 && elapsed < 12000, `exited after ${Math.round(elapsed)} ms`);
  } finally {
    await rx.close();
  }
});

test('Node: a flush that gave up no longer holds the process through a long backoff', async () => {
  const closed = await closedPortUrl();
  const t0 = performance.now();
  const { code, out } = await run(`
    const ex = new Exporter({ exporter: { url: ${JSON.stringify(closed)} },
      batch: { initialBackoffMs: 20000, maxBackoffMs: 20000 } }, source(2));
    console.log('report', JSON.stringify(await ex.flush({ timeoutMs: 500 })));
    process.on('exit', () => console.log('stats', JSON.stringify(ex.stats())));
  `);
  const elapsed = performance.now() - t0;
  assert.equal(code, 0, out);
  assert.deepEqual(JSON.parse(out.split('report ')[1].split('\n')[0]), { exported: 0, dropped: 0, failed: 0, pending: 2 });
  assert.ok(elapsed < 9000, `exited after ${Math.round(elapsed)} ms (the backoff is 10 to 20 s)`);
  assert.equal(JSON.parse(out.split('stats ')[1]).failed, 2);
});

test('browser-like pagehide: a batch waiting to be retried is sent at once with keepalive, and only once', async () => {
  const rx = await startReceiver();
  rx.script(503);
  try {
    const { code, out } = await run(`
      const calls = browserLike();
      const ex = new Exporter({ exporter: { url: ${JSON.stringify(rx.url)} },
        batch: { delayMs: 0, initialBackoffMs: 60000, maxBackoffMs: 60000 } }, source(5));
      ex.notify();
      // The first attempt is answered 503: the batch then waits a minute to be retried.
      while (ex.stats().retries === 0) await new Promise((r) => setTimeout(r, 10));
      globalThis.dispatchEvent(new Event('pagehide'));
      const report = await ex.flush({ timeoutMs: 3000 });
      await new Promise((r) => setTimeout(r, 200)); // a second delivery would land here
      console.log('RESULT', JSON.stringify({ calls, report, stats: ex.stats() }));
      await ex.shutdown({ timeoutMs: 100 });
    `);
    assert.equal(code, 0, out);
    const { calls, report, stats } = JSON.parse(out.split('RESULT ')[1]);
    assert.deepEqual(report, { exported: 5, dropped: 0, failed: 0, pending: 0 }, 'sent without waiting out the backoff');
    assert.deepEqual(calls, [{ keepalive: false }, { keepalive: true }]);
    assert.equal(rx.spans().length, 5, 'delivered once');
    assert.equal(stats.exported, 5);
    assert.equal(stats.inFlight, 0);
  } finally {
    await rx.close();
  }
});

test('browser-like pagehide: a batch handed to a keepalive send goes on from its attempts, not from the first', async () => {
  const rx = await startReceiver();
  rx.script(503, 503, 503);
  try {
    const { code, out } = await run(`
      browserLike();
      const ex = new Exporter({ exporter: { url: ${JSON.stringify(rx.url)} },
        batch: { delayMs: 0, maxRetries: 1, initialBackoffMs: 60000, maxBackoffMs: 60000 } }, source(5));
      ex.notify();
      while (ex.stats().retries === 0) await new Promise((r) => setTimeout(r, 10)); // attempt 1: 503
      globalThis.dispatchEvent(new Event('pagehide')); // attempt 2, the last maxRetries allows
      const report = await ex.flush({ timeoutMs: 2000 });
      console.log('RESULT', JSON.stringify({ report, requests: ex.stats().requests }));
      process.exit(0);
    `);
    assert.equal(code, 0, out);
    const { report, requests } = JSON.parse(out.split('RESULT ')[1]);
    assert.deepEqual(report, { exported: 0, dropped: 0, failed: 5, pending: 0 }, 'failed after its two attempts, not waiting to retry');
    assert.equal(requests, 2);
  } finally {
    await rx.close();
  }
});

test('browser-like pagehide: batches settling out of order, a flush reports as pending only what is not settled', async () => {
  const { code, out } = await run(`
    let attempts = 0;
    globalThis.fetch = async (url, init) => {
      const ids = JSON.parse(new TextDecoder().decode(init.body)).resourceSpans[0].scopeSpans[0].spans.map((s) => s.spanId);
      if (++attempts === 1) return new Response('', { status: 503 }); // the first batch backs off
      if (ids[0] === '0000000000000001') return new Promise(() => {}); // and, sent again, hangs
      return new Response('{}', { status: 200 });
    };
    browserLike();
    const ex = new Exporter({ exporter: { url: 'http://127.0.0.1:9/v1/traces' },
      batch: { delayMs: 0, maxBatchSize: 3, initialBackoffMs: 60000, maxBackoffMs: 60000 } }, source(6));
    ex.notify();
    while (ex.stats().retries === 0) await new Promise((r) => setTimeout(r, 10));
    globalThis.dispatchEvent(new Event('pagehide')); // both batches go with keepalive: the second settles first
    const report = await ex.flush({ timeoutMs: 500 });
    console.log('RESULT', JSON.stringify(report));
    process.exit(0);
  `);
  assert.equal(code, 0, out);
  const report = JSON.parse(out.split('RESULT ')[1]);
  assert.deepEqual(report, { exported: 3, dropped: 0, failed: 0, pending: 3 }, 'the hung batch only, not the delivered one after it');
});

test('browser-like pagehide: an exporter whose queue cannot be read does not keep the others from sending', async () => {
  const rx = await startReceiver();
  try {
    const { code, out } = await run(`
      const calls = browserLike();
      const broken = source(2);
      const bad = new Exporter({ exporter: { url: ${JSON.stringify(rx.url)} }, batch: { delayMs: 60000 } }, broken);
      bad.notify(); // listed first, with spans to send
      const good = new Exporter({ exporter: { url: ${JSON.stringify(rx.url)} }, batch: { delayMs: 60000 } }, source(3));
      good.notify();
      broken.queued = () => { throw new Error('logger gone'); };
      globalThis.dispatchEvent(new Event('pagehide'));
      const report = await good.flush({ timeoutMs: 3000 });
      console.log('RESULT', JSON.stringify({ calls, report, lastError: bad._lastError }));
      await good.shutdown({ timeoutMs: 100 });
    `);
    assert.equal(code, 0, out);
    const { calls, report, lastError } = JSON.parse(out.split('RESULT ')[1]);
    assert.deepEqual(report, { exported: 3, dropped: 0, failed: 0, pending: 0 });
    assert.deepEqual(calls, [{ keepalive: true }], 'the good exporter sent at pagehide, with keepalive');
    assert.match(lastError, /logger gone/, 'the broken one noted its error');
  } finally {
    await rx.close();
  }
});

test('browser-like pagehide while a flush waits: spans queued after the flush are sent at the delay once its loop ends', async () => {
  const rx = await startReceiver();
  rx.script(503);
  try {
    const { code, out } = await run(`
      const calls = browserLike();
      const src = source(1);
      const ex = new Exporter({ exporter: { url: ${JSON.stringify(rx.url)} },
        batch: { delayMs: 100, initialBackoffMs: 60000, maxBackoffMs: 60000 } }, src);
      const flushed = ex.flush({ timeoutMs: 5000 });
      while (ex.stats().retries === 0) await new Promise((r) => setTimeout(r, 10)); // 503: a minute's backoff
      // The page is hidden: the flush's span goes out with keepalive, and the flush's
      // send loop ends while the flush still waits for that request. A span queued
      // now is past the loop's end: no flush waits for it, so the delay must send it.
      globalThis.dispatchEvent(new Event('pagehide'));
      src.add();
      ex.notify();
      const report = await flushed;
      for (let t = 0; t < 300 && ex.stats().exported < 2; t++) await new Promise((r) => setTimeout(r, 10));
      console.log('RESULT', JSON.stringify({ calls, report, stats: ex.stats() }));
      await ex.shutdown({ timeoutMs: 100 });
    `);
    assert.equal(code, 0, out);
    const { calls, report, stats } = JSON.parse(out.split('RESULT ')[1]);
    assert.deepEqual(report, { exported: 1, dropped: 0, failed: 0, pending: 0 });
    assert.deepEqual(calls, [{ keepalive: false }, { keepalive: true }, { keepalive: false }]);
    assert.equal(stats.exported, 2, 'the later span was sent without another flush');
    assert.equal(stats.queued, 0);
    assert.equal(rx.spans().length, 2);
  } finally {
    await rx.close();
  }
});

test('browser-like pagehide after a stalled send loop: the batch its replacement is sending is not sent again', async () => {
  const rx = await startReceiver();
  rx.script(503, 'hang');
  try {
    const { code, out } = await run(`
      const calls = browserLike();
      const ex = new Exporter({ exporter: { url: ${JSON.stringify(rx.url)} },
        batch: { delayMs: 0, initialBackoffMs: 60000, maxBackoffMs: 60000 } }, source(3));
      ex.notify();
      while (ex.stats().retries === 0) await new Promise((r) => setTimeout(r, 10)); // 503: a minute's backoff
      // The loop's step is long past (as when a Worker's request context ends): a flush
      // replaces the loop, and the new one sends the batch again (the receiver hangs).
      const realNow = Date.now;
      Date.now = () => realNow() + 10 * 60000;
      ex.flush({ timeoutMs: 200 });
      while (calls.length < 2) await new Promise((r) => setTimeout(r, 10));
      globalThis.dispatchEvent(new Event('pagehide'));
      await new Promise((r) => setTimeout(r, 200));
      console.log('RESULT', JSON.stringify({ calls }));
      process.exit(0);
    `);
    assert.equal(code, 0, out);
    const { calls } = JSON.parse(out.split('RESULT ')[1]);
    assert.deepEqual(calls, [{ keepalive: false }, { keepalive: false }], 'the batch in flight is not sent a third time');
  } finally {
    await rx.close();
  }
});

test('browser-like pagehide: every queued span is sent at once with keepalive, within the 64 KiB budget', async () => {
  const rx = await startReceiver();
  try {
    const { code, out } = await run(`
      const calls = browserLike((init) => ({ keepalive: init.keepalive === true, bytes: init.body.byteLength }));
      const ex = new Exporter({ exporter: { url: ${JSON.stringify(rx.url)} }, batch: { delayMs: 60000, maxBatchSize: 512 } }, source(300, 400));
      ex.notify();
      globalThis.dispatchEvent(new Event('pagehide'));
      const sentSync = calls.length;
      const report = await ex.flush({ timeoutMs: 5000 });
      console.log('RESULT', JSON.stringify({ sentSync, calls, report }));
      await ex.shutdown();
    `);
    assert.equal(code, 0, out);
    const { sentSync, calls, report } = JSON.parse(out.split('RESULT ')[1]);
    assert.ok(sentSync >= 2, `requests started synchronously in the handler: ${sentSync}`);
    assert.equal(report.exported, 300);
    assert.equal(rx.spans().length, 300);
    const keepalive = calls.filter((c) => c.keepalive);
    assert.ok(keepalive.length >= 1);
    assert.ok(keepalive.reduce((n, c) => n + c.bytes, 0) <= 64 * 1024, 'keepalive bodies within 64 KiB');
    assert.ok(keepalive.reduce((n, c) => n + c.bytes, 0) > 32 * 1024, 'the budget is used');
    assert.ok(calls.length < 10, `no tiny batches past the budget: ${calls.length} requests`);
  } finally {
    await rx.close();
  }
});
