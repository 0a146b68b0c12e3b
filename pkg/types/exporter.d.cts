/**
 * OTLP/HTTP export options and reports: the `exporter`, `apiKey` and `batch`
 * options of `initLogger`, and what `logger.flush()` and `logger.stats()` return.
 *
 * @example
 * ```ts
 * import { initLogger } from 'spanwire';
 * // Any OpenTelemetry collector, protobuf bodies, custom headers:
 * const logger = initLogger({
 *   exporter: { url: 'https://otel.example.com/v1/traces', headers: { 'x-team': 'edge' }, protocol: 'protobuf' },
 *   batch: { maxQueueSize: 4096, delayMs: 2000 },
 * });
 * // Braintrust: the key alone selects https://api.braintrust.dev/otel/v1/traces.
 * const bt = initLogger({ projectName: 'my-project', apiKey: env.BRAINTRUST_API_KEY });
 * ```
 */

/**
 * Braintrust's OTLP/HTTP traces endpoint: the default URL when `apiKey` is given without `exporter.url`.
 *
 * @example
 * ```ts
 * import { BRAINTRUST_OTLP_URL, initLogger } from 'spanwire';
 * // The same as initLogger({ apiKey }) alone, with the URL spelled out:
 * initLogger({ projectName: 'checkout', apiKey: env.BRAINTRUST_API_KEY, exporter: { url: BRAINTRUST_OTLP_URL } });
 * ```
 */
export const BRAINTRUST_OTLP_URL: 'https://api.braintrust.dev/otel/v1/traces';

/**
 * OpenTelemetry's default OTLP/HTTP traces endpoint: the URL used with neither `apiKey` nor `exporter.url`.
 *
 * @example
 * ```ts
 * import { OTLP_DEFAULT_URL, initLogger } from 'spanwire';
 * // A collector on this machine: no exporter options needed.
 * const logger = initLogger({ serviceName: 'api' }); // sends to OTLP_DEFAULT_URL
 * ```
 */
export const OTLP_DEFAULT_URL: 'http://localhost:4318/v1/traces';

/**
 * Where and how spans are sent (`initLogger({ exporter })`). `false` turns export off.
 *
 * @example
 * ```ts
 * const exporter: ExporterOptions = {
 *   url: 'https://otel.example.com/v1/traces',
 *   headers: { authorization: `Bearer ${env.OTEL_TOKEN}` },
 *   protocol: 'protobuf',
 *   compression: 'gzip',
 * };
 * initLogger({ serviceName: 'api', exporter });
 * ```
 */
export interface ExporterOptions {
  /**
   * The OTLP/HTTP traces URL (the full path, e.g. `http://127.0.0.1:4318/v1/traces`).
   * In a page or a web worker a relative URL (`'/otel/v1/traces'`) is resolved against
   * its location, as `fetch` does; in Node and Workers it must be absolute.
   * Default: {@link BRAINTRUST_OTLP_URL} when `apiKey` is set, else {@link OTLP_DEFAULT_URL}.
   */
  url?: string;
  /**
   * Extra request headers (an object, `Headers`, a `Map` or `[name, value]` pairs).
   * An `authorization` header here takes precedence over the one `apiKey` adds.
   */
  headers?: Record<string, string> | Headers | Map<string, string> | Array<[string, string]>;
  /** Body encoding: OTLP/JSON (`application/json`, default) or protobuf (`application/x-protobuf`). */
  protocol?: 'json' | 'protobuf';
  /**
   * gzip the request body with `CompressionStream` where the runtime has it:
   * `'auto'` (default) for bodies of 1 KiB or more, `'gzip'` (or `true`) always,
   * `'none'` (or `false`) never. A body that would not shrink is sent as is, and so is
   * a batch sent with `keepalive` as a page is hidden (it must leave before the page
   * goes, and compressing is asynchronous).
   */
  compression?: 'auto' | 'gzip' | 'none' | boolean;
}

/**
 * Batching and retry options (`initLogger({ batch })`). Defaults are OpenTelemetry's.
 *
 * @example
 * ```ts
 * initLogger({ exporter: { url }, batch: { maxQueueSize: 10_000, maxBatchSize: 1000, delayMs: 1000 } });
 * ```
 */
export interface BatchOptions {
  /** Most ended spans waiting for export (default 2048, at most 1,048,576). When full, new spans are dropped and counted in `stats().dropped`. */
  maxQueueSize?: number;
  /**
   * Most bytes of ended spans waiting for export (default 32 MiB, at most 1 GiB), counted
   * as the bytes of their names, attributes, logged fields, events and ids, plus 64 per
   * item. A span that would take the queue past it is dropped and counted in
   * `stats().dropped`, so large inputs cannot fill the wasm memory (a Cloudflare Worker
   * has 128 MB in all).
   */
  maxQueueBytes?: number;
  /** Most spans in one request (default 512; never more than `maxQueueSize`). */
  maxBatchSize?: number;
  /**
   * Most bytes of spans in one request, counted as for `maxQueueBytes` (default 4 MiB;
   * never more than `maxQueueBytes`). A single larger span is sent alone. Queued spans
   * of this weight are sent at once, as a full `maxBatchSize` is. The request body is
   * about this size (OTLP/JSON escaping can make it larger: quotes two bytes, control
   * characters six).
   */
  maxBatchBytes?: number;
  /** How long ended spans wait for more before a request is sent, in ms (default 5000; 0 sends at once). A full batch is sent at once. */
  delayMs?: number;
  /** Timeout of one HTTP request, in ms (default 30000); a request past it is aborted and retried. */
  timeoutMs?: number;
  /** Retries of a batch after its first attempt (default 5), on network errors, timeouts, 429, 502, 503 and 504. Other statuses are not retried. */
  maxRetries?: number;
  /** Backoff before the first retry in ms (default 1000), doubled per retry with jitter; a `Retry-After` header replaces it (capped at 60 s). */
  initialBackoffMs?: number;
  /** Largest backoff in ms (default 30000). */
  maxBackoffMs?: number;
}

/**
 * Options of `logger.flush()`.
 *
 * @example
 * ```ts
 * // A Worker: let spans leave after the response, for at most 10 s.
 * const options: FlushOptions = { timeoutMs: 10_000 };
 * ctx.waitUntil(logger.flush(options));
 * ```
 */
export interface FlushOptions {
  /**
   * Give up waiting after this many ms (default 30000); what is not settled by then is
   * reported as `pending` and keeps being sent where the runtime lets it (in a Worker,
   * sends stop with the request whose `waitUntil` held them; the next flush sends
   * them again).
   */
  timeoutMs?: number;
}

/**
 * What `logger.flush()` resolves with. It never rejects.
 *
 * @example
 * ```ts
 * const { exported, dropped, failed, pending } = await logger.flush({ timeoutMs: 5000 });
 * if (dropped || failed) console.warn(`lost ${dropped + failed} spans`);
 * ```
 */
export interface FlushReport {
  /** Spans delivered (2xx) while this flush waited. */
  exported: number;
  /** Spans dropped because the queue was full, or lost when the module was restarted after a failed call (see `stats().lastError`), since the previous flush report (each is reported once). */
  dropped: number;
  /** Spans that finally failed (non-retryable status, retries exhausted, or rejected by the collector's partial success) while this flush waited. */
  failed: number;
  /** Spans queued before the flush and not yet settled when its timeout passed (0 when it finished in time). */
  pending: number;
}

/**
 * Export counters since the logger started (`logger.stats()`).
 *
 * @example
 * ```ts
 * const { queued, exported, failed, lastError } = logger.stats();
 * console.log(`${queued} waiting, ${exported} sent`);
 * if (failed > 0) console.warn(`${failed} spans failed: ${lastError}`);
 * ```
 */
export interface ExportStats {
  /** Ended spans waiting in the queue. */
  queued: number;
  /** Spans taken from the queue and not yet settled: in the request being sent, waiting to be retried, or taken from the old module instance at a restart and waiting to be sent. */
  inFlight: number;
  /** Spans delivered. */
  exported: number;
  /** Spans that finally failed. */
  failed: number;
  /** Spans dropped because the queue was full, or lost when the module was restarted after a failed call (see `lastError`). */
  dropped: number;
  /** Requests sent again after a failure. */
  retries: number;
  /** HTTP requests started. */
  requests: number;
  /** The last export error, with any API key replaced by `[redacted]`. */
  lastError?: string;
}
