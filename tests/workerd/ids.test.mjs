// The packed package inside a Cloudflare Worker, run by workerd (Miniflare) on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO, SCRATCH, bundleForRuntime } from '../support/consumer.mjs';
import { startWorker } from '../support/workerd.mjs';

test('ids in workerd: a Worker answers with valid, unique, uniform ids', async () => {
  const dir = join(SCRATCH, 'workerd-ids');
  const worker = await bundleForRuntime(join(REPO, 'tests', 'workerd', 'ids-worker.js'), dir, 'workerd');
  const { url, dispose } = await startWorker(worker);
  try {
    const res = await fetch(new URL('/?n=100000', url));
    const body = await res.json();
    assert.equal(res.status, 200, body.error);
    assert.equal(body.ok, true);
    assert.match(body.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    for (const s of body.summaries) {
      console.log(`  ${s.label}: chi-square pooled ${s.chi2Pooled.toFixed(2)}, per position ${s.chi2PerPosition.toFixed(2)}`);
    }
    // At module scope workerd refuses randomness: a clear Error, and the module survived it.
    assert.match(
      body.moduleScope.error ?? '',
      /^Error: no cryptographically secure random source is available \(Web Crypto API is unavailable\); in Cloudflare Workers, ids can only be drawn inside a request handler/,
      JSON.stringify(body.moduleScope),
    );
    // Its cause is workerd's own refusal, as crypto.getRandomValues threw it.
    assert.match(body.moduleScope.cause, /global scope/, JSON.stringify(body.moduleScope));
  } finally {
    await dispose();
  }
});
