// What a span sends to wasm in one piece at end() (its name and scalar attributes,
// pkg/src/wire.js) arrives whole and in order: non-ASCII text, more attributes than
// are buffered at once, values and names longer than the shared buffer, objects sent
// between scalars, and a remote parent whose headers are not ASCII.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sw from 'spanwire';
import { initLogger, extractTraceContext } from 'spanwire';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** A logger whose spans stay queued, and a reader of what it would export (OTLP/JSON). */
function recording() {
  const logger = initLogger({
    projectId: 'p', setCurrent: false,
    exporter: { url: 'http://127.0.0.1:9/never' }, batch: { delayMs: 86_400_000, maxQueueSize: 4096 },
  });
  const exported = () => {
    const batch = logger._source.takeBatch(4096);
    const body = JSON.parse(new TextDecoder().decode(batch.body));
    return body.resourceSpans[0].scopeSpans[0].spans;
  };
  return { logger, exported };
}

/** An OTLP attribute value as a plain JS value. */
function plain(v) {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('kvlistValue' in v) return Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, plain(kv.value)]));
  if ('arrayValue' in v) return v.arrayValue.values.map(plain);
  throw new Error(`unexpected value ${JSON.stringify(v)}`);
}
const attributes = (span) => span.attributes.filter((a) => !a.key.startsWith('braintrust.')).map((a) => [a.key, plain(a.value)]);

test('attributes keep the order they were set in; a later set overwrites in place, objects included', () => {
  const { logger, exported } = recording();
  const s = logger.startSpan({ name: 'ordered', attributes: { first: 1 } });
  s.setAttribute('a', 'x');
  s.setAttributes({ obj: { k: 'v' }, n: 1.5, b: false });
  s.setAttribute('a', 2);
  s.setAttribute('big', 12n);
  s.setAttribute('skipped', undefined);
  s.setAttribute(7, true); // a non-string key is a string
  s.end();
  const [span] = exported();
  assert.equal(span.name, 'ordered');
  assert.deepEqual(attributes(span), [
    ['first', 1], ['a', 2], ['obj', { k: 'v' }], ['n', 1.5], ['b', false], ['big', '12'], ['7', true],
  ]);
});

test('non-ASCII names, keys and values arrive as sent', () => {
  const { logger, exported } = recording();
  const s = logger.startSpan({ name: 'naïve ☃ 𝄞' });
  s.setAttributes({ 'clé': 'valeur é', ascii: 'plain', '🔑': '😀 ok', n: -0.25 });
  s.end();
  const [span] = exported();
  assert.equal(span.name, 'naïve ☃ 𝄞');
  assert.deepEqual(attributes(span), [['clé', 'valeur é'], ['ascii', 'plain'], ['🔑', '😀 ok'], ['n', -0.25]]);
});

test('more attributes than are buffered at once: all of them, in order', () => {
  const { logger, exported } = recording();
  const s = logger.startSpan({ name: 'many' });
  const want = [];
  for (let i = 0; i < 300; i++) {
    const value = i % 3 === 0 ? `v${i}` : i % 3 === 1 ? i : i % 2 === 0;
    s.setAttribute(`k${i}`, value);
    want.push([`k${i}`, value]);
  }
  s.end();
  const [span] = exported();
  assert.deepEqual(attributes(span), want);
  assert.equal(span.droppedAttributesCount ?? 0, 0);
});

test('a value and a name longer than the shared buffer arrive whole', () => {
  const { logger, exported } = recording();
  const long = 'x'.repeat(40_000);
  const longName = 'n'.repeat(40_000);
  const s = logger.startSpan({ name: longName });
  s.setAttribute('short', 'ok');
  s.setAttribute('long', long);
  s.setAttribute('é-long', 'é'.repeat(20_000));
  s.end();
  const [span] = exported();
  assert.equal(span.name, longName);
  assert.deepEqual(attributes(span), [['short', 'ok'], ['long', long], ['é-long', 'é'.repeat(20_000)]]);
});

test('a plain-object parent has its tracestate validated when the span begins', () => {
  // Only an extracted context's tracestate skips the check (extract made it); values
  // from anywhere else are checked, and an invalid tracestate is dropped whole.
  const { logger, exported } = recording();
  const plain = logger.startSpan({ name: 'plain', parent: { traceparent: TP, tracestate: 'foo=1,foo=2' } });
  assert.equal(plain.rootSpanId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(plain.inject({}).tracestate, undefined);
  const valid = logger.startSpan({ name: 'valid', parent: { traceparent: TP, tracestate: 'foo=1' } });
  assert.equal(valid.inject({}).tracestate, 'foo=1');
  plain.end();
  valid.end();
  assert.deepEqual(exported().map((s) => s.traceState ?? ''), ['', 'foo=1']);
});

test('a remote parent with non-ASCII baggage is joined, its tracestate kept', () => {
  const { logger, exported } = recording();
  const ctx = extractTraceContext({ traceparent: TP, tracestate: 'congo=t61rcWkgMzE', baggage: 'k=v,ü=1' });
  const s = logger.startSpan({ name: 'srv', parent: ctx });
  assert.equal(s.rootSpanId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(s.inject({}).tracestate, 'congo=t61rcWkgMzE');
  s.end();
  const [span] = exported();
  assert.equal(span.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(span.parentSpanId, 'b7ad6b7169203331');
  assert.equal(span.traceState, 'congo=t61rcWkgMzE');
});

test('inbound headers longer than the shared buffer (32 KiB together) are read whole', () => {
  const { logger, exported } = recording();
  const many = Array.from({ length: 4000 }, (_, i) => `m${i}=v`).join(','); // 30 KB of members
  // What is forwarded: the inbound members that fit the W3C limits (64, ours last).
  const relayed = (first) => [first, ...Array.from({ length: 62 }, (_, i) => `m${i}=v`), 'braintrust.parent=project_id%3Aabc'].join(',');
  const cases = [
    ['long baggage', { traceparent: TP, baggage: `braintrust.parent=project_id%3Aabc,k1=v1,${many}` },
      { baggage: relayed('k1=v1') }],
    ['long non-ASCII baggage', { traceparent: TP, baggage: `braintrust.parent=project_id%3Aabc,k1=ü,${many}` },
      { baggage: relayed('k1=ü') }],
    ['long tracestate', { traceparent: TP, tracestate: `congo=t61rcWkgMzE${', '.repeat(20_000)}` },
      { tracestate: `congo=t61rcWkgMzE${', '.repeat(20_000)}`.trimEnd() }], // as the value it is: without its trailing OWS
    ['long higher-version traceparent', { traceparent: `cc${TP.slice(2)}-${'x'.repeat(40_000)}`, tracestate: 'a=1' },
      { tracestate: 'a=1' }],
  ];
  for (const [what, headers, expected] of cases) {
    const ctx = extractTraceContext(headers);
    assert.equal(sw.injectTraceContext(ctx).tracestate, expected.tracestate, `${what}: the context forwards the tracestate`);
    for (const parent of [ctx, headers]) {
      const s = logger.startSpan({ name: what, parent });
      const out = s.inject({});
      assert.equal(out.traceparent.slice(0, 36), `00${TP.slice(2, 36)}`, `${what}: joins the trace`);
      assert.equal(out.tracestate, expected.tracestate, `${what}: tracestate`);
      // No inbound baggage: the span names its logger's object.
      assert.equal(out.baggage, expected.baggage ?? 'braintrust.parent=project_id%3Ap', `${what}: baggage`);
      s.end();
    }
  }
  const spans = exported();
  assert.equal(spans.length, 2 * cases.length);
  for (const span of spans) assert.equal(span.parentSpanId, 'b7ad6b7169203331', span.name);
  const parents = spans.map((span) => (span.attributes ?? []).find((a) => a.key === 'braintrust.parent')?.value.stringValue);
  assert.deepEqual(parents.slice(0, 4), Array(4).fill('project_id:abc'), 'the inbound Braintrust parent, not the logger\'s');
});

test('a span that only starts and ends still gets ids, a parent and its end time', () => {
  const { logger, exported } = recording();
  const root = logger.startSpan({ name: 'root', startTime: 1_700_000_000 });
  const child = root.startSpan({ name: 'child', startTime: 1_700_000_001 });
  root.end(1_700_000_003);
  child.end(1_700_000_002); // begun after its parent ended
  assert.deepEqual(child.spanParents, [root.spanId]);
  const spans = exported();
  assert.deepEqual(spans.map((s) => s.name), ['root', 'child']);
  assert.equal(spans[1].parentSpanId, root.spanId);
  assert.equal(spans[1].traceId, root.rootSpanId);
  assert.equal(spans[1].startTimeUnixNano, '1700000001000000000');
  assert.equal(spans[1].endTimeUnixNano, '1700000002000000000');
});

test('discard empties the queue unsent and says how many', () => {
  const { logger } = recording();
  for (let i = 0; i < 5; i++) logger.startSpan({ name: 's' }).end();
  assert.equal(logger._source.queued(), 5);
  assert.equal(logger._source.discard(3), 3);
  assert.equal(logger._source.discard(10), 2);
  assert.equal(logger._source.queued(), 0);
});

test('an ended span whose snapshot is longer than the shared buffer (a large propagated event) still answers', async () => {
  const { parseSlug, formatSlug } = await import('spanwire');
  const { logger } = recording();
  const origin = logger.startSpan({ name: 'origin' });
  const fields = { ...parseSlug(origin.export()), propagated_event: { big: 'x'.repeat(40_000) } };
  origin.end();
  const s = logger.startSpan({ name: 'resumed', parent: formatSlug(fields) });
  const spanId = s.spanId;
  s.end();
  assert.equal(s.spanId, spanId);
  assert.deepEqual(s.spanParents, [origin.spanId]);
  assert.equal(parseSlug(s.export()).propagated_event.big.length, 40_000);
  const child = s.startSpan({ name: 'after' }); // begun from the ended span's snapshot
  assert.equal(parseSlug(child.export()).propagated_event.big.length, 40_000);
  assert.deepEqual(child.spanParents, [spanId]);
  child.end();
});

test('lone surrogates (a string cut inside an emoji) are recorded as U+FFFD on every path, long or short', () => {
  const { logger, exported } = recording();
  const cut = '😀'.repeat(20_000).slice(0, 39_999); // longer than TEXT: sent as JSON, ends in a lone high surrogate
  const s = logger.startSpan({ name: 'surrogates' });
  s.setAttributes({ long: cut, short: 'a\uD800b', list: ['x\uDC00'] });
  s.log({ output: 'o\uD83D', metadata: { k: '\uDE00' } });
  s.addEvent('e', { v: '\uD800' });
  assert.equal(typeof s.end(), 'number');
  const [span] = exported();
  const attr = (key) => span.attributes.find((a) => a.key === key)?.value;
  assert.equal(attr('long').stringValue, `${'😀'.repeat(19_999)}\uFFFD`);
  assert.equal(attr('short').stringValue, 'a\uFFFDb');
  assert.deepEqual(attr('list').arrayValue.values, [{ stringValue: 'x\uFFFD' }]);
  // Log fields travel as the JSON text JSON.stringify wrote, escapes kept (as Braintrust JS sends them).
  assert.equal(attr('braintrust.output_json').stringValue, JSON.stringify('o\uD83D'));
  assert.equal(attr('braintrust.metadata').stringValue, JSON.stringify({ k: '\uDE00' }));
  assert.equal(span.events[0].attributes[0].value.stringValue, '\uFFFD');
});

test('a span under a forged TraceContext (not made by extractTraceContext) has its tracestate validated', () => {
  const { logger, exported } = recording();
  const forged = Object.create(sw.TraceContext.prototype);
  // Own properties, as a forger would define them (the prototype's _tracestate is a getter).
  for (const [key, value] of Object.entries({ _traceparent: TP, _flags: 1, _tracestate: 'a=1\r\nset-cookie: x=1', _baggage: 'k=v' })) {
    Object.defineProperty(forged, key, { value, enumerable: true });
  }
  const s = logger.startSpan({ name: 'forged', parent: forged });
  const out = s.inject({});
  assert.equal(out.traceparent.slice(0, 36), `00${TP.slice(2, 36)}`, 'the trace is joined');
  assert.equal(out.tracestate, undefined, 'the invalid tracestate is dropped');
  assert.match(out.baggage, /^k=v,braintrust\.parent=/);
  s.end();
  assert.equal(exported()[0].traceState ?? '', '');
});
