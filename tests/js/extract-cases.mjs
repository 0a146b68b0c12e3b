// extractTraceContext cases (and the baggage an extracted context forwards) shared by
// the Node test and the workerd Worker. In Node the header values reach wasm memory
// through TextEncoder.encodeInto; in workerd and browsers, values up to 160 characters
// are copied by a character loop (pkg/src/wire.js writeAsciiPair). Both paths must
// give the same contexts, non-ASCII input included.
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const TP = `00-${TRACE}-${SPAN}-01`;
const LONG = Array.from({ length: 20 }, (_, i) => `vendor${i}=value${i}`).join(','); // > 160 chars

/** `{ name, headers, expect }`: `expect` is null for no parent. */
export const EXTRACT_CASES = [
  { name: 'canonical', headers: { traceparent: TP, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' } },
  { name: 'spaces and tabs around both values', headers: { traceparent: ` \t${TP} `, tracestate: ' rojo=1 \t' },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: 'rojo=1' } },
  { name: 'no tracestate', headers: { traceparent: `00-${TRACE}-${SPAN}-00` },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 0, tracestate: undefined } },
  { name: 'empty tracestate', headers: { traceparent: TP, tracestate: '' },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: undefined } },
  { name: 'non-ASCII (Latin-1) tracestate: dropped, the parent kept', headers: { traceparent: TP, tracestate: 'rojo=é' },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: undefined } },
  { name: 'tracestate with a character above U+00FF', headers: { traceparent: TP, tracestate: 'rojo=☕' },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: undefined } },
  { name: 'non-ASCII traceparent: no parent', headers: { traceparent: TP.replace('4bf9', '4bfé'), tracestate: 'rojo=1' },
    expect: null },
  { name: 'traceparent with a character that truncates to a hex digit as a byte', headers: { traceparent: TP.replace('4bf9', '4bf\u0139'), tracestate: 'rojo=1' },
    expect: null },
  { name: 'tracestate longer than the character loop copies', headers: { traceparent: TP, tracestate: LONG },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: LONG } },
  { name: 'long non-ASCII tracestate', headers: { traceparent: TP, tracestate: `${LONG},x=é` },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: undefined } },
  { name: 'invalid traceparent', headers: { traceparent: 'garbage', tracestate: 'rojo=1' }, expect: null },
  // The baggage a context forwards: as received (no decode), trimmed, cut to a valid
  // member, non-ASCII, with the Braintrust parent last, and longer than the loop copies.
  { name: 'baggage forwarded as received', headers: { traceparent: TP, baggage: 'userId=alice,serverNode=DF%2028' },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: undefined, baggage: 'userId=alice,serverNode=DF%2028' } },
  { name: 'baggage with spaces and a bad member', headers: { traceparent: TP, baggage: ' userId=alice , bad member,k=v' },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: undefined, baggage: 'userId=alice,k=v' } },
  { name: 'non-ASCII baggage', headers: { traceparent: TP, baggage: 'city=Zürich' },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: undefined, baggage: 'city=Zürich' } },
  { name: 'baggage with a Braintrust parent', headers: { traceparent: TP, baggage: 'braintrust.parent=project_id%3Aabc,k=v' },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: undefined, baggage: 'k=v,braintrust.parent=project_id%3Aabc' } },
  { name: 'baggage longer than the character loop copies', headers: { traceparent: TP, baggage: LONG },
    expect: { traceId: TRACE, spanId: SPAN, traceFlags: 1, tracestate: undefined, baggage: LONG } },
];

/**
 * What a test compares: the context's ids and flags, and the tracestate and (when
 * there is one) baggage it forwards.
 */
export function summarize(ctx, injectTraceContext) {
  if (ctx === undefined) return null;
  const out = injectTraceContext(ctx, {});
  const summary = { traceId: ctx.traceId, spanId: ctx.spanId, traceFlags: ctx.traceFlags, tracestate: out.tracestate };
  if (out.baggage !== undefined) summary.baggage = out.baggage;
  return summary;
}
