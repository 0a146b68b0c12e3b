// The README's browser example, as written: a relative exporter URL, a same-origin
// request from a span, and the spans sent when the page flushes. The query string may
// give other relative URLs (`?exporter=otel/v1/traces&fetch=api/buy`), for a page
// whose <base href> moves where they resolve.
import { initLogger } from 'spanwire';

const out = document.getElementById('result');
try {
  const query = new URLSearchParams(location.search);
  const logger = initLogger({ serviceName: 'web', exporter: { url: query.get('exporter') ?? '/otel/v1/traces' } });
  const span = logger.startSpan({ name: 'click buy' });
  await span.fetch(query.get('fetch') ?? '/api/buy', { method: 'POST' });
  span.end();
  const report = await logger.flush();
  out.textContent = JSON.stringify({ ok: true, report, traceId: span.rootSpanId, spanId: span.spanId });
} catch (err) {
  out.textContent = JSON.stringify({ ok: false, error: String(err) });
}
out.dataset.done = 'true';
