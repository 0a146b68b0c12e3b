// A Worker that traces each request with initLogger, answers at once, and hands
// logger.flush() to ctx.waitUntil: delivery happens after the response.
//   GET /?url=<receiver>&protocol=json|protobuf&n=<spans>[&timeoutMs=<ms>]   records n
//        spans (a server span continuing the inbound traceparent, and n - 1 children),
//        answers with their ids and the logger's stats at answer time; timeoutMs is the
//        request timeout (default 300)
//   GET /rejections   unhandled promise rejections seen in this isolate
import { initLogger, extractTraceContext } from 'spanwire';

const loggers = new Map();
const rejections = [];
addEventListener('unhandledrejection', (event) => rejections.push(String(event.reason?.stack ?? event.reason)));

// One logger per receiver and protocol, kept across requests as a module-scope logger would be.
function loggerFor(url, protocol, timeoutMs) {
  const key = `${protocol} ${timeoutMs} ${url}`;
  let logger = loggers.get(key);
  if (logger === undefined) {
    logger = initLogger({
      projectId: 'proj-worker',
      serviceName: 'edge',
      exporter: { url, protocol },
      // A long delay: only the flush handed to waitUntil (and full batches) send.
      batch: { delayMs: 60000, maxBatchSize: 5, timeoutMs, initialBackoffMs: 20, maxBackoffMs: 100, maxRetries: 8 },
      setCurrent: false,
    });
    loggers.set(key, logger);
  }
  return logger;
}

export default {
  async fetch(request, env, ctx) {
    const q = new URL(request.url).searchParams;
    if (new URL(request.url).pathname === '/rejections') return Response.json(rejections);
    const logger = loggerFor(q.get('url'), q.get('protocol') ?? 'json', Number(q.get('timeoutMs') ?? 300));
    const n = Number(q.get('n') ?? 6);
    const root = logger.startSpan({ name: 'handle', kind: 'server', parent: extractTraceContext(request.headers) });
    root.setAttributes({ 'http.request.method': request.method, 'spans.count': n, tag: q.get('tag') ?? '' });
    const spans = [];
    for (let i = 1; i < n; i++) {
      const step = root.startSpan({ name: `step-${i}` });
      step.log({ input: { i }, output: i * 2, metadata: { tag: q.get('tag') ?? '' } });
      step.end();
      spans.push({ spanId: step.spanId, parent: step.spanParents[0], name: `step-${i}` });
    }
    root.end();
    spans.unshift({ spanId: root.spanId, parent: root.spanParents[0], name: 'handle' });
    const stats = logger.stats();
    ctx.waitUntil(logger.flush({ timeoutMs: 5000 }));
    return Response.json({ traceId: root.rootSpanId, spans, stats });
  },
};
