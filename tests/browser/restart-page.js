// A trap in the wasm module, in a page: the package instantiates the module again
// (pkg/src/instance.js) on the page's main thread, and ids, extract and spans
// exported to the page's origin work after it. `__trap(true)` traps with the
// recorder borrowed, as a bug inside it would.
import { extractTraceContext, initLogger, newTraceId } from 'spanwire';
import { __trap, epoch } from 'spanwire-dist/instance.js';

async function run() {
  const logger = initLogger({ serviceName: 'web', exporter: { url: '/otel/v1/traces' } });
  const before = logger.startSpan({ name: 'before' });
  before.spanId; // begun in the first instance
  let error;
  try {
    __trap(true);
  } catch (e) {
    error = e;
  }
  const ctx = extractTraceContext({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
  const span = logger.startSpan({ name: 'after', parent: ctx });
  span.end();
  before.end();
  const report = await logger.flush();
  return {
    ok: true,
    message: error?.message,
    cause: error?.cause?.constructor?.name,
    epoch,
    traceId: newTraceId(),
    extracted: ctx?.traceId,
    spanTrace: span.rootSpanId,
    report,
  };
}

const out = document.getElementById('result');
run().then(
  (result) => { out.textContent = JSON.stringify(result); },
  (err) => { out.textContent = JSON.stringify({ ok: false, error: String(err) }); },
).finally(() => { out.dataset.done = 'true'; });
