// Runtime integrations over HTTP: Workers, Node, browsers. See pkg/src/http.js.
import type { Logger, Span } from './span.cjs';

/**
 * One allowed destination for trace headers:
 * - a string: an absolute `http:`/`https:` origin (`'https://api.example.com'`, port
 *   included when not the default), optionally with a path prefix matched at a
 *   segment boundary (`'https://example.com/api'` allows `/api` and `/api/x`, not
 *   `/apix`); the keyword `'same-origin'` is the origin of the page or web worker
 *   the code runs in (browsers only);
 * - a RegExp, tested against the full URL (anchor it: `/^https:\/\/api\.example\.com\//`);
 * - a function of the parsed `URL` returning `true` to allow (a throw means no).
 *
 * @example
 * ```ts
 * import { propagationAllowed, type PropagationTarget } from 'spanwire';
 * const targets: PropagationTarget[] = [
 *   'https://api.example.com',                     // this origin, any path
 *   'https://example.com/api',                     // /api and /api/users, not /apix
 *   /^https:\/\/[a-z]+\.internal\.example\.com\//, // tested against the full URL
 *   (url) => url.protocol === 'https:' && url.hostname.endsWith('.example.net'),
 * ];
 * propagationAllowed('https://example.com/api/users', targets); // true
 * propagationAllowed('https://example.com/apix', targets);      // false
 * ```
 */
export type PropagationTarget = string | RegExp | ((url: URL) => boolean);

/**
 * Where trace headers (`traceparent`, `tracestate`, `baggage`) may be sent:
 * `true` for everywhere (not recommended), `false` for nowhere, or one or more
 * {@link PropagationTarget}s. When not configured: the page's (or web worker's) own
 * origin in a browser (`'same-origin'`) and nowhere on a server (Workers, Node).
 *
 * A request to a destination that is not allowed carries none of the three headers,
 * even ones the caller copied in (a proxy forwarding `request.headers` does not leak
 * the inbound trace). A redirect is checked hop by hop where spanwire can follow it
 * (see {@link tracedFetch}): with a `Request`'s own body, fetch follows it, and the
 * headers go on to where it points.
 *
 * @example
 * ```ts
 * import { configureHttp } from 'spanwire';
 * // Open propagation to your own APIs only:
 * configureHttp(logger, { propagateTo: ['https://api.example.com', /^https:\/\/[a-z]+\.internal\.example\.com\//] });
 * ```
 */
export type PropagateTo = boolean | PropagationTarget | PropagationTarget[];

/**
 * HTTP options of a logger's spans, set by {@link configureHttp}.
 *
 * @example
 * ```ts
 * import { configureHttp, initLogger, type HttpOptions } from 'spanwire';
 * const http: HttpOptions = { propagateTo: ['https://api.example.com'] };
 * const logger = configureHttp(initLogger({ serviceName: 'web' }), http);
 * ```
 */
export interface HttpOptions {
  /** Where `tracedFetch` from this logger's spans may send trace headers. */
  propagateTo?: PropagateTo;
}

/**
 * Sets the HTTP options of every span of `logger` (used by {@link tracedFetch} when a
 * call gives no `propagateTo` of its own). Throws a `TypeError` at once on a malformed
 * target. Returns the logger.
 *
 * @example
 * ```ts
 * import { initLogger, configureHttp } from 'spanwire';
 * const logger = configureHttp(initLogger({ serviceName: 'web' }), {
 *   propagateTo: ['same-origin', 'https://edge.example.com'],
 * });
 * ```
 */
export function configureHttp(logger: Logger, options?: HttpOptions): Logger;

/**
 * Whether trace headers may be sent to `url` (a string, a URL, or a `Request` by its
 * `url`) under `propagateTo` (the default when omitted). Relative URLs resolve against
 * the page in a browser. Only `http:` and
 * `https:` URLs are ever allowed. Throws a `TypeError` on a malformed target.
 *
 * @example
 * ```ts
 * import { propagationAllowed } from 'spanwire';
 * propagationAllowed('https://api.example.com/v1', ['https://api.example.com']);   // true
 * propagationAllowed('https://api.example.com.evil.io/', ['https://api.example.com']); // false
 * propagationAllowed('https://example.com/');                                       // false on a server
 * ```
 */
export function propagationAllowed(url: string | URL | { url: string }, propagateTo?: PropagateTo): boolean;

/**
 * Options of one {@link tracedFetch} call (or `span.fetch`).
 *
 * @example
 * ```ts
 * import { tracedFetch, type TracedFetchOptions } from 'spanwire';
 * const options: TracedFetchOptions = {
 *   name: 'load cart',                        // instead of 'GET'
 *   attributes: { 'cart.id': cartId },
 *   propagateTo: ['https://api.example.com'], // this call only
 * };
 * const res = await tracedFetch(span, `https://api.example.com/carts/${cartId}`, undefined, options);
 * ```
 */
export interface TracedFetchOptions {
  /** Where trace headers may go for this call; default: the logger's ({@link configureHttp}), else the runtime default. */
  propagateTo?: PropagateTo;
  /** The client span's name; default: the HTTP method (`'GET'`), as the semantic conventions say. */
  name?: string;
  /** Extra attributes of the client span. */
  attributes?: Record<string, unknown>;
  /** The fetch to call; default: `globalThis.fetch` at call time. */
  fetch?: typeof fetch;
}

/**
 * `fetch(input, init)` inside a client span (kind `client`), child of `span`. The
 * span records `http.request.method`, `url.full` (credentials and signed-URL query
 * values redacted), `server.address`, `server.port`, `http.response.status_code`,
 * and `error.type` with the error status on a status of 400 or more or a network
 * error (an `exception` event too). It ends when the response headers arrive.
 *
 * Trace headers carrying the client span's id (plus the trace's `tracestate` and
 * `baggage`) are injected only when the URL is allowed by `propagateTo`: they replace
 * the caller's `traceparent` and `tracestate`, and the caller's `baggage` members are
 * relayed with the trace's, as `span.inject` does. Otherwise none of `traceparent`,
 * `tracestate`, `baggage` is sent, not even the caller's. The caller's `init` is not
 * modified. With `span` undefined it is plain `fetch` under the same header rule.
 *
 * Redirects: in Node, Workers and Deno, a request sent with trace headers follows its
 * redirects itself (when `redirect` is `'follow'`, the default), so that each hop is
 * checked against `propagateTo` as the first was; fetch's own following would send
 * every header on to wherever a redirect points. A stream body in `init` goes once: a
 * redirect that turns the request into a GET drops it, one that keeps the method
 * fails, as in fetch. A `Request`'s own body (as `input` or `init`) leaves the
 * following to fetch, trace headers and all: where a redirect may leave the allowed
 * origins, pass the body in `init`, or handle redirects yourself
 * (`redirect: 'manual'`). Fetch's rules are kept: at most 20 redirects, 303 (and 301 or 302 after a
 * POST) become a GET without the body, credentials stay with their origin, and the
 * response has `redirected` and the final `url`. Browsers hide a redirect's target
 * from scripts, so there fetch follows it, and a cross-origin hop is a CORS request
 * that carries the trace headers only if that origin allows them.
 *
 * @example
 * ```ts
 * import { initLogger, tracedFetch } from 'spanwire';
 * const logger = initLogger({ serviceName: 'checkout' });
 * const span = logger.startSpan({ name: 'checkout' });
 * const res = await tracedFetch(span, 'https://api.example.com/cart', { method: 'POST', body: '{}' },
 *   { propagateTo: ['https://api.example.com'] });
 * span.end();
 * ```
 */
export function tracedFetch(
  span: Span | undefined | null,
  input: Request | string | URL,
  init?: RequestInit,
  options?: TracedFetchOptions,
): Promise<Response>;

/**
 * Minimal shape of a Node `http.IncomingMessage` (no dependency on `@types/node`): Node's
 * `req` fits, and so does any object with these fields (Express, Fastify's `request.raw`, a test).
 *
 * @example
 * ```ts
 * import { startServerSpan, type IncomingMessageLike } from 'spanwire';
 * const req: IncomingMessageLike = {
 *   method: 'GET',
 *   url: '/users/7',
 *   headers: { host: 'api.example.com', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
 * };
 * const span = startServerSpan(req, { logger, route: '/users/:id' }); // 'GET /users/:id', a child of the caller
 * ```
 */
export interface IncomingMessageLike {
  method?: string;
  url?: string;
  httpVersion?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { encrypted?: boolean; remoteAddress?: string; localAddress?: string; localPort?: number };
}

/**
 * Minimal shape of a Node `http.ServerResponse`: what `startServerSpan({ response })`
 * needs to end the span by itself.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { startServerSpan, type ServerResponseLike } from 'spanwire';
 * createServer((req, res) => {
 *   const response: ServerResponseLike = res; // Node's ServerResponse fits
 *   startServerSpan(req, { logger, response });
 *   res.end('ok'); // the span ends on 'finish', with http.response.status_code 200
 * });
 * ```
 */
export interface ServerResponseLike {
  statusCode: number;
  /** Whether the response has finished: a span started after that ends at once. */
  writableFinished?: boolean;
  /** Whether the connection is gone: a span started after that ends at once, with an error. */
  destroyed?: boolean;
  headersSent?: boolean;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Options of {@link startServerSpan}.
 *
 * @example
 * ```ts
 * import { startServerSpan, type ServerSpanOptions } from 'spanwire';
 * const options: ServerSpanOptions = {
 *   logger,
 *   route: (req) => (req.url?.startsWith('/users/') ? '/users/:id' : undefined),
 *   attributes: { tenant: 'acme' },
 *   response: res, // Node: the span ends when the response finishes
 * };
 * const span = startServerSpan(req, options);
 * ```
 */
export interface ServerSpanOptions {
  /** The logger; default: the current logger (the last `initLogger`). */
  logger?: Logger;
  /** The route template (`'/users/:id'`), or a function of the request giving it; sets `http.route` and the name. */
  route?: string | ((request: any) => string | undefined);
  /** The span name; default: `'<METHOD> <route>'`, or the method alone without a route (the semantic conventions' rule: a path may hold ids, and a name per id would flood a backend's span names). */
  name?: string;
  /** Extra attributes. */
  attributes?: Record<string, unknown>;
  /** Node: end the span by itself when this response finishes (or the connection closes first). */
  response?: ServerResponseLike;
  /** Sets the logger's `propagateTo` (see {@link configureHttp}). */
  propagateTo?: PropagateTo;
}

/**
 * Starts the server span (kind `server`) of an inbound request: a child of the
 * caller's `traceparent` when valid (its `tracestate` and `baggage` carried on),
 * otherwise a new trace. Takes a Fetch `Request` or a Node `http.IncomingMessage`.
 * Records `http.request.method`, `url.full`, `url.scheme`, `url.path`, `url.query`,
 * `server.address`, `server.port`, `http.route`, `user_agent.original`,
 * `client.address` and `network.protocol.version` where known.
 *
 * End it with {@link endServerSpan}, or pass `response` (Node) to end it on `finish`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { initLogger, startServerSpan, tracedFetch } from 'spanwire';
 * const logger = initLogger({ serviceName: 'origin', exporter: { url: 'http://127.0.0.1:4318/v1/traces' } });
 * createServer(async (req, res) => {
 *   const span = startServerSpan(req, { logger, response: res });
 *   const stock = await tracedFetch(span, 'http://inventory.internal/stock', undefined,
 *     { propagateTo: ['http://inventory.internal'] });
 *   res.end(await stock.text());
 * }).listen(8080, '127.0.0.1');
 * ```
 */
export function startServerSpan(request: Request | IncomingMessageLike, options?: ServerSpanOptions): Span;

/**
 * Ends a server span with the request's outcome: a `Response` (or any `{ status }`),
 * a status code, or the error the handler threw (recorded as an `exception` event).
 * Sets `http.response.status_code`; a 5xx status or an error sets the error status
 * (4xx does not: it is the client's error). A second call does nothing.
 *
 * @example
 * ```ts
 * const span = startServerSpan(request, { logger });
 * try {
 *   const response = await handle(request);
 *   endServerSpan(span, response);
 *   return response;
 * } catch (err) {
 *   endServerSpan(span, err);
 *   throw err;
 * }
 * ```
 */
export function endServerSpan(span: Span, outcome?: Response | { status: number } | number | unknown): void;

/**
 * The execution context Workers pass to `fetch` (Cloudflare's `ExecutionContext` fits).
 *
 * @example
 * ```ts
 * // Calling an instrumented Worker in a test: collect what it hands to waitUntil.
 * const pending: Promise<unknown>[] = [];
 * const ctx: ExecutionContextLike = { waitUntil: (promise) => void pending.push(promise) };
 * const response = await worker.fetch(new Request('https://example.com/'), env, ctx);
 * await Promise.all(pending); // the spans' flush
 * ```
 */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * A module Worker's fetch handler as you write it for {@link instrument}: given the
 * request's server span as a fourth argument, or `undefined` for a request `ignore`
 * leaves untraced (CORS preflights by default). `tracedFetch(span, …)` takes either. The handler may declare richer
 * parameter types than these runtime-neutral ones, such as `ctx: ExecutionContext`
 * and `request: Request<unknown, IncomingRequestCfProperties>` from
 * `@cloudflare/workers-types` (the parameters are compared as a method's, both ways).
 *
 * @example
 * ```ts
 * import { instrument, tracedFetch, type InstrumentedFetch } from 'spanwire';
 * interface Env { ORIGIN: string }
 * const handle: InstrumentedFetch<Env> = async (request, env, ctx, span) => {
 *   span?.setAttribute('app.path', new URL(request.url).pathname); // undefined for a preflight
 *   return tracedFetch(span, `${env.ORIGIN}/api`);
 * };
 * export default instrument({ fetch: handle }, { serviceName: 'edge' });
 * ```
 */
export type InstrumentedFetch<Env = any> = {
  // A method's signature, not a function type: under `strictFunctionTypes` a function
  // type's parameters must accept the base types (`ExecutionContextLike`), which
  // Cloudflare's `ExecutionContext` annotation would fail; a method's are bivariant.
  fetch(request: Request, env: Env, ctx: ExecutionContextLike, span: Span | undefined): Response | Promise<Response>;
}['fetch'];

/**
 * A module Worker's fetch handler as the Workers runtime calls it, `(request, env, ctx)`:
 * what {@link instrument} makes of an {@link InstrumentedFetch} (the span is started
 * inside, so there is no fourth argument). It fits the `fetch` of `ExportedHandler<Env>`
 * from `@cloudflare/workers-types`.
 *
 * @example
 * ```ts
 * import { instrument, type WorkerFetchHandler } from 'spanwire';
 * const fetchHandler: WorkerFetchHandler<Env> = instrument(async (request, env, ctx, span) => new Response('ok'));
 * const response = await fetchHandler(request, env, ctx);
 * ```
 */
export type WorkerFetchHandler<Env = any> = (request: Request, env: Env, ctx: ExecutionContextLike) => Promise<Response>;

/**
 * What {@link instrument} returns for `handler: H`: for a fetch function, a
 * {@link WorkerFetchHandler}; for a module Worker object, a copy of it (other handlers,
 * `scheduled`, `queue`, …, kept as they are) whose `fetch` is a {@link WorkerFetchHandler}.
 *
 * @example
 * ```ts
 * import { instrument, type InstrumentedWorker, type Span } from 'spanwire';
 * const handler = {
 *   async fetch(request: Request, env: Env, ctx: ExecutionContext, span: Span) { return new Response('ok'); },
 *   async scheduled(controller: ScheduledController, env: Env) { await cleanUp(env); },
 * };
 * const worker: InstrumentedWorker<typeof handler, Env> = instrument(handler);
 * await worker.fetch(request, env, ctx); // three arguments, as the runtime calls it
 * export default worker satisfies ExportedHandler<Env>;
 * ```
 */
export type InstrumentedWorker<H, Env = any> = H extends (...args: any[]) => unknown
  ? WorkerFetchHandler<Env>
  : Omit<H, 'fetch'> & { fetch: WorkerFetchHandler<Env> };

/**
 * Configuration of {@link instrument}: a logger or the `initLogger` options to make one, plus HTTP options.
 *
 * @example
 * ```ts
 * import { instrument, type InstrumentConfig } from 'spanwire';
 * interface Env { ORIGIN: string; OTLP_URL: string }
 * const config = (env: Env): InstrumentConfig<Env> => ({
 *   serviceName: 'edge',                 // initLogger options: serviceName, exporter, batch, …
 *   exporter: { url: env.OTLP_URL },
 *   propagateTo: [env.ORIGIN],
 *   route: (request) => (new URL(request.url).pathname.startsWith('/users/') ? '/users/:id' : undefined),
 *   ignore: (request) => new URL(request.url).pathname === '/health',
 * });
 * export default instrument(handler, config);
 * ```
 */
export interface InstrumentConfig<Env = any> {
  /** The logger, or a function of `env` making it; default: `initLogger(<the other options>)`, which also becomes the current logger. */
  logger?: Logger | ((env: Env) => Logger);
  /** Where `tracedFetch` from the handler may send trace headers; default: nowhere. */
  propagateTo?: PropagateTo;
  /** The route template (`'/users/:id'`), or a function of the request giving it; default: none (the name is the method alone). */
  route?: string | ((request: Request) => string | undefined);
  /** The server span's name; default: `'<METHOD> <route>'`, or the method alone without a route, as the semantic conventions say. */
  name?: (request: Request) => string;
  /** Requests to leave untraced (the handler still runs); default: CORS preflights. */
  ignore?: (request: Request) => boolean;
  /** Extra attributes of every server span. */
  attributes?: Record<string, unknown>;
  /** Any other key is an `initLogger` option (`serviceName`, `exporter`, `batch`, `projectName`, …). */
  [initLoggerOption: string]: unknown;
}

/**
 * Wraps a module Worker so that every request runs in a server span: the inbound
 * context is extracted, the span (named `'<METHOD> <route>'` or `'<METHOD>'`, with the HTTP
 * semantic-convention attributes) is passed to the handler as a fourth argument and
 * through {@link getRequestSpan}; the status code is recorded; a thrown exception is
 * recorded with the error status and rethrown; `logger.flush()` is handed to
 * `ctx.waitUntil`, so spans leave after the response. Work the handler hands to
 * `ctx.waitUntil` is waited for, and the spans it ends are flushed too (the handler's
 * `ctx` passes it on as before). Other handlers (`scheduled`, `queue`, …) are kept as
 * they are.
 *
 * It returns the Worker as the runtime calls it, `fetch(request, env, ctx)` (see
 * {@link InstrumentedWorker}), which fits `ExportedHandler<Env>` of `@cloudflare/workers-types`.
 *
 * `config` may be a function of `env`, called once per isolate on the first request
 * (Workers only give `env` to handlers). CORS preflights are not traced by default.
 *
 * @example
 * ```ts
 * import { instrument, tracedFetch } from 'spanwire';
 *
 * export default instrument({
 *   async fetch(request, env, ctx, span) {
 *     return tracedFetch(span, `${env.ORIGIN}/api`, { headers: { accept: 'application/json' } });
 *   },
 * }, (env) => ({
 *   serviceName: 'edge',
 *   exporter: { url: env.OTLP_URL },
 *   propagateTo: [env.ORIGIN],            // headers go to our origin, nowhere else
 * }));
 * ```
 */
export function instrument<H extends { fetch: InstrumentedFetch<Env> } | InstrumentedFetch<Env>, Env = any>(
  handler: H,
  config?: InstrumentConfig<Env> | ((env: Env) => InstrumentConfig<Env>),
): InstrumentedWorker<H, Env>;

/**
 * The server span {@link instrument} started for `request` (for code that receives the
 * request but not the span), or `undefined`.
 *
 * @example
 * ```ts
 * import { getRequestSpan, tracedFetch } from 'spanwire';
 * async function loadUser(request: Request, id: string) {
 *   return tracedFetch(getRequestSpan(request), `https://users.internal/${id}`);
 * }
 * ```
 */
export function getRequestSpan(request: Request): Span | undefined;

/**
 * Options of {@link patchGlobalFetch}.
 *
 * @example
 * ```ts
 * import { patchGlobalFetch, type PatchGlobalFetchOptions, type Span } from 'spanwire';
 * let current: Span | undefined; // a page that runs one flow at a time
 * const options: PatchGlobalFetchOptions = { getSpan: () => current, propagateTo: ['https://api.example.com'] };
 * const unpatch = patchGlobalFetch(options);
 * ```
 */
export interface PatchGlobalFetchOptions {
  /** The span the current code runs in, or `undefined` (then `fetch` is the original, untouched). */
  getSpan: () => Span | undefined | null;
  /** Where trace headers may go; default: each span's logger's ({@link configureHttp}), else the runtime default. */
  propagateTo?: PropagateTo;
}

/**
 * Opt-in: replaces `globalThis.fetch` so that every call made while `getSpan()`
 * returns a span runs as {@link tracedFetch} under it (a client span, headers only to
 * allowed targets). Calls without a span, and the span's own exporter requests, go
 * to the original `fetch` untouched. Returns `unpatch()`, which restores it. Throws
 * when already patched.
 *
 * Workers and browsers cannot tell which request's span is "current" by themselves
 * (a Worker isolate serves requests concurrently), so you say how: a variable in a
 * single-flow page, or an `AsyncLocalStorage` under `nodejs_als` in Workers and Node.
 *
 * @example
 * ```ts
 * import { AsyncLocalStorage } from 'node:async_hooks';
 * import { instrument, patchGlobalFetch, type Span } from 'spanwire';
 *
 * const als = new AsyncLocalStorage<Span>();
 * patchGlobalFetch({ getSpan: () => als.getStore() });
 *
 * export default instrument({
 *   fetch(request, env, ctx, span) {
 *     return als.run(span, () => fetch(`${env.ORIGIN}/api`)); // traced, headers injected
 *   },
 * }, (env) => ({ serviceName: 'edge', propagateTo: [env.ORIGIN] }));
 * ```
 */
export function patchGlobalFetch(options: PatchGlobalFetchOptions): () => void;
