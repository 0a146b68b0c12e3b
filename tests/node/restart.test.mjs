// A trap in the wasm module restarts it (pkg/src/instance.js). Without that, a trap
// from an unknown bug leaves the recorder borrowed, and every later call into it traps
// too: one bad request would break every later one in the isolate. The trap here is
// `__trap`, an export for these tests that traps as a bug would: with the recorder
// borrowed (a bug inside it), or not (a bug in a header parser, say).
//
// Each test's spans go to a stubbed `fetch`, which holds requests until it is told to
// answer, so a test can trap while a batch is in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { extractTraceContext, initLogger, newSpanId, newTraceId, parseSlug } from 'spanwire';

const dist = new URL('../node_modules/spanwire/dist/', import.meta.url);
// The package's own modules, the same instances as the bare import's.
const instance = await import(new URL('instance.js', dist).href);
const glue = await import(new URL('spanwire.js', dist).href);

const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Traps through the package's guarded export, in the recorder or not; returns what it threw. */
function trap(inRecorder = true) {
  try {
    instance.__trap(inRecorder);
  } catch (e) {
    return e;
  }
  assert.fail('__trap did not throw');
}

/** A `fetch` stub: records each request's spans; answers 200 once `release()` is called. */
function stubFetch() {
  const requests = [];
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const real = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    let bytes = Buffer.from(init.body);
    if (new Headers(init.headers).get('content-encoding') === 'gzip') bytes = gunzipSync(bytes);
    const spans = JSON.parse(bytes.toString()).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    requests.push(spans);
    await gate;
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return {
    requests,
    spans: () => requests.flat(),
    release,
    restore() {
      globalThis.fetch = real;
    },
  };
}

/** A logger exporting to the stubbed `fetch` (stubFetch), with `batch` options. */
function exportingLogger(batch) {
  return initLogger({ projectName: 'restart', setCurrent: false, exporter: { url: 'http://127.0.0.1:9/v1/traces' }, batch });
}

/** Resolves once `cond()` holds; fails after `ms`. */
async function until(cond, ms = 2000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${cond}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Collects console.warn's lines until `restore()`. */
function collectWarnings() {
  const lines = [];
  const warn = console.warn;
  console.warn = (...args) => lines.push(args.join(' '));
  return { lines, restore: () => { console.warn = warn; } };
}

function quietly(fn) {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}

test('a trap restarts the module: the call throws an Error saying so, with the trap as its cause, and later calls work', () => {
  const logger = initLogger({ projectName: 'restart', exporter: false, setCurrent: false });
  const before = instance.epoch;
  const error = quietly(() => trap(true));
  assert.ok(error instanceof Error);
  assert.match(error.message, /^spanwire: internal error: the WebAssembly module trapped \(unreachable\); it was restarted/);
  assert.ok(error.cause instanceof WebAssembly.RuntimeError, 'the trap is the cause');
  assert.equal(instance.epoch, before + 1);

  // Every part of the module works again: ids, extract, spans, slugs.
  assert.match(newTraceId(), /^[0-9a-f]{32}$/);
  assert.match(newSpanId(), /^[0-9a-f]{16}$/);
  const ctx = extractTraceContext({ traceparent: CALLER, tracestate: 'rojo=00f067aa0ba902b7' });
  assert.equal(ctx.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  const span = logger.startSpan({ name: 'after', parent: ctx });
  span.setAttributes({ k: 'v' });
  span.end();
  assert.equal(span.rootSpanId, ctx.traceId);
  assert.equal(parseSlug(span.export()).row_id, span.id);
  assert.equal(span.inject({}).tracestate, 'rojo=00f067aa0ba902b7');
});

test('a stack overflow that leaves the recorder borrowed restarts the module at once; an ordinary error does not', () => {
  const logger = exportingLogger({ delayMs: 86_400_000 });
  logger.startSpan({ name: 'queued' }).end();
  const before = instance.epoch;
  // Errors that leave the recorder free: one the module returned from a recorder call,
  // and one the glue threw converting an argument before the call.
  const span = logger.startSpan({ name: 'scored' });
  assert.throws(() => span.log({ scores: { accuracy: 'high' } }), (e) => !/restarted/.test(e.message));
  assert.throws(() => instance.slug_parse(Symbol('x')), TypeError);
  assert.throws(() => parseSlug('not a slug'), (e) => !/restarted/.test(e.message));
  assert.equal(instance.epoch, before, 'none of these restarts the module');
  span.end();

  let error;
  quietly(() => {
    try {
      instance.__overflowInRecorder();
    } catch (e) {
      error = e;
    }
  });
  assert.ok(error instanceof Error);
  assert.match(error.message, /^spanwire: internal error: a call into the WebAssembly module stopped half way \(RangeError: Maximum call stack size exceeded\); it was restarted: 2 queued spans lost \(counted as dropped\); /);
  assert.ok(error.cause instanceof RangeError, 'the overflow is the cause');
  assert.equal(instance.epoch, before + 1);
  assert.equal(glue.recorder_live(), 0, 'the recorder is free: an unguarded call does not trap');
  assert.equal(logger.stats().dropped, 2, "'queued' and 'scored'");
  const after = logger.startSpan({ name: 'after' });
  after.end();
  assert.equal(logger.stats().queued, 1);
  logger._exporter._closed = true; // no delay timer left behind
});

test('a span queued by an end that failed after it (a stack overflow in the JS around the call) is still reached by a restart', () => {
  const logger = exportingLogger({ delayMs: 86_400_000 });
  // The overflow strikes after span_end queued the span, as the end tells the exporter.
  logger._exporter.notify = () => { throw new RangeError('Maximum call stack size exceeded'); };
  assert.throws(() => logger.startSpan({ name: 'queued' }).end(), RangeError);
  const error = quietly(() => trap(false));
  assert.match(error.message, /it was restarted: 1 queued span kept for export; /);
  logger._exporter._closed = true; // no delay timer left behind
});

test('a module left trapped by a call outside the guard restarts at the next call', () => {
  const logger = initLogger({ projectName: 'restart', exporter: false, setCurrent: false });
  // The raw export: nothing restarts the module after this trap.
  assert.throws(() => glue.__trap(true), WebAssembly.RuntimeError);
  // Unguarded, the recorder stays borrowed: each later call traps too.
  assert.throws(() => glue.recorder_live(), WebAssembly.RuntimeError, 'the recorder is still borrowed');
  assert.throws(() => glue.recorder_live(), WebAssembly.RuntimeError, 'and stays so');
  // Through the package, the first call that traps restarts it.
  const before = instance.epoch;
  quietly(() => assert.throws(() => logger.startSpan({ name: 'x' }).end(), /was restarted/));
  assert.equal(instance.epoch, before + 1);
  const span = logger.startSpan({ name: 'works' });
  span.end();
  assert.ok(span.ended);
  assert.equal(glue.recorder_live(), 0, 'the new recorder holds no span');
});

/**
 * A logger whose first span is in flight (held by the stub) and whose two next are
 * queued, and a flush waiting for all three; then a trap, in the recorder or not.
 * Returns what the trap threw, the flush's promise and when it began.
 */
async function trapWithQueued(rx, inRecorder) {
  const logger = exportingLogger({ maxBatchSize: 1, delayMs: 0 });
  for (const name of ['sent', 'queued-1', 'queued-2']) logger.startSpan({ name }).end();
  await until(() => rx.requests.length === 1);
  assert.equal(logger.stats().queued, 2);
  const started = Date.now();
  const flushed = logger.flush({ timeoutMs: 5000 });
  const error = quietly(() => trap(inRecorder));
  return { logger, error, flushed, started };
}

test('spans queued when the module traps outside the recorder are taken from the old instance and sent', async () => {
  const rx = stubFetch();
  try {
    const { logger, error, flushed, started } = await trapWithQueued(rx, false);
    assert.match(error.message, /it was restarted: 2 queued spans kept for export; spans in progress begin again with new ids$/);
    assert.equal(logger.stats().queued, 0, 'the new instance holds nothing');
    assert.equal(logger.stats().inFlight, 3, 'the span in flight and the two taken');
    assert.match(logger.stats().lastError, /the WebAssembly module was restarted after a call failed in it; 2 queued spans were taken from it and are sent$/);
    rx.release();
    const report = await flushed;
    assert.deepEqual(report, { exported: 3, dropped: 0, failed: 0, pending: 0 });
    assert.ok(Date.now() - started < 2500, `the flush resolved once all three were delivered (${Date.now() - started} ms), not at its timeout`);
    logger.startSpan({ name: 'later' }).end();
    assert.deepEqual(await logger.flush({ timeoutMs: 5000 }), { exported: 1, dropped: 0, failed: 0, pending: 0 });
    assert.deepEqual(rx.spans().map((s) => s.name), ['sent', 'queued-1', 'queued-2', 'later']);
    assert.equal(new Set(rx.spans().map((s) => s.spanId)).size, 4, 'each span once');
  } finally {
    rx.restore();
  }
});

test('spans queued when the module traps with the recorder borrowed are lost and counted as dropped; a flush waiting for them resolves', async () => {
  const rx = stubFetch();
  const warned = collectWarnings();
  try {
    const { logger, error, flushed, started } = await trapWithQueued(rx, true);
    assert.match(error.message, /it was restarted: 2 queued spans lost \(counted as dropped\); spans in progress begin again with new ids$/);
    assert.equal(logger.stats().queued, 0, 'the queue was in the old instance');
    assert.equal(logger.stats().dropped, 2);
    assert.match(logger.stats().lastError, /was restarted after a call failed in it; 2 queued spans were lost with it \(counted as dropped\)$/);
    rx.release();
    const report = await flushed;
    assert.deepEqual(report, { exported: 1, dropped: 2, failed: 0, pending: 0 });
    assert.ok(Date.now() - started < 2500, `the flush resolved once 'sent' was delivered (${Date.now() - started} ms), not at its timeout`);

    logger.startSpan({ name: 'later' }).end();
    const later = await logger.flush({ timeoutMs: 5000 });
    assert.deepEqual(later, { exported: 1, dropped: 0, failed: 0, pending: 0 });
    assert.deepEqual(rx.spans().map((s) => s.name), ['sent', 'later']);
    // The restart's own warning was silenced; the lost spans are no full queue.
    assert.deepEqual(warned.lines, [], 'no "export queue is full" warning');
  } finally {
    warned.restore();
    rx.restore();
  }
});

test('a flush waiting when the module traps sends the batches taken from it, in a send loop of its own', async () => {
  const rx = stubFetch();
  try {
    const logger = exportingLogger({ maxBatchSize: 1, delayMs: 0 });
    logger.startSpan({ name: 'a' }).end(); // a send loop starts, for 'a' alone
    await until(() => rx.requests.length === 1);
    for (const name of ['b', 'c']) logger.startSpan({ name }).end(); // queued behind it
    const started = Date.now();
    const flushed = logger.flush({ timeoutMs: 5000 });
    quietly(() => trap(false));
    rx.release();
    assert.deepEqual(await flushed, { exported: 3, dropped: 0, failed: 0, pending: 0 });
    assert.ok(Date.now() - started < 2500, `the flush resolved once all three were delivered (${Date.now() - started} ms), not at its timeout`);
    assert.deepEqual(rx.spans().map((s) => s.name), ['a', 'b', 'c']);
  } finally {
    rx.restore();
  }
});

test("a send loop running when the module traps leaves the batches taken from it past its end to the next loop (a Worker's request context)", async () => {
  const rx = stubFetch();
  try {
    const logger = exportingLogger({ maxBatchSize: 1, delayMs: 60_000 });
    logger.startSpan({ name: 'a' }).end();
    const first = logger.flush({ timeoutMs: 5000 }); // its loop sends 'a' only
    await until(() => rx.requests.length === 1);
    for (const name of ['b', 'c']) logger.startSpan({ name }).end(); // queued, for a later flush
    quietly(() => trap(false));
    rx.release();
    assert.deepEqual(await first, { exported: 1, dropped: 0, failed: 0, pending: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(rx.requests.length, 1, "the first flush's loop ended after 'a'");
    assert.deepEqual(await logger.flush({ timeoutMs: 5000 }), { exported: 2, dropped: 0, failed: 0, pending: 0 });
    assert.deepEqual(rx.spans().map((s) => s.name), ['a', 'b', 'c']);
    logger._exporter._closed = true; // no delay timer left behind
  } finally {
    rx.restore();
  }
});

test('a span begun before the trap begins again from its parent, keeping its start, name and later attributes', async () => {
  const rx = stubFetch();
  rx.release();
  try {
    const logger = exportingLogger();
    const ctx = extractTraceContext({ traceparent: CALLER });
    const server = logger.startSpan({ name: 'server', parent: ctx, kind: 'server', startTime: 1700000000, event: { id: 'row-7' } });
    const oldId = server.spanId; // begun in wasm
    const child = server.startSpan({ name: 'child' });
    child.spanId; // begun too, under the server span
    const done = server.startSpan({ name: 'done' });
    done.end(); // ended: its snapshot lives in JS
    const doneHeaders = done.inject({});

    quietly(() => trap(true));
    const newId = server.spanId; // begun again before the id is read
    assert.notEqual(newId, oldId, 'begun again: new ids');
    assert.equal(server.id, 'row-7', 'but the row id the caller chose');
    assert.equal(parseSlug(server.export()).row_id, 'row-7');
    assert.equal(server.inject({}).traceparent, `00-${ctx.traceId}-${newId}-01`, 'its headers carry the new id');
    server.setAttribute('after', 'trap');
    child.end();
    server.end();
    // The ended span is whole: a child of it, its slug and its headers.
    const late = logger.startSpan({ name: 'late', parent: done });
    late.end();
    assert.deepEqual(done.inject({}), doneHeaders);
    assert.equal(parseSlug(done.export()).span_id, done.spanId);
    await logger.flush({ timeoutMs: 5000 });

    const byName = Object.fromEntries(rx.spans().map((s) => [s.name, s]));
    // 'done' was queued in the old instance, so it is lost with it.
    assert.deepEqual(Object.keys(byName).sort(), ['child', 'late', 'server']);
    const s = byName.server;
    assert.equal(s.traceId, ctx.traceId, "still in the caller's trace");
    assert.equal(s.parentSpanId, ctx.spanId, "still the caller's child");
    assert.equal(s.startTimeUnixNano, '1700000000000000000', 'the start time taken at startSpan');
    assert.deepEqual(s.attributes.find((a) => a.key === 'after')?.value, { stringValue: 'trap' });
    assert.equal(s.spanId, newId, 'exported with the ids it reported after the restart');
    assert.equal(server.spanId, newId);
    assert.equal(byName.child.parentSpanId, s.spanId, 'the child begun before the trap follows its parent');
    assert.equal(byName.child.traceId, ctx.traceId);
    assert.equal(byName.late.parentSpanId, done.spanId);
    assert.equal(byName.late.traceId, ctx.traceId);
  } finally {
    rx.restore();
  }
});

/**
 * Runs `script` (an ES module body) in a child `node` started with `flags`, in the
 * folder where `spanwire` resolves. Where it says `// prelude`, `instance` and `glue`
 * (the package's internal modules) are imported. Returns the JSON it printed.
 */
function runChild(script, flags = []) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const prelude = `
    const dist = new URL('node_modules/spanwire/dist/', 'file://' + process.cwd() + '/');
    const instance = await import(new URL('instance.js', dist).href);
    const glue = await import(new URL('spanwire.js', dist).href);
  `;
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script.replace('// prelude', prelude)], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// A span collected after a restart holds a handle of the old instance. The new
// instance hands out the same handles from the start, so freeing the old one would
// free a live span of the new instance. Runs in a child `node --expose-gc`.
const collectedChild = `
  const { initLogger } = await import('spanwire');
  // prelude
  console.warn = () => {};
  const logger = initLogger({ projectId: 'p', exporter: false });
  const old = (() => {
    const span = logger.startSpan({ name: 'old' });
    span.spanId; // handle 0 of the old instance, unended
    return new WeakRef(span);
  })();
  await new Promise((resolve) => setTimeout(resolve, 0)); // registered for finalization
  try { instance.__trap(true); } catch {}
  const live = logger.startSpan({ name: 'new' });
  live.spanId; // handle 0 of the new instance
  for (let i = 0; i < 20; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  let ended = true;
  try { live.end(); } catch (e) { ended = String(e); }
  console.log(JSON.stringify({ collected: old.deref() === undefined, ended, live: glue.recorder_live() }));
`;

test('a span from before a restart, collected unended, does not free a span of the new instance', () => {
  assert.deepEqual(runChild(collectedChild, ['--expose-gc']), { collected: true, ended: true, live: 0 });
});

// Without FinalizationRegistry (a Worker on a compatibility date before weak refs) no
// list of open loggers is kept: a logger made before the restart is created again when
// next used. Its old id must not reach a logger made after the restart, which the new
// instance gives the same id.
const noRegistryChild = `
  delete globalThis.FinalizationRegistry; // before the package is imported
  delete globalThis.WeakRef;
  const { initLogger } = await import('spanwire');
  // prelude
  console.warn = () => {};
  const options = (name) => ({ projectName: name, setCurrent: false, exporter: { url: 'http://127.0.0.1:9/v1/traces' }, batch: { delayMs: 86_400_000 } });
  const before = initLogger(options('before')); // id 0 of the old instance
  try { instance.__trap(true); } catch {}
  const after = initLogger(options('after')); // id 0 of the new instance
  before.startSpan({ name: 'from before' }).end();
  after.startSpan({ name: 'from after' }).end();
  after.startSpan({ name: 'from after' }).end();
  const names = (logger) => {
    const body = JSON.parse(new TextDecoder().decode(logger._source.takeBatch(10).body));
    const rs = body.resourceSpans[0];
    return [rs.resource.attributes.find((a) => a.key === 'service.name').value.stringValue, rs.scopeSpans[0].spans.map((s) => s.name)];
  };
  console.log(JSON.stringify({ before: names(before), after: names(after) }));
`;

// The same runtime: a flush that times out after a restart counts as pending only what
// is still to send: the span in flight, and the queued ones if they were taken from the
// old instance (a trap outside the recorder); lost ones count as dropped.
const noRegistryFlushChild = (inRecorder) => `
  delete globalThis.FinalizationRegistry; // before the package is imported
  delete globalThis.WeakRef;
  const { initLogger } = await import('spanwire');
  // prelude
  console.warn = () => {};
  globalThis.fetch = () => new Promise(() => {}); // never answers
  const logger = initLogger({ projectName: 'p', setCurrent: false, exporter: { url: 'http://127.0.0.1:9/v1/traces' }, batch: { maxBatchSize: 1, delayMs: 0 } });
  for (let i = 0; i < 3; i++) logger.startSpan({ name: 's' + i }).end();
  for (let i = 0; i < 400 && logger.stats().inFlight === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  const before = logger.stats();
  const flushed = logger.flush({ timeoutMs: 300 });
  try { instance.__trap(${inRecorder}); } catch {}
  const report = await flushed;
  console.log(JSON.stringify({ inFlight: before.inFlight, queued: before.queued, pending: report.pending, dropped: report.dropped }));
  process.exit(0);
`;

test('without FinalizationRegistry, a flush timing out after a restart counts only what is still to send as pending', () => {
  assert.deepEqual(runChild(noRegistryFlushChild(true)), { inFlight: 1, queued: 2, pending: 1, dropped: 2 });
  assert.deepEqual(runChild(noRegistryFlushChild(false)), { inFlight: 1, queued: 2, pending: 3, dropped: 0 });
});

test('without FinalizationRegistry, a logger from before the restart is created again when next used, apart from later loggers', () => {
  assert.deepEqual(runChild(noRegistryChild), {
    before: ['before', ['from before']],
    after: ['after', ['from after', 'from after']],
  });
});

// Spans taken from the old instance wait for the batching delay, as queued ones do; a
// Node process that is done sends them before it exits (the beforeExit flush).
const exitChild = `
  const { initLogger } = await import('spanwire');
  // prelude
  console.warn = () => {};
  const names = [];
  globalThis.fetch = async (url, init) => {
    for (const r of JSON.parse(new TextDecoder().decode(init.body)).resourceSpans) {
      for (const s of r.scopeSpans) names.push(...s.spans.map((x) => x.name));
    }
    return new Response('{}', { status: 200 });
  };
  process.on('exit', () => console.log(JSON.stringify({ names })));
  const logger = initLogger({ projectName: 'p', setCurrent: false, exporter: { url: 'http://127.0.0.1:9/v1/traces' }, batch: { delayMs: 86_400_000 } });
  logger.startSpan({ name: 'a' }).end();
  logger.startSpan({ name: 'b' }).end();
  try { instance.__trap(false); } catch {}
`;

test('spans taken from the old instance are sent when a Node process that is done exits', () => {
  assert.deepEqual(runChild(exitChild), { names: ['a', 'b'] });
});

test('after a restart a timed-out flush counts as pending only what is still to send, and the dropped count goes on', async () => {
  const rx = stubFetch(); // never answers
  try {
    const logger = exportingLogger({ maxBatchSize: 1, maxQueueSize: 2, delayMs: 0 });
    for (let i = 0; i < 6; i++) logger.startSpan({ name: `s${i}` }).end();
    // One in flight (held by the stub), two queued, three dropped at the full queue.
    await until(() => rx.requests.length === 1);
    const before = logger.stats();
    assert.deepEqual([before.inFlight, before.queued, before.dropped], [1, 2, 3]);
    const flushed = logger.flush({ timeoutMs: 300 });
    quietly(() => trap(true));
    const report = await flushed;
    assert.equal(report.pending, 1, 'the span in flight; the two queued ones were lost with the old instance');
    assert.equal(logger.stats().dropped, 5, 'the drops counted before the restart, and the two lost in it');
    for (let i = 0; i < 4; i++) logger.startSpan({ name: `t${i}` }).end();
    assert.equal(logger.stats().dropped, 7, 'and the new ones are added');
    logger._exporter._closed = true; // its queued spans are abandoned with the stub
  } finally {
    rx.release();
    rx.restore();
  }
});

// A deep JS stack calling in: a span's calls are tried at every stack depth near the
// limit (each frame of `probe` tries them once its deeper frames have given up), so the
// stack runs out at each point of them the engine checks, one after another: in the JS
// layer, the glue, the exports and the random source's import (which getrandom used to
// report as a missing source). Each call must fail as the RangeError it is (or restart
// the module, where it left the recorder borrowed), and the spans that did end must be
// exported whole: state left half changed would show as a lost, repeated or garbled
// span. (A block cut from the heap's bump region is too rare a moment to be hit here;
// src/heap.rs says why the heap stays whole.)
const overflowEverywhereChild = `
  const { initLogger } = await import('spanwire');
  // prelude
  const { gunzipSync } = await import('node:zlib');
  console.warn = () => {};
  const sent = [];
  globalThis.fetch = async (url, init) => {
    let bytes = Buffer.from(init.body);
    if (new Headers(init.headers).get('content-encoding') === 'gzip') bytes = gunzipSync(bytes);
    for (const r of JSON.parse(bytes.toString()).resourceSpans) for (const s of r.scopeSpans) sent.push(...s.spans);
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const logger = initLogger({ projectId: 'p', setCurrent: false, exporter: { url: 'http://127.0.0.1:9/v1/traces' },
    batch: { delayMs: 86400000, maxQueueSize: 100000, maxBatchSize: 100000 } });
  let begun = 0;
  const ended = new Set();
  const errors = {};
  function spanCalls() {
    const i = begun++;
    const span = logger.startSpan({ name: 'probe ' + i });
    span.setAttributes({ k: 'v'.repeat(i % 300), i }); // blocks of many size classes
    span.log({ metadata: { i, pad: 'x'.repeat(i % 1000) } });
    span.end();
    ended.add(i);
  }
  function probe() {
    try { probe(); } catch {}
    try {
      spanCalls();
    } catch (e) {
      const kind = e instanceof RangeError ? 'RangeError' : /stopped half way/.test(e.message) ? 'restarted' : e.message;
      errors[kind] = (errors[kind] ?? 0) + 1;
    }
  }
  probe();
  const report = await logger.flush({ timeoutMs: 5000 });
  const attribute = (s, k) => s.attributes.find((a) => a.key === k)?.value;
  const names = new Set();
  let garbled = 0;
  for (const s of sent) {
    const i = Number(s.name.slice('probe '.length));
    const metadata = JSON.parse(attribute(s, 'braintrust.metadata')?.stringValue ?? 'null');
    if (names.has(s.name) || attribute(s, 'k')?.stringValue !== 'v'.repeat(i % 300) ||
        metadata?.i !== i || metadata?.pad !== 'x'.repeat(i % 1000)) garbled++;
    names.add(s.name);
  }
  const lost = [...ended].filter((i) => !names.has('probe ' + i)).length;
  console.log(JSON.stringify({
    errorKinds: Object.keys(errors).sort(),
    failedAfterBegin: begun - ended.size,
    ended: ended.size,
    garbled,
    lostAtMostDropped: lost <= report.dropped,
    failed: report.failed,
  }));
`;

test('a stack that runs out at any point of a span\'s calls throws a RangeError there, and every span that ended is exported whole', () => {
  const out = runChild(overflowEverywhereChild);
  assert.ok(out.errorKinds.includes('RangeError'), JSON.stringify(out));
  assert.deepEqual(out.errorKinds.filter((k) => k !== 'RangeError' && k !== 'restarted'), [], 'no call failed for another reason');
  assert.ok(out.failedAfterBegin > 0, 'some calls ran out of stack part way through a span');
  assert.ok(out.ended > 1000);
  assert.equal(out.garbled, 0);
  assert.equal(out.lostAtMostDropped, true);
  assert.equal(out.failed, 0);
});

test('a restart whose new instance fails to start is made again from a microtask; stale handles never reach the new instance', async () => {
  // A copy of the package whose restart fails once after the new instance is in place
  // (as a stack overflow in its start would), in a child process of its own.
  const { cpSync, readFileSync, writeFileSync, rmSync } = await import('node:fs');
  const copy = new URL('../broken-start-copy/', import.meta.url);
  rmSync(copy, { recursive: true, force: true });
  cpSync(dist, copy, { recursive: true });
  const gluePath = new URL('spanwire.js', copy);
  const source = readFileSync(gluePath, 'utf8');
  const patched = source.replace(
    /(wasm = wasmInstance\.exports;\n)(\s*)wasm\.__wbindgen_start\(\);/,
    "$1$2if (globalThis.__failStartOnce) { globalThis.__failStartOnce = false; throw new RangeError('Maximum call stack size exceeded'); }\n$2wasm.__wbindgen_start();",
  );
  assert.notEqual(patched, source, 'the glue still has the reset this test patches');
  writeFileSync(gluePath, patched);
  try {
    const script = `
      const api = await import(${JSON.stringify(new URL('entry-node.js', copy).href)});
      const instance = await import(${JSON.stringify(new URL('instance.js', copy).href)});
      console.warn = () => {};
      const logger = api.initLogger({ projectId: 'before', exporter: false, setCurrent: false });
      const live = logger.startSpan({ name: 'live' });
      live.spanId; // begun in the old instance
      globalThis.__failStartOnce = true;
      let message;
      try { instance.__trap(true); } catch (e) { message = e.message; }
      await null; // the microtask makes the restart again
      const ctx = api.extractTraceContext({ traceparent: ${JSON.stringify(CALLER)} });
      const after = logger.startSpan({ name: 'after', parent: ctx });
      const other = api.initLogger({ projectId: 'other', exporter: false, setCurrent: false });
      const otherSpan = other.startSpan({ name: 'other' });
      live.end();
      console.log(JSON.stringify({
        message,
        traceId: ctx?.traceId,
        afterRoot: after.rootSpanId,
        afterObject: api.parseSlug(after.export()).object_id,
        otherObject: api.parseSlug(otherSpan.export()).object_id,
        liveObject: api.parseSlug(live.export()).object_id,
        id: api.newTraceId().length,
      }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.match(out.message, /could not be restarted/);
    assert.equal(out.traceId, '4bf92f3577b34da6a3ce929d0e0e4736', 'extract reads what it is given');
    assert.equal(out.afterRoot, out.traceId);
    assert.equal(out.afterObject, 'before', "the old logger's spans are its own");
    assert.equal(out.otherObject, 'other', "a new logger's spans are its own");
    assert.equal(out.liveObject, 'before', 'a span begun before begins again under its logger');
    assert.equal(out.id, 32);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
