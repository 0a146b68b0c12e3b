// The README's browser example, as written: a relative exporter URL, a same-origin
// request from a span, and the spans sent when the page flushes. The query string may
// give other relative URLs (`?exporter=otel/v1/traces&fetch=api/buy`), for a page
// whose <base href> moves where they resolve, and `worker` runs the example in a
// module web worker (this same script), whose location stands for the page's.
import { initLogger } from 'spanwire';

/** The example; resolves with what the test checks. */
async function example(query) {
  const logger = initLogger({ serviceName: 'web', exporter: { url: query.get('exporter') ?? '/otel/v1/traces' } });
  const span = logger.startSpan({ name: 'click buy' });
  await span.fetch(query.get('fetch') ?? '/api/buy', { method: 'POST' });
  span.end();
  const report = await logger.flush();
  return { ok: true, report, traceId: span.rootSpanId, spanId: span.spanId };
}

const failed = (err) => ({ ok: false, error: String(err) });
const query = new URLSearchParams(location.search);

if (typeof document === 'undefined') {
  example(query).then(postMessage, (err) => postMessage(failed(err)));
} else {
  const out = document.getElementById('result');
  const show = (result) => {
    out.textContent = JSON.stringify(result);
    out.dataset.done = 'true';
  };
  if (query.has('worker')) {
    const worker = new Worker(new URL(`app.js${location.search}`, location.href), { type: 'module' });
    worker.onmessage = (e) => show(e.data);
    worker.onerror = (e) => show(failed(e.message));
  } else {
    example(query).then(show, (err) => show(failed(err)));
  }
}
