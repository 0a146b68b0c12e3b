// Property tests (fast-check): nothing in the propagation path throws or traps on input.
// extract: 100,000 generated carriers (anything, header-shaped objects, Maps, pairs,
// Headers, Proxies and getters that throw, multi-megabyte, non-ASCII and CR/LF strings),
// each answer checked against a reference reading of the W3C traceparent rules; then a
// normal call must still work. inject: generated propagation objects and carriers either
// write valid headers or throw a TypeError, and the module stays usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractTraceContext, TraceContext } from 'spanwire';

const { injectContext } = await import(new URL('../node_modules/spanwire/dist/carrier.js', import.meta.url));

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const TP = `00-${TRACE}-${SPAN}-01`;
const RUNS = Number(process.env.PROP_RUNS ?? 100_000);

/** The W3C Level 2 traceparent rules as spanwire applies them (CONTRACT.md), in plain JS. */
function referenceValid(value) {
  // Trimmed with a loop: a regex like /[ \t]+$/ is quadratic on a megabyte of spaces.
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start++;
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end--;
  const v = value.slice(start, end);
  if (v.length < 55) return false;
  const hex = (s) => /^[0-9a-f]+$/.test(s);
  const version = v.slice(0, 2);
  if (!hex(version) || version === 'ff') return false;
  if (version === '00' && v.length !== 55) return false;
  if (v[2] !== '-' || v[35] !== '-' || v[52] !== '-') return false;
  const trace = v.slice(3, 35);
  const span = v.slice(36, 52);
  if (!hex(trace) || /^0+$/.test(trace) || !hex(span) || /^0+$/.test(span)) return false;
  if (!hex(v.slice(53, 55))) return false;
  return v.length === 55 || v[55] === '-';
}

// Pre-built huge strings (built once: generating megabytes per run would dominate the time).
const HUGE = [
  'x'.repeat(4 * 1024 * 1024),
  TP + '-' + 'f'.repeat(2 * 1024 * 1024),
  `cc-${TRACE}-${SPAN}-01-` + 'é'.repeat(1024 * 1024),
  ' '.repeat(1024 * 1024) + TP,
  'a=1,'.repeat(512 * 1024),
  'k=v,'.repeat(1024 * 1024) + 'braintrust.parent=project_id%3Aabc',
];

const names = fc.constantFrom('traceparent', 'Traceparent', 'TRACEPARENT', 'tracestate', 'TraceState', 'baggage', 'BAGGAGE', 'other', 'trace-parent');

/** Strings near the valid shape: a valid traceparent mutated, or random text of any kind. */
const headerText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 3, arbitrary: fc.tuple(fc.nat({ max: 60 }), fc.string({ unit: 'binary', minLength: 0, maxLength: 3 }), fc.constantFrom(TP, `cc-${TRACE}-${SPAN}-01-x`, `00-${'0'.repeat(32)}-${SPAN}-01`)).map(([at, ins, base]) => base.slice(0, at) + ins + base.slice(at + ins.length)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('', ' ', '\t', '\r\n', '\u00a0'), fc.constantFrom(TP, `ff-${TRACE}-${SPAN}-01`, `01-${TRACE}-${SPAN}-03`), fc.constantFrom('', ' ', '\t', '\n', '-', '.')).map(([a, b, c]) => a + b + c) },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9a-f]{2}-[0-9a-fA-F]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  // Rare: each costs milliseconds (a copy into wasm memory), about one value in 600.
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 299 }).chain((i) => (i < HUGE.length ? fc.constant(HUGE[i]) : fc.string({ maxLength: 8 }))) },
);

const value = fc.oneof(
  { weight: 6, arbitrary: headerText },
  { weight: 2, arbitrary: fc.array(headerText, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.anything() },
);

// Hostile carriers are generated as recipes and built inside the property: fast-check
// itself inspects generated values, and would trip over a throwing Proxy.
const throwingGetter = fc.tuple(names, fc.boolean(), fc.nat({ max: 3 })).map(([name, asProxy, traps]) => () => {
  const thrower = () => { throw new Error('hostile'); };
  if (asProxy) {
    const all = [['ownKeys', thrower], ['get', thrower], ['getOwnPropertyDescriptor', thrower], ['has', thrower]];
    return new Proxy({ [name]: TP }, Object.fromEntries(all.slice(traps)));
  }
  return Object.defineProperty({ traceparent: TP }, name, { get: thrower, enumerable: true });
});
const built = (arb) => arb.map((v) => () => v);

const carrier = fc.oneof(
  { weight: 8, arbitrary: built(fc.dictionary(names, value, { maxKeys: 5 })) },
  { weight: 2, arbitrary: built(fc.array(fc.tuple(names, value), { maxLength: 5 })) },
  { weight: 2, arbitrary: fc.array(fc.tuple(names, value), { maxLength: 5 }).map((pairs) => () => new Map(pairs)) },
  { weight: 2, arbitrary: fc.array(fc.tuple(names, headerText), { maxLength: 4 }).map((pairs) => () => {
    const h = new Headers();
    for (const [k, v] of pairs) { try { h.append(k, v); } catch { /* not a valid header value */ } }
    return h;
  }) },
  { weight: 2, arbitrary: throwingGetter },
  { weight: 2, arbitrary: built(fc.anything({ withMap: true, withSet: true, withNullPrototype: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true })) },
  { weight: 1, arbitrary: fc.constant(() => ({ get: (n) => { throw new Error(n); } })) },
);

test(`extractTraceContext: ${RUNS.toLocaleString('en')} generated inputs, never a throw, answers as W3C says`, () => {
  let linked = 0;
  fc.assert(
    fc.property(carrier, (build) => {
      const ctx = extractTraceContext(build());
      if (ctx === undefined) return;
      assert.ok(ctx instanceof TraceContext);
      linked++;
      assert.match(ctx.traceId, /^[0-9a-f]{32}$/);
      assert.match(ctx.spanId, /^[0-9a-f]{16}$/);
      assert.notEqual(ctx.traceId, '0'.repeat(32));
      assert.notEqual(ctx.spanId, '0'.repeat(16));
      assert.ok(Number.isInteger(ctx.traceFlags) && ctx.traceFlags >= 0 && ctx.traceFlags <= 255);
      assert.equal(ctx.traceFlags, parseInt(ctx._traceparent.slice(53, 55), 16));
      assert.ok(referenceValid(ctx._traceparent), `accepted only if W3C-valid: ${JSON.stringify(ctx._traceparent.slice(0, 80))}`);
      assert.ok(ctx._tracestate === undefined || typeof ctx._tracestate === 'string');
      assert.ok(ctx._baggage === undefined || typeof ctx._baggage === 'string');
    }),
    { numRuns: RUNS },
  );
  console.log(`  ${linked} of ${RUNS} generated carriers held a valid traceparent`);
  assert.ok(linked > RUNS / 100, 'the generator reaches valid contexts too');
  assert.equal(extractTraceContext({ traceparent: TP, tracestate: 'a=1' })?._tracestate, 'a=1', 'a normal call still works');
});

test('extractTraceContext agrees with the reference rules on every generated single traceparent', () => {
  fc.assert(
    fc.property(headerText, (tp) => {
      const ctx = extractTraceContext({ traceparent: tp });
      assert.equal(ctx !== undefined, referenceValid(tp), JSON.stringify(tp.slice(0, 100)));
    }),
    { numRuns: Number(process.env.PROP_RUNS2 ?? 50_000) },
  );
  assert.equal(extractTraceContext(new Headers({ traceparent: TP }))?.spanId, SPAN, 'a normal call still works');
});

test('injectContext: generated propagation and carriers give valid headers or a TypeError, never anything else', () => {
  const propagation = fc.record({
    traceparent: fc.constant(`00-${TRACE}-c0ffee00c0ffee01-01`),
    tracestate: fc.option(fc.constantFrom('a=1', 'rojo=00f067aa0ba902b7'), { nil: undefined }),
    baggage: fc.option(fc.oneof({ weight: 50, arbitrary: headerText }, { weight: 1, arbitrary: fc.constantFrom(...HUGE.slice(4)) }), { nil: undefined }),
    braintrustParent: fc.option(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 20 }).map((s) => `project_name:${s}`)), { nil: undefined }),
  }, { requiredKeys: ['traceparent'] });
  const target = fc.oneof(
    built(fc.dictionary(names, value, { maxKeys: 4 })),
    built(fc.array(fc.tuple(names, value), { maxLength: 4 })),
    fc.array(fc.tuple(names, value), { maxLength: 4 }).map((p) => () => new Map(p)),
    fc.constant(() => new Headers()),
    throwingGetter,
  );
  fc.assert(
    fc.property(target, propagation, (build, p) => {
      const carrier = build();
      let out;
      try {
        out = injectContext(carrier, p);
      } catch (err) {
        assert.ok(err instanceof TypeError, `a TypeError, got ${err?.name}: ${err?.message}`);
        assert.match(err.message, /^spanwire: /);
        return;
      }
      assert.equal(out, carrier);
      const ctx = extractTraceContext(out);
      assert.equal(ctx?.spanId, 'c0ffee00c0ffee01');
    }),
    { numRuns: Number(process.env.PROP_RUNS3 ?? 10_000) },
  );
  const out = injectContext({}, { traceparent: `00-${TRACE}-c0ffee00c0ffee01-01`, braintrustParent: 'project_id:abc' });
  assert.deepEqual(out, { traceparent: `00-${TRACE}-c0ffee00c0ffee01-01`, baggage: 'braintrust.parent=project_id%3Aabc' }, 'a normal call still works');
});
