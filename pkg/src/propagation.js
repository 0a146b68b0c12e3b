// W3C Trace Context and Baggage in: extractTraceContext(headers) -> TraceContext.
//
//   traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
//                version-trace id (16 bytes)--------parent id (8 bytes)-flags
//   tracestate:  rojo=00f067aa0ba902b7,congo=t61rcWkgMzE   (validated; dropped whole if invalid)
//   baggage:     braintrust.parent=project_id%3Aabc,k=v     (kept raw; read when a span starts)
//
// One wasm call per extract validates the traceparent and the tracestate together
// (src/js/propagation.rs) and answers with a number; the ids are sliced from the
// caller's own string, so no string crosses back from wasm. The header values are
// usually short ASCII, written into wasm memory with one encodeInto (wire.js);
// anything else takes the ordinary string path.

import { __extract, __extractScratch, __forwardedBaggage, __forwardedBaggageScratch } from './instance.js';
import { outText, writeAscii, writeAsciiPair } from './wire.js';
import { injectContext, readBaggageTail, readHeaders } from './carrier.js';
import { newSpanId } from './ids.js';

/** The W3C trace context header carrying trace id, parent span id and flags. */
export const TRACEPARENT_HEADER = 'traceparent';
/** The W3C header carrying vendor-specific trace state. */
export const TRACESTATE_HEADER = 'tracestate';
/** The W3C baggage header. */
export const BAGGAGE_HEADER = 'baggage';
/** The baggage member naming the Braintrust object a trace is logged under. */
export const BRAINTRUST_PARENT_KEY = 'braintrust.parent';

const VALID = 0x100;
const TRACESTATE_VALID = 0x200;
const TRACEPARENT_LEN = 55;

/** Only this module makes contexts: a span trusts a context's values as validated. */
const MADE_HERE = Symbol('spanwire.TraceContext');

/**
 * Marks a TraceContext of any copy of this package (the `require` build beside the
 * `import` one has its own class): one of another copy is read again from its values.
 */
const CONTEXT_BRAND = Symbol.for('spanwire.TraceContext');

/**
 * An inbound trace context: the caller's trace id, span id and flags, and the validated
 * header values a span started from it carries on. Made by `extractTraceContext`.
 */
export class TraceContext {
  /** Set only by the constructor: `instanceof` is fooled by Object.create(TraceContext.prototype). */
  #extracted = true;

  /** The validated tracestate: private, so the value a span trusts cannot be replaced. */
  #tracestate;

  /** @internal Whether `value` was made by this module, so its tracestate was validated. */
  static _extracted(value) {
    return value !== null && typeof value === 'object' && #extracted in value;
  }

  /** @internal */
  constructor(token, traceparent, flags, tracestate, baggage) {
    if (token !== MADE_HERE) throw new TypeError('spanwire: a TraceContext comes from extractTraceContext');
    /** @internal the valid traceparent as received, spaces and tabs trimmed */
    this._traceparent = traceparent;
    /** @internal the raw trace-flags byte */
    this._flags = flags;
    this.#tracestate = tracestate;
    /** @internal the inbound baggage as received, or undefined */
    this._baggage = baggage;
    /** @internal what injectTraceContext writes, built on first use */
    this._prop = undefined;
    /** @internal the forwarded baggage (forwardedBaggage), parsed on first use */
    this._fwd = undefined;
    /** @internal the context this one is a child of (its baggage is the same) */
    this._up = undefined;
  }

  /** @internal the validated tracestate (lines joined), or undefined; read-only */
  get _tracestate() {
    return #tracestate in this ? this.#tracestate : undefined; // a forged context has none
  }

  /** @internal see CONTEXT_BRAND */
  get [CONTEXT_BRAND]() {
    return true;
  }

  /** The trace id: 32 lowercase hex characters. */
  get traceId() {
    return this._traceparent.slice(3, 35);
  }

  /** The caller's span id (`parent-id` on the wire): 16 lowercase hex characters. */
  get spanId() {
    return this._traceparent.slice(36, 52);
  }

  /** The trace-flags byte as received (0x01 sampled, 0x02 random trace id). */
  get traceFlags() {
    return this._flags;
  }

  /** Whether the caller sampled the trace (flag bit 0). */
  get sampled() {
    return (this._flags & 1) === 1;
  }

  /**
   * A context one hop further down the same trace, for a hop that records no span:
   * the same trace id, known flag bits (sampled, random), tracestate and baggage, and
   * a new random span id from the secure source. It is what an unsampled span
   * propagates; nothing is recorded under its span id.
   */
  child() {
    const flags = this._knownFlags();
    const traceparent = `00-${this.traceId}-${newSpanId()}-0${flags}`;
    const ctx = new TraceContext(MADE_HERE, traceparent, flags, this._tracestate, this._baggage);
    ctx._up = this;
    return ctx;
  }

  /**
   * @internal The flags carried on: sampled and random from version 00, only sampled
   * from a higher version, whose other bits W3C leaves undefined (src/w3c/traceparent.rs
   * known_flags).
   */
  _knownFlags() {
    return this._flags & (this._traceparent.startsWith('00') ? 0x03 : 0x01);
  }

  /** @internal What this context forwards of its baggage: one wasm parse, shared with the contexts it was made from. */
  _forwarded() {
    if (this._fwd === undefined) this._fwd = this._up !== undefined ? this._up._forwarded() : forwardedBaggage(this._baggage);
    return this._fwd;
  }

  /**
   * @internal What `injectTraceContext` writes: the context as received, re-emitted
   * as version 00 with only the known flag bits (sampled, random), its tracestate,
   * and its baggage (members relayed, `braintrust.parent` kept). Built once.
   */
  _propagation() {
    if (this._prop === undefined) {
      const flags = this._knownFlags();
      // Its fields its own (undefined when absent), so that none is read from a
      // polluted Object.prototype; `relayed` only with baggage (see outboundBaggage).
      const p = {
        traceparent: `00${this._traceparent.slice(2, 53)}0${flags}`,
        tracestate: this._tracestate,
        baggage: undefined,
        braintrustParent: undefined,
      };
      if (this._baggage !== undefined) {
        p.baggage = this._baggage;
        const { relayed, braintrustParent } = this._forwarded();
        p.braintrustParent = braintrustParent;
        p.relayed = relayed; // see carrier.js outboundBaggage
      }
      this._prop = p;
    }
    return this._prop;
  }
}

/** src/js/propagation.rs FORWARD_AS_RECEIVED (u32::MAX, as the glue returns it). */
const FORWARD_AS_RECEIVED = 0xffffffff;

/**
 * What a context forwards of its inbound `baggage`, from one wasm parse
 * (src/js/propagation.rs write_forwarded): `relayed`, the value for a carrier that
 * holds none (undefined: write nothing), and the valid inbound `braintrustParent`.
 * Usually the header goes on exactly as received: then nothing is decoded.
 */
function forwardedBaggage(baggage) {
  const len = writeAscii(baggage) >= 0 ? __forwardedBaggageScratch(baggage.length) : __forwardedBaggage(baggage);
  if (len === FORWARD_AS_RECEIVED) return { relayed: baggage, braintrustParent: undefined };
  return readBaggageTail(outText(len), 0, { relayed: undefined, braintrustParent: undefined });
}

/** `text` without leading and trailing spaces and tabs (W3C OWS). */
function trimOws(text) {
  let start = 0;
  let end = text.length;
  while (start < end) {
    const c = text.charCodeAt(start);
    if (c !== 0x20 && c !== 0x09) break;
    start++;
  }
  while (end > start) {
    const c = text.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0x09) break;
    end--;
  }
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * The packed answer of the wasm check (0: no valid traceparent). Both values go to
 * wasm in one write (wire.js); non-ASCII values take the ordinary string path.
 */
function check(traceparent, tracestate) {
  if (writeAsciiPair(traceparent, tracestate) >= 0) {
    return __extractScratch(traceparent.length, tracestate.length);
  }
  return __extract(traceparent, tracestate);
}

/**
 * Reads the caller's trace context from request headers: a `TraceContext` when they
 * hold a valid `traceparent`, otherwise `undefined`. Never throws.
 */
export function extractTraceContext(headers) {
  const read = readHeaders(headers);
  if (read.tp === undefined) return undefined;
  const traceparent = trimOws(read.tp);
  if (traceparent.length < TRACEPARENT_LEN) return undefined;
  const tracestate = read.ts === undefined ? '' : trimOws(read.ts);
  let packed;
  try {
    packed = check(traceparent, tracestate);
  } catch {
    return undefined;
  }
  if ((packed & VALID) === 0) return undefined;
  return new TraceContext(
    MADE_HERE,
    traceparent,
    packed & 0xff,
    (packed & TRACESTATE_VALID) !== 0 ? tracestate : undefined,
    read.bg === '' ? undefined : read.bg,
  );
}

/** `extractTraceContext` under the Braintrust JS SDK's name. */
export const extractTraceContextFromHeaders = extractTraceContext;

/**
 * Writes an extracted context into `carrier` unchanged (a new object if omitted) and
 * returns it: for a proxy that forwards a request without a span of its own. The
 * traceparent goes out as version 00 with the caller's ids and known flags, the
 * tracestate as received, the baggage relayed (the carrier's members, then the
 * inbound ones, `braintrust.parent` last). Throws a TypeError when `context` is not a
 * `TraceContext` or the carrier rejects a header.
 */
export function injectTraceContext(context, carrier) {
  if (!(context instanceof TraceContext)) {
    // One of the other build (require beside import): read again from what it holds.
    const local = context?.[CONTEXT_BRAND] === true ? extractTraceContext(foreignHeaders(context)) : undefined;
    if (local === undefined) {
      throw new TypeError('spanwire: injectTraceContext expects a TraceContext from extractTraceContext');
    }
    context = local;
  }
  return injectContext(carrier ?? {}, context._propagation());
}

/** The headers a TraceContext of another copy of the package was made from. */
function foreignHeaders(context) {
  const headers = { traceparent: context._traceparent };
  if (typeof context._tracestate === 'string') headers.tracestate = context._tracestate;
  if (typeof context._baggage === 'string') headers.baggage = context._baggage;
  return headers;
}
