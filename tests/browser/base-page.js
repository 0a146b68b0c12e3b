// Relative URLs under a <base href="/sub/">: the exporter's and span.fetch's resolve
// as fetch resolves them, against the document's base URL, not the page's location.
import { initLogger } from 'spanwire';

const out = document.getElementById('result');
try {
  const logger = initLogger({ serviceName: 'web', exporter: { url: 'otel/v1/traces' } });
  const span = logger.startSpan({ name: 'click' });
  await span.fetch('api/buy', { method: 'POST' });
  span.end();
  const report = await logger.flush();
  out.textContent = JSON.stringify({ ok: true, report, traceId: span.rootSpanId });
} catch (err) {
  out.textContent = JSON.stringify({ ok: false, error: String(err) });
}
out.dataset.done = 'true';
