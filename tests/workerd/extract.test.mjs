// extractTraceContext inside a Cloudflare Worker (workerd via Miniflare): the shared
// cases give the expected contexts through the short-string copy path that only the
// non-Node runtimes take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO, SCRATCH, bundleForRuntime } from '../support/consumer.mjs';
import { startWorker } from '../support/workerd.mjs';
import { EXTRACT_CASES } from '../js/extract-cases.mjs';

test('extract in workerd: the shared cases, non-ASCII and long values included', async () => {
  const dir = join(SCRATCH, 'workerd-extract');
  const worker = await bundleForRuntime(join(REPO, 'tests', 'workerd', 'extract-worker.js'), dir, 'workerd');
  const { url, dispose } = await startWorker(worker);
  try {
    const res = await fetch(url);
    const body = await res.json();
    assert.equal(res.status, 200, body.error);
    assert.equal(body.got.length, EXTRACT_CASES.length);
    for (const [i, { name, expect }] of EXTRACT_CASES.entries()) {
      assert.equal(body.got[i].name, name);
      // JSON drops undefined members: compare against the expectation's JSON form.
      assert.deepEqual(body.got[i].got, JSON.parse(JSON.stringify(expect)), name);
    }
  } finally {
    await dispose();
  }
});
