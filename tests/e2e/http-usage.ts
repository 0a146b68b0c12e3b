// Type-checked by tests/e2e/types.test.mjs with tsc --strict against the installed
// package: every public name of the HTTP integrations, used as documented.
import {
  configureHttp, endServerSpan, getRequestSpan, initLogger, instrument, patchGlobalFetch, propagationAllowed,
  startServerSpan, tracedFetch,
  type InstrumentConfig, type PropagateTo, type Span, type TracedFetchOptions,
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
void s1;
void client;

let current: Span | undefined;
const unpatch: () => void = patchGlobalFetch({ getSpan: () => current, propagateTo: ['https://api.example.com'] });
current = s2;
unpatch();
