// A trap in the wasm module, in a page: the package instantiates the module again
// (pkg/src/instance.js) on the page's main thread, and ids, extract and spans
// exported to the page's origin work after it. `__trap(false)` traps outside the
// recorder, as a bug in a parser would: the span queued before it is kept and sent.
// `__trap(true)` then traps with the recorder borrowed, as a bug inside it would: the
// span queued before that one is lost, and counted as dropped.
import { extractTraceContext, initLogger, newTraceId } from 'spanwire';
import { __trap, epoch } from 'spanwire-dist/instance.js';

function caught(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

async function run() {
  const logger = initLogger({ serviceName: 'web', exporter: { url: '/otel/v1/traces' } });
  logger.startSpan({ name: 'queued' }).end();
  const before = logger.startSpan({ name: 'before' });
  before.spanId; // begun in the first instance
  const error = caught(() => __trap(false));
  const ctx = extractTraceContext({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
  const span = logger.startSpan({ name: 'after', parent: ctx });
  span.end();
  before.end();
  const report = await logger.flush();
  logger.startSpan({ name: 'lost' }).end();
  const lostError = caught(() => __trap(true));
  const lostReport = await logger.flush();
  return {
    ok: true,
    message: error?.message,
    cause: error?.cause?.constructor?.name,
    lostMessage: lostError?.message,
    epoch,
    traceId: newTraceId(),
    extracted: ctx?.traceId,
    spanTrace: span.rootSpanId,
    report,
    lostReport,
  };
}

const out = document.getElementById('result');
run().then(
  (result) => { out.textContent = JSON.stringify(result); },
  (err) => { out.textContent = JSON.stringify({ ok: false, error: String(err) }); },
).finally(() => { out.dataset.done = 'true'; });
