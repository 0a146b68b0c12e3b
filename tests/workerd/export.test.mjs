// The exporter inside a Cloudflare Worker (workerd via Miniflare): the Worker returns
// its response at once and still delivers every span through
// ctx.waitUntil(exporter.flush()), over the runtime's fetch, to a real OTLP receiver
// on 127.0.0.1, also when the receiver first answers 503 or resets. The bodies (the
// real encoders' every-field samples, JSON and protobuf, gzipped) arrive byte-identical
// and parse with the official OTLP schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO, SCRATCH, INSTALLED, bundleForRuntime } from '../support/consumer.mjs';
import { startWorker } from '../support/workerd.mjs';
import { startReceiver } from '../support/otlp-receiver.mjs';

const NAMES = { full: 1, resource_scope: 1, kinds: 5 };

async function buildWorker() {
  const dir = join(SCRATCH, 'workerd-export-src');
  await mkdir(dir, { recursive: true });
  const fixtures = {};
  for (const [name, count] of Object.entries(NAMES)) {
    fixtures[name] = {};
    for (const [protocol, ext, contentType] of [['json', 'json', 'application/json'], ['protobuf', 'pb', 'application/x-protobuf']]) {
      const body = await readFile(join(REPO, 'tests', 'fixtures', 'export', `${name}.${ext}`));
      fixtures[name][protocol] = { body: body.toString('base64'), count, contentType };
    }
  }
  await writeFile(
    join(dir, 'export-fixtures.js'),
    `export { default as Exporter } from ${JSON.stringify(join(INSTALLED, 'dist', 'exporter.js'))};\n` +
      `export const FIXTURES = ${JSON.stringify(fixtures)};\n`,
  );
  await copyFile(join(REPO, 'tests', 'workerd', 'export-worker.js'), join(dir, 'export-worker.js'));
  return bundleForRuntime(join(dir, 'export-worker.js'), join(SCRATCH, 'workerd-export'), 'workerd');
}

test('workerd: responses return at once; every span is delivered through ctx.waitUntil(flush()), intact and schema-valid', async () => {
  const rx = await startReceiver();
  const { url, dispose } = await startWorker(await buildWorker());
  const unhandled = [];
  const onRejection = (e) => unhandled.push(e);
  process.on('unhandledRejection', onRejection);
  try {
    const out = await mkdtemp(join(tmpdir(), 'spanwire-workerd-export-'));
    let expected = 0;
    for (const [name, count] of Object.entries(NAMES)) {
      for (const [protocol, ext] of [['json', 'json'], ['protobuf', 'pb']]) {
        const before = rx.requests.length;
        const q = new URLSearchParams({ url: rx.url, fixture: name, protocol });
        const res = await fetch(new URL(`/?${q}`, url));
        assert.deepEqual(await res.json(), { answered: true, queued: count });
        expected += count;
        await rx.waitForSpans(expected, 5000);
        const req = rx.requests[before];
        assert.equal(req.headers['content-encoding'], 'gzip');
        const fixture = await readFile(join(REPO, 'tests', 'fixtures', 'export', `${name}.${ext}`));
        assert.deepEqual(req.body, fixture, `${name}.${ext} arrived byte-identical`);
        await writeFile(join(out, `${name}.${ext}`), req.body);
      }
    }
    const python = process.env.SPANWIRE_PYTHON ?? join(REPO, '.venv', 'bin', 'python');
    const log = execFileSync(python, [join(REPO, 'tests', 'otlp', 'check_otlp.py'), out], { encoding: 'utf8' });
    assert.match(log, /3 bodies match the OTLP schema/);

    // Faults after the response: 503, a reset and a 429 with Retry-After 0 are retried in waitUntil.
    rx.script(503, 'reset', { status: 429, retryAfter: '0' });
    const before = rx.spans().length;
    const res = await fetch(new URL(`/?${new URLSearchParams({ url: rx.url, fixture: 'kinds', protocol: 'protobuf' })}`, url));
    assert.equal((await res.json()).answered, true);
    await rx.waitForSpans(before + 5, 5000);
    const ids = rx.spans().slice(before).map((s) => s.spanId);
    assert.equal(new Set(ids).size, 5, 'each span once');
    assert.equal(rx.requests.slice(-4).map((r) => r.action).join(','), '503,reset,429,200');
  } finally {
    process.off('unhandledRejection', onRejection);
    await dispose();
    await rx.close();
  }
  assert.deepEqual(unhandled, []);
});
