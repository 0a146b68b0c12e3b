// Type-checked by tests/e2e/types.test.mjs with tsc --strict against the installed
// package: every public name of the HTTP integrations, used as documented.
import {
  configureHttp, endServerSpan, getRequestSpan, initLogger, instrument, patchGlobalFetch, propagationAllowed,
  startServerSpan, tracedFetch,
  type InstrumentConfig, type InstrumentedFetch, type PropagateTo, type Span, type TracedFetchOptions, type WorkerFetchHandler,
} from 'spanwire';

const logger = configureHttp(initLogger({ serviceName: 'web' }), {
  propagateTo: ['same-origin', 'https://api.example.com', /^https:\/\/[a-z]+\.example\.com\//, (u: URL) => u.port === '8443'],
});
const targets: PropagateTo = ['https://api.example.com/v1'];
const allowed: boolean = propagationAllowed('https://api.example.com/v1/x', targets) && propagationAllowed(new URL('https://a.b/'));
void allowed;

async function client(span: Span): Promise<number> {
  const options: TracedFetchOptions = { propagateTo: false, name: 'load cart', attributes: { cart: 1 } };
  const a: Response = await tracedFetch(span, 'https://api.example.com/cart', { method: 'POST', body: '{}' }, options);
  const b: Response = await tracedFetch(undefined, new URL('https://x.example/'));
  const c: Response = await tracedFetch(span, new Request('https://api.example.com/'));
  return a.status + b.status + c.status;
}

interface Env { ORIGIN: string; OTLP_URL: string }
const config = (env: Env): InstrumentConfig<Env> => ({
  serviceName: 'edge',
  exporter: { url: env.OTLP_URL },
  propagateTo: [env.ORIGIN],
  route: (request: Request) => new URL(request.url).pathname,
});
export default instrument<{ fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, span: Span): Promise<Response> }, Env>({
  async fetch(request, env, _ctx, span) {
    const same: Span | undefined = getRequestSpan(request);
    void same;
    return tracedFetch(span, `${env.ORIGIN}/api`);
  },
}, config);

// Node-style and Fetch-style server spans.
declare const req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> };
declare const res: { statusCode: number; once(event: 'finish' | 'close', listener: () => void): unknown };
const s1: Span = startServerSpan(req, { logger, response: res, route: '/users/:id' });
const s2: Span = startServerSpan(new Request('https://example.com/x'), { logger, name: 'custom' });
endServerSpan(s2, new Response('ok'));
endServerSpan(s2, 503);
endServerSpan(s2, new Error('boom'));
endServerSpan(s2);
configureHttp(logger);
const viaRequest: boolean = propagationAllowed(new Request('https://a.b/'), targets);
void viaRequest;
export const fixedRoute = instrument({ fetch: () => new Response('ok') }, { route: '/health' });
const numericKind: Span = logger.startSpan({ name: 'consume', kind: 4 });
numericKind.end();
void s1;
void client;

// A module Worker as @cloudflare/workers-types types it (not a dependency: the shapes that
// matter, declared as that package declares them). The runtime calls fetch(request, env, ctx).
interface ExecutionContext {
  waitUntil(promise: Promise<any>): void;
  passThroughOnException(): void;
  readonly props: unknown;
}
interface ScheduledController { readonly scheduledTime: number; readonly cron: string }
type ExportedHandlerFetchHandler<E> = (request: Request, env: E, ctx: ExecutionContext) => Response | Promise<Response>;
type ExportedHandlerScheduledHandler<E> = (controller: ScheduledController, env: E, ctx: ExecutionContext) => void | Promise<void>;
interface ExportedHandler<E> { fetch?: ExportedHandlerFetchHandler<E>; scheduled?: ExportedHandlerScheduledHandler<E> }

// As Cloudflare's templates write it: ctx typed as ExecutionContext, other handlers kept.
export const worker = instrument({
  async fetch(request: Request, env: Env, ctx: ExecutionContext, span: Span): Promise<Response> {
    ctx.passThroughOnException();
    return tracedFetch(span, `${env.ORIGIN}${new URL(request.url).pathname}`);
  },
  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    void [controller.cron, env.ORIGIN];
  },
}, config) satisfies ExportedHandler<Env>;

const handle: InstrumentedFetch<Env> = async (request, env, ctx, span) => {
  ctx.waitUntil(Promise.resolve());
  return tracedFetch(span, `${env.ORIGIN}/${request.method}`);
};

// What the runtime (or a test) does: three arguments.
export async function callWorker(request: Request, env: Env, ctx: ExecutionContext): Promise<number> {
  const a: Response = await worker.fetch(request, env, ctx);
  await worker.scheduled({ scheduledTime: 0, cron: '*/5 * * * *' }, env);
  const fn: WorkerFetchHandler<Env> = instrument(handle, config);
  const b: Response = await fn(request, env, ctx);
  const asExported: ExportedHandlerFetchHandler<Env> = instrument(
    async (req: Request, e: Env, c: ExecutionContext, span: Span) => {
      c.passThroughOnException();
      return tracedFetch(span, new Request(`${e.ORIGIN}${new URL(req.url).pathname}`));
    },
  );
  const c: Response = await asExported(request, env, ctx);
  const d: Response = await (instrument({ fetch: handle }) satisfies ExportedHandler<Env>).fetch(request, env, ctx);
  return a.status + b.status + c.status + d.status;
}

let current: Span | undefined;
const unpatch: () => void = patchGlobalFetch({ getSpan: () => current, propagateTo: ['https://api.example.com'] });
current = s2;
unpatch();
