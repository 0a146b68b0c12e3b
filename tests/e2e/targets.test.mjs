// Propagation targets: trace headers go only where `propagateTo` allows, checked on
// the wire at local servers, in Node and in headless Chromium; plus the matching
// rules themselves (origins, ports, path prefixes, look-alike hosts, RegExps, functions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { REPO, SCRATCH, bundleForRuntime } from '../support/consumer.mjs';
import { launchChromium } from '../support/chromium.mjs';
import { importSpanwire, startRecorder } from './package-spanwire.mjs';

const sw = await importSpanwire();
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const INBOUND = { traceparent: `00-${TRACE}-b7ad6b7169203331-01`, tracestate: 'congo=t61rcWkgMzE', baggage: 'userId=alice' };
const NONE = { traceparent: undefined, tracestate: undefined, baggage: undefined };
const traceHeaders = (h) => ({ traceparent: h.traceparent, tracestate: h.tracestate, baggage: h.baggage });

function assertPropagated(headers, what) {
  assert.match(headers.traceparent ?? '', new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`), `${what}: traceparent`);
  assert.notEqual(headers.traceparent.slice(36, 52), 'b7ad6b7169203331', `${what}: carries the client span's id, not the caller's`);
  assert.equal(headers.tracestate, INBOUND.tracestate, `${what}: tracestate`);
  assert.match(headers.baggage ?? '', /(^|,)\s*userId=alice(,|$)/, `${what}: baggage`);
}

test('propagationAllowed: origins, ports, path prefixes, look-alikes, RegExps, functions, defaults', () => {
  const t = (url, to) => sw.propagationAllowed(url, to);
  // The server default (no document here): nowhere.
  assert.equal(t('http://127.0.0.1:8080/x'), false);
  assert.equal(t('https://api.example.com/'), false);
  const api = ['https://api.example.com'];
  assert.equal(t('https://api.example.com/v1?q=1', api), true);
  assert.equal(t('https://API.example.com/', api), true, 'host case-insensitive');
  assert.equal(t('https://api.example.com:443/', api), true, 'default port');
  assert.equal(t('https://api.example.com:8443/', api), false, 'other port');
  assert.equal(t('http://api.example.com/', api), false, 'other scheme');
  assert.equal(t('https://api.example.com.evil.io/', api), false, 'look-alike host');
  assert.equal(t('https://evil.io/?https://api.example.com', api), false, 'target in the query');
  assert.equal(t('https://api.example.com@evil.io/', api), false, 'userinfo trick');
  assert.equal(t('https://sub.api.example.com/', api), false, 'subdomain');
  const prefix = ['https://example.com/api'];
  assert.equal(t('https://example.com/api', prefix), true);
  assert.equal(t('https://example.com/api/v1', prefix), true);
  assert.equal(t('https://example.com/apix', prefix), false, 'segment boundary');
  assert.equal(t('https://example.com/', prefix), false);
  assert.equal(t('https://a.example.com/x', [/^https:\/\/[a-z]+\.example\.com\//]), true);
  assert.equal(t('https://a.example.com.evil.io/x', [/^https:\/\/[a-z]+\.example\.com\//]), false);
  const g = /^https:\/\/g\.example\//g; // a stateful RegExp answers the same every time
  assert.equal(t('https://g.example/', [g]), true);
  assert.equal(t('https://g.example/', [g]), true);
  assert.equal(t('https://f.example/', (u) => u.hostname === 'f.example'), true);
  assert.equal(t('https://f.example/', () => { throw new Error('x'); }), false, 'a throwing predicate denies');
  assert.equal(t('https://f.example/', () => 1), false, 'only true allows');
  assert.equal(t('https://anything.example/', true), true);
  assert.equal(t('https://anything.example/', false), false);
  assert.equal(t('ftp://api.example.com/', true), false, 'only http(s)');
  assert.equal(t('not a url', true), false);
  assert.equal(t('https://x.example/', 'same-origin'), false, 'no page origin on a server');
  assert.throws(() => t('https://x/', ['api.example.com']), TypeError, 'a bare host is refused, not guessed');
  assert.throws(() => t('https://x/', ['https://a.example/?q=1']), TypeError);
  assert.throws(() => t('https://x/', [42]), TypeError);
  assert.throws(() => sw.configureHttp(sw.initLogger({ exporter: false, setCurrent: false }), { propagateTo: ['nope'] }), TypeError);
});

test('Node: tracedFetch sends trace headers to allowed origins only, on the wire', { timeout: 20_000 }, async () => {
  const allowed = await startRecorder();
  const other = await startRecorder();
  try {
    const logger = sw.initLogger({ serviceName: 'targets-node', exporter: false, setCurrent: false });
    const span = logger.startSpan({ name: 'job', parent: sw.extractTraceContext(INBOUND) });
    // Nothing configured: a server sends trace headers nowhere.
    await sw.tracedFetch(span, `${allowed.origin}/default`);
    // Configured: the allowed origin gets them; the other does not, not even copied ones.
    sw.configureHttp(logger, { propagateTo: [allowed.origin] });
    await sw.tracedFetch(span, `${allowed.origin}/configured`);
    await sw.tracedFetch(span, `${other.origin}/copied`, { headers: { ...INBOUND, 'x-test': '1' } });
    await sw.tracedFetch(span, new Request(`${other.origin}/request`, { headers: INBOUND }));
    // Per call: a path prefix, a RegExp, a function.
    await sw.tracedFetch(span, `${other.origin}/api/x`, undefined, { propagateTo: [`${other.origin}/api`] });
    await sw.tracedFetch(span, `${other.origin}/apix`, undefined, { propagateTo: [`${other.origin}/api`] });
    await sw.tracedFetch(span, `${other.origin}/re`, undefined, { propagateTo: [new RegExp(`^${other.origin}/re$`)] });
    await sw.tracedFetch(span, `${other.origin}/fn`, undefined, { propagateTo: (u) => u.pathname === '/fn' });
    // No span: plain fetch, and still no copied headers to a target that is not allowed.
    await sw.tracedFetch(undefined, `${other.origin}/nospan`, { headers: INBOUND });
    span.end();

    const at = (rec, path) => {
      const r = rec.seen.filter((x) => x.path === path);
      assert.equal(r.length, 1, `one request to ${path}`);
      return r[0].headers;
    };
    assert.deepEqual(traceHeaders(at(allowed, '/default')), NONE, 'server default: none');
    assertPropagated(at(allowed, '/configured'), 'configured origin');
    assert.deepEqual(traceHeaders(at(other, '/copied')), NONE, 'copied headers removed');
    assert.equal(at(other, '/copied')['x-test'], '1', 'other headers kept');
    assert.deepEqual(traceHeaders(at(other, '/request')), NONE, 'a Request with copied headers');
    assertPropagated(at(other, '/api/x'), 'path prefix');
    assert.deepEqual(traceHeaders(at(other, '/apix')), NONE, 'outside the path prefix');
    assertPropagated(at(other, '/re'), 'RegExp');
    assertPropagated(at(other, '/fn'), 'function');
    assert.deepEqual(traceHeaders(at(other, '/nospan')), NONE, 'no span, not allowed');
    // Every propagated request got its own client span id.
    const ids = [at(allowed, '/configured'), at(other, '/api/x'), at(other, '/re'), at(other, '/fn')].map((h) => h.traceparent.slice(36, 52));
    assert.equal(new Set(ids).size, ids.length);
  } finally {
    await allowed.close();
    await other.close();
  }
});

test('Chromium: same origin by default, another origin only when allowed, on the wire', { timeout: 45_000 }, async () => {
  const site = join(SCRATCH, 'e2e-targets');
  await rm(site, { recursive: true, force: true });
  await bundleForRuntime(join(REPO, 'tests', 'e2e', 'targets-page.js'), site, 'browser');
  await writeFile(join(site, 'index.html'), '<!doctype html><link rel="icon" href="data:,"><script type="module" src="app.js"></script>');
  const seen = [];
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/echo') {
      seen.push({ path: req.url, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    try {
      const file = join(site, path === '/' ? 'index.html' : path.slice(1));
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const pageOrigin = `http://127.0.0.1:${server.address().port}`;
  // A second origin whose CORS policy would accept the trace headers: only the page decides.
  const other = await startRecorder({ cors: true });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${pageOrigin}/?other=${encodeURIComponent(other.origin)}`);
    await page.waitForSelector('body[data-done]', { state: 'attached', timeout: 20_000 });
    assert.equal(await page.getAttribute('body', 'data-result'), 'ok');
    assert.deepEqual(errors, []);
    const at = (list, c) => {
      const r = list.filter((x) => x.path === `/echo?case=${c}`);
      assert.equal(r.length, 1, `one request for ${c}`);
      return r[0].headers;
    };
    assertPropagated(at(seen, 'same-default'), 'same origin, default');
    assert.deepEqual(traceHeaders(at(other.seen, 'other-default')), NONE, 'other origin, default: none, copied ones removed');
    assert.equal(at(other.seen, 'other-default')['x-test'], '1');
    assertPropagated(at(other.seen, 'other-allowed'), 'other origin, allowed');
    assert.deepEqual(traceHeaders(at(seen, 'same-denied')), NONE, 'same origin, denied');
  } finally {
    await browser.close();
    await other.close();
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
  }
});
