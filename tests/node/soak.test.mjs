// Soak: 1,000,000 spans started, given attributes, logged and ended in Node with
// export off. Wasm memory and the JS heap after the run must stay within 10% of their
// size after the first 100,000 spans. Runs itself in a child `node --expose-gc`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { catchWasmInstance } from '../js/wasm-instance.mjs';

const TOTAL = 1_000_000;
const WARMUP = 100_000;

async function soak() {
  const { initLogger } = await import('spanwire');
  const logger = initLogger({ projectId: 'soak', exporter: false, setCurrent: false });
  // The wasm memory: its buffer is reachable from the glue through a Uint8Array view; read
  // its size through WebAssembly.Memory via the module's own export.
  const measure = () => {
    globalThis.gc();
    globalThis.gc();
    return { heap: process.memoryUsage().heapUsed, wasm: wasmBytes() };
  };
  let base;
  const t0 = performance.now();
  for (let i = 1; i <= TOTAL; i++) {
    const span = logger.startSpan({ name: 'op' });
    span.setAttributes({ 'http.method': 'GET', 'http.status_code': 200, cached: false });
    span.log({ input: i, output: 'ok' });
    if ((i & 7) === 0) span.startSpan({ name: 'child' }).end();
    span.end();
    if (i === WARMUP) base = measure();
  }
  const end = measure();
  const seconds = (performance.now() - t0) / 1000;
  return { base, end, seconds };
}

// The size of the module's WebAssembly.Memory: the largest ArrayBuffer a TypedArray
// over it can see. The glue exposes it only internally, so ask the instance through
// the `memory` export wasm-bindgen keeps: grab it from WebAssembly.Instance creation.
let caught;
function wasmBytes() {
  return caught.instance.exports.memory.buffer.byteLength;
}

if (process.env.SPANWIRE_SOAK_CHILD === '1') {
  caught = catchWasmInstance();
  const r = await soak();
  process.stdout.write(JSON.stringify(r));
} else {
  test(`soak: ${TOTAL.toLocaleString('en')} spans, wasm memory and JS heap within 10% of their size after ${WARMUP.toLocaleString('en')}`, () => {
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
      env: { ...process.env, SPANWIRE_SOAK_CHILD: '1' }, encoding: 'utf8', timeout: 120_000,
    });
    assert.equal(child.status, 0, child.stderr);
    const { base, end, seconds } = JSON.parse(child.stdout);
    const mb = (n) => `${(n / 1048576).toFixed(2)} MiB`;
    console.log(`  ${TOTAL} spans in ${seconds.toFixed(1)} s`);
    console.log(`  wasm memory: ${mb(base.wasm)} after ${WARMUP}, ${mb(end.wasm)} after ${TOTAL}`);
    console.log(`  JS heap used: ${mb(base.heap)} after ${WARMUP}, ${mb(end.heap)} after ${TOTAL}`);
    assert.ok(end.wasm <= base.wasm * 1.1, 'wasm memory grew more than 10%');
    assert.ok(end.heap <= base.heap * 1.1, 'JS heap grew more than 10%');
  });
}
