// The demo's edge tier: a Cloudflare Worker (run in workerd) instrumented with
// spanwire. `instrument` gives every request a server span under the caller's
// traceparent; the handler calls the Node origin twice, in parallel, with
// `tracedFetch` (one client span per call, headers injected because the origin is
// in `propagateTo`), and answers the page with what it got and the trace id.
import { instrument, tracedFetch } from 'spanwire';

function cors(env) {
  return {
    'access-control-allow-origin': env.PAGE_ORIGIN,
    // The browser sends the trace headers only to origins it was told to (propagateTo),
    // and a cross-origin request with them needs the Worker's consent:
    'access-control-allow-headers': 'traceparent, tracestate, baggage, content-type',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-max-age': '600',
    vary: 'origin',
  };
}

export default instrument(
  {
    async fetch(request, env, ctx, span) {
      // CORS preflights carry no trace context; `instrument` leaves them untraced.
      if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: cors(env) });
      const url = new URL(request.url);
      if (url.pathname !== '/api/checkout') return new Response('not found', { status: 404, headers: cors(env) });
      const sku = url.searchParams.get('sku') ?? '42';
      const [inventory, pricing] = await Promise.all([
        tracedFetch(span, `${env.ORIGIN_URL}/inventory?sku=${encodeURIComponent(sku)}`),
        tracedFetch(span, `${env.ORIGIN_URL}/pricing?sku=${encodeURIComponent(sku)}`),
      ]);
      const body = {
        traceId: span.rootSpanId,
        workerSpanId: span.spanId,
        inventory: await inventory.json(),
        pricing: await pricing.json(),
      };
      return Response.json(body, { headers: cors(env) });
    },
  },
  (env) => ({
    serviceName: 'demo-worker',
    exporter: { url: env.OTLP_URL, protocol: 'json' },
    // Trace headers go to our own origin service and nowhere else.
    propagateTo: [env.ORIGIN_URL],
    route: (request) => (new URL(request.url).pathname === '/api/checkout' ? '/api/checkout' : undefined),
  }),
);
