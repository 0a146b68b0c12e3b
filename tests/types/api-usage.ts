// Uses the whole span/logger API; type-checked with `tsc --strict` against the
// installed package by tests/node/types.test.mjs: as is with `moduleResolution: bundler`,
// and copied to .mts (the `import` types) and .cts (the `require` types) with
// `module: nodenext`. Never run.
import {
  initLogger, currentLogger, startSpan, traced, flush, parseSlug, formatSlug,
  extractTraceContext, injectTraceContext, TraceContext, Span, Logger,
} from 'spanwire';
import type {
  LoggerOptions, StartSpanOptions, LogEvent, StartSpanEvent, SpanStatus, SlugFields, SpanParent, AttributeValue, SpanKindName,
  FlushReport, ExportStats,
} from 'spanwire';

export async function usage(request: Request): Promise<Response> {
  const options: LoggerOptions = {
    projectName: 'checkout',
    projectId: 'proj-id',
    experimentId: undefined,
    serviceName: 'api',
    resourceAttributes: { 'deployment.environment': 'prod', replicas: 3, canary: false, zones: ['a', 'b'] },
    legacyIds: false,
    sampleRate: 0.5,
    exporter: { url: 'http://127.0.0.1:4318/v1/traces', headers: { 'x-a': 'b' }, protocol: 'protobuf', compression: 'gzip' },
    apiKey: 'sk-test',
    batch: { maxQueueSize: 100, maxQueueBytes: 8 << 20, maxBatchSize: 10, maxBatchBytes: 1 << 20, delayMs: 0, timeoutMs: 1000, maxRetries: 1 },
    setCurrent: true,
  };
  const logger: Logger = initLogger(options);
  initLogger({ exporter: false });
  const same: Logger = currentLogger();
  const parent: SpanParent = extractTraceContext(request.headers) ?? request.headers.get('x-bt-parent') ?? undefined;
  const hop: TraceContext | undefined = extractTraceContext(request.headers)?.child();
  const forwarded: Record<string, string> = hop ? injectTraceContext(hop.child()) : {};
  void forwarded;
  const kind: SpanKindName = 'server';
  const start: StartSpanOptions = { name: 'request', parent, type: 'task', attributes: { a: 1 }, startTime: Date.now() / 1000, kind };
  const span: Span = logger.startSpan(start);
  const ids: string[] = [span.id, span.spanId, span.rootSpanId, ...span.spanParents];
  const flags: number = span.traceFlags;
  const flagsOk: boolean = span.sampled && !span.ended;
  const event: LogEvent = {
    input: { q: 1 }, output: 'x', expected: 'y', error: new Error('e'),
    metadata: { m: 1 }, metrics: { tokens: 3 }, scores: { acc: 0.5, exact: true }, tags: ['t'], span_attributes: { type: 'llm' },
  };
  span.log(event);
  const startEvent: StartSpanEvent = { ...event, id: 'row-1' };
  logger.startSpan({ name: 'row', event: startEvent }).end();
  const value: AttributeValue = { nested: [1, 'two', true] };
  span.setAttributes({ 'http.method': 'GET', code: 200, ok: true, value }).setAttribute('k', 'v');
  span.addEvent('evt', { n: 1 }, new Date());
  const status: SpanStatus = { code: 'error', message: 'boom' };
  span.setStatus(status);
  const child: Span = span.startSpan({ name: 'child' });
  const n: number = span.traced((c: Span) => c.spanParents.length, { name: 'sync' });
  const s: string = await span.traced(async () => 'async');
  const slug: string = child.export();
  const fields: SlugFields = parseSlug(slug);
  const again: string = formatSlug(fields, { version: 3 });
  const headers: Headers = child.inject(new Headers());
  const plain: Record<string, string> = child.inject();
  const endedAt: number = child.end(Date.now() / 1000);
  span.end();
  const rootSpan: Span = startSpan({ name: 'module-level', parent: slug });
  rootSpan.end();
  // No parent: undefined or null (an absent header), both a new trace.
  const orphan: Span = startSpan({ name: 'no parent', parent: null });
  const maybe: Span = logger.startSpan({ name: 'maybe', parent: request.headers.get('x-bt-parent') });
  const nullParent: SpanParent = null;
  const n2: number = logger.traced((sp) => sp.spanParents.length, { name: 'traced', parent: nullParent });
  orphan.end();
  maybe.end();
  const t: number = traced((sp) => sp.traceFlags, { name: 'module' });
  const report: FlushReport = await flush({ timeoutMs: 1000 });
  const report2: FlushReport = await logger.flush();
  const stats: ExportStats = same.stats();
  const traced2: Promise<number> = logger.traced(async (sp) => sp.spanParents.length);
  void [ids, flags, flagsOk, n, n2, s, again, plain, endedAt, t, report, report2, stats, traced2];
  return new Response(null, { headers });
}

// @ts-expect-error: log takes an object
export const bad1 = (sp: Span) => sp.log('text');
// @ts-expect-error: unknown status code
export const bad2 = (sp: Span) => sp.setStatus({ code: 'fine' });
// @ts-expect-error: sampleRate is a number
export const bad3 = () => initLogger({ sampleRate: 'all' });
// @ts-expect-error: a byte bound is a number
export const badBytes = () => initLogger({ batch: { maxQueueBytes: '32MB' } });
// @ts-expect-error: protocol is json or protobuf
export const bad4 = () => initLogger({ exporter: { protocol: 'xml' } });
// @ts-expect-error: a span's children take no parent
export const bad5 = (sp: Span) => sp.startSpan({ parent: 'x' });
