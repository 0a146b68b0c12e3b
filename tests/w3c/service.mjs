// The W3C Trace Context test-suite service (w3c/trace-context test/README.md), built on
// spanwire's public API and shared by the Node server and the Worker:
//
//   POST <service>  headers: the harness's traceparent/tracestate (any case, repeated)
//                   body:    [{ "url": <callback>, "arguments": [...] }, ...]
//
// For each element the service POSTs `arguments` (JSON) to `url` from a new child span
// of the request's span, which continues the inbound trace (a fresh root when the
// inbound traceparent is missing or invalid).
//
// `api` is the spanwire module (passed in so that the Node test and the Worker bundle
// each use the package as installed); `headers` is whatever carrier the runtime gives.
export async function handle(api, headers, body) {
  const actions = Array.isArray(body) ? body : body == null ? [] : [body];
  const server = api.startSpan({ name: 'w3c-test', parent: api.extractTraceContext(headers) });
  try {
    const results = [];
    for (const action of actions) {
      const call = api.startSpan({ name: 'callback', parent: server });
      try {
        const res = await fetch(action.url, {
          method: 'POST',
          headers: call.inject({ 'content-type': 'application/json', accept: 'application/json' }),
          body: JSON.stringify(action.arguments ?? []),
        });
        results.push(res.status);
        await res.arrayBuffer();
      } finally {
        call.end();
      }
    }
    return results;
  } finally {
    server.end();
  }
}
