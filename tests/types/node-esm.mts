// Type-checked by tests/node/types.test.mjs with `--module nodenext` (the default of
// `tsc --init`): an ES module by its .mts extension, so 'spanwire' resolves through the
// `import` condition, and without the DOM lib (tests/types/node-globals.d.ts stands in
// for @types/node's fetch globals). Never run.
import {
  extractTraceContext, initLogger, newSpanId, newTraceId, propagationAllowed, startServerSpan, startSpan, traced,
  tracedFetch,
  type IncomingMessageLike, type ServerResponseLike, type Span, type SpanParent, type TraceContext,
} from 'spanwire';

declare const req: IncomingMessageLike;
declare const res: ServerResponseLike;

export async function handle(request: Request): Promise<number> {
  const logger = initLogger({ serviceName: 'origin', exporter: false });
  const server: Span = startServerSpan(req, { logger, response: res, route: '/users/:id' });

  // No parent: undefined, or null (what `headers.get` gives for an absent header).
  const none: SpanParent = null;
  const root: Span = startSpan({ name: 'root', parent: none });
  const fromHeader: Span = logger.startSpan({ name: 'slug', parent: request.headers.get('x-bt-parent') });
  const ctx: TraceContext | undefined = extractTraceContext(req.headers);
  const fromContext: Span = startSpan({ name: 'ctx', parent: ctx ?? null });
  const n: number = traced((span) => span.spanParents.length, { name: 'traced', parent: null });

  // fetch inputs as Node types them: string, URL or Request.
  const a: Response = await tracedFetch(server, new Request('https://api.example.com/a'));
  const b: Response = await tracedFetch(server, new URL('https://api.example.com/b'), { method: 'POST', body: '{}' });
  const c: Response = await server.fetch('https://api.example.com/c', undefined, { propagateTo: ['https://api.example.com'] });
  const d: Response = await server.fetch(new Request('https://api.example.com/d'));
  const allowed: boolean = propagationAllowed(new URL('https://api.example.com/'), ['https://api.example.com']);

  for (const span of [root, fromHeader, fromContext, server]) span.end();
  return a.status + b.status + c.status + d.status + n + (allowed ? 1 : 0) + newTraceId().length + newSpanId().length;
}
