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
