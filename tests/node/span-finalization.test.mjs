// A span that began in wasm (its ids were read) and is dropped without end() is freed
// from the recorder once collected: registration for finalization is deferred to the
// next microtask (pkg/src/logger.js), and that must not lose any. Runs in a child
// `node --expose-gc`, reading the recorder's live count from the wasm instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url)); // where `spanwire` resolves

const child = `
  const { catchWasmInstance } = await import('./js/wasm-instance.mjs');
  const caught = catchWasmInstance();
  const { initLogger } = await import('spanwire');
  const live = () => caught.instance.exports.recorder_live();
  const logger = initLogger({ projectId: 'p', exporter: false, setCurrent: false });
  const start = live();
  (() => {
    for (let i = 0; i < 100; i++) logger.startSpan({ name: 'dropped' }).spanId; // begun, never ended
  })();
  const kept = logger.startSpan({ name: 'kept' });
  kept.spanId;
  const ended = logger.startSpan({ name: 'ended' });
  ended.spanId;
  ended.end();
  const begun = live() - start;
  for (let i = 0; i < 50 && live() - start > 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    globalThis.gc();
  }
  console.log(JSON.stringify({ begun, after: live() - start, keptStillLive: kept.ended === false }));
`;

test('spans begun and dropped unended are freed after collection; a referenced one is not', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', child], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.begun, 101, '100 dropped + 1 kept are live in wasm; the ended one is not');
  assert.equal(out.after, 1, 'only the referenced span is still live');
  assert.equal(out.keptStillLive, true);
});

// Loggers made and dropped (as a Workers fetch handler does on every request, to read
// `env`) are closed in wasm once collected; one whose spans still wait for their send
// timer stays open until they are delivered.
const loggersChild = `
  const http = await import('node:http');
  const { catchWasmInstance } = await import('./js/wasm-instance.mjs');
  const caught = catchWasmInstance();
  const { initLogger } = await import('spanwire');
  const open = () => caught.instance.exports.recorder_loggers();
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => { received++; res.writeHead(200).end('{}'); });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = 'http://127.0.0.1:' + server.address().port + '/v1/traces';
  const start = open();
  (() => {
    for (let i = 0; i < 500; i++) {
      const logger = initLogger({ projectId: 'p' + i, exporter: false });
      logger.startSpan({ name: 'request' }).end();
    }
    // Its send timer fires long after the first look (a loaded machine may be slow).
    const waiting = initLogger({ projectId: 'w', setCurrent: false, exporter: { url }, batch: { delayMs: 2000 } });
    waiting.startSpan({ name: 'queued' }).end();
  })();
  const made = open() - start;
  const settle = async (ms) => {
    for (let t = 0; t < ms; t += 10) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await settle(200);
  const beforeSend = { open: open() - start, received };
  // Then until the span is sent and its logger closed, or 20 s.
  for (let t = 0; t < 20000 && !(received === 1 && open() - start === 1); t += 100) await settle(100);
  console.log(JSON.stringify({ made, beforeSend, afterSend: { open: open() - start, received } }));
  server.close();
`;

test('dropped loggers are closed in wasm after collection, but not before their spans are sent', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', loggersChild], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const { made, beforeSend, afterSend } = JSON.parse(r.stdout);
  assert.equal(made, 501, 'every logger is open while referenced');
  // The last initLogger stays current (module state), so it stays open; the waiting
  // logger's send timer holds its exporter; the other 499 are gone.
  assert.deepEqual(beforeSend, { open: 2, received: 0 });
  assert.deepEqual(afterSend, { open: 1, received: 1 }, 'the queued span was sent, then its logger closed');
});

// The exporters the page and exit listeners and a restart reach (pkg/src/exporter.js
// `withWork`) are those with spans to send: listed from a logger's first ended span
// until a send loop leaves nothing behind. So exporters made per request are not kept
// once their spans are sent or given up on, and those that never ended one are never
// listed.
const exportersChild = (weakRefs) => `
  ${weakRefs ? '' : 'delete globalThis.WeakRef; delete globalThis.FinalizationRegistry; // Workers at older compatibility dates'}
  const { initLogger } = await import('spanwire');
  const dist = new URL('node_modules/spanwire/dist/', 'file://' + process.cwd() + '/');
  const { default: Exporter } = await import(new URL('exporter.js', dist).href);
  const start = Exporter._withWorkCount();
  // Sends are stubbed (Node's own fetch needs WeakRef): refused, or held until answered.
  let answer;
  let hold = false;
  globalThis.fetch = () => hold
    ? new Promise((resolve) => {
      answer = () => resolve({ status: 200, statusText: 'OK', headers: { get: () => null }, arrayBuffer: async () => new ArrayBuffer(0) });
    })
    : Promise.reject(new TypeError('connection refused'));
  const options = (i, url) => ({
    projectId: 'p' + i, setCurrent: false,
    exporter: { url }, batch: { delayMs: 60000, maxRetries: 0 },
  });
  const refused = 'http://127.0.0.1:9/v1/traces';
  for (let i = 0; i < 100; i++) initLogger(options(i, refused));
  const idle = Exporter._withWorkCount() - start;
  const loggers = [];
  for (let i = 0; i < 100; i++) {
    const logger = initLogger(options(i, refused));
    logger.startSpan({ name: 'request' }).end();
    loggers.push(logger);
  }
  const queued = Exporter._withWorkCount() - start;
  const reports = await Promise.all(loggers.map((logger) => logger.flush({ timeoutMs: 5000 })));
  await new Promise((resolve) => setTimeout(resolve, 0)); // the send loops' ends
  const failed = reports.reduce((n, r) => n + r.failed, 0);
  const afterSend = Exporter._withWorkCount() - start;

  // A send still under way when a flush gives up: with weak entries the exporter stays
  // listed, for a page hide to hand its batch to keepalive, until the loop's end; with
  // strong ones it goes, as a send whose request context ended would never settle.
  hold = true;
  const slow = initLogger(options(0, 'http://127.0.0.1:9/v1/traces'));
  slow.startSpan({ name: 'slow' }).end();
  const report = await slow.flush({ timeoutMs: 50 });
  const afterTimeout = Exporter._withWorkCount() - start;
  answer();
  for (let i = 0; i < 100 && Exporter._withWorkCount() > start; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  const afterAnswer = Exporter._withWorkCount() - start;
  console.log(JSON.stringify({ idle, queued, failed, afterSend, pending: report.pending, afterTimeout, afterAnswer }));
`;

for (const weakRefs of [true, false]) {
  test(`exporters are listed for the listeners and a restart only while they have spans to send (${weakRefs ? 'weak entries' : 'no WeakRef: strong entries'})`, () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', exportersChild(weakRefs)], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      idle: 0, queued: 100, failed: 100, afterSend: 0, pending: 1, afterTimeout: weakRefs ? 1 : 0, afterAnswer: 0,
    });
  });
}
