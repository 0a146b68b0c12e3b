// span.fetch: a client span, child of the span, with headers injected only where the
// logger's propagateTo allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { initLogger, configureHttp, extractTraceContext, tracedFetch } from 'spanwire';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function listen() {
  const seen = [];
  const server = createServer((req, res) => { seen.push(req.headers); res.end('ok'); });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/x`, seen, close: () => new Promise((r) => server.close(r)),
  })));
}

test('span.fetch injects a child client span where allowed, and nothing elsewhere', async () => {
  const allowed = await listen();
  const other = await listen();
  const logger = initLogger({ projectName: 'p', exporter: false });
  configureHttp(logger, { propagateTo: [new URL(allowed.url).origin] });
  const span = logger.startSpan({ name: 'parent' });
  try {
    const res = await span.fetch(allowed.url);
    assert.equal(await res.text(), 'ok');
    await span.fetch(other.url);
    const tp = allowed.seen[0].traceparent;
    assert.match(tp, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/);
    assert.equal(tp.slice(3, 35), span.rootSpanId, 'same trace');
    assert.notEqual(tp.slice(36, 52), span.spanId, 'the client span, not the parent, is the remote parent');
    assert.equal(other.seen[0].traceparent, undefined, 'no trace headers to an origin not allowed');
    assert.equal(other.seen[0].baggage, undefined);
  } finally {
    span.end();
    await allowed.close();
    await other.close();
  }
});

test('a propagateTo array changed after use is read as it is now (filled from env on a first request, say)', async () => {
  const target = await listen();
  const logger = initLogger({ projectName: 'p', exporter: false, setCurrent: false });
  const propagateTo = [];
  configureHttp(logger, { propagateTo });
  const span = logger.startSpan({ name: 'parent' });
  try {
    await span.fetch(target.url);
    propagateTo.push(new URL(target.url).origin);
    await span.fetch(target.url);
    propagateTo.length = 0;
    await span.fetch(target.url);
    assert.deepEqual(target.seen.map((h) => h.traceparent !== undefined), [false, true, false]);
  } finally {
    span.end();
    await target.close();
  }
});

test("span.fetch to an allowed target relays the caller's baggage members with ours, as inject does", async () => {
  const allowed = await listen();
  const other = await listen();
  const logger = initLogger({ projectId: 'p1', exporter: false, setCurrent: false });
  configureHttp(logger, { propagateTo: [new URL(allowed.url).origin] });
  const parent = extractTraceContext({ traceparent: TP, tracestate: 'congo=t61rcWkgMzE', baggage: 'in=1' });
  const span = logger.startSpan({ name: 'server', parent });
  const stale = { traceparent: `00-${'e'.repeat(32)}-${'f'.repeat(16)}-01`, tracestate: 'stale=1', baggage: 'userId=alice' };
  try {
    await span.fetch(allowed.url, { headers: stale });
    await span.fetch(other.url, { headers: stale });
    const sent = allowed.seen[0];
    assert.equal(sent.traceparent.slice(3, 35), TP.slice(3, 35), "the span's trace, not the caller's stale one");
    assert.equal(sent.tracestate, 'congo=t61rcWkgMzE', "the span's tracestate replaces the caller's");
    assert.equal(sent.baggage, 'userId=alice,in=1,braintrust.parent=project_id%3Ap1');
    assert.equal(sent.baggage, span.inject({ baggage: 'userId=alice' }).baggage);
    assert.deepEqual(
      [other.seen[0].traceparent, other.seen[0].tracestate, other.seen[0].baggage],
      [undefined, undefined, undefined],
      'none of them to an origin not allowed',
    );
  } finally {
    span.end();
    await allowed.close();
    await other.close();
  }
});

test('tracedFetch(span, url, request): a Request as init keeps its method, body and redirect mode', async () => {
  const calls = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    calls.push({ method: req.method, body: Buffer.concat(chunks).toString(), traceparent: req.headers.traceparent });
    if (req.url === '/moved') res.writeHead(302, { location: '/x' }).end();
    else res.end('ok');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const logger = initLogger({ projectId: 'p', exporter: false, setCurrent: false });
  configureHttp(logger, { propagateTo: [origin] });
  const span = logger.startSpan({ name: 'proxy' });
  try {
    await span.fetch(`${origin}/x`, new Request(`${origin}/ignored`, { method: 'POST', body: 'hello' }));
    const moved = await span.fetch(`${origin}/moved`, new Request(`${origin}/`, { method: 'DELETE', redirect: 'manual' }));
    assert.equal(moved.status, 302, 'redirect: manual kept');
    await tracedFetch(undefined, `${origin}/x`, new Request(`${origin}/`, { method: 'PUT', body: 'no span' }), { propagateTo: [] });
    assert.deepEqual(calls.map((c) => [c.method, c.body]), [['POST', 'hello'], ['DELETE', ''], ['PUT', 'no span']]);
    assert.match(calls[0].traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/, 'headers still injected');
    assert.equal(calls[2].traceparent, undefined);
  } finally {
    span.end();
    await new Promise((r) => server.close(r));
  }
});

/**
 * A server that records each request (method, path, headers, body) and answers
 * `route(req)`: `{ status, location }` for a redirect, or nothing for 200 'ok'.
 */
function redirector(route = () => undefined) {
  const seen = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const r = route(req);
      if (r === undefined) return res.end('ok');
      res.writeHead(r.status, { location: r.location });
      res.end('moved');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const origin = `http://127.0.0.1:${server.address().port}`;
    resolve({ origin, seen, close: () => new Promise((r) => server.close(r)) });
  }));
}

test('a redirect to an origin not allowed gets no trace headers and no credentials; back to an allowed one, they return', async () => {
  const third = await redirector((req) => (req.url === '/bounce' ? { status: 302, location: `${allowed.origin}/back` } : undefined));
  const allowed = await redirector((req) => (req.url === '/start' ? { status: 307, location: `${third.origin}/bounce` } : undefined));
  const logger = initLogger({ projectId: 'p1', exporter: false, setCurrent: false });
  configureHttp(logger, { propagateTo: [allowed.origin] });
  const span = logger.startSpan({ name: 'parent' });
  try {
    const res = await span.fetch(`${allowed.origin}/start`, {
      method: 'PUT', body: 'payload', headers: { authorization: 'Bearer s3cret', baggage: 'userId=alice', 'x-keep': '1' },
    });
    assert.equal(await res.text(), 'ok');
    assert.equal(res.status, 200);
    assert.equal(res.redirected, true);
    assert.equal(res.url, `${allowed.origin}/back`);
    const [start, back] = allowed.seen;
    const [bounce] = third.seen;
    assert.deepEqual([start.path, bounce.path, back.path], ['/start', '/bounce', '/back']);
    assert.match(start.headers.traceparent, /^00-/);
    assert.equal(start.headers.authorization, 'Bearer s3cret');
    // The origin not allowed: none of the trace headers, no credentials; the rest kept.
    assert.deepEqual([bounce.headers.traceparent, bounce.headers.tracestate, bounce.headers.baggage], [undefined, undefined, undefined]);
    assert.equal(bounce.headers.authorization, undefined, 'credentials stay with their origin');
    assert.equal(bounce.headers['x-keep'], '1');
    assert.deepEqual([bounce.method, bounce.body], ['PUT', 'payload'], '307 keeps the method and the body');
    // 302 after a PUT keeps it too (only POST becomes GET); back on the allowed origin,
    // the trace headers are ours again, with the caller's baggage relayed.
    assert.deepEqual([back.method, back.body], ['PUT', 'payload']);
    assert.equal(back.headers.traceparent, start.headers.traceparent);
    assert.equal(back.headers.baggage, 'userId=alice,braintrust.parent=project_id%3Ap1');
  } finally {
    span.end();
    await allowed.close();
    await third.close();
  }
});

test('redirects followed by tracedFetch keep fetch rules: 303 and POST-302 become GET without a body, and 20 is the limit', async () => {
  const target = await redirector((req) => {
    if (req.url === '/see-other') return { status: 303, location: '/landed' };
    if (req.url === '/found') return { status: 302, location: '/landed' };
    if (req.url.startsWith('/loop')) return { status: 301, location: `/loop${Number(req.url.slice(5) || 0) + 1}` };
    return undefined;
  });
  const logger = initLogger({ projectId: 'p1', exporter: false, setCurrent: false });
  configureHttp(logger, { propagateTo: [target.origin] });
  const span = logger.startSpan({ name: 'parent' });
  try {
    for (const path of ['/see-other', '/found']) {
      const before = target.seen.length;
      const res = await span.fetch(`${target.origin}${path}`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
      assert.equal(await res.text(), 'ok');
      const landed = target.seen[before + 1];
      assert.deepEqual([landed.path, landed.method, landed.body], ['/landed', 'GET', '']);
      assert.equal(landed.headers['content-type'], undefined, 'body headers go with the body');
      assert.match(landed.headers.traceparent, /^00-/, 'the same origin: trace headers kept');
    }
    const before = target.seen.length;
    // Rejected as Node's fetch rejects it.
    const loop = (f) => assert.rejects(f(`${target.origin}/loop`), (err) =>
      err instanceof TypeError && err.message === 'fetch failed' && /redirect count exceeded/.test(err.cause?.message));
    await loop(fetch);
    target.seen.length = before;
    await loop((url) => span.fetch(url));
    assert.equal(target.seen.length - before, 21, 'the first request and 20 redirects');
    // A caller that handles redirects itself gets them as fetch gives them.
    const manual = await span.fetch(`${target.origin}/found`, { redirect: 'manual' });
    assert.deepEqual([manual.status, manual.headers.get('location')], [302, '/landed']);
  } finally {
    span.end();
    await target.close();
  }
});

test('tracedFetch without a span: the caller\'s own trace headers do not follow a redirect to an origin not allowed', async () => {
  const third = await redirector();
  const allowed = await redirector(() => ({ status: 301, location: `${third.origin}/elsewhere` }));
  try {
    const res = await tracedFetch(undefined, `${allowed.origin}/x`, { headers: { traceparent: TP, baggage: 'k=v' } }, { propagateTo: [allowed.origin] });
    assert.equal(await res.text(), 'ok');
    assert.deepEqual([allowed.seen[0].headers.traceparent, allowed.seen[0].headers.baggage], [TP, 'k=v']);
    assert.deepEqual([third.seen[0].headers.traceparent, third.seen[0].headers.baggage], [undefined, undefined]);
  } finally {
    await allowed.close();
    await third.close();
  }
});

/**
 * A fetch that answers from `answers` (path → { status, location }, else 200) and
 * records what each call was given: the URL, the Request (if one), the init.
 */
function scriptedFetch(answers) {
  const calls = [];
  const fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    calls.push({ url: url.href, request: input instanceof Request ? input : undefined, init });
    const a = answers[url.pathname];
    return a === undefined ? new Response('ok') : new Response('moved', { status: a.status, headers: { location: a.location } });
  };
  return { fetch, calls };
}

test('tracedFetch redirect hops keep what fetch keeps: a Request\'s options, the method as written, the fragment', async () => {
  const origin = 'http://api.test';
  const logger = initLogger({ projectId: 'p1', exporter: false, setCurrent: false });
  const span = logger.startSpan({ name: 'parent' });
  const options = (fetch) => ({ fetch, propagateTo: [origin] });
  try {
    // A Request as input: its options (keepalive here; Workers' cf likewise) go on to the next hop.
    let s = scriptedFetch({ '/a': { status: 302, location: '/b' } });
    await tracedFetch(span, new Request(`${origin}/a`, { keepalive: true }), undefined, options(s.fetch));
    assert.equal(s.calls.length, 2);
    assert.equal(s.calls[1].request?.keepalive, true, "the Request's options on the second hop");
    assert.equal(s.calls[1].request?.url, `${origin}/b`);
    // A Request as input and a plain init: the init's other options (Node's dispatcher,
    // say: a proxy) are on every hop, as on the first.
    const dispatcher = { name: 'egress proxy' };
    s = scriptedFetch({ '/a': { status: 302, location: '/b' } });
    await tracedFetch(span, new Request(`${origin}/a`), { dispatcher, cache: 'no-store' }, options(s.fetch));
    assert.deepEqual(s.calls.map((c) => [c.init?.dispatcher, c.init?.cache]), [[dispatcher, 'no-store'], [dispatcher, 'no-store']]);
    // A method fetch does not normalize stays as written (307 keeps it).
    s = scriptedFetch({ '/a': { status: 307, location: '/b' } });
    await tracedFetch(span, `${origin}/a`, { method: 'patch', body: 'x' }, options(s.fetch));
    assert.deepEqual(s.calls.map((c) => [c.init.method, c.init.body]), [['patch', 'x'], ['patch', 'x']]);
    // A Location without a fragment keeps the request's; the response's URL has none.
    s = scriptedFetch({ '/a': { status: 301, location: '/b' }, '/b': { status: 302, location: '/c#there' } });
    const res = await tracedFetch(span, `${origin}/a#top`, undefined, options(s.fetch));
    assert.deepEqual(s.calls.map((c) => c.url), [`${origin}/a#top`, `${origin}/b#top`, `${origin}/c#there`]);
    assert.equal(res.url, `${origin}/c`);
    // A Request's own body (as input, or as init) leaves the redirects to fetch.
    s = scriptedFetch({});
    await tracedFetch(span, new Request(`${origin}/a`, { method: 'POST', body: 'payload' }), { body: undefined }, options(s.fetch));
    assert.notEqual(s.calls[0].init?.redirect, 'manual');
    s = scriptedFetch({});
    await tracedFetch(span, `${origin}/a`, new Request(`${origin}/a`, { method: 'POST', body: 'payload' }), options(s.fetch));
    assert.notEqual(s.calls[0].init?.redirect, 'manual');
  } finally {
    span.end();
  }
});

test('tracedFetch ends its client span when writing the trace headers throws (redirects left to fetch)', async () => {
  const calls = [];
  const child = {
    inject() { throw new TypeError('the carrier refused'); },
    addEvent: (name) => calls.push(`event ${name}`),
    setAttributes: () => {},
    setStatus: () => calls.push('status'),
    end: () => calls.push('end'),
  };
  const parent = { startSpan: () => child };
  const fetch = () => assert.fail('nothing is sent');
  await assert.rejects(
    tracedFetch(parent, 'http://api.test/x', { redirect: 'manual' }, { fetch, propagateTo: ['http://api.test'] }),
    /the carrier refused/,
  );
  assert.deepEqual(calls, ['event exception', 'status', 'end']);
});

test('a stream body is followed hop by hop too: a 303 to an origin not allowed gets no trace headers; a 307 fails as in fetch', async () => {
  const third = await redirector();
  const allowed = await redirector((req) => ({ '/see-other': { status: 303, location: `${third.origin}/landing` },
    '/temporary': { status: 307, location: `${third.origin}/again` } })[req.url]);
  const logger = initLogger({ projectId: 'p1', exporter: false, setCurrent: false });
  configureHttp(logger, { propagateTo: [allowed.origin] });
  const span = logger.startSpan({ name: 'upload' });
  const stream = () => new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('chunk')); c.close(); } });
  try {
    const res = await span.fetch(`${allowed.origin}/see-other`, { method: 'POST', body: stream(), duplex: 'half', headers: { baggage: 'k=v' } });
    assert.equal(res.status, 200);
    const [landing] = third.seen;
    assert.deepEqual([landing.method, landing.body], ['GET', ''], '303: a GET without the body');
    assert.deepEqual([landing.headers.traceparent, landing.headers.tracestate, landing.headers.baggage], [undefined, undefined, undefined]);
    assert.match(allowed.seen[0].headers.traceparent, /^00-/);
    assert.equal(allowed.seen[0].body, 'chunk');
    await assert.rejects(
      span.fetch(`${allowed.origin}/temporary`, { method: 'POST', body: stream(), duplex: 'half' }),
      (err) => err instanceof TypeError && err.message === 'fetch failed' && /307 redirect would send the request body again/.test(err.cause?.message),
    );
    assert.equal(third.seen.length, 1, 'nothing sent on after the 307');
  } finally {
    span.end();
    await allowed.close();
    await third.close();
  }
});
