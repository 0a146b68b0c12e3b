// Type-checked by tests/node/types.test.mjs with `--module nodenext`: a CommonJS module
// by its .cts extension, so `require('spanwire')` resolves through the `require`
// condition (dist/spanwire.cjs) and must find CommonJS types there. Never run.
import spanwire = require('spanwire');

export function job(request: Request): number {
  const logger: spanwire.Logger = spanwire.initLogger({ serviceName: 'jobs', exporter: false });
  const span: spanwire.Span = logger.startSpan({ name: 'job', parent: request.headers.get('x-bt-parent') });
  const ctx: spanwire.TraceContext | undefined = spanwire.extractTraceContext(request.headers);
  const options: spanwire.StartSpanOptions = { name: 'child', parent: ctx ?? null };
  spanwire.startSpan(options).end();
  void spanwire.tracedFetch(span, new URL('https://api.example.com/'));
  void span.fetch(new Request('https://api.example.com/'));
  span.end();
  return span.spanParents.length + spanwire.newTraceId().length;
}

// The require entry exports every value the import entry exports, with the same types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Esm = typeof import('spanwire', { with: { 'resolution-mode': 'import' } });
export const sameNames: Same<keyof Esm, keyof typeof spanwire> = true;
export const sameTypes: Same<Esm, typeof spanwire> = true;
