// The Braintrust slug through the package's JS API, against every `slugs` and
// `legacy_slugs` vector the released SDKs produced (tests/vectors/braintrust-vectors.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatSlug, parseSlug, initLogger } from 'spanwire';

const vectors = JSON.parse(readFileSync(new URL('../../../vectors/braintrust-vectors.json', import.meta.url), 'utf8'));

// null == absent, as the JS SDK's schema treats them.
const comparable = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

// Where the JS SDK's own decoder threw on a slug the Python SDK wrote (py_v3 packs hex
// trace ids as UUIDs JS refuses), we decode it as Python does (`decoded_by_py_v4`).
const isError = (d) => d && typeof d === 'object' && 'error' in d;

let quiet;
function silenced(fn) {
  const warn = console.warn;
  const seen = [];
  console.warn = (...a) => seen.push(a.join(' '));
  try { return [fn(), seen]; } finally { console.warn = warn; }
}

test('slugs: formatSlug equals the JS SDK byte for byte (V4 and V3), for every vector', () => {
  assert.equal(vectors.slugs.length, 13);
  for (const v of vectors.slugs) {
    assert.equal(formatSlug(v.input), v.js_v4.slug, `${v.name} v4`);
    assert.equal(formatSlug(v.input, { version: 4 }), v.js_v4.slug, `${v.name} v4 explicit`);
    assert.equal(formatSlug(v.input, { version: 3 }), v.js_v3.slug, `${v.name} v3`);
  }
});

test('slugs: parseSlug decodes every SDK-written slug as the JS SDK does, or as Python does where JS throws', () => {
  let asJs = 0;
  let asPython = 0;
  for (const v of vectors.slugs) {
    for (const variant of ['js_v4', 'js_v3', 'py_v4', 'py_v3']) {
      const { slug, decoded_by_js_v4: byJs, decoded_by_py_v4: byPython } = v[variant];
      const expected = isError(byJs) ? byPython : byJs;
      assert.deepEqual(comparable(parseSlug(slug)), comparable(expected), `${v.name} ${variant}`);
      if (isError(byJs)) asPython++;
      else asJs++;
    }
  }
  console.log(`  decoded as JS does ${asJs}, as Python does where JS throws ${asPython}`);
  assert.equal(asJs + asPython, 52);
  assert.equal(asPython, 8, 'the py_v3 slugs of hex trace ids JS refuses');
});

test('a child of a Python V3 slug joins its trace: the packed hex trace id reads as a dashed UUID, whose bytes are the trace id', () => {
  const logger = initLogger({ projectId: 'p', setCurrent: false, exporter: { url: 'http://127.0.0.1:9/v1/traces' }, batch: { delayMs: 60_000 } });
  const expected = [];
  for (const v of vectors.slugs) {
    const { slug, decoded_by_js_v4: byJs, decoded_by_py_v4: byPython } = v.py_v3;
    if (!isError(byJs)) continue;
    const [child, warnings] = silenced(() => logger.startSpan({ name: v.name, parent: slug }));
    assert.deepEqual(warnings, [], `${v.name}: the slug is not ignored`);
    assert.deepEqual(child.spanParents, [byPython.span_id], v.name);
    assert.equal(child.rootSpanId, byPython.root_span_id, `${v.name}: the root id as Python reads it`);
    // As in both SDKs, a span whose root id is not 32-hex injects nothing.
    assert.equal(child.inject({}).traceparent, undefined, v.name);
    child.end();
    expected.push([v.name, v.input.root_span_id.toLowerCase()]);
  }
  assert.equal(expected.length, 8, 'every py_v3 slug JS refuses (each packs a 32-hex trace id)');
  // The exported OTLP trace id is the 32-hex id Python packed.
  const body = JSON.parse(new TextDecoder().decode(logger._source.encodeQueued()));
  const spans = body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  assert.deepEqual(spans.map((s) => [s.name, s.traceId]), expected);
  logger._source.discard(100);
});

test('legacy_slugs: V1/V2, unpadded, whitespace, version 5 decode; malformed ones give a precise error', () => {
  assert.equal(vectors.legacy_slugs.length, 8);
  for (const v of vectors.legacy_slugs) {
    if (isError(v.decoded_by_js_v4)) {
      // 'garbage' is valid unpadded base64: its bytes are refused at the object type.
      assert.throws(() => parseSlug(v.slug), /^Error: unknown object type 170 \(byte 1; version 129 knows 1, 2 or 3\)$|unknown object type 170/, v.name);
    } else {
      assert.deepEqual(comparable(parseSlug(v.slug)), comparable(v.decoded_by_js_v4), v.name);
    }
  }
});

test('malformed slugs: exact errors from parseSlug', () => {
  const cases = [
    ['garbage', /^unknown object type 170 \(byte 1; version 129 knows 1, 2 or 3\)$/],
    ['', /^empty slug$/],
    ['  \n', /^empty slug$/],
    ['AAAA', /^unsupported version 0 \(byte 0; versions 1-4 are known\)$/],
    ['BAI=', /^truncated: field count needs 1 byte at offset 2, 0 remain$/],
    ['BA*=', /^base64: invalid character '\*' at 2$/],
    // Messages made of nested pieces (src/message.rs): a part naming its field, a JSON
    // error inside a slug error, a character shown as a code point.
    ['BAEBAQKq', /^truncated: field 1 \(object_id\) needs 16 bytes at offset 4, 2 remain$/],
    ['BAEAew==', /^JSON tail: unexpected end at byte 4$/],
    ['BAEAeyJhIjoB', /^JSON tail: unexpected character U\+0001 at byte 8$/],
    [42, /expects a string/],
  ];
  for (const [slug, re] of cases) {
    assert.throws(() => parseSlug(slug), (e) => e instanceof Error && re.test(e.message), String(slug));
  }
  assert.throws(() => parseSlug('garbage'), (e) => e.message.length > 10 && !/undefined/.test(e.message));
});

test('formatSlug: an unknown version is a clear Error', () => {
  assert.throws(() => formatSlug({ object_type: 1, object_id: 'x' }, { version: 5 }), /^Error: slug version must be 3 or 4, got 5$/);
});

test('malformed slugs: startSpan starts a fresh root, warns once per logger, never throws', () => {
  const logger = initLogger({ projectId: 'p', exporter: false, setCurrent: false });
  const bad = ['garbage', 'AAAA', '', 'BAI=', ...vectors.legacy_slugs.filter((v) => isError(v.decoded_by_js_v4)).map((v) => v.slug)];
  const [spans, warnings] = silenced(() => bad.map((slug) => logger.startSpan({ name: 'x', parent: slug })));
  for (const s of spans) {
    assert.deepEqual(s.spanParents, []);
    assert.match(s.rootSpanId, /^[0-9a-f]{32}$/);
    s.end();
  }
  assert.equal(warnings.length, 1, 'one warning');
  assert.match(warnings[0], /malformed slug/);
});

test('every decodable vector slug links a child (or starts a root under its object)', () => {
  const logger = initLogger({ projectId: 'p', exporter: false, setCurrent: false });
  for (const v of [...vectors.slugs.map((s) => ({ name: s.name, slug: s.js_v4.slug, d: s.js_v4.decoded_by_js_v4 })),
    ...vectors.legacy_slugs.map((s) => ({ name: s.name, slug: s.slug, d: s.decoded_by_js_v4 }))]) {
    if (isError(v.d)) continue;
    const child = logger.startSpan({ name: 'c', parent: v.slug });
    if (v.d.span_id) {
      assert.deepEqual(child.spanParents, [v.d.span_id], v.name);
      assert.equal(child.rootSpanId, v.d.root_span_id, v.name);
    } else {
      assert.deepEqual(child.spanParents, [], v.name);
    }
    // The child's slug names the parent's object.
    const back = parseSlug(child.export());
    assert.equal(back.object_type, v.d.object_type, v.name);
    assert.equal(back.object_id ?? null, v.d.object_id ?? null, v.name);
    assert.deepEqual(back.propagated_event ?? null, v.d.propagated_event ?? null, v.name);
    child.end();
  }
});

test('span.export() equals formatSlug of its own fields (V4 hex, V3 legacy)', () => {
  for (const legacyIds of [false, true]) {
    const logger = initLogger({ projectId: 'proj-id-123', legacyIds, exporter: false, setCurrent: false });
    const s = logger.startSpan({ name: 'x' });
    const fields = { object_type: 2, object_id: 'proj-id-123', row_id: s.id, span_id: s.spanId, root_span_id: s.rootSpanId };
    assert.equal(s.export(), formatSlug(fields, { version: legacyIds ? 3 : 4 }));
    s.end();
    assert.equal(s.export(), formatSlug(fields, { version: legacyIds ? 3 : 4 }), 'after end');
  }
});
