/**
 * Spans and loggers with the Braintrust SDK's shape: `initLogger`, `startSpan`,
 * `traced`, `flush`, and the legacy slug (`span.export()`, `parseSlug`).
 *
 * Times are **seconds since the Unix epoch** (as in the Braintrust SDKs), read from
 * `performance.timeOrigin + performance.now()` and exported in nanoseconds. In
 * Cloudflare Workers that clock advances only across I/O, so durations measure time
 * spent waiting on I/O; a span doing only CPU work records a duration of 0.
 *
 * @packageDocumentation
 */

import type { TraceContext, Carrier } from './propagation.cjs';
import type { TracedFetchOptions } from './http.cjs';
import type { ExporterOptions, BatchOptions, FlushOptions, FlushReport, ExportStats } from './exporter.cjs';

/**
 * Options of {@link initLogger}.
 *
 * @example
 * ```ts
 * const options: LoggerOptions = { projectName: 'checkout', serviceName: 'api', sampleRate: 0.25 };
 * ```
 */
export interface LoggerOptions {
  /** Braintrust project to log to, by name (slugs carry `compute_object_metadata_args`). */
  projectName?: string;
  /** Braintrust project to log to, by id (wins over `projectName`). */
  projectId?: string;
  /** Braintrust experiment to log to (wins over `projectId` and `projectName`). */
  experimentId?: string;
  /** OTLP `service.name` (default: `projectName`, else `unknown_service`). */
  serviceName?: string;
  /** Extra OTLP resource attributes. */
  resourceAttributes?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  /**
   * UUIDv4 ids and V3 slugs, as Braintrust before OTel compatibility. Default: the
   * `BRAINTRUST_LEGACY_IDS` environment variable (true/1/yes/y/on) where there is an
   * environment; `BRAINTRUST_OTEL_COMPAT` overrides both (with one warning).
   */
  legacyIds?: boolean;
  /** Probability (0 to 1, default 1) that a new trace is recorded, decided from the trace id. */
  sampleRate?: number;
  /** Where to send spans, or `false` to drop them once ended. */
  exporter?: ExporterOptions | false;
  /** Braintrust API key: sends to Braintrust's OTLP endpoint with this bearer token. */
  apiKey?: string;
  /** Batching of ended spans. */
  batch?: BatchOptions;
  /** Make this the logger of module-level `startSpan`, `traced` and `flush` (default true). */
  setCurrent?: boolean;
}

/**
 * What a span can descend from: a live or ended {@link Span} (one from the other
 * build of this package too, `require` beside `import`: it is continued from its
 * headers, or from its slug in legacy id mode or when it carries a Braintrust
 * propagated event), a context from
 * `extractTraceContext` (or a Braintrust-style `{ traceparent, tracestate?, baggage? }`),
 * or an exported slug string (V1–V4, either id format). A malformed slug starts a
 * new trace with one warning instead of throwing. `undefined` or `null` (an absent
 * header: `headers.get()` gives `null`) means no parent: the span starts a new trace.
 *
 * @example
 * ```ts
 * const parent: SpanParent = extractTraceContext(request.headers) ?? request.headers.get('x-bt-parent');
 * const span = startSpan({ name: 'handle', parent }); // a root span when neither header came
 * ```
 */
export type SpanParent =
  | Span
  | TraceContext
  | { traceparent: string; tracestate?: string; baggage?: string }
  | string
  | undefined
  | null;

/**
 * OTel span kind.
 *
 * @example
 * ```ts
 * const kind: SpanKindName = 'server';
 * ```
 */
export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/**
 * An attribute value: primitives, arrays and (as OTLP kv-lists) objects.
 *
 * @example
 * ```ts
 * const value: AttributeValue = ['a', 'b'];
 * ```
 */
export type AttributeValue =
  | string | number | boolean | bigint | null | undefined
  | AttributeValue[] | { [key: string]: AttributeValue };

/**
 * Options of `startSpan`.
 *
 * @example
 * ```ts
 * const opts: StartSpanOptions = { name: 'llm call', type: 'llm', attributes: { model: 'x' } };
 * ```
 */
export interface StartSpanOptions {
  /** Span name (default `root`, or `subspan` under a parent). */
  name?: string;
  /** Parent to continue; omitted, `undefined` or `null` = a new trace. */
  parent?: SpanParent;
  /** Braintrust span type (`llm`, `task`, `function`, `tool`, `score`, `eval`…), exported in `braintrust.span_attributes`. */
  type?: string;
  /** Braintrust span attributes, exported in `braintrust.span_attributes` (their `type` wins over `type` above, as in the Braintrust SDK). */
  spanAttributes?: Record<string, unknown>;
  /** Braintrust fields logged as the span starts, as `span.log(event)` would; `id` sets the row id (`span.id`). */
  event?: StartSpanEvent;
  /** Initial attributes. */
  attributes?: Record<string, AttributeValue>;
  /** Start time in seconds since the epoch (or a Date); default now. Milliseconds (`Date.now()`) are refused with a TypeError. */
  startTime?: number | Date;
  /** OTel span kind (default `internal`), by name or as OpenTelemetry's `SpanKind` number (0 internal, 1 server, 2 client, 3 producer, 4 consumer). */
  kind?: SpanKindName | 0 | 1 | 2 | 3 | 4;
}

/**
 * Braintrust's `span.log(...)` fields. Objects merge deeply across calls, other values
 * replace, tags are a set union; `error` also sets the span status to error. Where
 * the final status is `ok` instead (set before the error, which it keeps, or after
 * it), the error is exported as an `exception` event at the span's end, unless the
 * span records one already.
 *
 * @example
 * ```ts
 * span.log({ input: { q: 'hi' }, output: 'hello', scores: { accuracy: 1 }, tags: ['prod'] } satisfies LogEvent);
 * ```
 */
export interface LogEvent {
  /** The operation's input. */
  input?: unknown;
  /** The operation's output. */
  output?: unknown;
  /** The expected output. */
  expected?: unknown;
  /** An error (an `Error` is logged as its stack); `null` clears it, with the error status a logged error set. */
  error?: unknown;
  /** Free-form metadata (an object). */
  metadata?: Record<string, unknown>;
  /** Numeric metrics. */
  metrics?: Record<string, number | null>;
  /** Scores from 0 to 1; `true` and `false` are recorded as 1 and 0 (as Braintrust does). */
  scores?: Record<string, number | boolean | null>;
  /** Tags. */
  tags?: string[];
  /** Braintrust span attributes (`{ type }`…). */
  span_attributes?: Record<string, unknown>;
}

/**
 * The `event` of `startSpan`: a `LogEvent`, and the row id as in Braintrust.
 *
 * @example
 * ```ts
 * const span = startSpan({ name: 'row', event: { id: 'row-1', input: 'q' } satisfies StartSpanEvent });
 * span.id; // 'row-1'
 * ```
 */
export interface StartSpanEvent extends LogEvent {
  /** The span's row id (`span.id`, the slug's `row_id`): a non-empty string. Default: a new random id. */
  id?: string;
}

/**
 * An OTel span status.
 *
 * @example
 * ```ts
 * span.setStatus({ code: 'error', message: 'upstream timed out' } satisfies SpanStatus);
 * ```
 */
export interface SpanStatus {
  /** `unset`/`ok`/`error` (or OTel's 0/1/2). `ok` is final. */
  code: 'unset' | 'ok' | 'error' | 0 | 1 | 2;
  /** Kept with `error` only. */
  message?: string;
}

/**
 * The decoded fields of a Braintrust slug (snake_case, as the SDKs name them).
 *
 * @example
 * ```ts
 * const fields: SlugFields = { object_type: 2, object_id: 'proj-id', row_id: 'r', span_id: 's', root_span_id: 't' };
 * ```
 */
export interface SlugFields {
  /** 1 experiment, 2 project logs, 3 playground logs. */
  object_type: 1 | 2 | 3;
  /** The experiment / project / prompt session id. */
  object_id?: string;
  /** How to resolve the object when its id is unknown, e.g. `{ project_name }`. */
  compute_object_metadata_args?: Record<string, unknown>;
  /** The span's row id. */
  row_id?: string;
  /** The span id. */
  span_id?: string;
  /** The root span id (trace id). */
  root_span_id?: string;
  /** Event fields children inherit. */
  propagated_event?: Record<string, unknown>;
}

/**
 * One traced operation. Live until {@link Span.end}; an ended span still reads its ids,
 * exports, injects and parents new spans.
 *
 * @example
 * ```ts
 * const span = logger.startSpan({ name: 'handle' });
 * span.log({ input: req.url });
 * span.end();
 * ```
 */
export declare class Span {
  private constructor();
  /**
   * The row id (Braintrust `id`): 16 hex, or a UUID in legacy mode, unless `startSpan({ event: { id } })` chose it.
   * @example
   * ```ts
   * console.log(span.id);
   * ```
   */
  readonly id: string;
  /**
   * The span id: 16 hex, or a UUID in legacy mode.
   * @example
   * ```ts
   * console.log(span.spanId); // '00f067aa0ba902b7'
   * ```
   */
  readonly spanId: string;
  /**
   * The root span id: the W3C trace id (32 hex), or the root's UUID in legacy mode.
   * @example
   * ```ts
   * console.log(span.rootSpanId);
   * ```
   */
  readonly rootSpanId: string;
  /**
   * The parent's span id in a one-element array; `[]` for a root.
   * @example
   * ```ts
   * const isRoot = span.spanParents.length === 0;
   * ```
   */
  readonly spanParents: string[];
  /**
   * W3C trace flags: bit 0 sampled, bit 1 random trace id.
   * @example
   * ```ts
   * const sampled = (span.traceFlags & 1) === 1;
   * ```
   */
  readonly traceFlags: number;
  /**
   * Whether the span is recorded for export (sampled).
   * @example
   * ```ts
   * if (span.sampled) span.log({ metadata: { big: 'payload' } });
   * ```
   */
  readonly sampled: boolean;
  /**
   * Whether `end()` was called.
   * @example
   * ```ts
   * if (!span.ended) span.end();
   * ```
   */
  readonly ended: boolean;
  /**
   * Merges Braintrust fields into the span's row. Throws a `TypeError` on unknown fields or values JSON
   * cannot hold (a cycle; a BigInt is written as its digits), and an `Error` on a score or metric that
   * is not a number in range, or a value nested more than 128 levels deep (the core's JSON parser is
   * bounded, so that no input can exhaust the WebAssembly stack).
   * @example
   * ```ts
   * span.log({ output: 'done', metrics: { tokens: 42 } });
   * ```
   */
  log(event: LogEvent): void;
  /**
   * Sets attributes (a key set again is overwritten). Ignored after end.
   * @example
   * ```ts
   * span.setAttributes({ 'http.method': 'GET', 'http.status_code': 200 });
   * ```
   */
  setAttributes(attributes: Record<string, AttributeValue>): this;
  /**
   * Sets one attribute.
   * @example
   * ```ts
   * span.setAttribute('cache.hit', true);
   * ```
   */
  setAttribute(key: string, value: AttributeValue): this;
  /**
   * Adds an event; `time` in seconds since the epoch (default now).
   * @example
   * ```ts
   * span.addEvent('retry', { attempt: 2 });
   * ```
   */
  addEvent(name: string, attributes?: Record<string, AttributeValue>, time?: number | Date): this;
  /**
   * Sets the OTel status.
   * @example
   * ```ts
   * span.setStatus({ code: 'ok' });
   * ```
   */
  setStatus(status: SpanStatus): this;
  /**
   * Starts a child span.
   * @example
   * ```ts
   * const child = span.startSpan({ name: 'db query' });
   * ```
   */
  startSpan(options?: Omit<StartSpanOptions, 'parent'>): Span;
  /**
   * Runs `fn` in a child span and ends it when `fn` returns or its promise settles; a thrown error is recorded and rethrown.
   * @example
   * ```ts
   * const rows = await span.traced(async (child) => db.query(sql), { name: 'query' });
   * ```
   */
  traced<R>(fn: (span: Span) => R, options?: Omit<StartSpanOptions, 'parent'>): R;
  /**
   * Ends the span (default now; seconds since the epoch, or a Date, or Braintrust's
   * `{ endTime }`) and returns the end time in seconds. A second call is a no-op returning
   * the first end time. Milliseconds (`Date.now()`) are refused with a TypeError.
   * @example
   * ```ts
   * const endedAt = span.end();
   * span.end({ endTime: Date.now() / 1000 }); // no-op now: ended above
   * ```
   */
  end(endTime?: number | Date | { endTime?: number | Date }): number;
  /**
   * The Braintrust slug: V4, or V3 in legacy mode; byte-identical to the Braintrust SDKs for the same ids and object.
   * @example
   * ```ts
   * await fetch(url, { headers: { 'x-bt-parent': span.export() } });
   * ```
   */
  export(): string;
  /**
   * Writes `traceparent`, `tracestate` and `baggage` into `carrier` (a new object if omitted) and returns it; a no-op with legacy UUID ids.
   * @example
   * ```ts
   * await fetch(url, { headers: span.inject(new Headers()) });
   * ```
   */
  inject<C extends Carrier = Record<string, string>>(carrier?: C): C;
  /**
   * `fetch` under a client span, a child of this one, named after the method; trace
   * headers are injected only where the logger's `propagateTo` allows (default: same
   * origin in browsers, nowhere on servers). The client span ends when the response
   * headers arrive, with error status on 4xx/5xx or a network error.
   * @example
   * ```ts
   * const res = await span.fetch('https://api.example.com/items', { method: 'POST', body: '{}' });
   * ```
   */
  fetch(input: Request | string | URL, init?: RequestInit, options?: TracedFetchOptions): Promise<Response>;
}

/**
 * Holds where spans go and how their ids are made.
 *
 * @example
 * ```ts
 * const logger = initLogger({ projectName: 'checkout' });
 * const span = logger.startSpan({ name: 'work' });
 * ```
 */
export declare class Logger {
  private constructor();
  /** @example `logger.projectName // 'checkout'` */
  readonly projectName: string | undefined;
  /** @example `logger.projectId` */
  readonly projectId: string | undefined;
  /** @example `logger.experimentId` */
  readonly experimentId: string | undefined;
  /** @example `logger.serviceName // 'api'` */
  readonly serviceName: string;
  /** Whether ids are legacy UUIDs. @example `logger.legacyIds // false` */
  readonly legacyIds: boolean;
  /** @example `logger.sampleRate // 1` */
  readonly sampleRate: number;
  /**
   * Starts a span.
   * @example
   * ```ts
   * const span = logger.startSpan({ name: 'request', parent: extractTraceContext(req.headers) });
   * ```
   */
  startSpan(options?: StartSpanOptions): Span;
  /**
   * Runs `fn` in a new span and ends it.
   * @example
   * ```ts
   * const answer = logger.traced((span) => 42, { name: 'compute' });
   * ```
   */
  traced<R>(fn: (span: Span) => R, options?: StartSpanOptions): R;
  /**
   * Sends every ended span.
   * @example
   * ```ts
   * ctx.waitUntil(logger.flush());
   * ```
   */
  flush(options?: FlushOptions): Promise<FlushReport>;
  /**
   * Export counters.
   * @example
   * ```ts
   * console.log(logger.stats().queued);
   * ```
   */
  stats(): ExportStats;
}

/**
 * Creates a logger and (unless `setCurrent: false`) makes it the current one.
 *
 * @example
 * ```ts
 * import { initLogger } from 'spanwire';
 * const logger = initLogger({ projectName: 'checkout', apiKey: env.BRAINTRUST_API_KEY });
 * ```
 */
export declare function initLogger(options?: LoggerOptions): Logger;

/**
 * The current logger (the last `initLogger`, else a propagation-only logger that exports nothing).
 *
 * @example
 * ```ts
 * currentLogger().startSpan({ name: 'x' }).end();
 * ```
 */
export declare function currentLogger(): Logger;

/**
 * Starts a span on the current logger.
 *
 * @example
 * ```ts
 * const span = startSpan({ name: 'work', parent: request.headers.get('x-bt-parent') }); // null: a new trace
 * ```
 */
export declare function startSpan(options?: StartSpanOptions): Span;

/**
 * Runs `fn` in a span on the current logger; ends it when `fn` returns or settles,
 * recording and rethrowing a thrown error.
 *
 * @example
 * ```ts
 * const result = await traced(async (span) => { span.log({ input: 1 }); return 2; }, { name: 'step' });
 * ```
 */
export declare function traced<R>(fn: (span: Span) => R, options?: StartSpanOptions): R;

/**
 * Flushes the current logger.
 *
 * @example
 * ```ts
 * await flush();
 * ```
 */
export declare function flush(options?: FlushOptions): Promise<FlushReport>;

/**
 * Decodes a Braintrust slug (V1–V4, padded or not). Throws an `Error` saying exactly
 * what is wrong (offset, field, reason).
 *
 * @example
 * ```ts
 * const { span_id, root_span_id } = parseSlug(slug);
 * ```
 */
export declare function parseSlug(slug: string): SlugFields;

/**
 * Encodes slug fields as Braintrust's V4 (default) or V3 slug, byte-identical to the SDKs.
 *
 * @example
 * ```ts
 * const slug = formatSlug({ object_type: 2, object_id: 'proj' }, { version: 4 });
 * ```
 */
export declare function formatSlug(fields: SlugFields, options?: { version?: 3 | 4 }): string;
