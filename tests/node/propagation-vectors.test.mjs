// Every `inject` vector of the Braintrust SDKs (braintrust-vectors.json) through the JS
// carrier writer: the span's propagation object (as Span._propagation() gives it) is
// written into the vector's carrier, and the headers must equal the JS SDK's, except
// where CONTRACT.md chooses otherwise (the row names the vector and the choice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import 'spanwire';

const { injectContext } = await import(new URL('../node_modules/spanwire/dist/carrier.js', import.meta.url));
const vectors = JSON.parse(readFileSync(new URL('../../../vectors/braintrust-vectors.json', import.meta.url), 'utf8'));

const TP = '00-0af7651916cd43dd8448eb211c80319c-c0ffee00c0ffee01-01';
const resolved = { traceparent: TP, braintrustParent: 'project_id:proj-id-123' };
const special = 'a,b c;d"e\\f%g+h!*\'()~é☕';
const py = (name) => vectors.inject.find((v) => v.name === name).py.headers;

// (vector, propagation, expected headers or 'js', reason)
const rows = [
  ['empty_carrier', resolved, 'js', 'span resumed from a resolved slug'],
  ['slug_parent_unresolved_object_id_no_baggage', { traceparent: TP }, 'js', 'no Braintrust parent known: no baggage'],
  ['logger_root_new_trace', { traceparent: '00-48ad16fd70f44f4b74745de8c44b53a9-c0ffee00c0ffee01-03', braintrustParent: 'project_id:proj-id-123' },
    (js) => ({ ...js, traceparent: '00-48ad16fd70f44f4b74745de8c44b53a9-c0ffee00c0ffee01-03' }),
    'CONTRACT Flags: a root we start sets the random bit (03); the JS SDK writes 01'],
  ['preserve_other_baggage_verbatim', resolved, 'js', 'carrier members relayed byte for byte, junk dropped, other headers kept'],
  ['replace_existing_bt_parent_and_title_case_keys', resolved, 'js', 'old bt replaced; Baggage/TraceParent case-variants replaced'],
  ['existing_tracestate_left_untouched_when_none_inbound', resolved, 'js', 'no inbound tracestate: the carrier\'s stays'],
  ['project_name_special_chars_encoding', { traceparent: TP, braintrustParent: `project_name:${special}` },
    () => py('project_name_special_chars_encoding'),
    'CONTRACT baggage: the stricter Python percent-encoding (!*\'() encoded), as the Python SDK writes'],
  ['experiment_parent', { traceparent: TP, braintrustParent: 'experiment_id:exp-1' }, 'js', 'experiment parent'],
  ['existing_64_members_reserve_slot', resolved, 'js', '64 carrier members: 63 + ours'],
  ['existing_over_8192_bytes', resolved, 'js', 'leading whole members within 8192 bytes with ours reserved'],
];

test('one row per inject vector, in file order', () => {
  assert.deepEqual(rows.map((r) => r[0]), vectors.inject.map((v) => v.name));
});

for (const [name, propagation, expected, reason] of rows) {
  test(`inject vector ${name}: ${reason}`, () => {
    const vector = vectors.inject.find((v) => v.name === name);
    const js = vector.js.headers;
    const want = expected === 'js' ? js : expected(js);
    for (const make of [(c) => ({ ...c }), (c) => new Map(Object.entries(c)), (c) => Object.entries(c)]) {
      const carrier = make(vector.carrier);
      const got = injectContext(carrier, propagation);
      assert.equal(got, carrier, 'the same carrier is returned');
      const entries = got instanceof Map ? [...got] : Array.isArray(got) ? got : Object.entries(got);
      assert.deepEqual(Object.fromEntries(entries), want);
      assert.equal(entries.length, Object.keys(want).length, 'one key per header');
    }
  });
}
