// extractTraceContext over every carrier kind, and injectContext (the carrier writer
// behind span.inject) with hand-made propagation objects, on the installed package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  extractTraceContext,
  extractTraceContextFromHeaders,
  injectTraceContext,
  TraceContext,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  BAGGAGE_HEADER,
  BRAINTRUST_PARENT_KEY,
} from 'spanwire';
import { runInNewContext } from 'node:vm';
import { EXTRACT_CASES, summarize } from '../js/extract-cases.mjs';

// The internal writer, from the same installed module instance the public API uses.
const { injectContext } = await import(new URL('../node_modules/spanwire/dist/carrier.js', import.meta.url));

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const TP = `00-${TRACE}-${SPAN}-01`;
const OUT_TP = `00-${TRACE}-c0ffee00c0ffee01-01`;

test('header constants', () => {
  assert.equal(TRACEPARENT_HEADER, 'traceparent');
  assert.equal(TRACESTATE_HEADER, 'tracestate');
  assert.equal(BAGGAGE_HEADER, 'baggage');
  assert.equal(BRAINTRUST_PARENT_KEY, 'braintrust.parent');
  assert.equal(extractTraceContextFromHeaders, extractTraceContext);
});

// The same cases run in workerd (tests/workerd/extract.test.mjs), where the values
// reach wasm memory by another path.
test('the shared extract cases, non-ASCII and long values included', () => {
  for (const { name, headers, expect } of EXTRACT_CASES) {
    assert.deepEqual(summarize(extractTraceContext(headers), injectTraceContext), expect, name);
  }
});

test('a context exposes ids, flags, sampled, and the validated raw values', () => {
  const ctx = extractTraceContext({ traceparent: TP, tracestate: 'rojo=1,congo=2', baggage: 'k=v' });
  assert.ok(ctx instanceof TraceContext);
  assert.equal(ctx.traceId, TRACE);
  assert.equal(ctx.spanId, SPAN);
  assert.equal(ctx.traceFlags, 1);
  assert.equal(ctx.sampled, true);
  assert.equal(ctx._traceparent, TP);
  assert.equal(ctx._tracestate, 'rojo=1,congo=2');
  assert.equal(ctx._baggage, 'k=v');
  assert.throws(() => { ctx.traceId = 'x'; }, TypeError, 'readonly');
  const flags = [['00', 0, false], ['01', 1, true], ['02', 2, false], ['03', 3, true], ['ff', 255, true]];
  for (const [hex, n, sampled] of flags) {
    const c = extractTraceContext({ traceparent: `00-${TRACE}-${SPAN}-${hex}` });
    assert.equal(c.traceFlags, n, hex);
    assert.equal(c.sampled, sampled, hex);
  }
});

// (name, carrier, expected [traceparent trimmed | undefined, tracestate, baggage])
const carriers = [
  ['plain object, lowercase', { traceparent: TP, tracestate: 'a=1', baggage: 'k=v' }, [TP, 'a=1', 'k=v']],
  ['plain object, any case', { TraceParent: TP, TRACESTATE: 'a=1', Baggage: 'k=v' }, [TP, 'a=1', 'k=v']],
  ['plain object, array values joined (traceparent: one element)', { traceparent: [TP], tracestate: ['a=1', 'b=2'], baggage: ['k=v', 'l=w'] }, [TP, 'a=1,b=2', 'k=v,l=w']],
  ['plain object, case-variant keys joined', { tracestate: 'a=1', TraceState: 'b=2', traceparent: TP }, [TP, 'a=1,b=2', undefined]],
  ['plain object, traceparent array: the first value (CONTRACT; Braintrust vector array_valued_headers)', { traceparent: [TP, '00-11111111111111111111111111111111-2222222222222222-01'] }, [TP]],
  ['plain object, two traceparent keys: no parent (W3C)', { traceparent: TP, Traceparent: TP }, [undefined]],
  ['null-prototype object (Node IncomingHttpHeaders)', Object.assign(Object.create(null), { host: 'x', traceparent: TP, 'set-cookie': ['a'] }), [TP, undefined, undefined]],
  ['Headers', new Headers({ TraceParent: TP, tracestate: 'a=1', baggage: 'k=v' }), [TP, 'a=1', 'k=v']],
  ['Headers, repeated tracestate lines', (() => { const h = new Headers({ traceparent: TP }); h.append('tracestate', 'a=1'); h.append('tracestate', 'b=2'); return h; })(), [TP, 'a=1, b=2', undefined]],
  ['Headers, repeated traceparent: no parent', (() => { const h = new Headers(); h.append('traceparent', TP); h.append('traceparent', TP); return h; })(), [undefined]],
  ['Map, any case', new Map([['Traceparent', TP], ['BAGGAGE', 'k=v'], [1, 'x']]), [TP, undefined, 'k=v']],
  ['pairs, any case, repeated tracestate', [['TRACEPARENT', TP], ['tracestate', 'a=1'], ['TraceState', 'b=2'], null, ['x']], [TP, 'a=1,b=2', undefined]],
  ['pairs, repeated traceparent: no parent', [['traceparent', TP], ['traceparent', TP]], [undefined]],
  ['getHeader object (Node outgoing message)', { getHeader: (n) => ({ traceparent: TP, baggage: ['k=v', 'l=w'] })[n], setHeader() {} }, [TP, undefined, 'k=v,l=w']],
  ['get object (Express-like)', { get: (n) => ({ traceparent: TP, tracestate: 'a=1' })[n] }, [TP, 'a=1', undefined]],
  // After the Headers rows above: a look-alike is still read as a getter (array values joined).
  ['an object that only calls itself Headers', { [Symbol.toStringTag]: 'Headers', get: (n) => ({ traceparent: TP, tracestate: ['a=1', 'b=2'] })[n] }, [TP, 'a=1,b=2', undefined]],
  ['a Headers subclass', new (class extends Headers {})({ traceparent: TP, baggage: 'k=v' }), [TP, undefined, 'k=v']],
  ['surrounding spaces and tabs trimmed', { traceparent: ` \t${TP}\t `, tracestate: '  a=1 ' }, [TP, 'a=1', undefined]],
];

for (const [name, carrier, [tp, ts, bg]] of carriers) {
  test(`extract from ${name}`, () => {
    const ctx = extractTraceContext(carrier);
    if (tp === undefined) {
      assert.equal(ctx, undefined);
      return;
    }
    assert.ok(ctx, 'a context');
    assert.equal(ctx._traceparent, tp);
    assert.equal(ctx._tracestate, ts);
    assert.equal(ctx._baggage, bg);
  });
}

test('a Map of another realm is read as a Map: any key case', () => {
  const carrier = runInNewContext("new Map([['TraceParent', tp], ['TRACESTATE', 'rojo=1']])", { tp: TP });
  assert.equal(carrier instanceof Map, false, 'another realm');
  const ctx = extractTraceContext(carrier);
  assert.equal(ctx?.traceId, TRACE);
  assert.equal(injectTraceContext(ctx, {}).tracestate, 'rojo=1');
});

test('invalid traceparents give undefined, and their tracestate and baggage are ignored', () => {
  const rows = [
    ['missing', undefined],
    ['empty', ''],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with a suffix', `${TP}-extra`],
    ['bad flags', `00-${TRACE}-${SPAN}-0g`],
    ['short', TP.slice(0, 54)],
    ['CR/LF inside', TP.slice(0, 20) + '\r\n' + TP.slice(22)],
    ['non-ASCII', TP.slice(0, 54) + 'é'],
    ['number', 42],
  ];
  for (const [why, traceparent] of rows) {
    assert.equal(extractTraceContext({ traceparent, tracestate: 'a=1', baggage: 'k=v' }), undefined, why);
  }
});

test('a getter carrier without a traceparent is not asked for the other headers', () => {
  // Most requests carry no context: extract then costs one lookup, not three.
  const asked = [];
  const getter = (values) => ({ get: (name) => { asked.push(name); return values[name] ?? null; } });
  assert.equal(extractTraceContext(getter({ tracestate: 'a=1', baggage: 'k=v' })), undefined);
  assert.deepEqual(asked, ['traceparent']);
  asked.length = 0;
  const ctx = extractTraceContext(getter({ traceparent: TP, tracestate: 'a=1', baggage: 'k=v' }));
  assert.deepEqual(asked, ['traceparent', 'tracestate', 'baggage']);
  assert.deepEqual([ctx.traceId, ctx._tracestate, ctx._baggage], [TRACE, 'a=1', 'k=v']);
  const outgoing = { getHeader: (name) => { asked.push(name); return undefined; }, setHeader() {} };
  asked.length = 0;
  assert.equal(extractTraceContext(outgoing), undefined);
  assert.deepEqual(asked, ['traceparent']);
  assert.equal(extractTraceContext(new Headers({ tracestate: 'a=1' })), undefined);
});

test('a higher version is read by its first 55 characters (W3C), even with a non-ASCII suffix', () => {
  for (const tp of [`cc-${TRACE}-${SPAN}-01`, `cc-${TRACE}-${SPAN}-01-future`, `cc-${TRACE}-${SPAN}-01-é☕`]) {
    const ctx = extractTraceContext({ traceparent: tp, tracestate: 'a=1' });
    assert.equal(ctx?.traceId, TRACE, tp);
    assert.equal(ctx._tracestate, 'a=1');
  }
  assert.equal(extractTraceContext({ traceparent: `cc-${TRACE}-${SPAN}-01.future` }), undefined);
  // Only its sampled bit is carried on: W3C defines no other bit of a version it does not know.
  const future = extractTraceContext({ traceparent: `cc-${TRACE}-${SPAN}-03-future` });
  assert.equal(future.traceFlags, 3, 'as received');
  assert.equal(injectTraceContext(future).traceparent, `00-${TRACE}-${SPAN}-01`);
  assert.match(injectTraceContext(future.child()).traceparent, /-01$/);
  const v00 = extractTraceContext({ traceparent: `00-${TRACE}-${SPAN}-03` });
  assert.equal(injectTraceContext(v00).traceparent, `00-${TRACE}-${SPAN}-03`);
  assert.match(injectTraceContext(v00.child()).traceparent, /-03$/);
});

test('tracestate is validated as W3C says and dropped whole when invalid; the parent stays', () => {
  const members = (n) => Array.from({ length: n }, (_, i) => `k${i}=v`).join(',');
  const rows = [
    ['32 members', members(32), true],
    ['33 members', members(33), false],
    ['duplicate key', 'a=1,a=2', false],
    ['upper-case key', 'A=1', false],
    ['empty value', 'a=', false],
    ['value with =', 'a=b=c', false],
    ['vendor key', 'tenant@sys=1', true],
    ['empty members and OWS', 'a=1 , ,\tb=2', true],
    ['only empty', '', false],
    ['non-ASCII value', 'a=é', false],
    ['long but valid (non-scratch path)', Array.from({ length: 32 }, (_, i) => `k${i}=${'v'.repeat(255)}x`).join(',') + ' '.repeat(20_000), true],
  ];
  for (const [why, tracestate, valid] of rows) {
    const ctx = extractTraceContext({ traceparent: TP, tracestate });
    assert.equal(ctx?.traceId, TRACE, why);
    assert.equal(ctx._tracestate, valid ? tracestate.trim() : undefined, why);
  }
});

test('extract never throws on hostile input', () => {
  const throwing = { get traceparent() { throw new Error('boom'); } };
  const proxy = new Proxy({}, { ownKeys() { throw new Error('trap'); } });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const inputs = [null, undefined, 0, 1n, 'traceparent', Symbol('x'), () => {}, [], [[]], throwing, proxy, revoked.proxy,
    { traceparent: 'x'.repeat(3_000_000) }, { traceparent: TP, tracestate: 'a=1,'.repeat(1_000_000) },
    new Map([[{}, TP]]), { get() { throw new Error('x'); } }, { getHeader() { throw new Error('x'); }, setHeader() {} }];
  for (const input of inputs) {
    const ctx = extractTraceContext(input);
    assert.ok(ctx === undefined || ctx instanceof TraceContext);
  }
  assert.equal(extractTraceContext({ traceparent: TP })?.traceId, TRACE, 'still works after');
});

// ---- injectContext ----

const P = { traceparent: OUT_TP, tracestate: 'rojo=1', braintrustParent: 'project_id:abc' };

test('legacy mode (propagation undefined): the carrier is returned untouched', () => {
  const carrier = { Traceparent: 'old', baggage: 'braintrust.parent=project_id%3Aold' };
  const before = structuredClone(carrier);
  assert.equal(injectContext(carrier, undefined), carrier);
  assert.deepEqual(carrier, before);
  const h = new Headers({ baggage: 'x=1' });
  assert.equal(injectContext(h, undefined), h);
  assert.deepEqual([...h], [['baggage', 'x=1']]);
});

test('inject into no carrier gives a new plain object', () => {
  assert.deepEqual(injectContext(undefined, P), {
    traceparent: OUT_TP,
    tracestate: 'rojo=1',
    baggage: 'braintrust.parent=project_id%3Aabc',
  });
});

// (name, make carrier, read back as sorted [name, value] pairs)
const entriesOf = {
  object: (c) => Object.entries(c),
  headers: (c) => [...c],
  map: (c) => [...c].map(([k, v]) => [k, v]), // entries of this realm, for deepEqual
  pairs: (c) => c.map(([k, v]) => [k, v]),
};
const writeRows = [
  ['plain object', () => ({ TraceParent: 'old', Baggage: 'braintrust.parent=project_id%3Aold,k=v', other: 'x' }), 'object'],
  ['Headers', () => new Headers({ TraceParent: 'old', Baggage: 'braintrust.parent=project_id%3Aold,k=v', other: 'x' }), 'headers'],
  ['Map', () => new Map([['TraceParent', 'old'], ['Baggage', 'braintrust.parent=project_id%3Aold,k=v'], ['other', 'x']]), 'map'],
  ['pairs', () => [['TraceParent', 'old'], ['Baggage', 'braintrust.parent=project_id%3Aold,k=v'], ['other', 'x']], 'pairs'],
  // A Map made in a vm context fails `instanceof Map` here, and is still a Map.
  ['a Map of another realm', () => runInNewContext("new Map([['TraceParent', 'old'], ['Baggage', 'braintrust.parent=project_id%3Aold,k=v'], ['other', 'x']])"), 'map'],
];

for (const [name, make, kind] of writeRows) {
  test(`inject into ${name}: lowercase names, case-variants replaced, baggage relayed with ours last`, () => {
    const carrier = make();
    assert.equal(injectContext(carrier, P), carrier);
    const got = entriesOf[kind](carrier).sort(([a], [b]) => a.localeCompare(b));
    assert.deepEqual(got, [
      ['baggage', 'k=v,braintrust.parent=project_id%3Aabc'],
      ['other', 'x'],
      ['traceparent', OUT_TP],
      ['tracestate', 'rojo=1'],
    ]);
  });
}

test('inject into a Node outgoing message uses setHeader/removeHeader', () => {
  const headers = new Map();
  const res = {
    getHeader: (n) => headers.get(n.toLowerCase()),
    setHeader: (n, v) => headers.set(n.toLowerCase(), v),
    removeHeader: (n) => headers.delete(n.toLowerCase()),
  };
  headers.set('baggage', 'braintrust.parent=project_id%3Astale');
  injectContext(res, { traceparent: OUT_TP });
  assert.deepEqual([...headers], [['traceparent', OUT_TP]], 'stale bt parent removed, header deleted');
});

test('no Braintrust parent: a stale braintrust.parent is removed, the header deleted when empty', () => {
  assert.deepEqual(injectContext({ Baggage: 'braintrust.parent=project_id%3Aold' }, { traceparent: OUT_TP }), { traceparent: OUT_TP });
  assert.deepEqual(injectContext({ baggage: 'braintrust.parent=x,k=v' }, { traceparent: OUT_TP }), { baggage: 'k=v', traceparent: OUT_TP });
  assert.deepEqual(injectContext({}, { traceparent: OUT_TP }), { traceparent: OUT_TP }, 'nothing to write');
});

test('inbound baggage members are relayed; the carrier\'s win on a shared key; an inbound bt parent is never relayed raw', () => {
  const p = { traceparent: OUT_TP, baggage: 'a=1,braintrust.parent=project_id%3Ain,b=2', braintrustParent: 'project_id:in' };
  assert.deepEqual(injectContext({ baggage: 'b=carrier' }, p), {
    baggage: 'b=carrier,a=1,braintrust.parent=project_id%3Ain',
    traceparent: OUT_TP,
  });
});

test('baggage members no HTTP header can carry (above U+00FF) are not relayed, so inject into Headers and Node never throws', async () => {
  const { initLogger } = await import('spanwire');
  const logger = initLogger({ exporter: false, setCurrent: false });
  // From a carrier that is not HTTP (a queue message's attributes, say).
  const ctx = extractTraceContext({ traceparent: TP, baggage: 'a=1,emoji=😀,latin=café,cjk=k;p=東京,b=2' });
  const span = logger.startSpan({ name: 'relay', parent: ctx });
  const headers = span.inject(new Headers());
  assert.equal(headers.get('baggage'), 'a=1,latin=café,b=2');
  assert.equal(span.inject({}).baggage, 'a=1,latin=café,b=2', 'the same for a plain object, often fetch headers later');
  // A carrier's own baggage is read the same way.
  const outgoing = { headers: {}, setHeader(k, v) { this.headers[k] = v; }, getHeader(k) { return this.headers[k]; }, removeHeader(k) { delete this.headers[k]; } };
  outgoing.headers.baggage = 'mine=ok,theirs=☕';
  span.inject(outgoing);
  assert.equal(outgoing.headers.baggage, 'mine=ok,a=1,latin=café,b=2');
  span.end();
});

test('tracestate: written only when the span carries one; the carrier\'s is otherwise left alone', () => {
  assert.deepEqual(injectContext({ tracestate: 'a=b' }, { traceparent: OUT_TP }), { tracestate: 'a=b', traceparent: OUT_TP });
  assert.deepEqual(injectContext({ TraceState: 'a=b' }, { traceparent: OUT_TP, tracestate: 'x=1' }), { tracestate: 'x=1', traceparent: OUT_TP });
});

test('the braintrust.parent value is percent-encoded with only A-Z a-z 0-9 - _ . ~ raw', () => {
  const out = injectContext({}, { traceparent: OUT_TP, braintrustParent: 'project_name:a,b c;d"e\\f%g+h!*\'()~é☕' });
  assert.equal(out.baggage, 'braintrust.parent=project_name%3Aa%2Cb%20c%3Bd%22e%5Cf%25g%2Bh%21%2A%27%28%29~%C3%A9%E2%98%95');
  assert.match(out.baggage, /^[\x21-\x7e]+$/, 'pure ASCII');
});

test('repeated injects give the same headers as a fresh inject (cached relay)', () => {
  const p = { traceparent: OUT_TP, baggage: 'userId=alice,serverNode=DF%2028', braintrustParent: 'project_id:abc' };
  const fresh = injectContext({}, { ...p });
  const reused = {};
  for (let i = 0; i < 3; i++) assert.deepEqual(injectContext(reused, p), fresh);
  const other = injectContext({ baggage: 'z=1' }, p);
  assert.equal(other.baggage, 'z=1,userId=alice,serverNode=DF%2028,braintrust.parent=project_id%3Aabc');
  assert.deepEqual(injectContext({}, p), fresh, 'cache unaffected by a carrier with its own baggage');
});

test('a carrier that rejects a value: a clear TypeError naming the header; the module stays usable', () => {
  class Rejecting extends Headers {
    set(name) { throw new Error(`no ${name} here`); }
  }
  assert.throws(() => injectContext(new Rejecting(), P), (err) => {
    assert.ok(err instanceof TypeError);
    assert.match(err.message, /"traceparent"/);
    assert.match(err.message, /no traceparent here/);
    return true;
  });
  const frozen = Object.freeze({ traceparent: 'old' });
  assert.throws(() => injectContext(frozen, P), /spanwire: the carrier rejected the "traceparent" header/);
  const immutable = new Proxy({}, { set() { throw new RangeError('read-only'); } });
  assert.throws(() => injectContext(immutable, P), TypeError);
  assert.throws(() => injectContext('a string', P), TypeError);
  // Still usable.
  assert.equal(injectContext({}, P).traceparent, OUT_TP);
  assert.equal(extractTraceContext({ traceparent: TP })?.traceId, TRACE);
});

test('round trip: what inject writes, extract reads back', () => {
  for (const make of [() => ({}), () => new Headers(), () => new Map(), () => []]) {
    const carrier = injectContext(make(), { ...P, baggage: 'k=v' });
    const ctx = extractTraceContext(carrier);
    assert.equal(ctx.traceId, TRACE);
    assert.equal(ctx.spanId, 'c0ffee00c0ffee01');
    assert.equal(ctx._tracestate, 'rojo=1');
    assert.equal(ctx._baggage, 'k=v,braintrust.parent=project_id%3Aabc');
  }
});

// A higher version with extra fields and unknown flags, a tracestate and baggage with
// a Braintrust parent: what the forwarding tests below start from.
const FORWARDED = {
  traceparent: `01-${TRACE}-${SPAN}-ff-extra`,
  tracestate: 'rojo=1,congo=2',
  baggage: 'userId=alice,braintrust.parent=project_id%3Aabc',
};

test('child: the same trace, flags, tracestate and baggage under a new span id each time', () => {
  const ctx = extractTraceContext(FORWARDED);
  const a = ctx.child();
  const b = ctx.child();
  assert.ok(a instanceof TraceContext);
  assert.equal(a.traceId, TRACE);
  assert.match(a.spanId, /^[0-9a-f]{16}$/);
  assert.notEqual(a.spanId, '0000000000000000');
  assert.notEqual(a.spanId, SPAN);
  assert.notEqual(a.spanId, b.spanId);
  assert.equal(a.traceFlags, 0x01, 'only the sampled bit of a higher version goes on');
  assert.equal(ctx.child().child().traceId, TRACE);
  // Injected: what injectTraceContext forwards for the parent, under the child's span id.
  const out = injectTraceContext(a, { Baggage: 'k=v' });
  assert.deepEqual(out, {
    traceparent: `00-${TRACE}-${a.spanId}-01`,
    tracestate: 'rojo=1,congo=2',
    baggage: 'k=v,userId=alice,braintrust.parent=project_id%3Aabc',
  });
  const forwarded = injectTraceContext(ctx, {});
  assert.deepEqual(injectTraceContext(b, {}), { ...forwarded, traceparent: `00-${TRACE}-${b.spanId}-01` });
  // An unsampled caller stays unsampled; no tracestate or baggage, none written.
  const bare = extractTraceContext({ traceparent: `00-${TRACE}-${SPAN}-00` }).child();
  assert.deepEqual(injectTraceContext(bare), { traceparent: `00-${TRACE}-${bare.spanId}-00` });
  assert.equal(bare.sampled, false);
  // An invalid tracestate was dropped at extract and stays dropped.
  const noState = extractTraceContext({ traceparent: TP, tracestate: 'Bad Key=1' }).child();
  assert.equal(injectTraceContext(noState).tracestate, undefined);
});

test('injectTraceContext forwards an extracted context unchanged, as version 00 with known flags', () => {
  const ctx = extractTraceContext(FORWARDED);
  const out = injectTraceContext(ctx, { Baggage: 'k=v', TraceParent: 'stale' });
  assert.deepEqual(out, {
    traceparent: `00-${TRACE}-${SPAN}-01`, // version 01's flags ff: only the sampled bit is known
    tracestate: 'rojo=1,congo=2',
    baggage: 'k=v,userId=alice,braintrust.parent=project_id%3Aabc',
  });
  // Injecting again into the same carrier gives the same headers (the relay is cached).
  assert.deepEqual(injectTraceContext(ctx, out), out);
  assert.deepEqual(injectTraceContext(extractTraceContext({ traceparent: `00-${TRACE}-${SPAN}-00` })), { traceparent: `00-${TRACE}-${SPAN}-00` });
  assert.throws(() => injectTraceContext({ traceparent: 'x' }, {}), /expects a TraceContext/);
  // Into a carrier without baggage: the inbound members, the valid braintrust.parent last.
  const forward = (baggage) => injectTraceContext(extractTraceContext({ traceparent: `00-${TRACE}-${SPAN}-01`, baggage }), {}).baggage;
  assert.equal(forward(' braintrust.parent=project_id%3Aabc , userId=alice'), 'userId=alice,braintrust.parent=project_id%3Aabc');
  assert.equal(forward('k=café,braintrust.parent=dataset_id%3Ax'), 'k=café', 'non-ASCII member relayed; an invalid parent dropped');
  assert.equal(forward('braintrust.parent=dataset_id%3Ax'), undefined, 'nothing left to forward');
  // Forwarded as received (no decode on the JS side), or rebuilt when anything changed.
  assert.equal(forward('userId=alice,k=v;p=1'), 'userId=alice,k=v;p=1');
  assert.equal(forward('userId=alice,k=vé'), 'userId=alice,k=vé');
  assert.equal(forward(' userId=alice ,\tk=v'), 'userId=alice,k=v', 'OWS trimmed');
  assert.equal(forward('userId=alice,bad member,k=v'), 'userId=alice,k=v', 'an invalid member dropped');
  assert.equal(forward(Array.from({ length: 70 }, (_, i) => `k${i}=v`).join(',')).split(',').length, 64, 'cut to the member limit');
  assert.equal(forward('k=v,braintrust.parent=project_name%3AMy%0AProj'), 'k=v,braintrust.parent=project_name%3AMy%0AProj', 'a parent with a line break');
});

test("a context's validated tracestate cannot be replaced: a span under it forwards what extract validated", async () => {
  const { initLogger } = await import('spanwire');
  const ctx = extractTraceContext({ traceparent: TP, tracestate: 'rojo=1' });
  assert.throws(() => { ctx._tracestate = 'a=1\r\nset-cookie: x=1'; }, TypeError);
  const span = initLogger({ exporter: false, setCurrent: false }).startSpan({ name: 's', parent: ctx });
  assert.equal(span.inject({}).tracestate, 'rojo=1');
  assert.equal(injectTraceContext(ctx).tracestate, 'rojo=1');
  span.end();
});

test('a span under an extracted context reads only what extract validated: nothing set on it or inherited', async () => {
  const { initLogger, parseSlug } = await import('spanwire');
  const logger = initLogger({ projectId: 'mine', exporter: false, setCurrent: false });
  const ctx = extractTraceContext({ traceparent: TP }); // no tracestate, no baggage
  ctx.tracestate = 'a=b\nc';
  Object.prototype.baggage = 'braintrust.parent=project_id%3Aevil';
  Object.prototype.tracestate = 'evil\r\nx: 1';
  try {
    const span = logger.startSpan({ name: 's', parent: ctx });
    const out = span.inject({});
    assert.equal(Object.hasOwn(out, 'tracestate'), false);
    assert.equal(out.baggage, 'braintrust.parent=project_id%3Amine');
    assert.equal(parseSlug(span.export()).object_id, 'mine');
    span.end();
  } finally {
    delete Object.prototype.baggage;
    delete Object.prototype.tracestate;
  }
});

test('injectTraceContext takes a context of the other build (require beside import), read again from its values', async () => {
  const { createRequire } = await import('node:module');
  const other = createRequire(import.meta.url)('spanwire');
  assert.notEqual(other.TraceContext, TraceContext, 'another copy of the class');
  const foreign = other.extractTraceContext({ traceparent: TP, tracestate: 'rojo=1', baggage: 'k=v,braintrust.parent=project_id%3Aabc' });
  assert.deepEqual(injectTraceContext(foreign), other.injectTraceContext(foreign));
  assert.deepEqual(injectTraceContext(foreign, {}), {
    traceparent: TP, tracestate: 'rojo=1', baggage: 'k=v,braintrust.parent=project_id%3Aabc',
  });
  const hop = foreign.child();
  assert.equal(injectTraceContext(hop).traceparent, hop._traceparent);
  // Anything else is still refused.
  assert.throws(() => injectTraceContext({ traceparent: TP }), /expects a TraceContext/);
});

test('a TraceContext comes only from extractTraceContext: one built by hand is refused', () => {
  // A span trusts a context's tracestate as validated; a hand-built one could carry
  // anything (a newline here would split the span's propagation text).
  assert.throws(() => new TraceContext(TP, 1, 'a=1\nx', undefined), /a TraceContext comes from extractTraceContext/);
  assert.ok(extractTraceContext({ traceparent: TP }).child() instanceof TraceContext);
});
