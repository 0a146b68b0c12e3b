// 'propagation': the usage of the harness's size/otel-propagation.mjs, written with
// spanwire (W3C traceparent, tracestate and baggage read from headers and written
// back). The .wasm is whole: one module serves every API.
import { extractTraceContext, injectTraceContext } from '../pkg/dist/entry-browser.js';

export { extractTraceContext };
export function inject(context, headers) {
  return injectTraceContext(context, headers);
}
