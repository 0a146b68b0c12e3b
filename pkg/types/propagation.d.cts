/**
 * W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage
 * (`braintrust.parent`) propagation: read a caller's context from request headers,
 * start spans under it, and write a span's context into outgoing headers
 * (`span.inject(carrier)`).
 *
 * @packageDocumentation
 */

/**
 * Anything spanwire reads headers from or writes headers into:
 *
 * - a Web `Headers` (fetch, Cloudflare Workers, browsers);
 * - a plain object, keys in any case, values strings or arrays of strings (Node's
 *   `IncomingHttpHeaders` included);
 * - a `Map` of header names to values;
 * - an array of `[name, value]` pairs;
 * - an object with `getHeader`/`setHeader`/`removeHeader` (Node's outgoing messages),
 *   or with `get`/`set`/`delete`.
 *
 * Reads are case-insensitive. Several `tracestate` or `baggage` values (array
 * elements, case-variant keys, repeated pairs) are joined with `,`. An array value of
 * `traceparent` gives its first element, as the Braintrust JS SDK reads it; a
 * `traceparent` repeated as separate header lines (case-variant keys, repeated pairs,
 * or a `Headers` value joined as `'a, b'`) is no parent (W3C). Writes use lowercase
 * names and replace any case-variant, so one key remains.
 *
 * @example
 * ```ts
 * import type { Carrier } from 'spanwire';
 * const carrier: Carrier = { Traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
 * // An array value: the first traceparent is the parent; tracestate values are joined.
 * const node: Carrier = {
 *   traceparent: [
 *     '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
 *     '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
 *   ],
 *   tracestate: ['a=1', 'b=2'], // read as 'a=1,b=2'
 * };
 * ```
 */
export type Carrier =
  | Headers
  | Map<string, string | string[]>
  | Array<[string, string]>
  | Record<string, string | string[] | number | undefined>
  | {
      getHeader(name: string): unknown;
      setHeader(name: string, value: string): unknown;
      removeHeader(name: string): unknown;
    }
  | {
      get(name: string): unknown;
      set(name: string, value: string): unknown;
      delete(name: string): unknown;
    };

/**
 * A caller's trace context, read from request headers by {@link extractTraceContext}.
 * Pass it to `startSpan({ parent })` to continue the caller's trace: the span gets the
 * same trace id, this span id as its parent, the caller's sampling decision, its
 * `tracestate` (when valid) and its Braintrust parent (from `baggage`).
 *
 * It is opaque: apart from the fields below, treat it as a token.
 *
 * @example
 * ```ts
 * import { extractTraceContext, startSpan } from 'spanwire';
 * const ctx = extractTraceContext(request.headers);
 * if (ctx) console.log(ctx.traceId, ctx.spanId, ctx.sampled);
 * const span = startSpan({ name: 'handle', parent: ctx });
 * ```
 */
export declare class TraceContext {
  private constructor();
  /**
   * The trace id: 32 lowercase hex characters.
   *
   * @example
   * ```ts
   * extractTraceContext({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })!.traceId;
   * // '4bf92f3577b34da6a3ce929d0e0e4736'
   * ```
   */
  readonly traceId: string;
  /**
   * The caller's span id (`parent-id` on the wire): 16 lowercase hex characters.
   *
   * @example
   * ```ts
   * extractTraceContext({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })!.spanId;
   * // '00f067aa0ba902b7'
   * ```
   */
  readonly spanId: string;
  /**
   * The trace-flags byte as received: bit 0 (`0x01`) sampled, bit 1 (`0x02`) random
   * trace id (Level 2). Spans started from this context keep only these two bits.
   *
   * @example
   * ```ts
   * extractTraceContext({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03' })!.traceFlags; // 3
   * ```
   */
  readonly traceFlags: number;
  /**
   * Whether the caller sampled the trace (flag bit 0).
   *
   * @example
   * ```ts
   * extractTraceContext({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' })!.sampled; // false
   * ```
   */
  readonly sampled: boolean;
  /**
   * A context one hop further down the same trace, for a hop that records no span of
   * its own: the same trace id, sampling decision (flag bits `0x01` and `0x02`),
   * `tracestate` and baggage, and a new span id from the cryptographic source. It is
   * what an unsampled span propagates. Nothing is recorded under that span id, so in a
   * sampled trace the services below hang from a span no backend has; to record the
   * hop, start a span with `parent: ctx` and use `span.inject` instead.
   *
   * @example
   * ```ts
   * import { extractTraceContext, injectTraceContext } from 'spanwire';
   * const ctx = extractTraceContext(request.headers);
   * // A hop this service samples out: pass the trace on under a new span id.
   * const headers = ctx ? injectTraceContext(ctx.child(), new Headers()) : new Headers();
   * ```
   */
  child(): TraceContext;
}

/**
 * Reads the caller's trace context from request headers.
 *
 * Returns a {@link TraceContext} when the headers hold a valid `traceparent`, and
 * `undefined` otherwise: missing, malformed (W3C Level 2: lowercase hex, non-zero ids,
 * version `ff` invalid, a higher version read by its first 55 characters), or repeated
 * as separate header lines (an array value gives its first element: see {@link Carrier}).
 * The `tracestate` is validated as W3C says (at most 32 members, key and value
 * grammar, no duplicate keys) and dropped whole when invalid. The `baggage` is kept as
 * received; its `braintrust.parent` member is read when a span starts.
 *
 * Never throws, whatever it is given: `null`, numbers, objects whose getters throw,
 * Proxies, huge or non-ASCII strings all give `undefined` or a context.
 *
 * @param headers - a {@link Carrier}: `Headers`, plain object, `Map`, pairs, Node's
 *   `req.headers`.
 *
 * @example
 * ```ts
 * import { extractTraceContext, startSpan } from 'spanwire';
 *
 * export default {
 *   async fetch(request: Request) {
 *     const span = startSpan({ name: 'handle', parent: extractTraceContext(request.headers) });
 *     try {
 *       return await fetch('https://origin.example/api', { headers: span.inject() });
 *     } finally {
 *       span.end();
 *     }
 *   },
 * };
 * ```
 */
export declare function extractTraceContext(headers: unknown): TraceContext | undefined;

/**
 * {@link extractTraceContext} under the name the Braintrust JS SDK exports.
 *
 * @example
 * ```ts
 * import { extractTraceContextFromHeaders } from 'spanwire';
 * const ctx = extractTraceContextFromHeaders(req.headers); // Node's IncomingHttpHeaders
 * ```
 */
export declare function extractTraceContextFromHeaders(headers: unknown): TraceContext | undefined;

/**
 * `'traceparent'`: the W3C header carrying the trace id, parent span id and flags.
 *
 * @example
 * ```ts
 * import { TRACEPARENT_HEADER } from 'spanwire';
 * const value = new Headers(span.inject()).get(TRACEPARENT_HEADER);
 * ```
 */
export declare const TRACEPARENT_HEADER: 'traceparent';

/**
 * `'tracestate'`: the W3C header carrying vendor trace state; spanwire forwards a
 * valid inbound one unchanged and never adds its own member.
 *
 * @example
 * ```ts
 * import { TRACESTATE_HEADER } from 'spanwire';
 * const forwarded = span.inject()[TRACESTATE_HEADER]; // undefined when none came in
 * ```
 */
export declare const TRACESTATE_HEADER: 'tracestate';

/**
 * `'baggage'`: the W3C Baggage header; spanwire relays other members byte for byte
 * and writes its own `braintrust.parent` member last.
 *
 * @example
 * ```ts
 * import { BAGGAGE_HEADER } from 'spanwire';
 * span.inject({ [BAGGAGE_HEADER]: 'userId=alice' }); // baggage: userId=alice,braintrust.parent=...
 * ```
 */
export declare const BAGGAGE_HEADER: 'baggage';

/**
 * `'braintrust.parent'`: the baggage member naming where a trace is logged in
 * Braintrust: `project_id:<id>`, `project_name:<name>` or `experiment_id:<id>`,
 * percent-encoded (only `A-Z a-z 0-9 - _ . ~` left raw).
 *
 * @example
 * ```ts
 * import { BAGGAGE_HEADER, BRAINTRUST_PARENT_KEY } from 'spanwire';
 * const headers = { [BAGGAGE_HEADER]: `${BRAINTRUST_PARENT_KEY}=project_id%3Aabc` };
 * ```
 */
export declare const BRAINTRUST_PARENT_KEY: 'braintrust.parent';

/**
 * Writes an extracted context into `carrier` unchanged (a new plain object if omitted)
 * and returns the carrier: for a proxy or gateway that forwards a request without a
 * span of its own. The `traceparent` goes out as version 00 with the caller's ids and
 * the known flag bits, the `tracestate` as received, and the `baggage` relayed (the
 * carrier's members, the inbound ones, `braintrust.parent` last). Header names are
 * written in lowercase and replace case-variants.
 *
 * Throws a `TypeError` when `context` is not a {@link TraceContext} or the carrier
 * rejects a header; the module stays usable.
 *
 * @example
 * ```ts
 * import { extractTraceContext, injectTraceContext } from 'spanwire';
 * const ctx = extractTraceContext(request.headers);
 * const headers = ctx ? injectTraceContext(ctx, new Headers()) : new Headers();
 * await fetch('https://origin.example/api', { headers });
 * ```
 */
export declare function injectTraceContext<C extends Carrier = Record<string, string>>(
  context: TraceContext,
  carrier?: C,
): C;
