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
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', child], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.begun, 101, '100 dropped + 1 kept are live in wasm; the ended one is not');
  assert.equal(out.after, 1, 'only the referenced span is still live');
  assert.equal(out.keptStillLive, true);
});
