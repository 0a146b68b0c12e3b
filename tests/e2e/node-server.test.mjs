// Node: startServerSpan over a real http.IncomingMessage (ended by its ServerResponse,
// also when the client goes away first) and over a Fetch Request (ended by
// endServerSpan with a Response, a status or an error); spans checked at a receiver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { startReceiver } from '../../demo/receiver.mjs';
import { importSpanwire } from './package-spanwire.mjs';

const sw = await importSpanwire();
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER = 'b7ad6b7169203331';

/**
 * Flushes `logger` until `receiver` holds a span for each of `paths` (a server span ends
 * when its socket closes, which a loaded machine may report late), or 10 s have passed;
 * the assertions after it then say what is missing.
 */
async function flushUntil(logger, receiver, paths) {
  const has = (p) => receiver.spans.some((s) => s.attributes['url.path'] === p);
  for (const end = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 50))) {
    await logger.flush({ timeoutMs: 5000 });
    if (paths.every(has) || Date.now() > end) return;
  }
}

test('IncomingMessage: a child of the inbound traceparent with the HTTP attributes, ended on finish or close', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const logger = sw.initLogger({ serviceName: 'node-origin', exporter: { url: receiver.url }, setCurrent: false });
  const server = createServer((req, res) => {
    const span = sw.startServerSpan(req, { logger, response: res, route: req.url.startsWith('/users/') ? '/users/:id' : undefined });
    if (req.url.startsWith('/hang')) return; // the client gives up first
    res.writeHead(req.url.startsWith('/users/') ? 201 : 500).end('ok');
    void span;
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    let r = await fetch(`${base}/users/7?tab=a&sig=secret`, {
      headers: { traceparent: `00-${TRACE}-${CALLER}-01`, 'user-agent': 'e2e-agent/1' },
    });
    assert.equal(r.status, 201);
    r = await fetch(`${base}/boom`);
    assert.equal(r.status, 500);
    await new Promise((resolve) => {
      const req = httpRequest(`${base}/hang`, () => {});
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => { req.destroy(); resolve(); }, 100);
    });
    await flushUntil(logger, receiver, ['/users/7', '/boom', '/hang']);
    const byPath = (p) => receiver.spans.find((s) => s.attributes['url.path'] === p);
    const ok = byPath('/users/7');
    assert.equal(ok.traceId, TRACE);
    assert.equal(ok.parentSpanId, CALLER);
    assert.equal(ok.kind, 'server');
    assert.equal(ok.name, 'GET /users/:id');
    assert.equal(ok.attributes['http.route'], '/users/:id');
    assert.equal(ok.attributes['http.request.method'], 'GET');
    assert.equal(ok.attributes['url.full'], `${base}/users/7?tab=a&sig=REDACTED`, 'signed-URL values redacted');
    assert.equal(ok.attributes['url.query'], 'tab=a&sig=REDACTED');
    assert.equal(ok.attributes['url.scheme'], 'http');
    assert.equal(ok.attributes['server.address'], '127.0.0.1');
    assert.equal(ok.attributes['server.port'], server.address().port);
    assert.equal(ok.attributes['client.address'], '127.0.0.1');
    assert.equal(ok.attributes['user_agent.original'], 'e2e-agent/1');
    assert.equal(ok.attributes['network.protocol.version'], '1.1');
    assert.equal(ok.attributes['http.response.status_code'], 201);
    assert.equal(ok.status.code, 'unset');
    const boom = byPath('/boom');
    assert.equal(boom.parentSpanId, undefined, 'no traceparent: a new trace');
    assert.equal(boom.name, 'GET', 'no route: the method alone, never the path');
    assert.equal(boom.status.code, 'error');
    assert.equal(boom.attributes['http.response.status_code'], 500);
    const hang = byPath('/hang');
    assert.ok(hang, 'a request whose client went away is still exported');
    assert.equal(hang.status.code, 'error');
    assert.equal(hang.attributes['error.type'], 'ConnectionClosed');
  } finally {
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
    await receiver.close();
  }
});

test('Fetch Request: endServerSpan with a Response, a 4xx status and an error', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const logger = sw.initLogger({ serviceName: 'fetch-style', exporter: { url: receiver.url }, setCurrent: false });
  try {
    const mk = (path, method = 'post') => new Request(`https://app.example.com:8443${path}`, {
      method, headers: { traceparent: `00-${TRACE}-${CALLER}-01`, 'cf-connecting-ip': '203.0.113.9' },
    });
    const a = sw.startServerSpan(mk('/a'), { logger });
    sw.endServerSpan(a, new Response('x', { status: 200 }));
    sw.endServerSpan(a, 500); // a second end changes nothing
    const b = sw.startServerSpan(mk('/b'), { logger });
    sw.endServerSpan(b, 404);
    const c = sw.startServerSpan(mk('/c'), { logger, name: 'custom' });
    sw.endServerSpan(c, new RangeError('bad range'));
    sw.endServerSpan(sw.startServerSpan(mk('/d', 'PURGE'), { logger }), 204);
    await logger.flush({ timeoutMs: 5000 });
    const sd = receiver.spans.find((s) => s.attributes['url.path'] === '/d');
    assert.equal(sd.name, 'HTTP', 'an unknown method is named HTTP');
    assert.equal(sd.attributes['http.request.method'], '_OTHER', 'an unknown method, per the conventions');
    assert.equal(sd.attributes['http.request.method_original'], 'PURGE');
    const [sa, sb, sc] = ['/a', '/b', '/c'].map((p) => receiver.spans.find((s) => s.attributes['url.path'] === p));
    assert.equal(sa.name, 'POST');
    assert.equal(sa.attributes['http.request.method'], 'POST');
    assert.equal(sa.attributes['http.request.method_original'], undefined);
    assert.equal(sa.attributes['server.port'], 8443);
    assert.equal(sa.attributes['url.scheme'], 'https');
    assert.equal(sa.attributes['client.address'], '203.0.113.9');
    assert.equal(sa.attributes['http.response.status_code'], 200);
    assert.equal(sa.status.code, 'unset');
    assert.equal(sb.attributes['http.response.status_code'], 404);
    assert.equal(sb.status.code, 'unset', '4xx is the client\'s error, not the server\'s');
    assert.equal(sc.name, 'custom');
    assert.equal(sc.status.code, 'error');
    assert.equal(sc.attributes['error.type'], 'RangeError');
    assert.equal(sc.events[0].name, 'exception');
    for (const s of [sa, sb, sc]) {
      assert.equal(s.parentSpanId, CALLER);
      assert.equal(s.kind, 'server');
    }
  } finally {
    await receiver.close();
  }
});

test('tracedFetch records a 4xx answer and a network error on the client span', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const logger = sw.initLogger({ serviceName: 'client', exporter: { url: receiver.url }, setCurrent: false });
  const server = createServer((req, res) => res.writeHead(404).end());
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://user:pw@127.0.0.1:${server.address().port}`;
  try {
    const root = logger.startSpan({ name: 'root' });
    const r = await sw.tracedFetch(root, `http://127.0.0.1:${server.address().port}/missing`, { method: 'DELETE' });
    assert.equal(r.status, 404);
    await assert.rejects(sw.tracedFetch(root, 'http://127.0.0.1:1/refused'));
    await assert.rejects(sw.tracedFetch(root, `${base}/creds?sig=s1gn3d`), TypeError, 'fetch refuses credentials in the URL');
    await assert.rejects(sw.tracedFetch(root, 'http://[bad/parse?X-Goog-Signature=t0ps3cret'), TypeError, 'fetch cannot parse it');
    root.end();
    await logger.flush({ timeoutMs: 5000 });
    const client = (p) => receiver.spans.find((s) => s.kind === 'client' && String(s.attributes['url.full']).includes(p));
    const missing = client('/missing');
    assert.equal(missing.name, 'DELETE');
    assert.equal(missing.attributes['http.response.status_code'], 404);
    assert.equal(missing.attributes['error.type'], '404');
    assert.equal(missing.status.code, 'error');
    const refused = client('/refused');
    assert.equal(refused.status.code, 'error');
    assert.equal(refused.attributes['error.type'], 'TypeError');
    assert.equal(refused.attributes['http.response.status_code'], undefined);
    assert.ok(refused.events.some((e) => e.name === 'exception'));
    const creds = client('/creds');
    assert.equal(creds.attributes['url.full'], `http://REDACTED:REDACTED@127.0.0.1:${server.address().port}/creds?sig=REDACTED`);
    // fetch's errors quote the URL: the exception and the status say it redacted too.
    const exported = JSON.stringify(receiver.spans);
    for (const secret of [':pw@', 's1gn3d', 't0ps3cret']) assert.ok(!exported.includes(secret), `${secret} in ${exported}`);
    assert.match(creds.events.find((e) => e.name === 'exception').attributes['exception.message'], /REDACTED:REDACTED@/);
  } finally {
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
    await receiver.close();
  }
});

test('instrument: a frozen ctx (as tests make) still works, and spans ended by its waitUntil work are flushed', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const logger = sw.initLogger({ serviceName: 'instrumented', exporter: { url: receiver.url }, batch: { delayMs: 60_000 }, setCurrent: false });
  try {
    const handed = [];
    const ctx = Object.freeze({ waitUntil: (p) => void handed.push(p), passThroughOnException() {} });
    const worker = sw.instrument({
      fetch(request, env, c, span) {
        c.passThroughOnException();
        c.waitUntil(new Promise((r) => setTimeout(r, 50)).then(() => span.startSpan({ name: 'later' }).end()));
        return new Response('ok');
      },
    }, { logger });
    const res = await worker.fetch(new Request('https://app.example.com/x'), {}, ctx);
    assert.equal(await res.text(), 'ok');
    assert.equal(handed.length, 2, "the handler's promise and the flush");
    await Promise.all(handed);
    assert.deepEqual(receiver.spans.map((s) => s.name).sort(), ['GET', 'later']);
  } finally {
    await receiver.close();
  }
});

test('options: tracedFetch name and attributes; startServerSpan attributes, propagateTo and the current logger; instrument ignore, attributes and a logger of env', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const seen = [];
  const server = createServer((req, res) => { seen.push(req.headers); res.end('ok'); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const target = `http://127.0.0.1:${server.address().port}`;
  const logger = sw.initLogger({ serviceName: 'options', exporter: { url: receiver.url }, batch: { delayMs: 60_000 } });
  try {
    // startServerSpan without `logger`: the current logger; `propagateTo` configures it.
    const server1 = sw.startServerSpan(new Request('https://app.example.com/s'), { attributes: { tenant: 't1' }, propagateTo: [target] });
    const res = await sw.tracedFetch(server1, `${target}/x`, {}, { name: 'call backend', attributes: { 'peer.service': 'backend' } });
    assert.equal(await res.text(), 'ok');
    assert.match(seen[0].traceparent ?? '', /^00-/, 'propagateTo given to startServerSpan allowed the target');
    sw.endServerSpan(server1);
    // instrument: a logger made from env, an ignore rule, attributes on every server span.
    const pending = [];
    const ctx = { waitUntil: (p) => void pending.push(p) };
    const made = [];
    const spansGiven = [];
    const worker = sw.instrument({ fetch: (request, env, c, span) => { spansGiven.push(span); return new Response('ok'); } }, {
      logger: (env) => { made.push(env.name); return logger; },
      ignore: (request) => new URL(request.url).pathname === '/health',
      attributes: { 'deployment.region': 'eu' },
    });
    for (const path of ['/health', '/work']) {
      assert.equal(await (await worker.fetch(new Request(`https://app.example.com${path}`), { name: 'env-1' }, ctx)).text(), 'ok');
    }
    await Promise.all(pending);
    await logger.flush({ timeoutMs: 5000 });
    assert.deepEqual(made, ['env-1'], 'the logger function ran once, with env');
    assert.equal(spansGiven[0], undefined, 'an ignored request is given no span (as its type says)');
    assert.ok(spansGiven[1] instanceof sw.Span);
    const byPath = (p) => receiver.spans.filter((s) => s.attributes['url.path'] === p);
    assert.equal(byPath('/health').length, 0, 'ignored: not traced');
    assert.equal(byPath('/work')[0].attributes['deployment.region'], 'eu');
    const s = byPath('/s')[0];
    assert.equal(s.attributes.tenant, 't1');
    assert.equal(s.kind, 'server');
    const client = receiver.spans.find((x) => x.name === 'call backend');
    assert.equal(client.kind, 'client');
    assert.equal(client.parentSpanId, s.spanId);
    assert.equal(client.attributes['peer.service'], 'backend');
  } finally {
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
    await receiver.close();
  }
});

test('instrument: a handler that returns no Response (a forgotten return) ends its span with an error', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const logger = sw.initLogger({ serviceName: 'instrumented', exporter: { url: receiver.url }, setCurrent: false });
  try {
    const pending = [];
    const ctx = { waitUntil: (p) => void pending.push(p) };
    const worker = sw.instrument({ fetch: () => undefined }, { logger });
    assert.equal(await worker.fetch(new Request('https://app.example.com/forgot'), {}, ctx), undefined);
    await Promise.all(pending);
    const span = receiver.spans.find((s) => s.attributes['url.path'] === '/forgot');
    assert.equal(span.status.code, 'error');
    assert.equal(span.attributes['error.type'], 'TypeError');
    assert.match(span.status.message, /returned undefined, not a Response/);
  } finally {
    await receiver.close();
  }
});

test('instrument: a name function that throws or gives no string falls back to the default name, never failing the request', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const logger = sw.initLogger({ serviceName: 'instrumented', exporter: { url: receiver.url }, setCurrent: false });
  try {
    const pending = [];
    const ctx = { waitUntil: (p) => void pending.push(p) };
    const names = [() => { throw new Error('naming failed'); }, () => 42, (req) => `custom ${new URL(req.url).pathname}`];
    for (const [i, name] of names.entries()) {
      const worker = sw.instrument({ fetch: () => new Response('ok') }, { logger, name });
      const res = await worker.fetch(new Request(`https://app.example.com/n${i}`), {}, ctx);
      assert.equal(await res.text(), 'ok');
    }
    await Promise.all(pending);
    const named = (p) => receiver.spans.find((s) => s.attributes['url.path'] === p)?.name;
    assert.deepEqual(['/n0', '/n1', '/n2'].map(named), ['GET', 'GET', 'custom /n2']);
  } finally {
    await receiver.close();
  }
});

test('IncomingMessage: a "//host/path" target is a path on the Host header; a connection dropped mid-body keeps the status sent', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const logger = sw.initLogger({ serviceName: 'node-edge', exporter: { url: receiver.url }, setCurrent: false });
  const server = createServer((req, res) => {
    sw.startServerSpan(req, { logger, response: res });
    if (req.url === '/half') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.end('ok');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const get = (path, headers = {}) => new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', resolve);
      res.on('error', resolve);
      res.on('aborted', resolve);
    });
    req.on('error', resolve);
    req.end();
  });
  try {
    await get('//evil.example/users/123', { host: 'api.example:8080' });
    await get('/half');
    await flushUntil(logger, receiver, ['//evil.example/users/123', '/half']);
    const target = receiver.spans.find((s) => s.attributes['url.path'] === '//evil.example/users/123');
    assert.ok(target, `the path as sent: ${JSON.stringify(receiver.spans.map((s) => s.attributes['url.path']))}`);
    assert.equal(target.attributes['server.address'], 'api.example');
    assert.equal(target.attributes['server.port'], 8080);
    assert.equal(target.attributes['url.full'], 'http://api.example:8080//evil.example/users/123');
    const half = receiver.spans.find((s) => s.attributes['url.path'] === '/half');
    assert.equal(half.attributes['http.response.status_code'], 200, 'the status was sent before the drop');
    assert.equal(half.attributes['error.type'], 'ConnectionClosed');
    assert.equal(half.status.code, 'error');
  } finally {
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
    await receiver.close();
  }
});

test('IncomingMessage: a span started after the response finished, or after the client left, ends at once', { timeout: 20_000 }, async () => {
  const receiver = await startReceiver();
  const logger = sw.initLogger({ serviceName: 'node-origin', exporter: { url: receiver.url }, setCurrent: false });
  const started = [];
  const server = createServer(async (req, res) => {
    if (req.url === '/late') {
      res.writeHead(202).end('ok');
      await new Promise((r) => res.once('finish', r));
    } else {
      await new Promise((r) => res.once('close', r)); // the client gives up first
    }
    started.push(sw.startServerSpan(req, { logger, response: res }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    assert.equal((await fetch(`${base}/late`)).status, 202);
    await new Promise((resolve) => {
      const req = httpRequest(`${base}/gone`, () => {});
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => { req.destroy(); resolve(); }, 100);
    });
    for (let i = 0; i < 100 && started.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(started.map((s) => s.ended), [true, true], 'ended when started');
    await logger.flush({ timeoutMs: 5000 });
    const byPath = (p) => receiver.spans.find((s) => s.attributes['url.path'] === p);
    assert.equal(byPath('/late').attributes['http.response.status_code'], 202);
    assert.equal(byPath('/late').status.code, 'unset');
    assert.equal(byPath('/gone').status.code, 'error');
    assert.equal(byPath('/gone').attributes['error.type'], 'ConnectionClosed');
  } finally {
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
    await receiver.close();
  }
});
