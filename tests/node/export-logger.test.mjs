// Export end to end through the real logger (what users call): initLogger → spans →
// flush, over Node's fetch, to a real OTLP/HTTP receiver on 127.0.0.1.
//
// 1. Every field the API can set (attributes of every type, every log field, events,
//    statuses, kinds, local / ended / remote parents with tracestate, a Braintrust
//    parent from baggage and from a slug, resource attributes) arrives with the ids,
//    parents and values that were recorded, in OTLP/JSON and in protobuf mode, and
//    every request body parses with the official OTLP schema (tests/otlp/check_otlp.py:
//    strict JSON, json_format with unknown fields rejected after the hex-id rule,
//    protobuf decode, byte-identical re-encoding, and the JSON and protobuf bodies of
//    the same batch are the same message).
//    The checker compares a JSON body with a protobuf body of the same spans, so each
//    mode runs in a fresh child Node process (this file, SPANWIRE_E2E_CHILD set) whose
//    `crypto.getRandomValues` is a fixed SHA-256 counter stream: the same calls give
//    the same ids in both processes. The parent asserts that the ids agree, so the
//    comparison is never vacuous. Times are passed explicitly for the same reason.
// 2. Faults through the logger (503, 429 + Retry-After, a hang past timeoutMs, a reset
//    connection, the receiver down for a while): with a large queue every recorded span
//    arrives exactly once (counted by span id); with a small maxQueueSize,
//    stats().dropped and the flush report's `dropped` equal exactly the number missing
//    at the receiver. Any unhandled promise rejection fails the test it happens in.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The installed package's version, which the resource names as telemetry.sdk.version.
const PACKAGE_VERSION = JSON.parse(readFileSync(new URL('../node_modules/spanwire/package.json', import.meta.url), 'utf8')).version;
const T0 = 1700000000; // seconds since the epoch: every time in the schema test is explicit
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_PARENT = '00f067aa0ba902b7';
const SLUG_TRACE = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const SLUG_SPAN = 'aaaaaaaaaaaaaaaa';

if (process.env.SPANWIRE_E2E_CHILD) {
  await child();
} else {
  await parent();
}

// ---------------------------------------------------------------------------------
// The child: one logger in one protocol records the every-field trace and flushes.

async function child() {
  const { createHash } = await import('node:crypto');
  const { writeFileSync } = await import('node:fs');
  const rejections = [];
  process.on('unhandledRejection', (e) => rejections.push(String(e?.stack ?? e)));

  // A fixed byte stream for ids, installed before spanwire draws any (see the header).
  let counter = 0;
  let block = Buffer.alloc(0);
  Object.defineProperty(globalThis.crypto, 'getRandomValues', {
    configurable: true,
    writable: true,
    value(view) {
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      for (let i = 0; i < bytes.length; i++) {
        if (block.length === 0) block = createHash('sha256').update(`spanwire-e2e-${counter++}`).digest();
        bytes[i] = block[0];
        block = block.subarray(1);
      }
      return view;
    },
  });

  const { initLogger, extractTraceContext, formatSlug } = await import('spanwire');
  const protocol = process.env.SPANWIRE_E2E_PROTOCOL;
  const logger = initLogger({
    projectId: 'proj-e2e',
    serviceName: 'e2e-service',
    resourceAttributes: { 'deployment.environment': 'test', 'host.cores': 8, regions: ['eu', 'us'] },
    exporter: { url: process.env.SPANWIRE_E2E_URL, protocol, headers: { 'X-E2E': protocol } },
    batch: { delayMs: 20, maxBatchSize: 4, timeoutMs: 2000, initialBackoffMs: 10, maxBackoffMs: 50 },
  });
  const at = (ms) => T0 + ms / 1000;
  const recorded = [];
  const note = (span, extra) => recorded.push({
    name: extra.name, spanId: span.spanId, traceId: span.rootSpanId, parents: span.spanParents, sampled: span.sampled, ...extra,
  });

  // A root with attributes of every type, every log field (merged over two calls), events, status ok.
  const root = logger.startSpan({ name: 'root', kind: 'server', startTime: at(0), type: 'task', attributes: { 'http.method': 'GET' } });
  root.setAttributes({
    str: 'héllo ✓', empty: '', int: 42, neg: -7, maxSafe: 2 ** 53 - 1, double: 1.25, huge: 1e300, tiny: -5e-324,
    nan: NaN, inf: Infinity, ninf: -Infinity, yes: true, no: false, big: 12345678901234567890n,
    strs: ['a', 'b'], ints: [1, 2, 3], mixed: [1, 'two', true, 2.5, null], nested: [[1], ['x']], none: [],
    obj: { k: 'v', n: 1, deep: { list: [true], d: 0.5 } }, emptyObj: {},
    skippedNull: null, skippedUndefined: undefined, skippedFn: () => 1,
  });
  root.setAttribute('int', 43); // overwrites, keeps its place
  root.log({
    input: { question: 'why?', n: [1, 2] }, output: 'because', expected: ['because'],
    metadata: { user: 'u1', nested: { a: 1 } }, metrics: { tokens: 10 }, scores: { accuracy: 0.5 }, tags: ['t1', 't2'],
  });
  root.log({ metadata: { nested: { b: 2 } }, metrics: { latency: 1.5 }, tags: ['t2', 't3'] });
  root.addEvent('cache.miss', { key: 'k1', size: 3, hit: false, list: ['x'], info: { a: 1 } }, at(1));
  root.addEvent('bare', undefined, at(2));
  root.setStatus({ code: 'ok' });
  root.setStatus({ code: 'error', message: 'ignored: ok is final' });

  // A local child (client) whose log error sets the status; a grandchild with an explicit error status.
  const llm = root.startSpan({ name: 'llm', kind: 'client', startTime: at(3), type: 'llm' });
  llm.log({ input: [{ role: 'user', content: 'hi' }], error: 'rate limited', metadata: { model: 'm1' } });
  const tool = llm.startSpan({ name: 'tool', kind: 'producer', startTime: at(4) });
  tool.setStatus({ code: 'error', message: 'tool failed' });
  tool.end(at(5));
  llm.end(at(6));
  // A child of an ended span, with a numeric kind (4 → consumer).
  const after = logger.startSpan({ name: 'after-end', parent: llm, kind: 4, startTime: at(7) });
  after.setStatus({ code: 'unset' });
  after.end(at(8));
  root.end(at(9));
  note(root, { name: 'root', kind: 2 });
  note(llm, { name: 'llm', kind: 3 });
  note(tool, { name: 'tool', kind: 4 });
  note(after, { name: 'after-end', kind: 5 });

  // A remote parent with tracestate and a Braintrust parent in baggage.
  const ctx = extractTraceContext({
    traceparent: `00-${TRACE}-${REMOTE_PARENT}-01`,
    tracestate: 'vendor=abc,other=1',
    baggage: 'braintrust.parent=project_name%3Aremote-proj,other=x',
  });
  const remote = logger.startSpan({ name: 'remote-child', parent: ctx, kind: 'internal', startTime: at(10) });
  remote.setAttributes({ remote: true });
  const remoteKid = remote.startSpan({ name: 'remote-grandchild', startTime: at(11) });
  remoteKid.end(at(12));
  remote.end(at(13));
  note(remote, { name: 'remote-child', kind: 1 });
  note(remoteKid, { name: 'remote-grandchild', kind: 1 });

  // An unsampled remote parent: not exported.
  const unsampled = logger.startSpan({ name: 'unsampled', parent: extractTraceContext({ traceparent: `00-${TRACE}-${REMOTE_PARENT}-00` }), startTime: at(14) });
  unsampled.end(at(15));
  note(unsampled, { name: 'unsampled', kind: 1 });

  // A Braintrust slug parent naming another experiment.
  const slug = formatSlug({ object_type: 1, object_id: 'exp-77', row_id: '1234567890abcdef', span_id: SLUG_SPAN, root_span_id: SLUG_TRACE });
  const fromSlug = logger.startSpan({ name: 'from-slug', parent: slug, startTime: at(16) });
  fromSlug.log({ output: { ok: true } });
  fromSlug.end(at(17));
  note(fromSlug, { name: 'from-slug', kind: 1 });

  const report = await logger.flush({ timeoutMs: 10000 });
  writeFileSync(process.env.SPANWIRE_E2E_OUT, JSON.stringify({ recorded, report, stats: logger.stats(), rejections }));
}

// ---------------------------------------------------------------------------------
// The parent: the tests.

async function parent() {
  const { test, afterEach } = await import('node:test');
  const { default: assert } = await import('node:assert/strict');
  const { mkdtemp, readFile, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { execFile, execFileSync } = await import('node:child_process');
  const { initLogger } = await import('spanwire');
  // Internal module of the installed package, same instance as the bare import.
  const { __memory } = await import(new URL('../node_modules/spanwire/dist/spanwire.js', import.meta.url).href);

  let TESTS = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8 && !existsSync(join(TESTS, 'support', 'otlp-receiver.mjs')); i++) TESTS = dirname(TESTS);
  const REPO = dirname(TESTS);
  const { assertEachOnce, withReceiver } = await import(pathToFileURL(join(TESTS, 'support', 'otlp-receiver.mjs')).href);

  const rejections = [];
  process.on('unhandledRejection', (err) => rejections.push(err));
  afterEach(() => assert.deepEqual(rejections.splice(0), [], 'no unhandled promise rejection'));

  /** Runs the child in `protocol` against `url`; resolves with what it recorded and reported. */
  async function runChild(protocol, url) {
    const dir = await mkdtemp(join(tmpdir(), 'spanwire-e2e-child-'));
    const out = join(dir, 'result.json');
    const env = { ...process.env, SPANWIRE_E2E_CHILD: '1', SPANWIRE_E2E_PROTOCOL: protocol, SPANWIRE_E2E_URL: url, SPANWIRE_E2E_OUT: out };
    delete env.NODE_TEST_CONTEXT; // the child is a script, not a test file
    const { code, stderr } = await new Promise((resolve) => {
      execFile(process.execPath, [fileURLToPath(import.meta.url)], { env, timeout: 20000 }, (err, _stdout, stderr) =>
        resolve({ code: err ? err.code ?? err.signal : 0, stderr }));
    });
    assert.equal(code, 0, `child (${protocol}) failed:\n${stderr}`);
    return JSON.parse(await readFile(out, 'utf8'));
  }

  /** An OTLP/JSON AnyValue as a JS value: ints as BigInt, doubles as numbers (NaN, ±Infinity included). */
  function anyValue(v) {
    assert.equal(Object.keys(v).length <= 1, true, `one value per AnyValue: ${JSON.stringify(v)}`);
    if ('stringValue' in v) return v.stringValue;
    if ('boolValue' in v) return v.boolValue;
    if ('intValue' in v) return BigInt(v.intValue);
    if ('doubleValue' in v) return Number(v.doubleValue);
    if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(anyValue);
    if ('kvlistValue' in v) return attrs(v.kvlistValue.values);
    if ('bytesValue' in v) return Buffer.from(v.bytesValue, 'base64');
    return undefined; // the empty AnyValue
  }
  /** OTLP/JSON attributes as [key, value] pairs in order (order and duplicates matter). */
  const attrPairs = (list) => (list ?? []).map((kv) => [kv.key, anyValue(kv.value ?? {})]);
  const attrs = (list) => Object.fromEntries(attrPairs(list));
  const near = (nanoString, seconds) => {
    const diff = BigInt(nanoString) - BigInt(Math.round(seconds * 1e6)) * 1000n;
    return diff > -2000n && diff < 2000n;
  };

  test('every field through initLogger arrives as recorded, in JSON and protobuf, and parses with the official OTLP schema', () =>
    withReceiver(async (rx) => {
      const runs = {};
      for (const protocol of ['json', 'protobuf']) {
        const before = rx.requests.length;
        const result = await runChild(protocol, rx.url);
        runs[protocol] = { ...result, requests: rx.requests.slice(before) };
      }
      const { json, protobuf } = runs;
      const exportedSpans = json.recorded.filter((s) => s.sampled);
      assert.equal(exportedSpans.length, 7);
      for (const run of [json, protobuf]) {
        assert.deepEqual(run.rejections, []);
        assert.deepEqual(run.report, { exported: 7, dropped: 0, failed: 0, pending: 0 });
        assert.equal(run.stats.exported, 7);
        assert.equal(run.stats.dropped, 0);
        assert.equal(run.stats.queued, 0);
      }
      // The same calls in a fresh process with the same id stream give the same ids:
      // the precondition of comparing the two modes' bodies message for message.
      assert.deepEqual(protobuf.recorded, json.recorded, 'both children recorded the same ids');
      assert.equal(new Set(json.recorded.map((s) => s.spanId)).size, json.recorded.length, 'span ids are distinct');

      for (const [protocol, contentType] of [['json', 'application/json'], ['protobuf', 'application/x-protobuf']]) {
        const reqs = runs[protocol].requests;
        assert.equal(reqs.length, 2, `${protocol}: 7 spans in batches of 4`);
        for (const r of reqs) {
          assert.equal(r.status, 200, `${protocol}: ${r.decodeError ?? ''}`);
          assert.equal(r.method, 'POST');
          assert.equal(r.path, '/v1/traces');
          assert.equal(r.headers['content-type'], contentType);
          assert.equal(r.headers['x-e2e'], protocol);
          assert.equal(r.headers['x-bt-parent'], 'project_id:proj-e2e');
        }
        // Counted by span id: each exported span once, the unsampled one never.
        const arrived = reqs.flatMap((r) => r.spans);
        assert.deepEqual(arrived.map((s) => s.spanId).sort(), exportedSpans.map((s) => s.spanId).sort(), `${protocol}: every sampled span once`);
        for (const s of arrived) {
          const rec = exportedSpans.find((x) => x.spanId === s.spanId);
          assert.equal(s.traceId, rec.traceId);
          assert.equal(s.name, rec.name);
        }
      }
      assert.ok(json.requests.some((r) => r.headers['content-encoding'] === 'gzip'), 'large bodies are gzipped (auto)');

      // The JSON bodies, field by field against what the child recorded.
      const resources = json.requests.map((r) => r.json.resourceSpans);
      for (const rs of resources) {
        assert.equal(rs.length, 1);
        assert.deepEqual(attrs(rs[0].resource.attributes), {
          'service.name': 'e2e-service', 'telemetry.sdk.name': 'spanwire', 'telemetry.sdk.version': PACKAGE_VERSION,
          'telemetry.sdk.language': 'nodejs', 'deployment.environment': 'test', 'host.cores': 8n, regions: ['eu', 'us'],
        });
        assert.equal(rs[0].scopeSpans[0].scope.name, 'spanwire');
      }
      const spans = new Map(resources.flatMap((rs) => rs[0].scopeSpans[0].spans).map((s) => [s.name, s]));
      const rec = new Map(json.recorded.map((s) => [s.name, s]));
      const idOf = (name) => rec.get(name).spanId;
      for (const [name, r] of rec) {
        if (!r.sampled) {
          assert.equal(spans.has(name), false, `${name} is not exported`);
          continue;
        }
        const s = spans.get(name);
        assert.ok(s, `${name} arrived`);
        assert.equal(s.spanId, r.spanId);
        assert.equal(s.traceId, r.traceId);
        assert.equal(s.parentSpanId, r.parents[0], `${name}: parent`);
        assert.equal(s.kind, r.kind, `${name}: kind`);
      }
      // Parents: local, ended, remote (with tracestate and the remote flag), slug.
      assert.deepEqual(rec.get('root').parents, []);
      assert.equal(spans.get('llm').parentSpanId, idOf('root'));
      assert.equal(spans.get('tool').parentSpanId, idOf('llm'));
      assert.equal(spans.get('after-end').parentSpanId, idOf('llm'));
      for (const n of ['llm', 'tool', 'after-end']) assert.equal(spans.get(n).traceId, spans.get('root').traceId);
      assert.equal(spans.get('root').flags, 0x103, 'sampled, random trace id (W3C level 2), parent known to be local');
      assert.equal(spans.get('llm').flags, 0x103);
      assert.equal(spans.get('remote-child').traceId, TRACE);
      assert.equal(spans.get('remote-child').parentSpanId, REMOTE_PARENT);
      assert.equal(spans.get('remote-child').flags, 0x301, "sampled (the inbound flags: not random), parent is remote");
      assert.equal(spans.get('remote-child').traceState, 'vendor=abc,other=1');
      assert.equal(spans.get('remote-grandchild').parentSpanId, idOf('remote-child'));
      assert.equal(spans.get('remote-grandchild').flags, 0x101);
      assert.equal(spans.get('remote-grandchild').traceState, 'vendor=abc,other=1');
      assert.equal(spans.get('root').traceState, undefined);
      assert.equal(spans.get('from-slug').traceId, SLUG_TRACE);
      assert.equal(spans.get('from-slug').parentSpanId, SLUG_SPAN);
      assert.equal(rec.get('unsampled').sampled, false);

      // Times.
      const times = { root: [0, 9], llm: [3, 6], tool: [4, 5], 'after-end': [7, 8], 'remote-child': [10, 13], 'remote-grandchild': [11, 12], 'from-slug': [16, 17] };
      for (const [name, [a, b]] of Object.entries(times)) {
        assert.ok(near(spans.get(name).startTimeUnixNano, T0 + a / 1000), `${name} start ${spans.get(name).startTimeUnixNano}`);
        assert.ok(near(spans.get(name).endTimeUnixNano, T0 + b / 1000), `${name} end`);
      }

      // Attributes of every type and every log field, in the order they were set.
      assert.deepEqual(attrPairs(spans.get('root').attributes), [
        ['http.method', 'GET'],
        ['str', 'héllo ✓'], ['empty', ''], ['int', 43n], ['neg', -7n], ['maxSafe', 2n ** 53n - 1n], ['double', 1.25],
        ['huge', 1e300], ['tiny', -5e-324], ['nan', NaN], ['inf', Infinity], ['ninf', -Infinity], ['yes', true], ['no', false],
        ['big', '12345678901234567890'], ['strs', ['a', 'b']], ['ints', [1n, 2n, 3n]], ['mixed', [1n, 'two', true, 2.5, undefined]], // the null kept in its place, an empty AnyValue
        ['nested', [[1n], ['x']]], ['none', []], ['obj', { k: 'v', n: 1n, deep: { list: [true], d: 0.5 } }], ['emptyObj', {}],
        ['braintrust.input_json', JSON.stringify({ question: 'why?', n: [1, 2] })],
        ['braintrust.output_json', '"because"'],
        ['braintrust.expected_json', '["because"]'],
        // Merged as Braintrust's mergeDicts leaves them: first-set keys keep their place.
        ['braintrust.metadata', JSON.stringify({ user: 'u1', nested: { a: 1, b: 2 } })],
        ['braintrust.metrics', JSON.stringify({ tokens: 10, latency: 1.5 })],
        ['braintrust.scores', JSON.stringify({ accuracy: 0.5 })],
        ['braintrust.span_attributes', JSON.stringify({ type: 'task' })],
        ['braintrust.tags', ['t1', 't2', 't3']],
      ]);
      assert.deepEqual(spans.get('root').status, { code: 1 }, 'ok is final; no message with ok');
      assert.deepEqual(spans.get('root').events.map((e) => [e.name, e.timeUnixNano.length, attrs(e.attributes)]), [
        ['cache.miss', 19, { key: 'k1', size: 3n, hit: false, list: ['x'], info: { a: 1n } }],
        ['bare', 19, {}],
      ]);
      assert.ok(near(spans.get('root').events[0].timeUnixNano, T0 + 0.001));
      assert.ok(near(spans.get('root').events[1].timeUnixNano, T0 + 0.002));
      assert.deepEqual(attrs(spans.get('llm').attributes), {
        'braintrust.input_json': JSON.stringify([{ role: 'user', content: 'hi' }]),
        'braintrust.metadata': JSON.stringify({ model: 'm1' }),
        'braintrust.span_attributes': JSON.stringify({ type: 'llm' }),
      });
      assert.deepEqual(spans.get('llm').status, { code: 2, message: 'rate limited' }, 'log({ error }) sets the error status');
      assert.deepEqual(spans.get('tool').status, { code: 2, message: 'tool failed' });
      assert.equal(spans.get('after-end').status, undefined, 'unset status is left out');
      // The logger's own Braintrust parent travels in x-bt-parent; other parents are attributes.
      assert.deepEqual(attrs(spans.get('remote-child').attributes), { remote: true, 'braintrust.parent': 'project_name:remote-proj' });
      assert.deepEqual(attrs(spans.get('remote-grandchild').attributes), { 'braintrust.parent': 'project_name:remote-proj' });
      assert.deepEqual(attrs(spans.get('from-slug').attributes), { 'braintrust.output_json': '{"ok":true}', 'braintrust.parent': 'experiment_id:exp-77' });

      // Every body, both modes, through the official schema (pairs: same batch, same message).
      const dir = await mkdtemp(join(tmpdir(), 'spanwire-export-logger-'));
      for (let i = 0; i < json.requests.length; i++) {
        await writeFile(join(dir, `batch-${i}.json`), json.requests[i].body);
        await writeFile(join(dir, `batch-${i}.pb`), protobuf.requests[i].body);
      }
      const python = process.env.SPANWIRE_PYTHON ?? join(REPO, '.venv', 'bin', 'python');
      const log = execFileSync(python, [join(REPO, 'tests', 'otlp', 'check_otlp.py'), dir], { encoding: 'utf8', timeout: 30000 });
      assert.match(log, /2 bodies match the OTLP schema/);
    }));

  // ---- faults through the logger ----

  const FAST = { delayMs: 20, timeoutMs: 300, initialBackoffMs: 20, maxBackoffMs: 100, maxRetries: 8 };

  /** Records `n` spans (a root and its children) the way an app does; returns their span ids. */
  function record(logger, n, label = 'op') {
    const ids = [];
    const root = logger.startSpan({ name: `${label}-root` });
    for (let i = 1; i < n; i++) {
      const c = root.startSpan({ name: `${label}-${i}` });
      c.setAttributes({ i });
      c.end();
      ids.push(c.spanId);
    }
    root.end();
    ids.push(root.spanId);
    return ids;
  }

  const quiet = async (fn) => {
    const warn = console.warn;
    const lines = [];
    console.warn = (...a) => lines.push(a.join(' '));
    try {
      return await fn(lines);
    } finally {
      console.warn = warn;
    }
  };

  for (const [label, steps] of [
    ['503 twice', [503, 503]],
    ['429 with Retry-After: 1', [{ status: 429, retryAfter: '1' }]],
    ['a hang past timeoutMs', ['hang']],
    ['a reset connection', ['reset']],
    ['all of them in a row', [503, 'reset', 'hang', { status: 429, retryAfter: '0' }]],
  ]) {
    test(`logger over ${label}: every span arrives exactly once; flush reports it`, () =>
      withReceiver(async (rx) => {
        rx.script(...steps);
        for (const protocol of ['json', 'protobuf']) {
          const before = rx.requests.length;
          const logger = initLogger({ exporter: { url: rx.url, protocol }, batch: { ...FAST, maxBatchSize: 4 }, setCurrent: false });
          const ids = record(logger, 10, protocol);
          const t0 = performance.now();
          const report = await logger.flush({ timeoutMs: 8000 });
          const elapsed = performance.now() - t0;
          assert.deepEqual(report, { exported: 10, dropped: 0, failed: 0, pending: 0 });
          const stats = logger.stats();
          assert.equal(stats.exported, 10);
          assert.equal(stats.queued + stats.inFlight + stats.dropped + stats.failed, 0);
          if (protocol === 'json') {
            assert.equal(stats.retries, steps.length);
            assert.equal(rx.requests.length - before, 3 + steps.length);
            if (label.includes('Retry-After: 1')) assert.ok(elapsed >= 950, `waited ${elapsed} ms for Retry-After: 1`);
            if (label.includes('hang')) assert.ok(elapsed >= 290, `the hung request was aborted at timeoutMs (${elapsed} ms)`);
          } else {
            assert.equal(stats.retries, 0, 'the faults were used up');
          }
          assertEachOnce(rx.requests.slice(before).filter((r) => r.status === 200).flatMap((r) => r.spans), ids);
          await logger._exporter.shutdown();
        }
      }));
  }

  test('logger, receiver down for a while then back, large queue: every span exactly once, none dropped', () =>
    withReceiver(async (rx) => {
      const logger = initLogger({ exporter: { url: rx.url }, batch: { ...FAST, maxBatchSize: 7, maxRetries: 40 }, setCurrent: false });
      const down = rx.down(400);
      const ids = [];
      for (let i = 0; i < 6; i++) {
        ids.push(...record(logger, 10, `burst${i}`));
        await new Promise((r) => setTimeout(r, 40));
      }
      await down;
      const report = await logger.flush({ timeoutMs: 8000 });
      assert.equal(report.failed, 0);
      assert.equal(report.pending, 0);
      assert.equal(report.dropped, 0);
      assertEachOnce(rx.spans(), ids);
      const stats = logger.stats();
      assert.equal(stats.exported, 60);
      assert.equal(stats.dropped, 0);
      assert.ok(stats.retries > 0, 'the outage was seen');
      await logger._exporter.shutdown();
    }));

  for (const [label, fault] of [
    ['down for a while', (rx) => rx.down(300)],
    ['hanging, then 503s', (rx) => (rx.script('hang', 503, 503, 503), undefined)],
  ]) {
    test(`logger, receiver ${label}, small maxQueueSize: dropped (stats and flush report) equals exactly what is missing`, () =>
      withReceiver(async (rx) => {
        const logger = initLogger({ exporter: { url: rx.url }, batch: { ...FAST, maxQueueSize: 5, maxBatchSize: 5, maxRetries: 40 }, setCurrent: false });
        let report;
        const ids = [];
        const warnings = await quiet(async (lines) => {
          const outage = fault(rx);
          for (let i = 0; i < 20; i++) {
            ids.push(...record(logger, 2, `r${i}`));
            await new Promise((r) => setTimeout(r, 8));
          }
          await outage;
          report = await logger.flush({ timeoutMs: 8000 });
          return lines;
        });
        const arrived = rx.spans().map((s) => s.spanId);
        assert.equal(new Set(arrived).size, arrived.length, 'no duplicates');
        assert.deepEqual(arrived.filter((id) => !ids.includes(id)), [], 'only recorded spans arrived');
        const missing = ids.length - arrived.length;
        const stats = logger.stats();
        assert.ok(missing > 0, 'the small queue overflowed');
        assert.equal(stats.dropped, missing, 'stats().dropped = spans missing at the receiver');
        assert.equal(report.dropped, missing, "the flush report's dropped = spans missing at the receiver");
        assert.equal(report.failed + stats.failed + report.pending, 0);
        assert.equal(stats.exported, arrived.length);
        assert.equal(warnings.filter((w) => /queue is full/.test(w)).length, 1, warnings.join('\n'));
        assert.equal((await logger.flush()).dropped, 0, 'each drop is reported once');
        await logger._exporter.shutdown();
      }));
  }

  // ---- bounded by bytes: large inputs are dropped and counted, never trap the module ----

  /** Records `n` root spans, each logging an input of `bytes` characters; returns their span ids. */
  function recordLarge(logger, n, bytes, label) {
    const input = 'x'.repeat(bytes);
    return Array.from({ length: n }, (_, i) => {
      const span = logger.startSpan({ name: `${label}-${i}` });
      span.log({ input });
      span.end();
      return span.spanId;
    });
  }

  test('logger, large spans: maxQueueBytes drops what does not fit, maxBatchBytes bounds each request', () =>
    withReceiver(async (rx) => {
      const logger = initLogger({
        exporter: { url: rx.url },
        batch: { ...FAST, delayMs: 60000, maxQueueBytes: 300_000, maxBatchBytes: 120_000 },
        setCurrent: false,
      });
      let report;
      const warnings = await quiet(async (lines) => {
        // All at once: one batch leaves while the rest wait, so the queue overflows.
        const ids = recordLarge(logger, 12, 50_000, 'large');
        report = await logger.flush({ timeoutMs: 8000 });
        return [lines, ids];
      });
      const [lines, ids] = warnings;
      const arrived = rx.spans().map((s) => s.spanId);
      assert.deepEqual(arrived.filter((id) => !ids.includes(id)), [], 'only recorded spans arrived');
      assert.equal(new Set(arrived).size, arrived.length, 'no duplicates');
      const missing = ids.length - arrived.length;
      assert.ok(missing > 0, 'the byte budget dropped spans');
      assert.ok(arrived.length >= 300_000 / 50_100 - 1, `the budget's worth arrived (${arrived.length})`);
      assert.equal(logger.stats().dropped, missing, 'stats().dropped = spans missing at the receiver');
      assert.equal(report.dropped, missing);
      assert.equal(report.failed + report.pending, 0);
      assert.match(lines.join('\n'), /queue is full \(batch\.maxQueueSize 2048 spans or batch\.maxQueueBytes 300000 bytes\)/);
      // Each request holds at most 120,000 bytes of spans: two of these.
      const sizes = rx.requests.map((r) => r.spans.length);
      assert.ok(sizes.length >= 3 && sizes.every((n) => n >= 1 && n <= 2), `spans per request: ${sizes}`);
      // One span heavier than maxBatchBytes still goes, alone.
      const [big] = recordLarge(logger, 1, 200_000, 'heavy');
      const one = await logger.flush({ timeoutMs: 8000 });
      assert.deepEqual(one, { exported: 1, dropped: 0, failed: 0, pending: 0 });
      assert.deepEqual(rx.requests.at(-1).spans.map((s) => s.spanId), [big]);
      await logger._exporter.shutdown();
    }));

  test('logger: spans weighing maxBatchBytes are sent at once, without waiting for delayMs', () =>
    withReceiver(async (rx) => {
      const logger = initLogger({ exporter: { url: rx.url }, batch: { ...FAST, delayMs: 60000, maxBatchBytes: 100_000 }, setCurrent: false });
      const first = recordLarge(logger, 1, 40_000, 'early');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(rx.requests.length, 0, 'below maxBatchBytes, the batch waits for delayMs');
      const rest = recordLarge(logger, 2, 40_000, 'full');
      await rx.waitForSpans(3, 3000);
      assertEachOnce(rx.spans(), [...first, ...rest]);
      await logger._exporter.shutdown();
    }));

  test('logger, defaults: 100 spans of 1 MB against a hung collector keep the wasm memory bounded and the module working', () =>
    withReceiver(async (rx) => {
      rx.script('hang');
      const logger = initLogger({ exporter: { url: rx.url }, batch: { timeoutMs: 60000 }, setCurrent: false });
      await quiet(async () => recordLarge(logger, 100, 1 << 20, 'mb'));
      const stats = logger.stats();
      // 32 MiB queued and a 4 MiB batch in flight hold about 35 of them.
      assert.ok(stats.dropped >= 60 && stats.dropped <= 70, `dropped ${stats.dropped}`);
      assert.equal(stats.queued + stats.inFlight + stats.dropped, 100);
      assert.ok(__memory().buffer.byteLength < 160 * 2 ** 20, `wasm memory ${__memory().buffer.byteLength} B`);
      // The module still records: a small span is queued as usual.
      const span = logger.startSpan({ name: 'after' });
      span.end();
      assert.equal(logger.stats().queued, stats.queued + 1);
      logger._exporter._closed = true; // the hung request is abandoned with the receiver
    }));
}
