// The README's browser example, as written: a relative exporter URL, a same-origin
// request from a span, and the spans sent when the page flushes.
import { initLogger } from 'spanwire';

const out = document.getElementById('result');
try {
  const logger = initLogger({ serviceName: 'web', exporter: { url: '/otel/v1/traces' } });
  const span = logger.startSpan({ name: 'click buy' });
  await span.fetch('/api/buy', { method: 'POST' });
  span.end();
  const report = await logger.flush();
  out.textContent = JSON.stringify({ ok: true, report, traceId: span.rootSpanId, spanId: span.spanId });
} catch (err) {
  out.textContent = JSON.stringify({ ok: false, error: String(err) });
}
out.dataset.done = 'true';
