// Importing the package must not load what only some calls need: in Node the first
// touch of the `Headers` global loads the fetch implementation (undici, ~35 ms) and
// of `performance` loads perf_hooks (~2 ms). A fresh process imports the package and
// lists the internal modules it loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url)); // where `spanwire` resolves

function loadedBy(code) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('import spanwire loads neither the fetch implementation nor perf_hooks', () => {
  const loaded = loadedBy(`
    await import('spanwire');
    console.log(JSON.stringify(process.moduleLoadList.filter((m) => /undici|perf_hooks/.test(m))));
  `);
  assert.deepEqual(loaded, []);
});

test('a Headers carrier is still recognised once fetch is loaded (case-insensitive, one header line)', () => {
  const out = loadedBy(`
    const { extractTraceContext, injectTraceContext } = await import('spanwire');
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const ctx = extractTraceContext(new Headers({ TraceParent: tp, baggage: 'k=v' }));
    const h = injectTraceContext(ctx, new Headers({ Baggage: 'k=v' }));
    console.log(JSON.stringify({ traceId: ctx.traceId, headers: [...h] }));
  `);
  assert.equal(out.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.deepEqual(out.headers, [['baggage', 'k=v'], ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01']]);
});
