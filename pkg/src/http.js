// Runtime integrations over HTTP: server spans for Workers (`instrument`) and Node
// (`startServerSpan`), client spans with injected headers (`tracedFetch`), and the
// propagation targets that decide where trace headers may go.
//
// Safety first: trace headers (`traceparent`, `tracestate`, `baggage`) carry ids and
// baggage members a third party has no business seeing. They are written only to
// origins the user allows (`propagateTo`). Defaults: the page's own origin in a
// browser, nothing on a server (Workers, Node) until configured. A request to a
// target that is not allowed also loses any of those headers the caller copied in
// (a Worker proxying `request.headers` must not leak the inbound trace).
//
// Attribute names follow the OpenTelemetry HTTP semantic conventions (stable, v1.23+):
// http.request.method, url.full, url.scheme, url.path, url.query, server.address,
// server.port, http.route, user_agent.original, client.address,
// network.protocol.version, http.response.status_code, error.type.
import { extractTraceContext } from './propagation.js';
import { fetchBase } from './base-url.js';
import * as spans from './span.js';

const TRACE_HEADERS = ['traceparent', 'tracestate', 'baggage'];
/** The W3C Trace Context headers: a span's own, never relayed from a carrier. */
const TRACE_CONTEXT_HEADERS = ['traceparent', 'tracestate'];

// ---------------------------------------------------------------------------------
// Propagation targets

/** The origin of the page or web worker the code runs in, otherwise undefined. */
function pageOrigin() {
  try {
    // A page's location, or a web worker's (WorkerLocation, the script's origin); Node
    // and Cloudflare Workers have none.
    const o = globalThis.location?.origin;
    return typeof o === 'string' && o && o !== 'null' ? o : undefined;
  } catch {
    // a cross-origin or detached location: no page origin
  }
  return undefined;
}

/** `propagateTo` when none is configured: same origin in browsers, nothing elsewhere. */
function defaultPropagateTo() {
  return pageOrigin() !== undefined ? 'same-origin' : false;
}

function invalidTarget(value, why) {
  let shown;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    shown = typeof value;
  }
  return new TypeError(`spanwire: propagateTo: ${shown} ${why}`);
}

/** One target as a test on a parsed URL. */
function compileTarget(target) {
  if (typeof target === 'function') {
    return (url) => {
      try {
        return target(url) === true;
      } catch {
        return false; // a throwing predicate never opens propagation
      }
    };
  }
  if (target instanceof RegExp) {
    return (url) => {
      target.lastIndex = 0; // `g` and `y` flags keep state between tests
      return target.test(url.href);
    };
  }
  if (typeof target === 'string') {
    if (target === 'same-origin') {
      return (url) => {
        const origin = pageOrigin();
        return origin !== undefined && url.origin === origin;
      };
    }
    let parsed;
    try {
      parsed = new URL(target);
    } catch {
      throw invalidTarget(target, "is not an absolute URL (write 'https://api.example.com' or a RegExp)");
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw invalidTarget(target, 'must be an http: or https: URL');
    }
    if (parsed.username || parsed.password || parsed.search || parsed.hash) {
      throw invalidTarget(target, 'must be an origin, optionally with a path prefix (no credentials, query or fragment)');
    }
    const origin = parsed.origin;
    const path = parsed.pathname;
    if (path === '/') return (url) => url.origin === origin;
    // A path prefix matches at a segment boundary: '/api' allows '/api' and '/api/x', not '/apix'.
    const dir = path.endsWith('/') ? path : `${path}/`;
    const exact = path.endsWith('/') ? path.slice(0, -1) : path;
    return (url) => url.origin === origin && (url.pathname === exact || url.pathname.startsWith(dir));
  }
  throw invalidTarget(target, "is not a string, RegExp or function (use true to allow every origin)");
}

/**
 * Compiled `propagateTo` values: `{ test, entries }`, `entries` a copy of an array's
 * targets, so that an array changed since (filled from `env` on a Worker's first
 * request, say) is compiled again rather than tested by its old targets.
 */
const compiled = new WeakMap();

function sameEntries(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `propagateTo` as one test on a parsed URL; throws a TypeError on a malformed target. */
function compilePropagateTo(propagateTo) {
  if (propagateTo === undefined) propagateTo = defaultPropagateTo();
  if (propagateTo === true) return () => true;
  if (propagateTo === false || propagateTo === null) return () => false;
  const isArray = Array.isArray(propagateTo);
  const keyed = typeof propagateTo === 'object' || typeof propagateTo === 'function';
  const cached = keyed ? compiled.get(propagateTo) : undefined;
  if (cached !== undefined && (!isArray || sameEntries(cached.entries, propagateTo))) return cached.test;
  const list = isArray ? Array.from(propagateTo) : [propagateTo]; // a hole is an undefined target: refused
  const tests = list.map(compileTarget);
  const test = (url) => {
    for (let i = 0; i < tests.length; i++) if (tests[i](url)) return true;
    return false;
  };
  if (keyed) compiled.set(propagateTo, { test, entries: list });
  return test;
}

/** The URL a request goes to, resolved against the page in a browser; undefined when unparsable. */
function requestUrl(input) {
  let href;
  if (typeof input === 'string') href = input;
  else if (input instanceof URL) return input;
  else if (input !== null && typeof input === 'object' && typeof input.url === 'string') href = input.url;
  else if (input !== null && input !== undefined) href = String(input);
  if (href === undefined) return undefined;
  try {
    return new URL(href, pageOrigin() !== undefined ? fetchBase() : undefined);
  } catch {
    return undefined;
  }
}

/**
 * Whether trace headers may be sent to `url` under `propagateTo` (the default when
 * undefined: the page's origin in a browser, no origin elsewhere). Only http: and
 * https: URLs are ever allowed. Throws a TypeError on a malformed target.
 */
export function propagationAllowed(url, propagateTo) {
  const test = compilePropagateTo(propagateTo);
  const parsed = requestUrl(url);
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return false;
  return test(parsed);
}

// Per-logger HTTP settings (`propagateTo`), set by `configureHttp`, `instrument` and
// `startServerSpan`, read by `tracedFetch` through the span's logger.
const loggerSettings = new WeakMap();

/**
 * Sets the HTTP options of every span of `logger`: where `tracedFetch` (and
 * `span.fetch`) may send trace headers. Validates the targets at once.
 */
export function configureHttp(logger, options = {}) {
  if (logger === null || typeof logger !== 'object') throw new TypeError('configureHttp: pass a Logger from initLogger');
  if (options === null || typeof options !== 'object') throw new TypeError('configureHttp: options must be an object');
  const settings = { ...(loggerSettings.get(logger) ?? {}) };
  if ('propagateTo' in options) {
    compilePropagateTo(options.propagateTo); // fail now, not at the first request
    settings.propagateTo = options.propagateTo;
  }
  loggerSettings.set(logger, settings);
  return logger;
}

function settingsOf(span) {
  const logger = span?._logger;
  return logger !== undefined && logger !== null ? loggerSettings.get(logger) : undefined;
}

// ---------------------------------------------------------------------------------
// Attributes

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);
// Query parameters the semantic conventions say to redact (signed-URL secrets).
const SECRET_PARAMS = new Set(['awsaccesskeyid', 'signature', 'sig', 'x-goog-signature']);

/** `http.request.method` (and `_original` when not a known method), per the conventions. */
function methodAttributes(method, attributes) {
  const upper = method.toUpperCase();
  if (KNOWN_METHODS.has(upper)) {
    attributes['http.request.method'] = upper;
    if (upper !== method) attributes['http.request.method_original'] = method;
  } else {
    attributes['http.request.method'] = '_OTHER';
    attributes['http.request.method_original'] = method;
  }
  // Span names use the method, or `HTTP` when it is not a known one (conventions).
  return upper === attributes['http.request.method'] ? upper : 'HTTP';
}

/** A query (`?…`, or '') with the values of signed-URL parameters REDACTED. */
function redactedQuery(search) {
  if (!search) return '';
  let changed = false;
  const params = new URLSearchParams(search);
  for (const key of [...params.keys()]) {
    if (SECRET_PARAMS.has(key.toLowerCase())) {
      params.set(key, 'REDACTED');
      changed = true;
    }
  }
  return changed ? `?${params}` : search;
}

/** The URL without credentials (REDACTED) or the values of signed-URL query parameters. */
function redactedUrl(url) {
  const creds = url.username || url.password ? 'REDACTED:REDACTED@' : '';
  return `${url.protocol}//${creds}${url.host}${url.pathname}${redactedQuery(url.search)}${url.hash}`;
}

function defaultPort(protocol) {
  return protocol === 'https:' ? 443 : protocol === 'http:' ? 80 : undefined;
}

function urlAttributes(url, attributes, server) {
  attributes['url.full'] = redactedUrl(url);
  attributes['server.address'] = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : defaultPort(url.protocol);
  if (port !== undefined) attributes['server.port'] = port;
  if (server) {
    attributes['url.scheme'] = url.protocol.slice(0, -1);
    attributes['url.path'] = url.pathname;
    const q = redactedQuery(url.search);
    if (q) attributes['url.query'] = q.slice(1);
  }
}

function errorName(err) {
  try {
    if (err instanceof Error) return err.name || 'Error';
    if (err !== null && typeof err === 'object' && typeof err.name === 'string' && err.name) return err.name;
  } catch {
    // fall through
  }
  return '_OTHER';
}

/**
 * `text` with every URL in it redacted as `url.full` is (credentials, signed-URL query
 * values): fetch's errors quote the URL they were given ("…includes credentials:
 * http://user:pass@…", "Failed to parse URL from …?sig=…").
 */
function redactUrlsIn(text) {
  if (typeof text !== 'string' || !text.includes('://')) return text;
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, (found) => {
    try {
      return redactedUrl(new URL(found));
    } catch {
      // Not a URL the parser takes: its userinfo by pattern, its query as a URL's is.
      const userless = found.replace(/\/\/[^/?#@\s]*@/, '//REDACTED:REDACTED@');
      const q = userless.indexOf('?');
      return q < 0 ? userless : userless.slice(0, q) + redactedQuery(userless.slice(q));
    }
  });
}

/** Records `err` on `span` as an OpenTelemetry `exception` event and an error status. Never throws. */
function recordException(span, err) {
  try {
    const type = errorName(err);
    let message;
    try {
      message = redactUrlsIn(err instanceof Error ? err.message : String(err));
    } catch {
      message = 'unprintable error';
    }
    const event = { 'exception.type': type, 'exception.message': message };
    if (err instanceof Error && typeof err.stack === 'string') event['exception.stacktrace'] = redactUrlsIn(err.stack);
    span.addEvent('exception', event);
    span.setAttributes({ 'error.type': type });
    span.setStatus({ code: 'error', message: `${type}: ${message}` });
  } catch {
    // recording must never replace the user's error
  }
}

// ---------------------------------------------------------------------------------
// Client spans

/**
 * The arguments of `fetch(input, init)` with `headers` instead of the caller's. A
 * Request passed as `init` (`fetch(url, request)`, as Workers proxies do) keeps its
 * method, body, redirect mode and signal: they are getters, which a spread would drop.
 */
function withHeaders(input, init, headers) {
  if (isRequest(init) && typeof Request === 'function') return [new Request(input, init), { headers }];
  return [input, { ...init, headers }];
}

function isRequest(input) {
  if (typeof Request === 'function' && input instanceof Request) return true;
  return input !== null && typeof input === 'object' && typeof input.url === 'string' &&
    typeof input.method === 'string' && typeof input.headers === 'object';
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Fetch's limit on redirects. */
const MAX_REDIRECTS = 20;
/** Headers fetch drops when a redirect turns the request into a GET without a body. */
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type'];
/** Headers that do not follow a redirect to another origin (fetch drops Authorization; Node's fetch, all three). */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
/**
 * Whether `redirect: 'manual'` answers with the redirect itself, its `Location`
 * readable, as in Node, Workers and Deno. Browsers answer with an opaque response, so
 * there fetch follows redirects itself; a cross-origin hop is then a CORS request of
 * its own, which carries the trace headers only if that origin allows them.
 */
const READABLE_REDIRECTS = typeof globalThis.process?.versions?.node === 'string' ||
  globalThis.navigator?.userAgent === 'Cloudflare-Workers' || typeof globalThis.Deno === 'object';

/** Whether fetch can send `body` again (a redirect keeping the method sends it twice). */
function resendable(body) {
  return body === undefined || body === null || typeof body === 'string' || body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) || body instanceof URLSearchParams ||
    (typeof Blob === 'function' && body instanceof Blob) || (typeof FormData === 'function' && body instanceof FormData);
}

/**
 * Whether `tracedFetch` follows this request's redirects itself: it does where it can
 * read them (READABLE_REDIRECTS), when the caller left `redirect` at `'follow'`, and
 * unless the body is a `Request`'s own, as `input` or as `init` (a hop that turns into
 * a GET could not be made from it without its body). A stream in `init` goes once: a
 * redirect that turns the request into a GET drops it, one that keeps the method
 * fails, as in fetch.
 */
function followsItself(input, init, request) {
  if (!READABLE_REDIRECTS) return false;
  const mode = init?.redirect ?? (request ? input.redirect : undefined) ?? 'follow';
  if (mode !== 'follow') return false;
  const hasBody = (r) => r.body !== null && r.body !== undefined;
  // fetch sends a Request's own body unless init gives one.
  if (request && hasBody(input) && (init?.body === undefined || init.body === null)) return false;
  return !(isRequest(init) && hasBody(init));
}

/** A redirect fetch refuses, shaped as Node's fetch rejects: `TypeError('fetch failed')` with the reason as its cause. */
function failed(reason) {
  return new TypeError('fetch failed', { cause: new Error(reason) });
}

/**
 * `fetch` following redirects by fetch's rules, so that `hop(url, headers)` can set
 * each hop's trace headers: fetch's own following sends every header but
 * Authorization to wherever a redirect points, `propagateTo` or not. Rules kept: at
 * most 20 redirects; 303 (and 301 or 302 after a POST) turns the request into a GET
 * without its body; another origin gets no credentials; the body is sent again
 * otherwise; the response reads `redirected` and the final `url`. Each redirect's
 * body is discarded.
 */
async function fetchFollowing(doFetch, input, init, request, url, headers, hop) {
  let [target, options] = withHeaders(input, init, headers);
  options = { ...options, redirect: 'manual' };
  // A Request's other options (Workers' `cf`, `keepalive`, `credentials`, …) go on
  // through each hop's Request; a plain init's through its spread, over the Request's
  // as on the first hop (Node's `dispatcher` among them: a proxy is kept on every hop).
  const base = request ? input : isRequest(init) ? init : undefined;
  const rest = isRequest(init) ? undefined : init;
  let method = String(init?.method ?? (request ? input.method : 'GET'));
  let body = init?.body;
  const signal = init?.signal ?? (request ? input.signal : undefined);
  for (let redirects = 0; ; redirects++) {
    const response = await doFetch.call(globalThis, target, options);
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (location === null) {
      if (redirects > 0) {
        try {
          Object.defineProperty(response, 'redirected', { value: true });
          const final = new URL(url);
          final.hash = ''; // a response's URL has no fragment
          Object.defineProperty(response, 'url', { value: final.href });
        } catch {
          // A runtime whose Response does not take them: the response is still right.
        }
      }
      return response;
    }
    try {
      await response.body?.cancel();
    } catch {
      // Nothing to release.
    }
    if (redirects === MAX_REDIRECTS) throw failed('redirect count exceeded');
    let next;
    try {
      next = new URL(location, url);
    } catch {
      throw failed(`the redirect location ${JSON.stringify(location)} is not a URL`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw failed(`a redirect to a ${next.protocol} URL`);
    }
    if (next.hash === '' && url.hash !== '') next.hash = url.hash; // a Location without a fragment keeps ours
    const status = response.status;
    const upper = method.toUpperCase();
    if (((status === 301 || status === 302) && upper === 'POST') || (status === 303 && upper !== 'GET' && upper !== 'HEAD')) {
      method = 'GET';
      body = undefined;
      for (const name of BODY_HEADERS) headers.delete(name);
    } else if (!resendable(body)) {
      // fetch's rule: a body with no source to read again (a stream) cannot follow a
      // redirect that keeps the method.
      throw failed(`a ${status} redirect would send the request body again, and a stream cannot be sent twice`);
    }
    if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
    hop(next, headers);
    url = next;
    target = base === undefined ? next.href : new Request(next.href, base);
    options = { ...rest, method, headers, body, redirect: 'manual', signal };
  }
}

/**
 * The `fetch` a traced call sends with: `options.fetch`, else the global one. Never
 * `patchGlobalFetch`'s wrapper: through it the call would be traced a second time,
 * under the span `getSpan` returns rather than the one the caller gave.
 */
function baseFetch(options) {
  const f = options?.fetch ?? globalThis.fetch;
  if (typeof f !== 'function') throw new TypeError('spanwire: no fetch in this runtime; pass options.fetch');
  return f[UNPATCHED] ?? f;
}

/**
 * `fetch(input, init)` in a client span, child of `span`, with the trace headers
 * injected when the target is allowed by `propagateTo` (per call, else the span's
 * logger's `configureHttp`, else the default) and removed when it is not. The span
 * ends when the response headers arrive (or the request fails); a status of 400 or
 * more, or a network error, sets the error status. Resolves or rejects as `fetch`.
 *
 * Without a span (undefined or null) this is plain `fetch` with the same header rule.
 */
export async function tracedFetch(span, input, init, options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('tracedFetch: options must be an object');
  const doFetch = baseFetch(options);
  const settings = options.propagateTo !== undefined ? options : settingsOf(span) ?? {};
  const test = compilePropagateTo(settings.propagateTo);
  const request = isRequest(input);
  const url = requestUrl(input);
  const allowed = url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && test(url);

  const headers = new Headers(init?.headers ?? (request ? input.headers : undefined));
  // Each hop of a redirect is checked as the first was: `inject` writes the trace
  // headers for an allowed origin, and another gets none. The caller's own trace
  // headers, as given, are kept for that.
  const follow = allowed && followsItself(input, init, request);
  const own = follow ? TRACE_HEADERS.map((name) => [name, headers.get(name)]).filter(([, value]) => value !== null) : [];
  // Not allowed: none of the caller's trace headers go out. Allowed: ours replace its
  // traceparent and tracestate, and its baggage members are relayed with ours, as
  // `span.inject` relays a carrier's.
  for (const name of allowed ? TRACE_CONTEXT_HEADERS : TRACE_HEADERS) headers.delete(name);

  const send = (inject) => {
    if (!follow) return doFetch.call(globalThis, ...withHeaders(input, init, headers));
    inject(headers);
    const baggage = own.find(([name]) => name === 'baggage');
    return fetchFollowing(doFetch, input, init, request, url, headers, (next, h) => {
      for (const name of TRACE_HEADERS) h.delete(name);
      if (!test(next)) return;
      if (baggage !== undefined) h.set('baggage', baggage[1]); // the caller's, relayed again
      inject(h);
    });
  };

  if (span === undefined || span === null) {
    if (!allowed) return doFetch.call(globalThis, ...withHeaders(input, init, headers));
    // Allowed and nothing to add: the caller's headers as given, and on to allowed hops only.
    if (!follow || own.length === 0) return doFetch.call(globalThis, input, init);
    return send((h) => own.forEach(([name, value]) => h.set(name, value)));
  }
  if (typeof span.startSpan !== 'function') throw new TypeError('tracedFetch: span must be a spanwire Span');

  const attributes = {};
  const method = methodAttributes(String(init?.method ?? (request ? input.method : 'GET')), attributes);
  if (url !== undefined) urlAttributes(url, attributes, false);
  if (options.attributes !== undefined) Object.assign(attributes, options.attributes);
  const child = span.startSpan({ name: options.name ?? method, kind: 'client', attributes });

  let response;
  try {
    if (allowed && !follow) child.inject(headers);
    response = await send((h) => child.inject(h));
  } catch (err) {
    recordException(child, err);
    child.end();
    throw err;
  }
  try {
    const status = response.status;
    child.setAttributes({ 'http.response.status_code': status });
    if (status >= 400) {
      child.setAttributes({ 'error.type': String(status) });
      child.setStatus({ code: 'error', message: `HTTP ${status}` });
    }
  } finally {
    child.end();
  }
  return response;
}

// ---------------------------------------------------------------------------------
// The opt-in global fetch patch

let patched; // { original, wrapper } while globalThis.fetch is patched
/** On patchGlobalFetch's wrapper: the fetch it replaced (one symbol for every copy of this package). */
const UNPATCHED = Symbol.for('spanwire.unpatchedFetch');

/** Whether `input` is a request of the span's own exporter (never traced: it would feed itself). */
function isExportRequest(span, input) {
  try {
    const url = span?._logger?._exporter?.url;
    return typeof url === 'string' && requestUrl(input)?.href === url;
  } catch {
    return false;
  }
}

/**
 * Replaces `globalThis.fetch` with one that runs `tracedFetch(getSpan(), ...)` when
 * `getSpan()` returns a span, and is the original `fetch`, untouched, otherwise (and
 * for the span's own exporter requests). Returns `unpatch()`, which restores the
 * original. Opt-in: neither Workers nor browsers can find "the current span" of a
 * request on their own, so `getSpan` says what it is (a variable, an
 * AsyncLocalStorage, …). Throws when already patched.
 */
export function patchGlobalFetch(options = {}) {
  if (options === null || typeof options !== 'object' || typeof options.getSpan !== 'function') {
    throw new TypeError('patchGlobalFetch: options.getSpan must be a function returning the current span or undefined');
  }
  if (patched !== undefined) throw new Error('spanwire: globalThis.fetch is already patched; call the unpatch function first');
  const original = globalThis.fetch;
  if (typeof original !== 'function') throw new TypeError('spanwire: no fetch in this runtime to patch');
  const callOptions = { fetch: original }; // baseFetch unwraps the other build's patch
  if (options.propagateTo !== undefined) {
    compilePropagateTo(options.propagateTo); // fail now
    callOptions.propagateTo = options.propagateTo;
  }
  const getSpan = options.getSpan;
  const wrapper = function fetch(input, init) {
    let span;
    try {
      span = getSpan();
    } catch {
      span = undefined;
    }
    if (span === undefined || span === null || isExportRequest(span, input)) return original.call(globalThis, input, init);
    return tracedFetch(span, input, init, callOptions);
  };
  // Marked for every copy of this package (the CommonJS and ES module builds are
  // separate bundles): their traced calls send through the original, unwrapped from
  // the other build's patch when that came first.
  Object.defineProperty(wrapper, UNPATCHED, { value: baseFetch({ fetch: original }) });
  globalThis.fetch = wrapper;
  const mine = { original, wrapper };
  patched = mine;
  return function unpatch() {
    if (patched !== mine) return;
    if (globalThis.fetch === wrapper) globalThis.fetch = original;
    patched = undefined;
  };
}

// ---------------------------------------------------------------------------------
// Server spans

function header(headers, name) {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : undefined;
}

/** Method, URL, headers and peer of a Fetch `Request` or a Node `IncomingMessage`. */
function describeRequest(req) {
  if (req === null || typeof req !== 'object') throw new TypeError('startServerSpan: pass a Fetch Request or a Node IncomingMessage');
  const headers = req.headers;
  const fetchStyle = typeof headers?.get === 'function' && /^[a-z][a-z0-9+.-]*:/i.test(String(req.url));
  let url;
  let client;
  let protocolVersion;
  if (fetchStyle) {
    url = requestUrl(req.url);
    client = header(headers, 'cf-connecting-ip');
  } else {
    const scheme = req.socket?.encrypted === true ? 'https' : 'http';
    const local = req.socket?.localAddress;
    const host = header(headers, 'host')
      ?? `${local === undefined ? 'localhost' : local.includes(':') ? `[${local}]` : local}:${req.socket?.localPort ?? ''}`;
    const target = String(req.url ?? '/');
    try {
      // An origin-form target ('/path', even '//x/y') is a path on the Host the client
      // named; only an absolute-form one ('http://h/p', as sent to proxies) names its own.
      url = target.startsWith('/') ? new URL(`${scheme}://${host}${target}`) : new URL(target, `${scheme}://${host}`);
    } catch {
      url = undefined;
    }
    client = req.socket?.remoteAddress;
    if (typeof req.httpVersion === 'string') protocolVersion = req.httpVersion;
  }
  return { method: String(req.method ?? 'GET'), url, headers, client, protocolVersion };
}

/**
 * Starts the server span of an inbound request: a child of the caller's context when
 * the request carries a valid `traceparent`, otherwise a new trace. Takes a Fetch
 * `Request` (Workers, Deno, Bun, Node's fetch-style servers) or a Node
 * `http.IncomingMessage`. With `response` (a Node `ServerResponse`) the span ends by
 * itself when the response finishes or the connection closes first; otherwise end it
 * with `endServerSpan(span, responseOrStatusOrError)`.
 */
export function startServerSpan(req, options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('startServerSpan: options must be an object');
  const logger = options.logger ?? spans.currentLogger?.();
  if (logger === undefined || logger === null || typeof logger.startSpan !== 'function') {
    throw new TypeError('startServerSpan: options.logger must be a Logger from initLogger');
  }
  if ('propagateTo' in options) configureHttp(logger, { propagateTo: options.propagateTo });
  const d = describeRequest(req);
  const attributes = {};
  const method = methodAttributes(d.method, attributes);
  if (d.url !== undefined) urlAttributes(d.url, attributes, true);
  let route;
  if (typeof options.route === 'function') {
    try {
      route = options.route(req);
    } catch {
      route = undefined;
    }
  } else if (typeof options.route === 'string') {
    route = options.route;
  }
  if (typeof route === 'string' && route) attributes['http.route'] = route;
  const ua = header(d.headers, 'user-agent');
  if (ua) attributes['user_agent.original'] = ua;
  if (d.client) attributes['client.address'] = d.client;
  if (d.protocolVersion) attributes['network.protocol.version'] = d.protocolVersion;
  if (options.attributes !== undefined) Object.assign(attributes, options.attributes);

  // Semantic conventions: `{method} {http.route}`, or the method alone. A path would
  // give a name per id in it (`GET /users/7`), which backends group spans by.
  const name = options.name ?? (typeof route === 'string' && route ? `${method} ${route}` : method);
  const parent = extractTraceContext(d.headers);
  const span = logger.startSpan({ name, kind: 'server', parent, attributes });

  const res = options.response;
  if (res !== undefined && res !== null && typeof res.once === 'function') {
    const closed = () => {
      if (span.ended) return;
      if (res.writableFinished) {
        endServerSpan(span, res.statusCode);
        return;
      }
      // A status already sent is recorded with the error (semconv: "if one was sent").
      if (res.headersSent) span.setAttributes({ 'http.response.status_code': res.statusCode });
      endServerSpan(span, Object.assign(new Error('the connection closed before the response was sent'), { name: 'ConnectionClosed' }));
    };
    // A span started after the response finished, or its connection closed, would
    // wait for events that already fired.
    if (res.writableFinished === true || res.destroyed === true) closed();
    else {
      res.once('finish', () => endServerSpan(span, res.statusCode));
      res.once('close', closed);
    }
  }
  return span;
}

/**
 * Ends a server span with its outcome: a `Response` (or anything with a numeric
 * `status`), a status code, or the error the handler threw. Sets
 * `http.response.status_code`; 5xx and errors set the error status (4xx is the
 * client's error, not the server's, per the conventions). Ending twice does nothing.
 */
export function endServerSpan(span, outcome) {
  if (span === null || typeof span !== 'object' || span.ended) return;
  try {
    const status = typeof outcome === 'number' ? outcome
      : outcome !== null && typeof outcome === 'object' && typeof outcome.status === 'number' && !(outcome instanceof Error)
        ? outcome.status : undefined;
    if (status !== undefined) {
      span.setAttributes({ 'http.response.status_code': status });
      if (status >= 500) {
        span.setAttributes({ 'error.type': String(status) });
        span.setStatus({ code: 'error', message: `HTTP ${status}` });
      }
    } else if (outcome !== undefined) {
      recordException(span, outcome);
    }
  } finally {
    span.end();
  }
}

// ---------------------------------------------------------------------------------
// Cloudflare Workers

const requestSpans = new WeakMap();

/** The server span `instrument` started for `request`, or undefined. */
export function getRequestSpan(request) {
  return request !== null && typeof request === 'object' ? requestSpans.get(request) : undefined;
}

/** A CORS preflight: OPTIONS with Access-Control-Request-Method. Browsers send no trace headers on it. */
function isPreflight(request) {
  return request.method === 'OPTIONS' && header(request.headers, 'access-control-request-method') !== undefined;
}

const OWN_OPTIONS = new Set(['logger', 'propagateTo', 'route', 'name', 'ignore', 'attributes']);

/** `name(request)` when it gives a string; a throwing or odd one falls back to the default name. */
function userSpanName(name, request) {
  if (typeof name !== 'function') return undefined;
  try {
    const text = name(request);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined; // tracing must not fail the request
  }
}

/**
 * `ctx` as the handler sees it: the same, except that what it gives `waitUntil` is
 * also pushed to `background`, so the request's flush can wait for it.
 */
function trackingContext(ctx, background) {
  // The proxy's target is a stand-in, so that its rules never bind what `get` answers
  // (a frozen ctx, as tests make, would otherwise forbid the wrapped waitUntil).
  return new Proxy(Object.create(Object.getPrototypeOf(ctx)), {
    get(_, key) {
      if (key === 'waitUntil') {
        return (promise) => {
          background.push(promise);
          return ctx.waitUntil(promise);
        };
      }
      const value = Reflect.get(ctx, key, ctx);
      return typeof value === 'function' ? value.bind(ctx) : value; // host methods need their own `this`
    },
    has: (_, key) => key in ctx,
  });
}

/**
 * Flushes what the request ended, then again each time the work it handed to
 * `ctx.waitUntil` settles: spans that work ends after the response would otherwise
 * wait for another request's flush, which an idle isolate may never see.
 */
async function flushAfter(logger, background) {
  await logger.flush();
  for (let seen = 0; seen < background.length;) {
    const batch = background.slice(seen);
    seen = background.length;
    await Promise.allSettled(batch);
    await logger.flush();
  }
}

/**
 * Wraps a module Worker (`{ fetch(request, env, ctx) }`, or the fetch function
 * itself): each request runs in a server span (a child of the inbound `traceparent`),
 * the span is passed to the handler as a fourth argument and through
 * `getRequestSpan(request)`, an exception is recorded with the error status (and
 * rethrown), the status code is recorded, and `logger.flush()` is handed to
 * `ctx.waitUntil` so spans are exported after the response is sent (and again once
 * the work the handler handed to `ctx.waitUntil` settles).
 *
 * `config` (or `(env) => config`, called once per isolate on the first request):
 * `logger` (a Logger, or `(env) => Logger`), or the `initLogger` options to create one;
 * `propagateTo` for `tracedFetch` from the handler (default: none); `route(request)`;
 * `ignore(request)` (default: CORS preflights are not traced).
 */
export function instrument(handler, config = {}) {
  const fetchHandler = typeof handler === 'function' ? handler : handler?.fetch;
  if (typeof fetchHandler !== 'function') throw new TypeError('instrument: pass a module Worker with a fetch handler');
  if (config === null || (typeof config !== 'object' && typeof config !== 'function')) {
    throw new TypeError('instrument: config must be an object or (env) => object');
  }
  let state; // { logger, options }, made on the first request (env is known then)

  const setup = (env) => {
    if (state !== undefined) return state;
    const options = typeof config === 'function' ? config(env) ?? {} : config;
    let logger = options.logger;
    if (typeof logger === 'function') logger = logger(env);
    if (logger === undefined || logger === null) {
      const loggerOptions = {};
      for (const key of Object.keys(options)) if (!OWN_OPTIONS.has(key)) loggerOptions[key] = options[key];
      logger = spans.initLogger(loggerOptions); // also the current logger: module-level startSpan/traced work in the handler
    }
    if (options.propagateTo !== undefined) configureHttp(logger, { propagateTo: options.propagateTo });
    state = { logger, options };
    return state;
  };

  async function fetch(request, env, ctx) {
    const thisArg = typeof handler === 'function' ? undefined : handler;
    const { logger, options } = setup(env);
    const ignore = typeof options.ignore === 'function' ? options.ignore : isPreflight;
    let skip = false;
    try {
      skip = ignore(request) === true;
    } catch {
      skip = false;
    }
    if (skip) return fetchHandler.call(thisArg, request, env, ctx);

    const span = startServerSpan(request, {
      logger, route: options.route, name: userSpanName(options.name, request),
      attributes: options.attributes,
    });
    requestSpans.set(request, span);
    const background = [];
    const canWait = ctx !== null && typeof ctx?.waitUntil === 'function';
    try {
      const response = await fetchHandler.call(thisArg, request, env, canWait ? trackingContext(ctx, background) : ctx, span);
      // Not a Response (a forgotten `return`, say): the runtime fails the request, so
      // the span says so rather than ending without a status.
      const isResponse = response !== null && typeof response === 'object' && typeof response.status === 'number';
      endServerSpan(span, isResponse
        ? response
        : new TypeError(`the fetch handler returned ${response === null ? 'null' : typeof response}, not a Response`));
      return response;
    } catch (err) {
      endServerSpan(span, err);
      throw err;
    } finally {
      const done = flushAfter(logger, background);
      if (canWait) ctx.waitUntil(done);
    }
  }

  if (typeof handler === 'function') return fetch;
  return Object.assign(Object.create(Object.getPrototypeOf(handler)), handler, { fetch });
}
