// End to end, the demo itself: headless Chromium clicks in www/, the page calls the
// Worker (workerd) which calls the Node origin twice; every tier exports to the local
// receiver. The receiver must hold exactly the expected 8 spans of one trace, linked
// across the three tiers, with the right kinds and HTTP attributes; the waterfall's
// screenshot is saved to test-artifacts/e2e-waterfall.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO, SCRATCH } from '../support/consumer.mjs';
import { NODE_MODULES } from './package-spanwire.mjs';
import { startDemo, launchChromium, clickThrough, completeTrace, formatTree } from '../../demo/run.mjs';

const SCREENSHOT = join(REPO, 'test-artifacts', 'e2e-waterfall.png');

test('demo: browser → Worker → Node origin is one trace, exactly as expected, drawn as a waterfall', { timeout: 60_000 }, async () => {
  const demo = await startDemo({ nodeModules: NODE_MODULES, buildDir: join(SCRATCH, 'e2e-demo') });
  let browser;
  try {
    browser = await launchChromium();
    const { traceId, rows, errors } = await clickThrough(browser, demo.pageUrl, { screenshot: SCREENSHOT });
    assert.deepEqual(errors, [], 'the page logged errors');
    assert.match(traceId, /^[0-9a-f]{32}$/);
    await demo.receiver.waitFor((all) => completeTrace(all.filter((s) => s.traceId === traceId)), 10_000, 'whole trace');
    // Anything late (a second trace, a traced preflight, a duplicate) would land now.
    await new Promise((r) => setTimeout(r, 500));
    const spans = [...demo.receiver.spans];
    console.log(formatTree(spans));

    assert.equal(spans.length, 8, 'exactly 8 spans: 2 browser, 3 Worker, 3 origin');
    assert.deepEqual([...new Set(spans.map((s) => s.traceId))], [traceId], 'one trace id');
    assert.equal(new Set(spans.map((s) => s.spanId)).size, 8, 'distinct span ids');
    for (const s of spans) {
      assert.notEqual(s.status.code, 'error', `${s.name} has no error`);
      assert.ok(s.durationMs >= 0 && s.startMs > 1.7e12, `${s.name} has real times`);
    }
    const one = (pred, what) => {
      const found = spans.filter(pred);
      assert.equal(found.length, 1, `exactly one ${what}, got ${found.length}`);
      return found[0];
    };
    const workerUrl = new URL(demo.workerUrl);
    const originUrl = new URL(demo.originUrl);

    // Browser: the click (root) and its call to the Worker.
    const click = one((s) => s.service === 'demo-browser' && s.kind === 'internal', 'browser root');
    assert.equal(click.name, 'click #go');
    assert.equal(click.parentSpanId, undefined);
    const bClient = one((s) => s.service === 'demo-browser' && s.kind === 'client', 'browser client span');
    assert.equal(bClient.parentSpanId, click.spanId);
    assert.equal(bClient.name, 'GET');
    assert.equal(bClient.attributes['http.request.method'], 'GET');
    assert.equal(bClient.attributes['url.full'], `${demo.workerUrl}/api/checkout?sku=42`);
    assert.equal(bClient.attributes['server.address'], '127.0.0.1');
    assert.equal(bClient.attributes['server.port'], Number(workerUrl.port));
    assert.equal(bClient.attributes['http.response.status_code'], 200);

    // Worker: its server span is the child of the browser's client span (the injected traceparent).
    const wServer = one((s) => s.service === 'demo-worker' && s.kind === 'server', 'Worker server span');
    assert.equal(wServer.parentSpanId, bClient.spanId, 'Worker server span under the browser client span');
    assert.equal(wServer.name, 'GET /api/checkout');
    assert.equal(wServer.attributes['http.request.method'], 'GET');
    assert.equal(wServer.attributes['http.route'], '/api/checkout');
    assert.equal(wServer.attributes['url.full'], `${demo.workerUrl}/api/checkout?sku=42`);
    assert.equal(wServer.attributes['url.path'], '/api/checkout');
    assert.equal(wServer.attributes['url.query'], 'sku=42');
    assert.equal(wServer.attributes['url.scheme'], 'http');
    assert.equal(wServer.attributes['server.port'], Number(workerUrl.port));
    assert.equal(wServer.attributes['http.response.status_code'], 200);
    assert.match(String(wServer.attributes['user_agent.original']), /Chrome/);

    const wClients = spans.filter((s) => s.service === 'demo-worker' && s.kind === 'client');
    assert.equal(wClients.length, 2, 'one client span per origin call');
    const oServers = spans.filter((s) => s.service === 'demo-origin' && s.kind === 'server');
    assert.equal(oServers.length, 2);
    for (const path of ['/inventory', '/pricing']) {
      const c = one((s) => s.service === 'demo-worker' && s.kind === 'client' && s.attributes['url.full'] === `${demo.originUrl}${path}?sku=42`, `Worker call to ${path}`);
      assert.equal(c.parentSpanId, wServer.spanId);
      assert.equal(c.name, 'GET');
      assert.equal(c.attributes['http.request.method'], 'GET');
      assert.equal(c.attributes['server.port'], Number(originUrl.port));
      assert.equal(c.attributes['http.response.status_code'], 200);
      const o = one((s) => s.service === 'demo-origin' && s.kind === 'server' && s.name === `GET ${path}`, `origin ${path}`);
      assert.equal(o.parentSpanId, c.spanId, `origin ${path} under the Worker's client span`);
      assert.equal(o.attributes['http.route'], path);
      assert.equal(o.attributes['url.full'], `${demo.originUrl}${path}?sku=42`);
      assert.equal(o.attributes['network.protocol.version'], '1.1');
      assert.equal(o.attributes['http.response.status_code'], 200);
    }
    const lookup = one((s) => s.service === 'demo-origin' && s.kind === 'internal', 'origin internal span');
    assert.equal(lookup.name, 'inventory.lookup');
    assert.equal(lookup.parentSpanId, one((s) => s.name === 'GET /inventory', 'GET /inventory').spanId);

    // The waterfall: one row per span, the same spans, three services.
    assert.deepEqual(new Set(rows.map((r) => r.spanId)), new Set(spans.map((s) => s.spanId)));
    assert.equal(new Set(rows.map((r) => r.service)).size, 3);
    const png = await readFile(SCREENSHOT);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.ok((await stat(SCREENSHOT)).size > 10_000, 'a real screenshot');

    // The exporters' own requests carried no trace headers.
    for (const r of demo.receiver.requests) assert.equal(r.headers.traceparent, undefined);
  } finally {
    await browser?.close().catch(() => {});
    await demo.stop();
  }
});
