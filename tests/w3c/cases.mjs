// The W3C Trace Context test suite (w3c/trace-context test/test.py, STRICT_LEVEL=2),
// reimplemented as a table: the official harness is Python and cannot be downloaded
// here, so each test method is one row with its name, the requests it makes (headers
// exactly as it sends them, in order, duplicates and casing included) and the checks
// it makes on our service's callbacks. Read from test.py (commit 00a91acf); its
// helpers are reproduced in w3c.test.mjs (get_traceparent, get_tracestate).
//
// A check receives { traceparent: { version, traceId, parentId, flags }, tracestate }
// where tracestate is the harness's Tracestate (Map, first key wins; `size`, `toString`).
// `strict` marks the methods test.py skips below STRICT_LEVEL 2.

const T = '12345678901234567890123456789012';
const tp = (flags = '01') => `00-${T}-1234567890123456-${flags}`;
const TP00 = `00-${T}-1234567890123456-00`;

const eq = (a, b, what) => { if (a !== b) throw new Error(`${what}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`); };
const ne = (a, b, what) => { if (a === b) throw new Error(`${what}: must not be ${JSON.stringify(b)}`); };
const ok = (cond, what) => { if (!cond) throw new Error(what); };
const keyError = (ts, key) => ok(!ts.has(key), `tracestate[${JSON.stringify(key)}] must raise KeyError; tracestate is ${ts}`);
const has = (ts, key, value) => { ok(ts.has(key), `${JSON.stringify(key)} in tracestate (${ts})`); eq(ts.get(key), value, `tracestate[${key}]`); };

const sameTrace = ({ traceparent }) => eq(traceparent.traceId, T, 'trace_id');
const newTrace = ({ traceparent }) => ne(traceparent.traceId, T, 'trace_id');
/** One request, one check: make_single_request_and_get_tracecontext. */
const single = (headers, check) => ({ headers, count: 1, check: ([r]) => check(r) });

const keyNoVendor = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
const keyVendor = keyNoVendor + '@a-z0-9_-*/';
const allValue = [[0x20, 0x2b], [0x2d, 0x3c], [0x3e, 0x7e]]
  .map(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => String.fromCharCode(a + i)).join('')).join('');
const bars = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => `bar${String(from + i).padStart(2, '0')}=${String(from + i).padStart(2, '0')}`).join(',');

/** (test.py class.method, strict, [requests]) */
export const CASES = [
  ['TraceContextTest.test_both_traceparent_and_tracestate_missing', false, [single([], () => {})]],
  ['TraceContextTest.test_traceparent_included_tracestate_missing', false, [
    single([['traceparent', tp()]], ({ traceparent }) => { eq(traceparent.traceId, T, 'trace_id'); ne(traceparent.parentId, '1234567890123456', 'parent_id'); }),
  ]],
  ['TraceContextTest.test_traceparent_duplicated', false, [
    single([['traceparent', `00-${T.slice(0, 31)}1-1234567890123456-01`], ['traceparent', tp()]], ({ traceparent }) => {
      ne(traceparent.traceId, `${T.slice(0, 31)}1`, 'trace_id');
      ne(traceparent.traceId, T, 'trace_id');
    }),
  ]],
  ['TraceContextTest.test_traceparent_header_name', false, [
    single([['trace-parent', tp()]], newTrace),
    single([['trace.parent', tp()]], newTrace),
  ]],
  ['TraceContextTest.test_traceparent_header_name_valid_casing', false, [
    single([['TraceParent', tp()]], sameTrace),
    single([['TrAcEpArEnT', tp()]], sameTrace),
    single([['TRACEPARENT', tp()]], sameTrace),
  ]],
  ['TraceContextTest.test_traceparent_version_0x00', false, [
    single([['traceparent', `${tp()}.`]], newTrace),
    single([['traceparent', `${tp()}-what-the-future-will-be-like`]], newTrace),
  ]],
  ['TraceContextTest.test_traceparent_version_0xcc', false, [
    single([['traceparent', `cc-${T}-1234567890123456-01`]], sameTrace),
    single([['traceparent', `cc-${T}-1234567890123456-01-what-the-future-will-be-like`]], sameTrace),
    single([['traceparent', `cc-${T}-1234567890123456-01.what-the-future-will-be-like`]], newTrace),
  ]],
  ['TraceContextTest.test_traceparent_version_0xff', false, [single([['traceparent', `ff-${T}-1234567890123456-01`]], newTrace)]],
  ['TraceContextTest.test_traceparent_version_illegal_characters', false, [
    single([['traceparent', `.0-${T}-1234567890123456-01`]], newTrace),
    single([['traceparent', `0.-${T}-1234567890123456-01`]], newTrace),
  ]],
  ['TraceContextTest.test_traceparent_version_too_long', false, [
    single([['traceparent', `000-${T}-1234567890123456-01`]], newTrace),
    single([['traceparent', `0000-${T}-1234567890123456-01`]], newTrace),
  ]],
  ['TraceContextTest.test_traceparent_version_too_short', false, [single([['traceparent', `0-${T}-1234567890123456-01`]], newTrace)]],
  ['TraceContextTest.test_traceparent_trace_id_all_zero', false, [
    single([['traceparent', `00-${'0'.repeat(32)}-1234567890123456-01`]], ({ traceparent }) => ne(traceparent.traceId, '0'.repeat(32), 'trace_id')),
  ]],
  ['TraceContextTest.test_traceparent_trace_id_illegal_characters', false, [
    single([['traceparent', `00-.${T.slice(1)}-1234567890123456-01`]], ({ traceparent }) => ne(traceparent.traceId, `.${T.slice(1)}`, 'trace_id')),
    single([['traceparent', `00-${T.slice(0, 31)}.-1234567890123456-01`]], ({ traceparent }) => ne(traceparent.traceId, `${T.slice(0, 31)}.`, 'trace_id')),
  ]],
  ['TraceContextTest.test_traceparent_trace_id_too_long', false, [
    single([['traceparent', `00-${T}3-1234567890123456-01`]], ({ traceparent }) => {
      ne(traceparent.traceId, `${T}3`, 'trace_id');
      ne(traceparent.traceId, T, 'trace_id');
      ne(traceparent.traceId, `${T.slice(1)}3`, 'trace_id');
    }),
  ]],
  ['TraceContextTest.test_traceparent_trace_id_too_short', false, [
    single([['traceparent', `00-${T.slice(0, 31)}-1234567890123456-01`]], ({ traceparent }) => ne(traceparent.traceId, T.slice(0, 31), 'trace_id')),
  ]],
  ['TraceContextTest.test_traceparent_parent_id_all_zero', false, [single([['traceparent', `00-${T}-0000000000000000-01`]], newTrace)]],
  ['TraceContextTest.test_traceparent_parent_id_illegal_characters', false, [
    single([['traceparent', `00-${T}-.234567890123456-01`]], newTrace),
    single([['traceparent', `00-${T}-123456789012345.-01`]], newTrace),
  ]],
  ['TraceContextTest.test_traceparent_parent_id_too_long', false, [single([['traceparent', `00-${T}-12345678901234567-01`]], newTrace)]],
  ['TraceContextTest.test_traceparent_parent_id_too_short', false, [single([['traceparent', `00-${T}-123456789012345-01`]], newTrace)]],
  ['TraceContextTest.test_traceparent_trace_flags_illegal_characters', false, [
    single([['traceparent', tp('.0')]], newTrace),
    single([['traceparent', tp('0.')]], newTrace),
  ]],
  ['TraceContextTest.test_traceparent_trace_flags_too_long', false, [single([['traceparent', tp('001')]], newTrace)]],
  ['TraceContextTest.test_traceparent_trace_flags_too_short', false, [single([['traceparent', tp('1')]], newTrace)]],
  ['TraceContextTest.test_traceparent_ows_handling', false, [
    single([['traceparent', ` ${tp()}`]], sameTrace),
    single([['traceparent', `\t${tp()}`]], sameTrace),
    single([['traceparent', `${tp()} `]], sameTrace),
    single([['traceparent', `${tp()}\t`]], sameTrace),
    single([['traceparent', `\t ${tp()} \t`]], sameTrace),
  ]],
  ['TraceContextTest.test_tracestate_included_traceparent_missing', false, [
    // Two requests; their tracestates must have the same length (both discarded).
    { headers: [['tracestate', 'foo=1']], count: 1, check: ([r], state) => { state.first = r.tracestate.size; } },
    { headers: [['tracestate', 'foo=1,bar=2']], count: 1, check: ([r], state) => eq(r.tracestate.size, state.first, 'len(tracestate1) == len(tracestate2)') },
  ]],
  ['TraceContextTest.test_tracestate_included_traceparent_included', false, [
    single([['traceparent', TP00], ['tracestate', 'foo=1,bar=2']], ({ traceparent, tracestate }) => {
      eq(traceparent.traceId, T, 'trace_id');
      has(tracestate, 'foo', '1');
      has(tracestate, 'bar', '2');
    }),
  ]],
  ['TraceContextTest.test_tracestate_header_name', false, [
    single([['traceparent', TP00], ['trace-state', 'foo=1']], ({ tracestate }) => keyError(tracestate, 'foo')),
    single([['traceparent', TP00], ['trace.state', 'foo=1']], ({ tracestate }) => keyError(tracestate, 'foo')),
  ]],
  ['TraceContextTest.test_tracestate_header_name_valid_casing', false, ['TraceState', 'TrAcEsTaTe', 'TRACESTATE'].map((name) =>
    single([['traceparent', TP00], [name, 'foo=1']], ({ tracestate }) => has(tracestate, 'foo', '1')))],
  ['TraceContextTest.test_tracestate_empty_header', false, [
    single([['traceparent', TP00], ['tracestate', '']], ({ traceparent, tracestate }) => {
      ok(tracestate.size === 0 || String(tracestate) !== '', 'not tracestate or tracestate != ""');
      eq(traceparent.traceId, T, 'trace_id');
    }),
    single([['traceparent', TP00], ['tracestate', 'foo=1'], ['tracestate', '']], ({ traceparent, tracestate }) => { eq(traceparent.traceId, T, 'trace_id'); has(tracestate, 'foo', '1'); }),
    single([['traceparent', TP00], ['tracestate', ''], ['tracestate', 'foo=1']], ({ traceparent, tracestate }) => { eq(traceparent.traceId, T, 'trace_id'); has(tracestate, 'foo', '1'); }),
  ]],
  ['TraceContextTest.test_tracestate_multiple_headers_different_keys', false, [
    single([['traceparent', TP00], ['tracestate', 'foo=1,bar=2'], ['tracestate', 'rojo=1,congo=2'], ['tracestate', 'baz=3']], ({ traceparent, tracestate }) => {
      eq(traceparent.traceId, T, 'trace_id');
      const s = String(tracestate);
      for (const m of ['foo=1', 'bar=2', 'rojo=1', 'congo=2', 'baz=3']) ok(s.includes(m), `${m} in ${s}`);
      ok(s.indexOf('foo=1') < s.indexOf('bar=2') && s.indexOf('bar=2') < s.indexOf('rojo=1')
        && s.indexOf('rojo=1') < s.indexOf('congo=2') && s.indexOf('congo=2') < s.indexOf('baz=3'), `order kept: ${s}`);
    }),
  ]],
  ['TraceContextTest.test_tracestate_duplicated_keys', true, [
    [['tracestate', 'foo=1,foo=1']], [['tracestate', 'foo=1,foo=2']],
    [['tracestate', 'foo=1'], ['tracestate', 'foo=1']], [['tracestate', 'foo=1'], ['tracestate', 'foo=2']],
  ].map((ts) => single([['traceparent', TP00], ...ts], ({ traceparent, tracestate }) => { eq(traceparent.traceId, T, 'trace_id'); keyError(tracestate, 'foo'); }))],
  ['TraceContextTest.test_tracestate_all_allowed_characters', false, [keyNoVendor, keyVendor].map((key) =>
    single([['traceparent', TP00], ['tracestate', `${key}=${allValue}`]], ({ tracestate }) => has(tracestate, key, allValue)))],
  ['TraceContextTest.test_tracestate_ows_handling', false, [
    single([['traceparent', TP00], ['tracestate', 'foo=1 \t , \t bar=2, \t baz=3']], ({ tracestate }) => { has(tracestate, 'foo', '1'); has(tracestate, 'bar', '2'); has(tracestate, 'baz', '3'); }),
    single([['traceparent', TP00], ['tracestate', 'foo=1\t \t,\t \tbar=2,\t \tbaz=3']], ({ tracestate }) => { has(tracestate, 'foo', '1'); has(tracestate, 'bar', '2'); has(tracestate, 'baz', '3'); }),
    ...[' foo=1', '\tfoo=1', 'foo=1 ', 'foo=1\t', '\t foo=1 \t'].map((v) =>
      single([['traceparent', TP00], ['tracestate', v]], ({ traceparent, tracestate }) => { eq(traceparent.traceId, T, 'trace_id'); has(tracestate, 'foo', '1'); })),
  ]],
  ['TraceContextTest.test_tracestate_key_illegal_characters', true, [['foo =1', 'foo '], ['FOO=1', 'FOO'], ['foo.bar=1', 'foo.bar']].map(([v, key]) =>
    single([['traceparent', TP00], ['tracestate', v]], ({ tracestate }) => keyError(tracestate, key)))],
  ['TraceContextTest.test_tracestate_key_illegal_vendor_format', true, ['foo@=1,bar=2', '@foo=1,bar=2', 'foo@@bar=1,bar=2', 'foo@bar@baz=1,bar=2'].map((v) =>
    single([['traceparent', TP00], ['tracestate', v]], ({ tracestate }) => keyError(tracestate, 'bar')))],
  ['TraceContextTest.test_tracestate_member_count_limit', true, [
    single([['traceparent', TP00], ['tracestate', bars(1, 10)], ['tracestate', bars(11, 20)], ['tracestate', bars(21, 30)], ['tracestate', bars(31, 32)]], ({ tracestate }) => {
      has(tracestate, 'bar01', '01');
      eq(tracestate.size, 32, 'len(tracestate)');
    }),
    single([['traceparent', TP00], ['tracestate', bars(1, 10)], ['tracestate', bars(11, 20)], ['tracestate', bars(21, 30)], ['tracestate', bars(31, 33)]], ({ tracestate }) => keyError(tracestate, 'bar01')),
  ]],
  ['TraceContextTest.test_tracestate_key_length_limit', true, [
    [`${'z'.repeat(256)}=1`, true], [`${'z'.repeat(257)}=1`, false],
    [`${'t'.repeat(241)}@${'v'.repeat(14)}=1`, true], [`${'t'.repeat(242)}@v=1`, false], [`t@${'v'.repeat(15)}=1`, false],
  ].map(([second, kept]) => single([['traceparent', TP00], ['tracestate', 'foo=1'], ['tracestate', second]], ({ tracestate }) =>
    (kept ? has(tracestate, 'foo', '1') : keyError(tracestate, 'foo'))))],
  ['TraceContextTest.test_tracestate_value_illegal_characters', true, [
    single([['traceparent', TP00], ['tracestate', 'foo=bar=baz']], ({ tracestate }) => keyError(tracestate, 'foo')),
    single([['traceparent', TP00], ['tracestate', 'foo=,bar=3']], ({ tracestate }) => { keyError(tracestate, 'foo'); keyError(tracestate, 'bar'); }),
  ]],
  ['AdvancedTest.test_multiple_requests_with_valid_traceparent', false, [
    { headers: [['traceparent', tp()]], count: 3, check: (rs) => {
      const traces = new Set(rs.map((r) => r.traceparent.traceId));
      eq(traces.size, 1, 'len(trace_ids)');
      ok(traces.has(T), 'the inbound trace id in trace_ids');
      eq(new Set(rs.map((r) => r.traceparent.parentId)).size, 3, 'len(parent_ids)');
    } },
  ]],
  ['AdvancedTest.test_multiple_requests_without_traceparent', false, [
    { headers: [], count: 3, check: (rs) => eq(new Set(rs.map((r) => r.traceparent.parentId)).size, 3, 'len(parent_ids)') },
  ]],
  ['AdvancedTest.test_multiple_requests_with_illegal_traceparent', false, [
    { headers: [['traceparent', `00-${'0'.repeat(32)}-1234567890123456-01`]], count: 3, check: (rs) => {
      ok(!rs.some((r) => r.traceparent.traceId === '0'.repeat(32)), 'no all-zero trace id');
      eq(new Set(rs.map((r) => r.traceparent.parentId)).size, 3, 'len(parent_ids)');
    } },
  ]],
];
