// The W3C Trace Context test suite (test.py at STRICT_LEVEL=2), every test method,
// against the spanwire-based test service in Node (node:http) and in workerd (a
// Worker run by Miniflare), both using the installed package, over 127.0.0.1.
//
// The official harness is Python (aiohttp) and is not available here, so it is
// reimplemented: tests/w3c/cases.mjs is test.py as a table; this file is its harness
// (client.py + server.py): for each request it POSTs the case's headers (casing and
// repeats kept) and a JSON array of callback URLs to the service, records the headers
// of each callback the service makes, and applies test.py's checks through its
// get_traceparent (exactly one traceparent, matching its format, version 00 and
// non-zero ids) and get_tracestate (members split on OWS-comma-OWS, each must match
// the harness's member grammar, first key wins).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as spanwire from 'spanwire';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONSUMER = dirname(HERE);
const REPO_TESTS = join(CONSUMER, '..', '..');
process.env.SPANWIRE_CONSUMER ??= CONSUMER;

const { CASES } = await import(join(REPO_TESTS, 'w3c', 'cases.mjs'));
const { startNodeService } = await import(join(REPO_TESTS, 'w3c', 'node-service.mjs'));
const { bundleForRuntime, SCRATCH } = await import(join(REPO_TESTS, 'support', 'consumer.mjs'));
const { startWorker } = await import(join(REPO_TESTS, 'support', 'workerd.mjs'));

// ---- the harness's parsers (tracecontext/traceparent.py, tracestate.py) ----

const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const KEY = '(?:[a-z][_0-9a-z\\-*/]{0,255}|[0-9a-z][_0-9a-z\\-*/]{0,240}@[a-z][_0-9a-z\\-*/]{0,13})';
const VALUE = '[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]';
const MEMBER = new RegExp(`^(${KEY})(=)(${VALUE})$`);

function getTraceparent(headers) {
  const found = headers.filter(([k]) => /^traceparent$/i.test(k));
  assert.equal(found.length, 1, `expect one traceparent header, got ${JSON.stringify(found)}`);
  const m = TRACEPARENT_FORMAT.exec(found[0][1]);
  assert.ok(m, `traceparent format: ${found[0][1]}`);
  const [, version, traceId, parentId, flags] = m;
  assert.equal(version, '00', 'version 00');
  assert.notEqual(traceId, '0'.repeat(32), 'non-zero trace_id');
  assert.notEqual(parentId, '0'.repeat(16), 'non-zero parent_id');
  return { version, traceId, parentId, flags };
}

class Tracestate extends Map {
  fromString(text) {
    for (const member of text.split(/[ \t]*,[ \t]*/)) {
      if (!member) continue;
      const m = MEMBER.exec(member);
      if (!m) throw new Error(`illegal key-value format ${JSON.stringify(member)}`);
      if (!this.has(m[1])) this.set(m[1], m[3]);
    }
  }

  toString() {
    return [...this].map(([k, v]) => `${k}=${v}`).join(',');
  }
}

function getTracestate(headers) {
  const ts = new Tracestate();
  for (const [k, v] of headers) if (/^tracestate$/i.test(k)) ts.fromString(v);
  return ts;
}

// ---- the harness server: records callbacks by scope ----

const scopes = new Map();
let harness;
let harnessUrl;

function post(url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    // Repeated names go out as repeated header lines, with the case's own casing.
    const grouped = new Map();
    for (const [k, v] of [['Accept', 'application/json'], ['Content-Type', 'application/json'], ...headers]) {
      grouped.set(k, [...(grouped.get(k) ?? []), v]);
    }
    for (const [k, vs] of grouped) req.setHeader(k, vs.length === 1 ? vs[0] : vs);
    req.end(JSON.stringify(body));
  });
}

let nextScope = 0;

/** make_request: the service calls back `count` times; returns each callback's headers. */
async function makeRequest(serviceUrl, headers, count) {
  const scope = `s${++nextScope}`;
  scopes.set(scope, {});
  const args = Array.from({ length: count }, (_, i) => ({ url: `${harnessUrl}/callback/${scope}.${i}`, arguments: [] }));
  const res = await post(serviceUrl, headers, args);
  assert.equal(res.status, 200, `service answered ${res.status}: ${res.body}`);
  const got = scopes.get(scope);
  scopes.delete(scope);
  return Array.from({ length: count }, (_, i) => {
    assert.ok(got[i], `your test service failed to make a callback to the test harness (${i})`);
    return got[i];
  });
}

const services = {};
let worker;

before(async () => {
  harness = createServer((req, res) => {
    const m = /^\/callback\/([^.]+)\.(\d+)$/.exec(req.url);
    req.resume();
    req.on('end', () => {
      if (m && scopes.has(m[1])) {
        const headers = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
        scopes.get(m[1])[m[2]] = headers;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('null');
    });
  });
  await new Promise((r) => harness.listen(0, '127.0.0.1', r));
  harnessUrl = `http://127.0.0.1:${harness.address().port}`;

  spanwire.initLogger({ projectName: 'w3c-test-suite', exporter: false });
  services.node = await startNodeService(spanwire);

  const bundle = await bundleForRuntime(join(REPO_TESTS, 'w3c', 'worker.js'), join(SCRATCH, 'w3c-worker'), 'workerd');
  worker = await startWorker(bundle);
  services.workerd = { url: new URL('/test', worker.url).href };
});

after(async () => {
  await services.node?.close();
  await worker?.dispose();
  await new Promise((r) => harness?.close(r));
});

test('the table holds every test method of test.py', () => {
  const names = CASES.map(([name]) => name);
  assert.equal(new Set(names).size, names.length, 'unique names');
  assert.equal(names.length, 40, 'test.py (commit 00a91acf) has 37 TraceContextTest + 3 AdvancedTest methods');
  assert.equal(CASES.filter(([, strict]) => strict).length, 6, 'six methods are skipped below STRICT_LEVEL 2');
});

for (const runtime of ['node', 'workerd']) {
  for (const [name, , requests] of CASES) {
    test(`${runtime}: ${name}`, async () => {
      const state = {};
      for (const { headers, count, check } of requests) {
        const callbacks = await makeRequest(services[runtime].url, headers, count);
        const results = callbacks.map((h) => ({ traceparent: getTraceparent(h), tracestate: getTracestate(h) }));
        check(results, state);
      }
    });
  }
}

test('the harness checks can fail: a service that forwards the inbound headers as they are', async () => {
  // Replays two rows against a deliberately wrong "service" (the inbound headers echoed):
  // the harness must reject it, or the passes above would prove nothing.
  const echo = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    for (const { url } of JSON.parse(Buffer.concat(chunks).toString())) {
      const headers = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (/^trace(parent|state)$/i.test(req.rawHeaders[i])) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      }
      await post(url, headers, []);
    }
    res.end('{}');
  });
  await new Promise((r) => echo.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${echo.address().port}/test`;
  try {
    const run = async (caseName) => {
      const [, , requests] = CASES.find(([n]) => n === caseName);
      const state = {};
      for (const { headers, count, check } of requests) {
        const callbacks = await makeRequest(url, headers, count);
        check(callbacks.map((h) => ({ traceparent: getTraceparent(h), tracestate: getTracestate(h) })), state);
      }
    };
    await assert.rejects(run('TraceContextTest.test_traceparent_included_tracestate_missing'), /parent_id/);
    await assert.rejects(run('TraceContextTest.test_tracestate_duplicated_keys'), /KeyError/);
    await assert.rejects(run('TraceContextTest.test_traceparent_duplicated'), /expect one traceparent/);
  } finally {
    await new Promise((r) => echo.close(r));
  }
});
