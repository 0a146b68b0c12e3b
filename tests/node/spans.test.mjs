// Spans and loggers through the packed package: ids, parents, log merge, end,
// traced, sampling, id modes and the Braintrust id-format back-compat table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { initLogger, startSpan, traced, flush, parseSlug, formatSlug, Span } from 'spanwire';

// The package's wasm glue, the same instance the bare import uses (recorder_live counts live spans).
const glue = await import(new URL('../node_modules/spanwire/dist/spanwire.js', import.meta.url));

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const logger = (o = {}) => initLogger({ projectId: 'proj-id-123', exporter: false, setCurrent: false, ...o });

test('a root span: hex ids, row id separate, no parents, sampled+random flags', () => {
  const s = logger().startSpan({ name: 'root' });
  assert.match(s.rootSpanId, HEX32);
  assert.match(s.spanId, HEX16);
  assert.match(s.id, HEX16);
  assert.notEqual(s.id, s.spanId);
  assert.deepEqual(s.spanParents, []);
  assert.equal(s.traceFlags, 3);
  assert.ok(s instanceof Span);
  s.end();
});

test('children: same root, parent = parent span id, live and after the parent ended', () => {
  const l = logger();
  const root = l.startSpan({ name: 'root' });
  const a = root.startSpan({ name: 'a' });
  const b = l.startSpan({ name: 'b', parent: root });
  root.end();
  const c = root.startSpan({ name: 'c' }); // parent already ended
  for (const s of [a, b, c]) {
    assert.equal(s.rootSpanId, root.rootSpanId);
    assert.deepEqual(s.spanParents, [root.spanId]);
  }
  assert.equal(new Set([root.spanId, a.spanId, b.spanId, c.spanId]).size, 4);
  const g = c.startSpan({ name: 'g' });
  assert.deepEqual(g.spanParents, [c.spanId]);
  for (const s of [a, b, c, g]) s.end();
});

test('end(): returns seconds, clamps to start, second end is a no-op; ids readable after end', () => {
  const s = logger().startSpan({ name: 'x', startTime: 1700000000.5 });
  const ids = [s.id, s.spanId, s.rootSpanId];
  const t = s.end(1600000000);
  assert.equal(t, 1700000000.5, 'clamped to the start');
  assert.equal(s.end(1800000000), t);
  assert.deepEqual([s.id, s.spanId, s.rootSpanId], ids);
  const n = logger().startSpan({ name: 'now' });
  const now = Date.now() / 1000;
  const e = n.end();
  assert.ok(Math.abs(e - now) < 5, `${e} ~ ${now}`);
  assert.ok(n.ended);
});

test('log merges like Braintrust; bad shapes are TypeErrors/Errors and the module stays usable', () => {
  const s = logger().startSpan({ name: 'x', type: 'llm' });
  s.log({ input: { q: 1 }, metadata: { a: { x: 1 } }, tags: ['a'] });
  s.log({ output: 'o', metadata: { a: { y: 2 } }, tags: ['a', 'b'], scores: { acc: 0.5 }, metrics: { tokens: 3 } });
  assert.throws(() => s.log({ nope: 1 }), TypeError);
  assert.throws(() => s.log({ tags: 'x' }), TypeError);
  assert.throws(() => s.log({ scores: { acc: 2 } }), /score `acc`/);
  assert.throws(() => s.log({ metadata: 5 }), /must be an object/);
  const cyclic = {}; cyclic.self = cyclic;
  assert.throws(() => s.log({ input: cyclic }), TypeError);
  s.setAttributes({ str: 's', int: 3, dbl: 1.5, yes: true, arr: [1, 2], obj: { k: 'v' }, skip: undefined, nul: null });
  assert.throws(() => s.setAttributes(null), TypeError);
  s.addEvent('evt', { k: 1 });
  s.setStatus({ code: 'ok' });
  assert.throws(() => s.setStatus({ code: 'bogus' }), TypeError);
  s.end();
  // Calls after end are ignored (with a one-time warning), never thrown.
  const warn = console.warn; console.warn = () => {};
  try { s.setAttributes({ a: 1 }); s.log({ output: 1 }); } finally { console.warn = warn; }
  assert.match(logger().startSpan({ name: 'still works' }).spanId, HEX16);
});

test('traced: sync and async, ends the span, records and rethrows errors', async () => {
  const l = logger();
  let seen;
  assert.equal(l.traced((span) => { seen = span; return 42; }, { name: 't' }), 42);
  assert.ok(seen.ended);
  assert.equal(await l.traced(async (span) => { seen = span; await null; return 'a'; }), 'a');
  assert.ok(seen.ended);
  assert.throws(() => l.traced((span) => { seen = span; throw new RangeError('boom'); }), RangeError);
  assert.ok(seen.ended);
  await assert.rejects(l.traced(async (span) => { seen = span; throw new Error('later'); }), /later/);
  assert.ok(seen.ended);
  const parent = l.startSpan({ name: 'p' });
  assert.equal(parent.traced((child) => { assert.deepEqual(child.spanParents, [parent.spanId]); return 'ran'; }), 'ran');
  assert.equal(l.traced((child) => { assert.deepEqual(child.spanParents, [parent.spanId]); return 'ran'; }, { parent }), 'ran');
  parent.end();
});

test('module-level startSpan/traced/flush use the current logger', async () => {
  const l = initLogger({ projectName: 'module-level', exporter: false });
  const s = startSpan({ name: 'm' });
  assert.deepEqual(parseSlug(s.export()).compute_object_metadata_args, { project_name: 'module-level' });
  s.end();
  assert.equal(traced(() => 1), 1);
  // Export off: nothing retained, and the report and counters have the shapes a
  // logger with an exporter gives (the FlushReport and ExportStats types).
  assert.deepEqual(await flush(), { exported: 0, dropped: 0, failed: 0, pending: 0 });
  const stats = l.stats();
  assert.deepEqual(stats, { queued: 0, inFlight: 0, exported: 0, failed: 0, dropped: 0, retries: 0, requests: 0 });
  const sending = initLogger({ exporter: { url: 'http://127.0.0.1:9/v1/traces' }, setCurrent: false });
  assert.deepEqual(Object.keys(stats).sort(), Object.keys(sending.stats()).sort());
  assert.deepEqual(Object.keys(await flush()).sort(), Object.keys(await sending.flush({ timeoutMs: 0 })).sort());
});

test('parent from an extracted context (TraceContext fields or a Braintrust-style dict)', () => {
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const l = logger();
  for (const parent of [
    { _traceparent: tp, _tracestate: 'congo=t61rcWkgMzE', _baggage: 'k=v,braintrust.parent=project_name%3Aother' },
    { traceparent: tp, tracestate: 'congo=t61rcWkgMzE', baggage: 'k=v,braintrust.parent=project_name%3Aother' },
  ]) {
    const s = l.startSpan({ name: 'srv', parent });
    assert.equal(s.rootSpanId, '0af7651916cd43dd8448eb211c80319c');
    assert.deepEqual(s.spanParents, ['b7ad6b7169203331']);
    assert.equal(s.traceFlags, 1);
    assert.deepEqual(s._propagation(), {
      traceparent: `00-0af7651916cd43dd8448eb211c80319c-${s.spanId}-01`,
      tracestate: 'congo=t61rcWkgMzE', baggage: 'k=v', braintrustParent: 'project_name:other',
      relayed: 'k=v,braintrust.parent=project_name%3Aother',
    });
    assert.deepEqual(parseSlug(s.export()).compute_object_metadata_args, { project_name: 'other' });
    s.end();
  }
  const bad = l.startSpan({ name: 'x', parent: { _traceparent: 'garbage' } });
  assert.deepEqual(bad.spanParents, []);
  assert.throws(() => l.startSpan({ parent: 42 }), TypeError);
});

test('sampling: unsampled spans propagate with flags 00 and are not queued; decision agrees across loggers', () => {
  const never = initLogger({ projectId: 'p', sampleRate: 0, setCurrent: false, exporter: { url: 'http://127.0.0.1:9/unused' } });
  const s = never.startSpan({ name: 'x' });
  assert.equal(s.traceFlags & 1, 0);
  assert.match(s.inject({}).traceparent, /-02$/);
  s.end();
  assert.equal(never._source.queued(), 0);
  // A rate of one half keeps roughly half the roots, and two loggers agree per trace.
  const a = logger({ sampleRate: 0.5 });
  const b = logger({ sampleRate: 0.5 });
  let kept = 0;
  for (let i = 0; i < 2000; i++) {
    const r = a.startSpan({ name: 'r' });
    const remote = b.startSpan({ name: 'slug child', parent: r.export() }); // no flags in a slug: decided from the trace id
    assert.equal(remote.sampled, r.sampled);
    if (r.sampled) kept++;
    r.end(); remote.end();
  }
  assert.ok(kept > 850 && kept < 1150, `kept ${kept} of 2000`);
  assert.throws(() => logger({ sampleRate: 2 }), TypeError);
});

test('legacy ids: option, env var, BRAINTRUST_OTEL_COMPAT wins with one warning', () => {
  const u = logger({ legacyIds: true }).startSpan({ name: 'u' });
  assert.match(u.spanId, UUID);
  assert.equal(u.rootSpanId, u.spanId);
  assert.match(u.id, UUID);
  assert.equal(parseSlug(u.export()).span_id, u.spanId);
  assert.equal(Buffer.from(u.export(), 'base64')[0], 3, 'V3 in legacy mode');
  const carrier = { keep: 'me' };
  assert.equal(u.inject(carrier), carrier);
  assert.deepEqual(carrier, { keep: 'me' }, 'inject is a no-op with UUID ids');
  const saved = { ...process.env };
  const warn = console.warn; const warnings = [];
  console.warn = (m) => warnings.push(m);
  try {
    process.env.BRAINTRUST_LEGACY_IDS = ' Yes ';
    assert.match(logger().startSpan({}).spanId, UUID);
    assert.match(logger({ legacyIds: false }).startSpan({}).spanId, HEX16, 'the option wins over the env var');
    process.env.BRAINTRUST_OTEL_COMPAT = 'true';
    assert.match(logger().startSpan({}).spanId, HEX16);
    assert.match(logger().startSpan({}).spanId, HEX16);
  } finally {
    console.warn = warn;
    delete process.env.BRAINTRUST_LEGACY_IDS; delete process.env.BRAINTRUST_OTEL_COMPAT;
    Object.assign(process.env, saved);
  }
  assert.equal(warnings.filter((w) => /BRAINTRUST_OTEL_COMPAT/.test(w)).length, 1);
});

// The Braintrust distributed-tracing plan, "Id format back-compat": hex/UUID active
// mode x hex/UUID slug. The child links to the slug's span whatever the formats, and
// gets its own span id in the active format.
const hexSlugParent = () => logger().startSpan({ name: 'hex parent' });
const uuidSlugParent = () => logger({ legacyIds: true }).startSpan({ name: 'uuid parent' });
for (const [active, idRe] of [['hex', HEX16], ['UUID', UUID]]) {
  for (const [slugFormat, make] of [['hex', hexSlugParent], ['UUID', uuidSlugParent]]) {
    test(`back-compat: ${active} active x ${slugFormat} slug links the child`, () => {
      const parent = make();
      const child = logger({ legacyIds: active === 'UUID' }).startSpan({ name: 'child', parent: parent.export() });
      assert.deepEqual(child.spanParents, [parent.spanId]);
      assert.equal(child.rootSpanId, parent.rootSpanId);
      assert.match(child.spanId, idRe);
      assert.equal(Buffer.from(child.export(), 'base64')[0], active === 'UUID' ? 3 : 4);
      // W3C headers only when both ids are hex.
      const injected = child.inject({});
      assert.equal('traceparent' in injected, active === 'hex' && slugFormat === 'hex');
      parent.end(); child.end();
    });
  }
}

test('back-compat: hex default selects ids and V4; export -> resume round-trips under hex ids', () => {
  const a = logger().startSpan({ name: 'a' });
  const b = logger().startSpan({ name: 'b', parent: a.export() });
  const c = logger().startSpan({ name: 'c', parent: b.export() });
  assert.equal(c.rootSpanId, a.rootSpanId);
  assert.deepEqual(c.spanParents, [b.spanId]);
  assert.match(c.inject({}).traceparent, new RegExp(`^00-${a.rootSpanId}-${c.spanId}-0[01]$`));
  for (const s of [a, b, c]) s.end();
});

test('traced: a thenable whose then throws ends the span with the error, and rethrows it', async () => {
  const l = logger();
  let span;
  const boom = new Error('then getter');
  const thenable = () => ({ get then() { throw boom; } });
  assert.throws(() => l.traced((s) => { span = s; return thenable(); }), (e) => e === boom);
  assert.equal(span.ended, true);
  const sync = new Error('then call');
  assert.throws(() => l.traced((s) => { span = s; return { then() { throw sync; } }; }), (e) => e === sync);
  assert.equal(span.ended, true);
});

test('batch.maxQueueSize above the 2^20 bound is clamped, not wrapped by the core', () => {
  for (const maxQueueSize of [2 ** 32, 1e300]) {
    const l = initLogger({ exporter: { url: 'http://127.0.0.1:9/never' }, batch: { maxQueueSize, delayMs: 86_400_000 }, setCurrent: false });
    for (let i = 0; i < 50; i++) l.startSpan({ name: `s${i}` }).end();
    assert.deepEqual([l.stats().queued, l.stats().dropped], [50, 0], String(maxQueueSize));
  }
});

test("log({ error }) that an 'ok' status hides is exported as an exception event at the end", () => {
  const recorder = initLogger({
    projectId: 'p', setCurrent: false,
    exporter: { url: 'http://127.0.0.1:9/never' }, batch: { delayMs: 86_400_000 },
  });
  const okThenError = recorder.startSpan({ name: 'ok then error', startTime: 1_700_000_000 });
  okThenError.setStatus({ code: 'ok' });
  okThenError.log({ error: 'late failure' });
  okThenError.end(1_700_000_002);
  const errorThenOk = recorder.startSpan({ name: 'error then ok', startTime: 1_700_000_000 });
  errorThenOk.log({ error: new TypeError('recovered') });
  errorThenOk.setStatus({ code: 'ok' });
  errorThenOk.end(1_700_000_003);
  const errorOnly = recorder.startSpan({ name: 'error only' });
  errorOnly.log({ error: 'failed' });
  errorOnly.end();
  const body = JSON.parse(new TextDecoder().decode(recorder._source.takeBatch(10).body));
  const spans = Object.fromEntries(body.resourceSpans[0].scopeSpans[0].spans.map((s) => [s.name, s]));
  const exception = (s) => s.events?.filter((e) => e.name === 'exception')
    .map((e) => [e.timeUnixNano, e.attributes.find((a) => a.key === 'exception.message')?.value.stringValue]);
  assert.deepEqual(spans['ok then error'].status, { code: 1 });
  assert.deepEqual(exception(spans['ok then error']), [['1700000002000000000', 'late failure']]);
  assert.deepEqual(spans['error then ok'].status, { code: 1 });
  const [[at, message]] = exception(spans['error then ok']);
  assert.equal(at, '1700000003000000000');
  assert.match(message, /^TypeError: recovered\n/, 'an Error is logged as its stack');
  assert.deepEqual(spans['error only'].status, { code: 2, message: 'failed' });
  assert.deepEqual(exception(spans['error only']) ?? [], [], 'the status carries it');
});

test('attribute values: nulls keep their place in arrays and objects, a nested BigInt is its digits, a cycle is a TypeError naming the attribute', () => {
  const recorder = initLogger({
    projectId: 'p', setCurrent: false,
    exporter: { url: 'http://127.0.0.1:9/never' }, batch: { delayMs: 86_400_000 },
  });
  const span = recorder.startSpan({ name: 'values' });
  span.setAttribute('xs', [1, NaN, null, 3]); // JSON writes NaN as null
  span.setAttribute('obj', { a: null, b: 2 });
  span.setAttribute('big', { n: 2n ** 70n, list: [1n] });
  const cyclic = { name: 'loop' };
  cyclic.self = cyclic;
  assert.throws(() => span.setAttribute('cyclic', cyclic), (e) => e instanceof TypeError && /^attribute `cyclic` is not JSON-serializable: /.test(e.message));
  assert.throws(() => span.addEvent('e', { cyclic }), (e) => e instanceof TypeError && /^addEvent: attributes is not JSON-serializable/.test(e.message));
  assert.throws(() => span.log({ metadata: { cyclic } }), (e) => e instanceof TypeError && /^log: `metadata` is not JSON-serializable/.test(e.message));
  span.addEvent('with big', { n: 7n });
  span.end();
  const body = JSON.parse(new TextDecoder().decode(recorder._source.takeBatch(10).body));
  const [exported] = body.resourceSpans[0].scopeSpans[0].spans;
  const attribute = (key) => exported.attributes.find((a) => a.key === key)?.value;
  assert.deepEqual(attribute('xs'), { arrayValue: { values: [{ intValue: '1' }, {}, {}, { intValue: '3' }] } });
  assert.deepEqual(attribute('obj'), { kvlistValue: { values: [{ key: 'a', value: {} }, { key: 'b', value: { intValue: '2' } }] } });
  assert.deepEqual(attribute('big'), { kvlistValue: { values: [
    { key: 'n', value: { stringValue: (2n ** 70n).toString() } },
    { key: 'list', value: { arrayValue: { values: [{ stringValue: '1' }] } } },
  ] } });
  assert.equal(attribute('cyclic'), undefined);
  assert.deepEqual(exported.events.map((e) => [e.name, e.attributes]), [['with big', [{ key: 'n', value: { stringValue: '7' } }]]]);
});

test("Braintrust's forms: end({ endTime }), startSpan({ event, spanAttributes }); milliseconds for seconds are refused", () => {
  const recorder = initLogger({
    projectId: 'p', setCurrent: false,
    exporter: { url: 'http://127.0.0.1:9/never' }, batch: { delayMs: 86_400_000 },
  });
  const span = recorder.startSpan({
    name: 'bt', startTime: 1_700_000_000, type: 'llm',
    spanAttributes: { type: 'task', purpose: 'scorer' }, event: { input: 'q', metadata: { m: 1 } },
  });
  assert.throws(() => recorder.startSpan({ name: 'ms', startTime: Date.now() }), /not milliseconds/);
  assert.throws(() => span.end(Date.now()), /not milliseconds/);
  assert.throws(() => span.addEvent('e', {}, Date.now()), /not milliseconds/);
  assert.equal(span.end({ endTime: 1_700_000_002 }), 1_700_000_002);
  // A Date of another realm is a Date; an object that is neither a Date nor Braintrust's
  // `{ endTime }` is refused, as before.
  const otherRealm = recorder.startSpan({ name: 'vm date', startTime: 1_700_000_000 });
  assert.equal(otherRealm.end(runInNewContext('new Date(1700000005000)')), 1_700_000_005);
  assert.throws(() => recorder.startSpan({ name: 'odd' }).end(new Map()), TypeError);
  // Options refused after the span has begun (its span attributes sent, a score the
  // core refuses) leave no span live in the recorder.
  const live = glue.recorder_live();
  assert.throws(() => recorder.startSpan({ name: 'refused', spanAttributes: { a: 1 }, event: { nope: 1 } }), TypeError);
  assert.throws(() => recorder.startSpan({ name: 'refused', event: { scores: { s: 5 } } }), /score `s`/);
  assert.throws(() => recorder.startSpan({ name: 'refused', spanAttributes: 'llm' }), /spanAttributes must be an object/);
  assert.equal(glue.recorder_live(), live);
  const body = JSON.parse(new TextDecoder().decode(recorder._source.takeBatch(10).body));
  const exported = body.resourceSpans[0].scopeSpans[0].spans.find((s) => s.name === 'bt');
  const attribute = (key) => exported.attributes.find((a) => a.key === key)?.value.stringValue;
  assert.equal(exported.endTimeUnixNano, '1700000002000000000');
  // As Braintrust builds them: { type, ...spanAttributes }.
  assert.deepEqual(JSON.parse(attribute('braintrust.span_attributes')), { type: 'task', purpose: 'scorer' });
  assert.equal(attribute('braintrust.input_json'), '"q"');
  assert.deepEqual(JSON.parse(attribute('braintrust.metadata')), { m: 1 });
});

test("Braintrust's startSpan({ event: { id } }): the span's row id, in its slug before and after end; the rest is logged", () => {
  const recorder = initLogger({
    projectId: 'p', setCurrent: false,
    exporter: { url: 'http://127.0.0.1:9/never' }, batch: { delayMs: 86_400_000 },
  });
  const span = recorder.startSpan({ name: 'row', event: { id: 'row-1', input: 'q' } });
  assert.equal(span.id, 'row-1');
  assert.equal(parseSlug(span.export()).row_id, 'row-1');
  // A slug parent begins its span at once; the id is set all the same.
  const fromSlug = recorder.startSpan({ name: 'slug child', parent: span.export(), event: { id: 'row-2' } });
  assert.equal(fromSlug.id, 'row-2');
  assert.deepEqual(fromSlug.spanParents, [span.spanId]);
  fromSlug.end();
  span.end();
  assert.equal(span.id, 'row-1', 'read from the ended span');
  assert.equal(parseSlug(span.export()).row_id, 'row-1');
  // Refused ids leave no span live.
  const live = glue.recorder_live();
  for (const id of ['', 7, null]) {
    assert.throws(() => recorder.startSpan({ name: 'refused', event: { id } }), /event\.id must be a non-empty string/);
  }
  assert.equal(glue.recorder_live(), live);
  const body = JSON.parse(new TextDecoder().decode(recorder._source.takeBatch(10).body));
  const exported = body.resourceSpans[0].scopeSpans[0].spans.find((s) => s.name === 'row');
  assert.equal(exported.attributes.find((a) => a.key === 'braintrust.input_json')?.value.stringValue, '"q"');
  // `id: undefined` (an optional id not given) is no id: one is drawn, the rest logged.
  const drawn = recorder.startSpan({ name: 'no id', event: { id: undefined, input: 'q' } });
  assert.match(drawn.id, HEX16);
  drawn.end();
  // Legacy id mode: the UUID drawn for the row gives way to the caller's.
  const legacy = logger({ legacyIds: true }).startSpan({ event: { id: 'row-3' } });
  assert.equal(parseSlug(legacy.export()).row_id, 'row-3');
  legacy.end();
});

test("a slug's propagated event is in the exported row of every span under it, the span's own fields on top", () => {
  const l = initLogger({ projectId: 'p', setCurrent: false, exporter: { url: 'http://127.0.0.1:9/never' }, batch: { delayMs: 86_400_000 } });
  const source = l.startSpan({ name: 'source' });
  const slug = formatSlug({ ...parseSlug(source.export()), propagated_event: { span_attributes: { purpose: 'scorer' }, metadata: { run: 7 } } });
  source.end();
  const scorer = l.startSpan({ name: 'scorer', parent: slug, type: 'score', event: { metadata: { extra: true } } });
  const inner = scorer.startSpan({ name: 'inner' });
  inner.end();
  scorer.end();
  const spans = JSON.parse(new TextDecoder().decode(l._source.takeBatch(10).body)).resourceSpans[0].scopeSpans[0].spans;
  const attr = (name, key) => JSON.parse((spans.find((s) => s.name === name).attributes ?? []).find((a) => a.key === key)?.value.stringValue ?? 'null');
  assert.deepEqual(attr('scorer', 'braintrust.span_attributes'), { purpose: 'scorer', type: 'score' });
  assert.deepEqual(attr('scorer', 'braintrust.metadata'), { run: 7, extra: true });
  assert.deepEqual(attr('inner', 'braintrust.span_attributes'), { purpose: 'scorer' });
  assert.deepEqual(attr('inner', 'braintrust.metadata'), { run: 7 });
  assert.equal(attr('source', 'braintrust.metadata'), null, 'the source span itself carried no event');
});

test('a Span of the other build (require beside import) is a parent: its flags, tracestate and object carry on', async () => {
  const { createRequire } = await import('node:module');
  const other = createRequire(import.meta.url)('spanwire');
  const otherLogger = other.initLogger({ projectId: 'p-other', exporter: false, setCurrent: false });
  const caller = other.extractTraceContext({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00', tracestate: 'rojo=1' });
  const parent = otherLogger.startSpan({ name: 'cjs parent', parent: caller });
  assert.equal(parent instanceof Span, false, 'another copy of the class');
  const child = logger({ projectId: 'p-mine' }).startSpan({ name: 'esm child', parent });
  assert.equal(child.rootSpanId, parent.rootSpanId);
  assert.deepEqual(child.spanParents, [parent.spanId]);
  assert.equal(child.sampled, false, "the parent's decision, not this logger's sample rate");
  assert.equal(child.inject({}).tracestate, 'rojo=1');
  assert.equal(parseSlug(child.export()).object_id, 'p-other', "the parent's object");
  // In legacy id mode no headers are written: the slug links the two.
  const legacy = other.initLogger({ projectId: 'p-old', legacyIds: true, exporter: false, setCurrent: false }).startSpan({ name: 'legacy' });
  const fromSlug = logger({ legacyIds: true }).startSpan({ name: 'from slug', parent: legacy });
  assert.equal(fromSlug.rootSpanId, legacy.rootSpanId);
  assert.equal(parseSlug(fromSlug.export()).object_id, 'p-old');
  // A propagated event travels only in the slug: a parent carrying one continues from it.
  const withEvent = otherLogger.startSpan({
    name: 'with event',
    parent: other.formatSlug({ ...other.parseSlug(parent.export()), propagated_event: { metadata: { run: 7 } } }),
  });
  const eventChild = logger().startSpan({ name: 'event child', parent: withEvent });
  assert.deepEqual(parseSlug(eventChild.export()).propagated_event, { metadata: { run: 7 } });
  assert.equal(eventChild.rootSpanId, parent.rootSpanId);
  // Neither headers nor a slug (legacy ids, no Braintrust object): a new trace, one warning.
  const warnings = [];
  const warn = console.warn;
  console.warn = (m) => warnings.push(m);
  try {
    const orphan = other.initLogger({ legacyIds: true, exporter: false, setCurrent: false }).startSpan({ name: 'orphan' });
    const fresh = logger({ legacyIds: true }).startSpan({ name: 'fresh', parent: orphan });
    assert.notEqual(fresh.rootSpanId, orphan.rootSpanId);
    assert.deepEqual(fresh.spanParents, []);
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /another copy of spanwire/);
  // An object that only looks like a span (a Braintrust SDK span, say) is not called.
  const lookalike = { spanId: 'x', export: () => assert.fail('export called'), inject: () => assert.fail('inject called') };
  assert.throws(() => logger().startSpan({ parent: lookalike }), /parent must be a Span/);
  parent.end();
  legacy.end();
});

test('currentLogger: a propagation-only logger until initLogger, then the last initLogger unless setCurrent is false', async () => {
  const { spawnSync } = await import('node:child_process');
  // A fresh process: this file's own initLogger calls set the module's current logger.
  const child = `
    const { currentLogger, initLogger, startSpan } = await import('spanwire');
    const first = currentLogger();
    const span = startSpan({ name: 'before init' });
    span.end();
    const out = { same: currentLogger() === first, report: await first.flush(), stats: first.stats(), service: first.serviceName };
    const a = initLogger({ exporter: false, serviceName: 'a' });
    initLogger({ exporter: false, serviceName: 'b', setCurrent: false });
    out.afterInit = currentLogger() === a;
    console.log(JSON.stringify(out));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], {
    cwd: new URL('..', import.meta.url), encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    same: true,
    report: { exported: 0, dropped: 0, failed: 0, pending: 0 },
    stats: { queued: 0, inFlight: 0, exported: 0, failed: 0, dropped: 0, retries: 0, requests: 0 },
    service: 'unknown_service',
    afterInit: true,
  });
});

test("a logger's fields are its options; serviceName defaults to projectName, then 'unknown_service', and names the resource", () => {
  const l = initLogger({ projectName: 'shop', experimentId: 'exp-1', sampleRate: 0.25, legacyIds: true, exporter: false, setCurrent: false });
  assert.deepEqual(
    [l.projectName, l.projectId, l.experimentId, l.serviceName, l.legacyIds, l.sampleRate],
    ['shop', undefined, 'exp-1', 'shop', true, 0.25],
  );
  const plain = initLogger({ exporter: false, setCurrent: false });
  assert.deepEqual([plain.serviceName, plain.legacyIds, plain.sampleRate], ['unknown_service', false, 1]);
  for (const [options, service] of [[{ projectName: 'shop' }, 'shop'], [{}, 'unknown_service'], [{ projectName: 'shop', serviceName: 'api' }, 'api']]) {
    const exporting = initLogger({ ...options, setCurrent: false, exporter: { url: 'http://127.0.0.1:9/never' }, batch: { delayMs: 86_400_000 } });
    exporting.startSpan({ name: 'x' }).end();
    const body = JSON.parse(new TextDecoder().decode(exporting._source.takeBatch(10).body));
    const attribute = body.resourceSpans[0].resource.attributes.find((a) => a.key === 'service.name');
    assert.deepEqual(attribute.value, { stringValue: service }, JSON.stringify(options));
  }
});

test('times as Dates (startTime, addEvent) and OpenTelemetry numeric status codes', () => {
  const l = initLogger({ projectId: 'p', setCurrent: false, exporter: { url: 'http://127.0.0.1:9/never' }, batch: { delayMs: 86_400_000 } });
  const statuses = [];
  for (const [code, want] of [[0, undefined], [1, 1], [2, 2]]) { // OTLP/JSON: enums as numbers, unset omitted
    const span = l.startSpan({ name: `status ${code}`, startTime: new Date(1_700_000_000_250) });
    span.addEvent('at', { n: 1 }, new Date(1_700_000_000_500));
    span.setStatus({ code, message: code === 2 ? 'bad' : undefined });
    span.end(1_700_000_001);
    statuses.push(want);
  }
  assert.throws(() => l.startSpan({ name: 'x' }).setStatus({ code: 3 }), /code must be/);
  const spans = JSON.parse(new TextDecoder().decode(l._source.takeBatch(10).body)).resourceSpans[0].scopeSpans[0].spans;
  assert.deepEqual(spans.map((s) => s.status?.code), statuses);
  assert.equal(spans[2].status.message, 'bad');
  for (const s of spans) {
    assert.equal(s.startTimeUnixNano, '1700000000250000000');
    assert.deepEqual(s.events.map((e) => [e.name, e.timeUnixNano]), [['at', '1700000000500000000']]);
  }
});

test('a toJSON that gives undefined is no value: no attribute, no resource attributes, no span attributes; formatSlug says what is wrong', () => {
  const gone = { toJSON: () => undefined };
  const l = initLogger({ projectId: 'p', setCurrent: false, resourceAttributes: gone, exporter: { url: 'http://127.0.0.1:9/never' }, batch: { delayMs: 86_400_000 } });
  const span = l.startSpan({ name: 'gone', spanAttributes: gone });
  span.setAttribute('kept', 1).setAttribute('gone', gone);
  span.end();
  const body = JSON.parse(new TextDecoder().decode(l._source.takeBatch(10).body));
  const exported = body.resourceSpans[0].scopeSpans[0].spans[0];
  assert.deepEqual(exported.attributes.map((a) => a.key), ['kept']);
  assert.throws(() => formatSlug(gone), /formatSlug: fields must serialize to a JSON object/);
  assert.throws(() => formatSlug([1]), /formatSlug: fields must serialize to a JSON object/);
});
