// The packed package in headless Chromium, in pages bundled with esbuild from the
// installed tarball: ids drawn with crypto.getRandomValues, and the README's browser
// example exporting to a relative URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REPO, SCRATCH, bundleForRuntime } from '../support/consumer.mjs';
import { serveStatic } from '../support/static-server.mjs';
import { launchChromium } from '../support/chromium.mjs';

/**
 * Bundles `entry` (a page script that writes `{ ok, ... }` into #result) with the
 * installed package, serves it as `html` (which loads app.js; `handle` sees each
 * request first, see serveStatic), and opens it with `query` in headless Chromium.
 * Returns the page's result once it reports success without a page error.
 */
async function runPage(entry, handle, html = 'result.html', query = '') {
  const site = join(SCRATCH, `browser-${entry.replace(/\.js$/, '')}-${html.replace(/\.html$/, '')}`);
  await rm(site, { recursive: true, force: true });
  await bundleForRuntime(join(REPO, 'tests', 'browser', entry), site, 'browser');
  await copyFile(join(REPO, 'tests', 'browser', html), join(site, 'index.html'));
  const server = await serveStatic(site, { handle });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}${query}`);
    await page.waitForSelector('#result[data-done]', { timeout: 60_000 });
    const result = JSON.parse(await page.textContent('#result'));
    assert.deepEqual(errors, []);
    assert.equal(result.ok, true, result.error);
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

test('ids in headless Chromium: 32/16 lowercase hex, unique, never zero, uniform', async () => {
  const result = await runPage('ids-page.js');
  assert.match(result.sample[0], /^[0-9a-f]{32}$/);
  assert.match(result.sample[1], /^[0-9a-f]{16}$/);
  for (const s of result.summaries) {
    console.log(`  ${s.label}: chi-square pooled ${s.chi2Pooled.toFixed(2)}, per position ${s.chi2PerPosition.toFixed(2)}`);
  }
});

/** The request body, gunzipped when it says so. */
async function bodyOf(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

for (const [where, query] of [['a page', ''], ['a module web worker', '?worker']]) {
test(`the README's browser example in ${where}: a relative exporter URL resolves against the page, trace headers go to its origin`, async () => {
  const exported = [];
  const buys = [];
  const result = await runPage('export-page.js', async (req, res) => {
    if (req.method !== 'POST') return false;
    if (req.url === '/otel/v1/traces') {
      assert.equal(req.headers['content-type'], 'application/json');
      exported.push(JSON.parse((await bodyOf(req)).toString('utf8')));
    } else if (req.url === '/api/buy') {
      buys.push(req.headers);
    } else {
      return false;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    return true;
  }, 'result.html', query);
  assert.deepEqual(result.report, { exported: 2, dropped: 0, failed: 0, pending: 0 });
  // The same-origin request carried the client span's context.
  assert.equal(buys.length, 1);
  const [, traceId, clientSpanId] = buys[0].traceparent.split('-');
  assert.equal(traceId, result.traceId);
  assert.notEqual(clientSpanId, result.spanId);
  // Both spans reached the relative URL: the click and the request made under it.
  const spans = exported.flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
  const byName = new Map(spans.map((s) => [s.name, s]));
  assert.equal(spans.length, 2);
  assert.equal(byName.get('click buy').spanId, result.spanId);
  assert.equal(byName.get('click buy').traceId, result.traceId);
  const client = spans.find((s) => s.spanId === clientSpanId);
  assert.ok(client, 'the client span is the one whose id went out in traceparent');
  assert.equal(client.parentSpanId, result.spanId);
  assert.match(client.attributes.find((a) => a.key === 'url.full')?.value.stringValue ?? '', /^http:\/\/127\.0\.0\.1:\d+\/api\/buy$/);
});
}

test('under a <base href>, the exporter URL and span.fetch resolve against the base URL, as fetch does', async () => {
  const posts = [];
  const result = await runPage('export-page.js', async (req, res) => {
    if (req.method !== 'POST') return false;
    posts.push({ path: req.url, traceparent: req.headers.traceparent });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    return true;
  }, 'base.html', '?exporter=otel/v1/traces&fetch=api/buy');
  assert.deepEqual(result.report, { exported: 2, dropped: 0, failed: 0, pending: 0 });
  assert.deepEqual(posts.map((p) => p.path).sort(), ['/sub/api/buy', '/sub/otel/v1/traces']);
  const buy = posts.find((p) => p.path === '/sub/api/buy');
  assert.equal(buy.traceparent?.split('-')[1], result.traceId, 'same origin: the trace headers went with it');
});

test('a trap in a page: the module is instantiated again on the main thread, the queued span is kept, and spans export after it', async () => {
  const names = [];
  const result = await runPage('restart-page.js', async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/otel/v1/traces') return false;
    const body = JSON.parse((await bodyOf(req)).toString('utf8'));
    names.push(...body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name))));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    return true;
  });
  assert.match(result.message, /the WebAssembly module trapped \(.+\); it was restarted: 1 queued span kept for export; /);
  assert.equal(result.cause, 'RuntimeError');
  assert.match(result.lostMessage, /it was restarted: 1 queued span lost \(counted as dropped\); /);
  assert.equal(result.epoch, 2);
  assert.match(result.traceId, /^[0-9a-f]{32}$/);
  assert.equal(result.extracted, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(result.spanTrace, result.extracted);
  assert.deepEqual(result.report, { exported: 3, dropped: 0, failed: 0, pending: 0 });
  assert.deepEqual(result.lostReport, { exported: 0, dropped: 1, failed: 0, pending: 0 });
  assert.deepEqual(names.sort(), ['after', 'before', 'queued']);
});
