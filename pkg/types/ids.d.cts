// Trace and span ids. See pkg/src/ids.js.

/**
 * A new random trace id: 32 lowercase hex characters (16 bytes), never all zero,
 * drawn from `crypto.getRandomValues` (never `Math.random`).
 *
 * Throws an `Error` when no secure random source is available (its `cause` is what
 * `crypto.getRandomValues` threw): in Cloudflare Workers, ids can only be drawn
 * inside a request handler, not at module scope.
 *
 * @example
 * ```ts
 * import { newTraceId } from 'spanwire';
 * const traceId = newTraceId(); // e.g. '4bf92f3577b34da6a3ce929d0e0e4736'
 * ```
 */
export function newTraceId(): string;

/**
 * A new random span id: 16 lowercase hex characters (8 bytes), never all zero,
 * drawn from `crypto.getRandomValues` (never `Math.random`).
 *
 * Throws an `Error` when no secure random source is available (see {@link newTraceId}).
 *
 * @example
 * ```ts
 * import { newSpanId } from 'spanwire';
 * const spanId = newSpanId(); // e.g. '00f067aa0ba902b7'
 * ```
 */
export function newSpanId(): string;
