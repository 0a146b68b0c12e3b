// A trap in the wasm module inside a Worker: the isolate's later requests still work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO, SCRATCH, bundleForRuntime } from '../support/consumer.mjs';
import { startWorker } from '../support/workerd.mjs';

test('workerd: after a request hits a trap, the next requests in the isolate extract and record spans', async () => {
  const dir = join(SCRATCH, 'workerd-restart');
  const worker = await bundleForRuntime(join(REPO, 'tests', 'workerd', 'restart-worker.js'), dir, 'workerd');
  const { url, dispose } = await startWorker(worker);
  try {
    const trapped = await (await fetch(new URL('/trap', url))).json();
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
