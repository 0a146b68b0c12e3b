// A Cloudflare Worker whose requests can hit a trap in the wasm module (the test
// export `__trap`, a trap with the recorder borrowed or not, as a bug would). Later
// requests in the same isolate must still work: the package instantiates the module
// again (pkg/src/instance.js), and keeps the spans queued before unless the trap left
// the recorder borrowed.
//   GET /trap?inRecorder=0|1          traps; answers with the Error
//   GET /                             extracts the inbound traceparent and records a span
//   GET /queue?url=<receiver>&name=N  ends a span named N in a module-scope logger
//   GET /flush?url=<receiver>         flushes that logger; answers with the report
//   GET /env                          whether this runtime has weak references, and how
//                                     many exporters hold spans to send
import { extractTraceContext, initLogger } from 'spanwire';
import { __trap, epoch } from 'spanwire-dist/instance.js';
import Exporter from 'spanwire-dist/exporter.js';

let queueLogger;

export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/env') {
        return Response.json({
          weakRef: typeof WeakRef === 'function',
          finalizationRegistry: typeof FinalizationRegistry === 'function',
          exportersWithWork: Exporter._withWorkCount(),
        });
      }
      if (url.pathname === '/queue' || url.pathname === '/flush') {
        // A long delay: only the flush sends.
        queueLogger ??= initLogger({
          serviceName: 'worker', setCurrent: false,
          exporter: { url: url.searchParams.get('url') }, batch: { delayMs: 60000 },
        });
        if (url.pathname === '/flush') return Response.json(await queueLogger.flush({ timeoutMs: 3000 }));
        queueLogger.startSpan({ name: url.searchParams.get('name') }).end();
        return Response.json(queueLogger.stats());
      }
      if (url.pathname === '/trap') {
        try {
          __trap(url.searchParams.get('inRecorder') !== '0');
        } catch (err) {
          return Response.json({ thrown: String(err), cause: err.cause?.constructor?.name, epoch });
        }
        return Response.json({ thrown: null, epoch });
      }
      const logger = initLogger({ serviceName: 'worker', exporter: false, setCurrent: false });
      const ctx = extractTraceContext(request.headers);
      const span = logger.startSpan({ name: 'handle', parent: ctx });
      span.end();
      return Response.json({ epoch, traceId: span.rootSpanId, traceparent: span.inject({}).traceparent });
    } catch (err) {
      return Response.json({ error: String(err), epoch }, { status: 500 });
    }
  },
};
