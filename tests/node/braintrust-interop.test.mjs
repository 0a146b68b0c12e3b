// Interop with the real Braintrust JS SDK (npm `braintrust` 3.35.0, a dev dependency
// at the repository root), run offline: any network attempt throws.
//   spanwire slug  -> Braintrust startSpan({ parent })  links to our span
//   Braintrust slug -> spanwire startSpan({ parent })    links to theirs
// in hex (default) and legacy UUID id modes; and our export() is the slug
// Braintrust's SpanComponentsV4/V3 writes for the same ids and object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as bt from 'braintrust';
import { SpanComponentsV3, SpanComponentsV4 } from 'braintrust/util';
import { initLogger } from 'spanwire';

const T = bt._exportsForTestingOnly;
const offline = async (url) => { throw new Error(`network disabled in tests: ${url}`); };
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function withBraintrust(legacy, fn) {
  const saved = process.env.BRAINTRUST_LEGACY_IDS;
  if (legacy) process.env.BRAINTRUST_LEGACY_IDS = 'true'; else delete process.env.BRAINTRUST_LEGACY_IDS;
  T.resetIdGenStateForTests();
  T.setInitialTestState();
  bt.setFetch(offline);
  await T.simulateLoginForTests();
  T.useTestBackgroundLogger();
  const logger = bt.initLogger({ apiKey: 'test-key', projectId: 'proj-id-123', projectName: 'proj', fetch: offline });
  try {
    await fn(logger);
  } finally {
    T.clearTestBackgroundLogger();
    if (saved === undefined) delete process.env.BRAINTRUST_LEGACY_IDS; else process.env.BRAINTRUST_LEGACY_IDS = saved;
    T.resetIdGenStateForTests();
  }
}

for (const legacyIds of [false, true]) {
  const mode = legacyIds ? 'legacy UUID ids' : 'hex ids';
  const idRe = legacyIds ? UUID : HEX16;
  const rootRe = legacyIds ? UUID : HEX32;

  test(`${mode}: a spanwire slug resumed by Braintrust links to our span`, async () => {
    await withBraintrust(legacyIds, async (btLogger) => {
      const ours = initLogger({ projectId: 'proj-id-123', legacyIds, exporter: false, setCurrent: false });
      const span = ours.startSpan({ name: 'ours' });
      assert.match(span.spanId, idRe);
      assert.match(span.rootSpanId, rootRe);
      const slug = span.export();
      const theirs = btLogger.startSpan({ name: 'theirs', parent: slug });
      assert.equal(theirs.rootSpanId, span.rootSpanId);
      assert.deepEqual(theirs.spanParents, [span.spanId]);
      assert.match(theirs.spanId, idRe, 'Braintrust uses its active format');
      // Braintrust decodes our slug to exactly our fields.
      const decoded = (legacyIds ? SpanComponentsV3 : SpanComponentsV4).fromStr(slug).data;
      assert.equal(decoded.object_id, 'proj-id-123');
      assert.equal(decoded.row_id, span.id);
      assert.equal(decoded.span_id, span.spanId);
      assert.equal(decoded.root_span_id, span.rootSpanId);
      theirs.end();
      span.end();
    });
  });

  test(`${mode}: a Braintrust slug resumed by spanwire links to their span`, async () => {
    await withBraintrust(legacyIds, async (btLogger) => {
      const theirs = btLogger.startSpan({ name: 'theirs' });
      const slug = await theirs.export();
      assert.match(theirs.spanId, idRe);
      const ours = initLogger({ projectId: 'other', legacyIds, exporter: false, setCurrent: false });
      const child = ours.startSpan({ name: 'ours', parent: slug });
      assert.equal(child.rootSpanId, theirs.rootSpanId);
      assert.deepEqual(child.spanParents, [theirs.spanId]);
      assert.match(child.spanId, idRe);
      // Our child is logged where their span is, and the chain continues back into Braintrust.
      const again = btLogger.startSpan({ name: 'grandchild', parent: child.export() });
      assert.equal(again.rootSpanId, theirs.rootSpanId);
      assert.deepEqual(again.spanParents, [child.spanId]);
      again.end();
      child.end();
      theirs.end();
    });
  });

  test(`${mode}: export() is byte-identical to Braintrust's SpanComponents for the same ids`, async () => {
    const Cls = legacyIds ? SpanComponentsV3 : SpanComponentsV4;
    for (const [options, object] of [
      [{ projectId: 'proj-id-123' }, { object_type: 2, object_id: 'proj-id-123' }],
      [{ experimentId: 'a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8d' }, { object_type: 1, object_id: 'a3b6c1c0-9a1e-4b8f-8c3d-2e4f5a6b7c8d' }],
      [{ projectName: 'Café ☕' }, { object_type: 2, compute_object_metadata_args: { project_name: 'Café ☕' } }],
    ]) {
      const logger = initLogger({ ...options, legacyIds, exporter: false, setCurrent: false });
      const root = logger.startSpan({ name: 'r' });
      const child = root.startSpan({ name: 'c' });
      for (const s of [root, child]) {
        const expected = new Cls({ ...object, row_id: s.id, span_id: s.spanId, root_span_id: s.rootSpanId }).toStr();
        assert.equal(s.export(), expected, JSON.stringify(options));
      }
      child.end();
      root.end();
    }
  });
}

test('an extracted W3C context from Braintrust inject() starts our child in the same trace', async () => {
  await withBraintrust(false, async (btLogger) => {
    const theirs = btLogger.startSpan({ name: 'theirs' });
    const headers = theirs.inject({});
    const ours = initLogger({ projectId: 'p', exporter: false, setCurrent: false });
    const child = ours.startSpan({ name: 'ours', parent: bt.extractTraceContextFromHeaders(headers) });
    assert.equal(child.rootSpanId, theirs.rootSpanId);
    assert.deepEqual(child.spanParents, [theirs.spanId]);
    const out = child.inject({});
    assert.match(out.traceparent, new RegExp(`^00-${theirs.rootSpanId}-${child.spanId}-01$`));
    assert.equal(out.baggage, 'braintrust.parent=project_id%3Aproj-id-123');
    // And back: Braintrust resumes from our headers.
    const back = btLogger.startSpan({ name: 'back', parent: bt.extractTraceContextFromHeaders(out) });
    assert.equal(back.rootSpanId, theirs.rootSpanId);
    assert.deepEqual(back.spanParents, [child.spanId]);
    back.end();
    child.end();
    theirs.end();
  });
});
