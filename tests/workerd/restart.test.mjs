// A trap in the wasm module inside a Worker: the isolate's later requests still work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO, SCRATCH, bundleForRuntime } from '../support/consumer.mjs';
import { startWorker } from '../support/workerd.mjs';
import { withReceiver } from '../support/otlp-receiver.mjs';

test('workerd: after a request hits a trap, the next requests in the isolate extract and record spans', async () => {
  const dir = join(SCRATCH, 'workerd-restart');
  const worker = await bundleForRuntime(join(REPO, 'tests', 'workerd', 'restart-worker.js'), dir, 'workerd');
  const { url, dispose } = await startWorker(worker);
  try {
    const trapped = await (await fetch(new URL('/trap?inRecorder=1', url))).json();
    assert.match(trapped.thrown ?? '', /^Error: spanwire: internal error: the WebAssembly module trapped \(.+\); it was restarted/);
    assert.equal(trapped.cause, 'RuntimeError');
    assert.equal(trapped.epoch, 1);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(new URL('/', url), { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
      const body = await res.json();
      assert.equal(res.status, 200, body.error);
      assert.equal(body.epoch, 1, 'the same isolate, restarted once');
      assert.equal(body.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
      assert.match(body.traceparent, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    }
  } finally {
    await dispose();
  }
});

// Queued spans are reached through the list of exporters with spans to send
// (pkg/src/exporter.js `withWork`), held weakly where there is WeakRef and strongly
// where there is none: at compatibility date 2024-09-01 workerd has neither WeakRef nor
// FinalizationRegistry, and a restart there lost queued spans uncounted before.
for (const compatibilityDate of [undefined, '2024-09-01']) {
  const runtime = compatibilityDate === undefined ? 'workerd' : `workerd at ${compatibilityDate} (no WeakRef)`;
  test(`${runtime}: spans queued by earlier requests survive a trap outside the recorder; with the recorder borrowed they count as dropped`, async () => {
    const dir = join(SCRATCH, 'workerd-restart');
    const worker = await bundleForRuntime(join(REPO, 'tests', 'workerd', 'restart-worker.js'), dir, 'workerd');
    const { url, dispose } = await startWorker(worker, compatibilityDate === undefined ? {} : { compatibilityDate });
    const get = async (path, params) => (await fetch(new URL(`${path}?${new URLSearchParams(params)}`, url))).json();
    try {
      const weak = compatibilityDate === undefined;
      assert.deepEqual(await get('/env', {}), { weakRef: weak, finalizationRegistry: weak, exportersWithWork: 0 });
      await withReceiver(async (rx) => {
        for (const name of ['a', 'b']) assert.equal((await get('/queue', { url: rx.url, name })).queued, name === 'a' ? 1 : 2);
        const kept = await get('/trap', { inRecorder: '0' });
        assert.match(kept.thrown, /it was restarted: 2 queued spans kept for export; /);
        assert.deepEqual(await get('/flush', { url: rx.url }), { exported: 2, dropped: 0, failed: 0, pending: 0 });
        assert.deepEqual(rx.spans().map((s) => s.name).sort(), ['a', 'b']);

        await get('/queue', { url: rx.url, name: 'c' });
        const lost = await get('/trap', { inRecorder: '1' });
        assert.match(lost.thrown, /it was restarted: 1 queued span lost \(counted as dropped\); /);
        await get('/queue', { url: rx.url, name: 'd' });
        assert.deepEqual(await get('/flush', { url: rx.url }), { exported: 1, dropped: 1, failed: 0, pending: 0 });
        assert.deepEqual(rx.spans().map((s) => s.name).sort(), ['a', 'b', 'd']);

        // Once its spans are sent, the logger's exporter has nothing to salvage, and is
        // not held for that.
        assert.equal((await get('/env', {})).exportersWithWork, 0);
        const idle = await get('/trap', { inRecorder: '0' });
        assert.match(idle.thrown, /it was restarted: spans in progress begin again with new ids$/);
        await get('/queue', { url: rx.url, name: 'e' });
        assert.equal((await get('/env', {})).exportersWithWork, 1);
      });
    } finally {
      await dispose();
    }
  });
}
