// The built package, installed from its `npm pack` tarball and imported by its bare
// name (`import`), in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initLogger, newTraceId, newSpanId, parseSlug } from 'spanwire';
import { checkIds } from '../js/id-checks.mjs';

test('newTraceId: 100,000 draws, 32 lowercase hex, unique, never zero, uniform', () => {
  const s = checkIds('newTraceId', newTraceId, 32);
  console.log(`  chi-square pooled ${s.chi2Pooled.toFixed(2)}, per position ${s.chi2PerPosition.toFixed(2)}`);
});

test('newSpanId: 100,000 draws, 16 lowercase hex, unique, never zero, uniform', () => {
  const s = checkIds('newSpanId', newSpanId, 16);
  console.log(`  chi-square pooled ${s.chi2Pooled.toFixed(2)}, per position ${s.chi2PerPosition.toFixed(2)}`);
});

test('the checker rejects what it must', () => {
  assert.throws(() => checkIds('short', () => 'abc', 16, 10), /not 16 hex chars/);
  assert.throws(() => checkIds('upper', () => 'ABCDEF0123456789', 16, 10), /not lowercase hex/);
  assert.throws(() => checkIds('zero', () => '0000000000000000', 16, 10), /all-zero/);
  assert.throws(() => checkIds('dup', () => '00f067aa0ba902b7', 16, 10), /duplicate/);
  let i = 0;
  const sequential = () => (++i).toString(16).padStart(16, '0');
  assert.throws(() => checkIds('sequential', sequential, 16, 100_000), /chi-square/);
});

test('ids are drawn from crypto.getRandomValues, never Math.random', () => {
  const original = Math.random;
  Math.random = () => { throw new Error('Math.random must not be used'); };
  try {
    for (let i = 0; i < 10_000; i++) { newTraceId(); newSpanId(); }
  } finally {
    Math.random = original;
  }
});

test('ids stay valid when wasm memory grows under the id pool (the view is renewed)', async () => {
  // Internal module of the installed package, same instance as the bare import.
  const glue = await import(new URL('../node_modules/spanwire/dist/spanwire.js', import.meta.url));
  const before = new Set();
  for (let i = 0; i < 100; i++) before.add(newTraceId());
  glue.__memory().grow(4); // detaches every view of the old buffer
  for (let i = 0; i < 5_000; i++) {
    const id = newTraceId();
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.ok(!before.has(id));
    assert.match(newSpanId(), /^[0-9a-f]{16}$/);
  }
});

/**
 * Runs `draw` with `crypto.getRandomValues` throwing `thrown` until `draw` throws (at
 * most `tries` times: the pools refill every so many draws); returns what it threw.
 */
function failingSource(thrown, draw, tries = 1100) {
  Object.defineProperty(globalThis.crypto, 'getRandomValues', {
    configurable: true,
    writable: true,
    value() { throw thrown; },
  });
  try {
    for (let i = 0; i < tries; i++) {
      try { draw(); } catch (err) { return err; }
    }
  } finally {
    delete globalThis.crypto.getRandomValues; // Crypto.prototype's again
  }
  assert.fail('a refill without a source must throw');
}

const NO_SOURCE = 'no cryptographically secure random source is available (Web Crypto API is unavailable); ' +
  'in Cloudflare Workers, ids can only be drawn inside a request handler, not at module scope';

test('a failing secure source: an Error that says so, with what getRandomValues threw as its cause, and ids again once it works', () => {
  const refusal = new Error('no entropy here');
  // A 16 KiB block holds 1,024 trace ids: the next refill within these draws fails.
  const failure = failingSource(refusal, newTraceId);
  assert.ok(failure instanceof Error);
  assert.equal(failure.message, NO_SOURCE);
  assert.equal(failure.cause, refusal);
  assert.match(newTraceId(), /^[0-9a-f]{32}$/);
  assert.match(newSpanId(), /^[0-9a-f]{16}$/);
});

test('a stack overflow while drawing random bytes is thrown as the RangeError it is, not as a missing source', () => {
  const overflow = new RangeError('Maximum call stack size exceeded');
  assert.equal(failingSource(overflow, newSpanId, 2100), overflow);
  // The recorder's own pool (span ids drawn in wasm) reports it the same way.
  const logger = initLogger({ projectName: 'ids', exporter: false, setCurrent: false });
  const draw = () => logger.startSpan({ name: 'draws' }).end();
  assert.equal(failingSource(overflow, draw), overflow);
  const refusal = new TypeError('not here');
  const failure = failingSource(refusal, draw);
  assert.equal(failure.message, NO_SOURCE);
  assert.equal(failure.cause, refusal);
  draw();
});

test('what a failed draw threw is given to that draw\'s error only, never to a later unrelated one', async () => {
  const glue = await import(new URL('../node_modules/spanwire/dist/spanwire.js', import.meta.url));
  const overflow = new RangeError('Maximum call stack size exceeded');
  Object.defineProperty(globalThis.crypto, 'getRandomValues', {
    configurable: true,
    writable: true,
    value() { throw overflow; },
  });
  try {
    assert.equal(glue.__refillIdPool(), 0, 'the draw failed, and nothing took what it threw');
  } finally {
    delete globalThis.crypto.getRandomValues;
  }
  let error;
  try {
    parseSlug('not a slug');
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof Error && !(error instanceof RangeError), String(error));
  assert.equal(error.cause, undefined);
  assert.match(newTraceId(), /^[0-9a-f]{32}$/);
});

test('Node without a global crypto (Node 18 unless --experimental-global-webcrypto): ids and spans through import and require', async () => {
  const { spawnSync } = await import('node:child_process');
  const cwd = new URL('..', import.meta.url);
  const scripts = {
    'import': "const s = await import('spanwire');",
    'require': "const { createRequire } = await import('node:module'); const s = createRequire(process.cwd() + '/x.cjs')('spanwire');",
  };
  for (const [how, load] of Object.entries(scripts)) {
    const script = `${load}
      const span = s.initLogger({ exporter: false, setCurrent: false }).startSpan({ name: 'x' });
      span.end();
      console.log(JSON.stringify([s.newTraceId(), s.newSpanId(), span.spanId]));`;
    // A file, not `-e`: code run with `-e` sees Node's modules as globals, `crypto` too.
    const { writeFileSync, rmSync } = await import('node:fs');
    const file = new URL(`no-global-crypto-${how}.mjs`, cwd);
    writeFileSync(file, script);
    let r;
    try {
      r = spawnSync(process.execPath, ['--no-experimental-global-webcrypto', file.pathname], { cwd, encoding: 'utf8', timeout: 60_000 });
    } finally {
      rmSync(file, { force: true });
    }
    assert.equal(r.status, 0, `${how}: ${r.stderr}`);
    const [trace, spanId, spanOfSpan] = JSON.parse(r.stdout);
    assert.match(trace, /^[0-9a-f]{32}$/, how);
    assert.match(spanId, /^[0-9a-f]{16}$/, how);
    assert.match(spanOfSpan, /^[0-9a-f]{16}$/, how);
  }
});
