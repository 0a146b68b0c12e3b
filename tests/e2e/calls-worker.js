// A Worker under test, built with `instrument`: /two calls two downstream URLs in one
// request; /leak forwards the inbound headers to a host that is not allowed;
// /redirect calls an allowed host that redirects to one that is not; /background ends
// a span in work handed to ctx.waitUntil, after the response; /throw throws;
// /503 answers 503. Spans go to the test's receiver.
import { instrument, tracedFetch, getRequestSpan } from 'spanwire';

export default instrument(
  {
    async fetch(request, env, ctx, span) {
      const path = new URL(request.url).pathname;
      if (getRequestSpan(request) !== span) return new Response('getRequestSpan disagrees', { status: 500 });
      if (path === '/two') {
        const a = await tracedFetch(span, `${env.DOWN}/a`);
        const b = await tracedFetch(span, `${env.DOWN}/b`, { method: 'POST', body: 'x' });
        return Response.json({ a: a.status, b: b.status, serverSpanId: span.spanId });
      }
      if (path === '/leak') {
        const r = await tracedFetch(span, `${env.THIRD}/leak`, { headers: request.headers });
        return Response.json({ status: r.status });
      }
      if (path === '/redirect') {
        const r = await tracedFetch(span, `${env.DOWN}/to-third`);
        return Response.json({ status: r.status, redirected: r.redirected, url: r.url });
      }
      if (path === '/background') {
        // Work that outlives the response, handed to waitUntil, ending a span of its own.
        ctx.waitUntil((async () => {
          await new Promise((r) => setTimeout(r, 100));
          span.startSpan({ name: 'background job' }).end();
        })());
        return new Response('accepted', { status: 202 });
      }
      if (path === '/throw') throw new TypeError('boom from the handler');
      if (path === '/503') return new Response('busy', { status: 503 });
      return new Response('not found', { status: 404 });
    },
  },
  (env) => ({
    serviceName: 'calls-worker',
    exporter: { url: env.OTLP_URL, protocol: 'json' },
    batch: { delayMs: 60_000 }, // only the requests' own flushes send spans
    propagateTo: [env.DOWN],
    // /two has a route and is named after it; the other paths are named by method alone.
    route: (request) => (new URL(request.url).pathname === '/two' ? '/two' : undefined),
  }),
);
