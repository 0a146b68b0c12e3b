// The same package through `require` (the CommonJS build).
const { test } = require('node:test');
const assert = require('node:assert/strict');

test('require("spanwire") gives a working module', async () => {
  const spanwire = require('spanwire');
  assert.equal(typeof spanwire.newTraceId, 'function');
  const { checkBothIdKinds } = await import('../js/id-checks.mjs');
  const [trace, span] = checkBothIdKinds(spanwire.newTraceId, spanwire.newSpanId);
  console.log(`  chi-square pooled trace ${trace.chi2Pooled.toFixed(2)}, span ${span.chi2Pooled.toFixed(2)}`);
});

test('require and import load separate instances that both work', async () => {
  const cjs = require('spanwire');
  const esm = await import('spanwire');
  assert.match(cjs.newSpanId(), /^[0-9a-f]{16}$/);
  assert.match(esm.newSpanId(), /^[0-9a-f]{16}$/);
});
