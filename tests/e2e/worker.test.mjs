// A Worker built with `instrument`, in workerd (Miniflare): one client span per
// downstream call, each injected with its own span id and the inbound trace id, flags
// and tracestate (checked at the downstream server); nothing to a host not allowed;
// a throwing handler still exports its span with the error status; a 503 is an error;
// CORS preflights are not traced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO, SCRATCH, bundleForRuntime } from '../support/consumer.mjs';
import { startWorker } from '../support/workerd.mjs';
import { startReceiver } from '../../demo/receiver.mjs';
import { startRecorder } from './package-spanwire.mjs';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = '00f067aa0ba902b7';
const TRACESTATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';

let worker;
let receiver;
let down;
let third;

test.before(async () => {
  receiver = await startReceiver();
  down = await startRecorder({ redirect: (req) => (req.url === '/to-third' ? `${third.origin}/redirected` : undefined) });
  third = await startRecorder();
  const file = await bundleForRuntime(join(REPO, 'tests', 'e2e', 'calls-worker.js'), join(SCRATCH, 'e2e-calls-worker'), 'workerd');
  worker = await startWorker(file, { bindings: { DOWN: down.origin, THIRD: third.origin, OTLP_URL: receiver.url } });
});

test.after(async () => {
  await worker?.dispose();
  await receiver?.close();
  await down?.close();
  await third?.close();
});

const spansOf = (traceId) => receiver.spans.filter((s) => s.traceId === traceId);

for (const flags of ['01', '03']) {
  test(`two downstream calls: one client span each, own span id, inbound trace id, flags ${flags} and tracestate`, { timeout: 20_000 }, async () => {
    const traceId = flags === '01' ? TRACE : TRACE.replace(/^4/, '5');
    const before = down.seen.length;
    const res = await fetch(new URL('/two?x=1', worker.url), {
      headers: { traceparent: `00-${traceId}-${CALLER}-${flags}`, tracestate: TRACESTATE, baggage: 'userId=alice' },
    });
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.deepEqual([body.a, body.b], [200, 200]);

    const calls = down.seen.slice(before);
    assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), ['GET /a', 'POST /b']);
    const ids = [];
    for (const c of calls) {
      const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(c.headers.traceparent ?? '');
      assert.ok(m, `traceparent at ${c.path}: ${c.headers.traceparent}`);
      assert.equal(m[1], traceId, 'the inbound trace id');
      assert.equal(m[3], flags, 'the inbound flags');
      assert.equal(c.headers.tracestate, TRACESTATE, 'the inbound tracestate, unchanged');
      assert.match(c.headers.baggage ?? '', /(^|,)userId=alice(,|$)/, 'the inbound baggage relayed');
      ids.push(m[2]);
    }
    assert.equal(new Set([...ids, CALLER, body.serverSpanId]).size, 4, 'each call has its own span id');

    await receiver.waitFor(() => spansOf(traceId).length >= 3, 10_000, `3 spans of ${traceId}`);
    await new Promise((r) => setTimeout(r, 200));
    const spans = spansOf(traceId);
    assert.equal(spans.length, 3, 'one server span and two client spans');
    const server = spans.find((s) => s.kind === 'server');
    assert.equal(server.spanId, body.serverSpanId);
    assert.equal(server.parentSpanId, CALLER, 'the server span is a child of the caller');
    assert.equal(server.name, 'GET /two');
    assert.equal(server.attributes['http.route'], '/two');
    assert.equal(server.service, 'calls-worker');
    assert.equal(server.traceState, TRACESTATE);
    assert.equal(server.attributes['http.request.method'], 'GET');
    assert.equal(server.attributes['url.full'], `${worker.url.origin}/two?x=1`);
    assert.equal(server.attributes['url.path'], '/two');
    assert.equal(server.attributes['http.response.status_code'], 200);
    assert.equal(server.status.code, 'unset');
    const clients = spans.filter((s) => s.kind === 'client').sort((a, b) => a.startMs - b.startMs);
    assert.equal(clients.length, 2);
    assert.deepEqual(clients.map((c) => c.spanId), ids, 'the ids on the wire are the client spans');
    assert.deepEqual(clients.map((c) => c.attributes['url.full']), [`${down.origin}/a`, `${down.origin}/b`]);
    assert.deepEqual(clients.map((c) => c.attributes['http.request.method']), ['GET', 'POST']);
    for (const c of clients) {
      assert.equal(c.parentSpanId, server.spanId);
      assert.equal(c.name, c.attributes['http.request.method']);
      assert.equal(c.attributes['http.response.status_code'], 200);
      assert.equal(c.attributes['server.address'], '127.0.0.1');
      assert.equal(c.attributes['server.port'], Number(new URL(down.origin).port));
    }
  });
}

test('a host not in propagateTo gets no trace headers, even when the Worker forwards the inbound ones', { timeout: 20_000 }, async () => {
  const res = await fetch(new URL('/leak', worker.url), {
    headers: { traceparent: `00-${TRACE}-${CALLER}-01`, tracestate: TRACESTATE, baggage: 'userId=alice', 'x-keep': 'yes' },
  });
  assert.equal(res.status, 200);
  const [call] = third.seen.filter((c) => c.path === '/leak');
  assert.ok(call, 'the third host was called');
  assert.equal(call.headers['x-keep'], 'yes', 'other headers forwarded');
  assert.equal(call.headers.traceparent, undefined);
  assert.equal(call.headers.tracestate, undefined);
  assert.equal(call.headers.baggage, undefined);
});

test('a redirect from an allowed host to one that is not: the second hop gets no trace headers', { timeout: 20_000 }, async () => {
  const res = await fetch(new URL('/redirect', worker.url), { headers: { traceparent: `00-${TRACE}-${CALLER}-01`, baggage: 'userId=alice' } });
  assert.deepEqual(await res.json(), { status: 200, redirected: true, url: `${third.origin}/redirected` });
  const first = down.seen.find((c) => c.path === '/to-third');
  assert.match(first.headers.traceparent, new RegExp(`^00-${TRACE}-`), 'the allowed host gets them');
  const [hop] = third.seen.filter((c) => c.path === '/redirected');
  assert.ok(hop, 'the redirect was followed');
  assert.deepEqual([hop.headers.traceparent, hop.headers.tracestate, hop.headers.baggage], [undefined, undefined, undefined]);
});

test("spans ended by the request's waitUntil work after the response are flushed by that request", { timeout: 20_000 }, async () => {
  const traceId = 'c'.repeat(31) + '3';
  const res = await fetch(new URL('/background', worker.url), { headers: { traceparent: `00-${traceId}-${CALLER}-01` } });
  assert.equal(res.status, 202);
  await res.arrayBuffer();
  await receiver.waitFor(() => spansOf(traceId).length >= 2, 5_000, 'the server span and the background job');
  const job = spansOf(traceId).find((s) => s.name === 'background job');
  assert.equal(job.parentSpanId, spansOf(traceId).find((s) => s.kind === 'server').spanId);
});

test('a Worker that throws still exports its span, with the error status and the exception', { timeout: 20_000 }, async () => {
  const traceId = 'a'.repeat(31) + '1';
  const res = await fetch(new URL('/throw', worker.url), { headers: { traceparent: `00-${traceId}-${CALLER}-01` } });
  assert.equal(res.status, 500, 'workerd answers 500 for the thrown error');
  await res.arrayBuffer();
  await receiver.waitFor(() => spansOf(traceId).length >= 1, 10_000, 'the thrown request span');
  const [span] = spansOf(traceId);
  assert.equal(span.kind, 'server');
  assert.equal(span.name, 'GET', 'no route: the method alone');
  assert.equal(span.parentSpanId, CALLER);
  assert.equal(span.status.code, 'error');
  assert.match(span.status.message ?? '', /TypeError: boom from the handler/);
  assert.equal(span.attributes['error.type'], 'TypeError');
  assert.equal(span.attributes['http.response.status_code'], undefined, 'no response was sent');
  const ex = span.events.find((e) => e.name === 'exception');
  assert.ok(ex, 'an exception event');
  assert.equal(ex.attributes['exception.type'], 'TypeError');
  assert.equal(ex.attributes['exception.message'], 'boom from the handler');
  assert.match(ex.attributes['exception.stacktrace'] ?? '', /boom from the handler/);
});

test('a 503 answer is an error status; a CORS preflight is not traced', { timeout: 20_000 }, async () => {
  const traceId = 'b'.repeat(31) + '2';
  const pre = await fetch(new URL('/503', worker.url), {
    method: 'OPTIONS',
    headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'GET', 'access-control-request-headers': 'traceparent' },
  });
  await pre.arrayBuffer();
  const res = await fetch(new URL('/503', worker.url), { headers: { traceparent: `00-${traceId}-${CALLER}-01` } });
  assert.equal(res.status, 503);
  await res.arrayBuffer();
  await receiver.waitFor(() => spansOf(traceId).length >= 1, 10_000, 'the 503 span');
  await new Promise((r) => setTimeout(r, 300));
  const [span] = spansOf(traceId);
  assert.equal(span.status.code, 'error');
  assert.equal(span.attributes['http.response.status_code'], 503);
  assert.equal(span.attributes['error.type'], '503');
  assert.equal(receiver.spans.filter((s) => s.attributes['http.request.method'] === 'OPTIONS').length, 0, 'no preflight span');
});
