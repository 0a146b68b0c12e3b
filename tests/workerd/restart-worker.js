// A Cloudflare Worker whose first request hits a trap in the wasm module (the test
// export `__trapInRecorder`, a trap with the recorder borrowed, as a bug inside it
// would). Later requests in the same isolate must still work: the package
// instantiates the module again (pkg/src/instance.js).
import { extractTraceContext, initLogger } from 'spanwire';
import { __trapInRecorder, epoch } from 'spanwire-dist/instance.js';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/trap') {
        try {
          __trapInRecorder();
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
