// Loggers and spans: the Braintrust-style API over the core recorder (src/recorder.rs
// through src/js/span.rs). A Span holds a u32 handle into the recorder while it is
// live and, once ended, a copy of the snapshot the recorder wrote: no wasm memory stays
// behind an ended span, and a span collected before it ended is freed by a
// FinalizationRegistry.
//
// Crossings: a span costs two wasm calls in the usual case (and, with an exporter,
// two more with numbers only as it is queued: Exporter.notify). Starting passes numbers
// only; the name and the string/number/boolean attributes wait in the Span and go
// with `end`, written to wasm memory in one piece (wire.js). Attributes are applied in
// the order they were set, so buffering changes nothing a reader could see.
//
// Times: the public API takes and returns seconds since the Unix epoch (as the
// Braintrust SDKs do); wasm gets milliseconds (f64) and records nanoseconds. The clock
// is `performance.timeOrigin + performance.now()`. In Cloudflare Workers that clock
// only advances across I/O (a Spectre mitigation), so a span that does pure CPU work
// records a duration of 0 and durations measure the I/O waited for, not compute.
import {
  logger_create, logger_close, logger_queued, logger_dropped, logger_holds_batch, logger_take_batch, logger_encode_queued,
  logger_discard_queued, logger_queued_after_trap,
  span_start_root, span_start_child, span_start_after, span_start_remote, span_start_remote_strings, span_start_slug,
  take_slug_error, span_end, span_rename, span_discard, span_field, snapshot_field, span_flags,
  span_propagation, snapshot_propagation, span_export, snapshot_export,
  span_set_attributes, span_set_json, span_add_event, span_set_status, span_set_row_id,
  span_log, slug_parse, slug_format, epoch, onRestart,
} from './instance.js';
import { injectContext, readBaggageTail } from './carrier.js';
import { TraceContext } from './propagation.js';
import { META_LEN, metaView, outText, outWords, writeAscii, writeParts, writeWords } from './wire.js';
import Exporter, { weakRef } from './exporter.js';
import { tracedFetch } from './http.js';

// The clock, looked up at the first span: in Node, the first touch of `performance`
// loads perf_hooks (about 2 ms), which an import need not pay for.
let perf = null;
let ORIGIN = 0;

/** Milliseconds since the epoch, from the best clock the runtime offers. */
function nowMs() {
  if (perf === null) {
    perf = globalThis.performance;
    ORIGIN = perf && perf.timeOrigin > 0 ? perf.timeOrigin : 0;
  }
  if (perf !== undefined) {
    const t = ORIGIN + perf.now();
    if (t > 1e12) return t;
  }
  return Date.now();
}

/**
 * Seconds since the epoch past this are taken for milliseconds (`Date.now()`), not the
 * year 5138: such a time would export a span lasting centuries.
 */
const MAX_SECONDS = 1e11;

/** Whether `t` is a Date, of this realm or another (a vm context, an iframe). */
function isDate(t) {
  return t instanceof Date || Object.prototype.toString.call(t) === '[object Date]';
}

function timeToMs(t, what) {
  if (typeof t === 'number' && Number.isFinite(t) && t >= 0) {
    if (t >= MAX_SECONDS) throw new TypeError(`${what} must be seconds since the Unix epoch, not milliseconds (got ${t}; divide it by 1000)`);
    return t * 1000;
  }
  if (isDate(t)) {
    const ms = Date.prototype.getTime.call(t);
    if (Number.isFinite(ms)) return ms;
  }
  throw new TypeError(`${what} must be seconds since the Unix epoch (a finite number >= 0) or a Date`);
}

/** Whether `arg` is Braintrust's `{ endTime? }` for `end`: an object with `endTime`, or a plain one. */
function isEndArgs(arg) {
  if (arg === null || typeof arg !== 'object' || isDate(arg)) return false;
  const proto = Object.getPrototypeOf(arg);
  return 'endTime' in arg || proto === Object.prototype || proto === null;
}

const warned = new Set();
function warnOnce(key, message) {
  if (warned.has(key)) return;
  warned.add(key);
  globalThis.console?.warn?.(`spanwire: ${message}`);
}

const TRUTHY = /^\s*(true|1|yes|y|on)\s*$/i;
function envFlag(name) {
  try {
    const v = globalThis.process?.env?.[name];
    return typeof v === 'string' && TRUTHY.test(v);
  } catch {
    return false;
  }
}

function sdkLanguage() {
  return globalThis.process?.versions?.node !== undefined && globalThis.navigator?.userAgent !== 'Cloudflare-Workers'
    ? 'nodejs'
    : 'webjs';
}

const KINDS = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
function kindCode(kind) {
  if (kind === undefined) return 1;
  const code = typeof kind === 'number' ? kind + 1 : KINDS[kind]; // OTel SpanKind: INTERNAL = 0
  if (code >= 1 && code <= 5) return code;
  throw new TypeError("kind must be 'internal', 'server', 'client', 'producer' or 'consumer'");
}

// Held: the span's [handle, epoch]. A handle from before a restart (instance.js) names
// nothing in the new instance, or another span there, so it is not discarded.
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(([h, ep]) => {
    if (ep !== epoch) return;
    try { span_discard(h); } catch { /* module gone */ }
  })
  : undefined;

// A logger's wasm side (its config and export queue) is closed once its `_source` is
// collected: that object is held by the Logger (so by every Span of it) and by its
// exporter, which a pending send timer, a request in flight or a flush keeps reachable
// while spans wait to be sent. So queued spans are never dropped by this, and a logger
// made per request (as Workers code does, to read `env`) does not grow the memory.
// Until then its `WasmLogger` (below) is in `openLoggers`, so a restart can create it again.
const openLoggers = new Set();
const loggerRegistry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((wasmLogger) => {
    openLoggers.delete(wasmLogger);
    try { logger_close(wasmLogger.id); } catch { /* module gone */ }
  })
  : undefined;

/** A logger id no instance gives (u32::MAX): calls with it fail as "logger is closed". */
const NO_LOGGER = 0xffffffff;

/**
 * A logger's side in wasm: its id there, and what created it (`logger_create`'s
 * arguments), so that after a restart (instance.js) it is created again in the new
 * instance: at once for the loggers in `openLoggers`, otherwise when its id is next
 * read (runtimes without FinalizationRegistry). What was queued in the old instance
 * was taken from it, or counted as lost, by the exporter (exporter.js `_salvage`),
 * which is told here that the logger is new.
 */
class WasmLogger {
  constructor(config) {
    this.config = config;
    this._id = logger_create(...config);
    this._ep = epoch;
    /** The logger's exporter, once it exists (weakly held where WeakRef exists). */
    this.exporter = undefined;
  }

  /** The id in the current instance. */
  get id() {
    if (this._ep !== epoch) this._recreate();
    return this._id;
  }

  _recreate() {
    this._id = NO_LOGGER;
    try {
      this._id = logger_create(...this.config);
      this._ep = epoch; // only once created: a failed attempt is made again at next use
    } finally {
      this.exporter?.deref()?._restarted();
    }
  }
}

onRestart(() => {
  for (const wasmLogger of openLoggers) {
    try {
      wasmLogger._recreate();
    } catch { /* left closed: its calls fail as "logger is closed" */ }
  }
});

// Spans begun in wasm are registered for finalization at the next microtask, and only
// those not ended by then: most spans that begin end in the same turn (an inject, then
// end), and a registration costs about as much as the rest of the span's JS. Until
// then this list holds them, so none can be collected unregistered; it is also emptied
// every 1,024 spans, so a long synchronous loop does not hold every span it made.
let unregistered = [];
const MAX_UNREGISTERED = 1024;

function registerSoon(span) {
  if (unregistered.length >= MAX_UNREGISTERED) registerSurvivors();
  if (unregistered.length === 0) queueMicrotask(registerSurvivors);
  unregistered.push(span);
}

function registerSurvivors() {
  const spans = unregistered;
  unregistered = [];
  for (const span of spans) {
    if (span._snap === undefined && !span._registered) { // listed twice if begun again
      registry.register(span, [span._h, span._ep], span);
      span._registered = true;
    }
  }
}

/** A replacer writing a BigInt (which JSON has no number for) as its digits, as a BigInt attribute value is. */
const bigintAsDigits = (_key, v) => (typeof v === 'bigint' ? v.toString() : v);

/**
 * `value` as JSON text (undefined for functions and symbols: treated as not given).
 * A BigInt inside is written as its digits; anything else JSON refuses (a cycle, a
 * throwing `toJSON`) is a TypeError naming `what`.
 */
function stringify(value, what) {
  const v = value instanceof Error ? errorText(value) : value;
  try {
    return JSON.stringify(v);
  } catch {
    // The replacer only after a failure: it slows every stringify of a large input.
  }
  try {
    return JSON.stringify(v, bigintAsDigits);
  } catch (e) {
    throw new TypeError(`${what} is not JSON-serializable: ${e?.message ?? e}`);
  }
}

function errorText(e) {
  if (e instanceof Error) return e.stack || `${e.name}: ${e.message}`;
  return typeof e === 'string' ? e : String(e);
}

/** Attributes buffered per span before they are sent (META holds 3 slots each). */
const MAX_BUFFERED = 128;
const EMPTY_ATTRS = Object.freeze([]);
const ATTR_STRING = 1;
const ATTR_NUMBER = 2;
const ATTR_BOOL = 3;
const SPARE_SLOT = META_LEN - 1;

/**
 * Writes `name` then the buffered attributes (`[key, value, ...]`, scalars) to TEXT and
 * META for span_end / span_set_attributes. Returns `{ textLen, nameLen, count }`, or
 * undefined when they do not fit in TEXT.
 */
function writeCall(name, attrs) {
  const meta = metaView();
  let joined = name;
  let slot = 0;
  for (let i = 0; i < attrs.length; i += 2) {
    const key = attrs[i];
    const value = attrs[i + 1];
    joined += key;
    meta[slot + 1] = key.length;
    if (typeof value === 'string') {
      joined += value;
      meta[slot] = ATTR_STRING;
      meta[slot + 2] = value.length;
    } else if (typeof value === 'number') {
      meta[slot] = ATTR_NUMBER;
      meta[slot + 2] = value;
    } else {
      meta[slot] = ATTR_BOOL;
      meta[slot + 2] = value ? 1 : 0;
    }
    slot += 3;
  }
  const count = slot / 3;
  const textLen = writeAscii(joined);
  if (textLen >= 0) return { textLen, nameLen: name.length, count };
  // Not all ASCII (or too long): write the parts one by one, with their byte lengths.
  const parts = [name];
  const slots = [SPARE_SLOT];
  for (let i = 0, s = 0; i < attrs.length; i += 2, s += 3) {
    parts.push(attrs[i]);
    slots.push(s + 1);
    if (typeof attrs[i + 1] === 'string') {
      parts.push(attrs[i + 1]);
      slots.push(s + 2);
    }
  }
  const len = writeParts(parts, slots);
  return len < 0 ? undefined : { textLen: len, nameLen: meta[SPARE_SLOT], count };
}

/** Sends buffered attributes one at a time; one too long for TEXT goes as JSON. */
function sendOneByOne(h, attrs) {
  for (let i = 0; i < attrs.length; i += 2) {
    const one = [attrs[i], attrs[i + 1]];
    const written = writeCall('', one);
    if (written !== undefined) span_set_attributes(h, written.textLen, 1);
    else span_set_json(h, attrs[i], JSON.stringify(attrs[i + 1]));
  }
}

/**
 * The propagation object of `span_propagation`'s text: `traceparent`, `tracestate` and
 * the relayed inbound `baggage` a line each, then the tail `readBaggageTail` reads
 * (`relayed`, `braintrustParent`).
 */
function propagationOf(text) {
  const a = text.indexOf('\n');
  const b = text.indexOf('\n', a + 1);
  const c = text.indexOf('\n', b + 1);
  // Every field its own (undefined when absent): none may be read from a polluted
  // Object.prototype by the carrier writer.
  const p = {
    traceparent: text.slice(0, a),
    tracestate: b > a + 1 ? text.slice(a + 1, b) : undefined,
    baggage: c > b + 1 ? text.slice(b + 1, c) : undefined,
    relayed: undefined,
    braintrustParent: undefined,
  };
  return readBaggageTail(text, c + 1, p);
}

const LOG_FIELDS = new Set(['input', 'output', 'expected', 'error', 'metadata', 'metrics', 'scores', 'tags', 'span_attributes']);

/**
 * Marks a Span of any copy of this package (its CommonJS and ES module builds are
 * separate bundles, each with its own Span class): one registry-wide symbol.
 */
const SPAN_BRAND = Symbol.for('spanwire.Span');

/** A span: Braintrust's `Span` with OpenTelemetry's attribute, event and status calls. */
export class Span {
  constructor(logger, startMs, name, kind, parent) {
    this._logger = logger;
    /** @internal the recorder handle; -1 until the span is begun in wasm (`_handle`) */
    this._h = -1;
    /** @internal the instance epoch (instance.js) the handle belongs to; -1 until begun */
    this._ep = -1;
    /**
     * @internal what to begin from: undefined (a root), a Span, a context object. Kept
     * after the span begins, until it ends: after a restart it begins again from it.
     * (So an unended parent Span stays reachable, with its record, while an unended
     * child does.)
     */
    this._parent = parent;
    this._kind = kind;
    this._startMs = startMs;
    /** @internal the name, sent at end */
    this._name = name;
    /** @internal attributes set since the last send: [key, value, key, value, ...] */
    this._attrs = [];
    /** @internal whether the FinalizationRegistry holds this span */
    this._registered = false;
    this._snap = undefined;
    this._endS = undefined;
    this._id = undefined;
    this._spanId = undefined;
    this._rootSpanId = undefined;
    this._parentId = undefined;
    this._prop = undefined;
    /** @internal the row id from `startSpan({ event: { id } })`, if any */
    this._rowId = undefined;
  }

  /**
   * @internal The recorder handle, beginning the span in wasm on first use. A span
   * begun here may be collected unended, so the FinalizationRegistry frees it then.
   * A span begun before a restart (instance.js) begins again here.
   */
  _handle() {
    if (this._ep !== epoch) this._begin(true);
    return this._h;
  }

  /**
   * @internal Begins the span in wasm: its ids are drawn now, its start time is the one
   * taken at startSpan. Again after a restart: the record in the old instance is lost,
   * so the span starts over from its parent with new ids, keeping its start time and
   * what it has not sent yet (the name, buffered attributes).
   */
  _begin(register) {
    if (this._ep !== -1) {
      this._id = this._spanId = this._rootSpanId = this._parentId = this._prop = undefined;
      if (this._registered) {
        registry.unregister(this);
        this._registered = false;
      }
    }
    this._h = beginSpan(this._logger._wasm.id, this._kind, this._startMs, this._parent);
    this._ep = epoch;
    // A row id the caller chose (`event.id`) is kept when the span begins again.
    if (this._rowId !== undefined) span_set_row_id(this._h, this._rowId);
    if (register && registry !== undefined) registerSoon(this);
  }

  /**
   * @internal Begins again a live span begun before a restart, before its cached ids or
   * headers are read: they are the ones it will be exported with.
   */
  _current() {
    if (this._ep !== epoch && this._ep !== -1 && this._snap === undefined) this._begin(true);
  }

  _field(k) {
    return this._snap === undefined ? span_field(this._handle(), k) : snapshot_field(writeWords(this._snap), k);
  }

  /** @internal Frees a span startSpan gave up on (an option was refused): it is never exported. */
  _discard() {
    if (this._ep === epoch && this._snap === undefined) {
      try { span_discard(this._h); } catch { /* the module failed: a restart frees it */ }
    }
    if (this._registered) registry.unregister(this);
    this._registered = false;
    this._snap = null; // ended: not registered later, never begun again
  }

  /** The row id (`span.id` in Braintrust). */
  get id() {
    this._current();
    return (this._id ??= this._field(0));
  }
  /** The span id: 16 hex, or a UUID in legacy mode. */
  get spanId() {
    this._current();
    return (this._spanId ??= this._field(1));
  }
  /** The root span id: the trace id (32 hex), or the root's UUID in legacy mode. */
  get rootSpanId() {
    this._current();
    return (this._rootSpanId ??= this._field(2));
  }
  /** The parent's span id in a one-element array; `[]` for a root. */
  get spanParents() {
    this._current();
    const p = (this._parentId ??= this._field(3));
    return p === '' ? [] : [p];
  }
  /** W3C trace flags: bit 0 sampled, bit 1 random. */
  get traceFlags() {
    return this._snap === undefined ? span_flags(this._handle()) : Number(snapshot_field(writeWords(this._snap), 4));
  }
  /** Whether the span is recorded for export. */
  get sampled() { return (this.traceFlags & 1) === 1; }
  /** Whether `end` was called. */
  get ended() { return this._snap !== undefined; }

  _live(op) {
    if (this._snap === undefined) return true;
    warnOnce(`ended:${op}`, `${op}() on an ended span is ignored`);
    return false;
  }

  /** Sets attributes: strings, numbers, booleans; arrays and objects as OTLP arrays / kv-lists. */
  setAttributes(attributes) {
    if (attributes === null || typeof attributes !== 'object') {
      throw new TypeError('setAttributes expects an object');
    }
    if (!this._live('setAttributes')) return this;
    for (const key in attributes) {
      if (Object.prototype.hasOwnProperty.call(attributes, key)) this._set(key, attributes[key]);
    }
    return this;
  }

  /** Sets one attribute. */
  setAttribute(key, value) {
    if (!this._live('setAttribute')) return this;
    this._set(typeof key === 'string' ? key : String(key), value);
    return this;
  }

  /** @internal Buffers a scalar attribute; sends an object or array at once, after the buffered ones. */
  _set(key, value) {
    switch (typeof value) {
      case 'string':
      case 'number':
      case 'boolean':
        break;
      case 'bigint':
        value = value.toString();
        break;
      case 'object':
        if (value === null) return;
        this._sendAttributes();
        value = stringify(value, `attribute \`${key}\``); // user code (toJSON, getters) runs before the handle is read
        // A toJSON that gives undefined: no value, as for undefined itself.
        if (value !== undefined) span_set_json(this._handle(), key, value);
        return;
      default:
        return; // undefined, functions, symbols: not attributes
    }
    const attrs = this._attrs;
    attrs.push(key, value);
    if (attrs.length >= MAX_BUFFERED * 2) this._sendAttributes();
  }

  /** @internal Sends the buffered attributes (not the name) to the recorder. */
  _sendAttributes() {
    if (this._attrs.length === 0) return;
    const h = this._handle();
    const written = writeCall('', this._attrs);
    if (written !== undefined) {
      span_set_attributes(h, written.textLen, written.count);
    } else {
      sendOneByOne(h, this._attrs);
    }
    this._attrs = [];
  }

  /** Adds a timestamped event (`time` in seconds since the epoch, default now). */
  addEvent(name, attributes, time) {
    if (typeof name !== 'string') throw new TypeError('addEvent: name must be a string');
    if (!this._live('addEvent')) return this;
    const ms = time === undefined ? nowMs() : timeToMs(time, 'addEvent time');
    const json = attributes === undefined || attributes === null ? '' : stringify(attributes, 'addEvent: attributes');
    span_add_event(this._handle(), name, ms, json ?? '');
    return this;
  }

  /** Sets the status: `{ code: 'ok' | 'error' | 'unset' (or 1, 2, 0), message? }`. */
  setStatus(status) {
    const code = { unset: 0, ok: 1, error: 2 }[status?.code] ?? status?.code;
    if (code !== 0 && code !== 1 && code !== 2) {
      throw new TypeError("setStatus: code must be 'unset', 'ok', 'error' (or 0, 1, 2)");
    }
    if (!this._live('setStatus')) return this;
    const message = status.message === undefined ? '' : String(status.message);
    span_set_status(this._handle(), code, message);
    return this;
  }

  /** Braintrust's `span.log(...)`: merges the fields into the span's row. */
  log(event) {
    if (event === null || typeof event !== 'object') throw new TypeError('log expects an object');
    for (const key of Object.keys(event)) {
      if (!LOG_FIELDS.has(key)) throw new TypeError(`log: unknown field \`${key}\``);
    }
    if (event.tags !== undefined && (!Array.isArray(event.tags) || event.tags.some((t) => typeof t !== 'string'))) {
      throw new TypeError('log: `tags` must be an array of strings');
    }
    const f = (k) => (event[k] === undefined ? undefined : stringify(event[k], `log: \`${k}\``));
    const fields = [f('input'), f('output'), f('expected'), f('error'), f('metadata'), f('metrics'), f('scores'), f('tags'), f('span_attributes')];
    if (!this._live('log')) return;
    span_log(this._handle(), ...fields);
  }

  /** Starts a child span. */
  startSpan(options = {}) {
    return this._logger._start(options, this);
  }

  /** Runs `fn(span)` in a child span, ending it when `fn` returns or settles. */
  traced(fn, options = {}) {
    return runTraced(this._logger._start(tracedOptions(fn, options), this), fn);
  }

  /**
   * Ends the span (default now; `endTime` in seconds since the epoch) and returns the
   * end time in seconds. A second call changes nothing and returns the first end time.
   */
  end(endTime) {
    if (this._snap !== undefined) return this._endS;
    // Braintrust's form, `end({ endTime })`, too.
    if (isEndArgs(endTime)) endTime = endTime.endTime;
    let ms = endTime === undefined ? nowMs() : timeToMs(endTime, 'endTime');
    if (ms < this._startMs) ms = this._startMs;
    // Never begun (or begun before a restart): begun and ended now, with nothing for
    // the registry to free later.
    if (this._ep !== epoch) this._begin(false);
    const ex = this._logger._exporter;
    // Listed before the span is queued: a stack overflow between the two must not leave
    // a queued span where a restart or Node's exit flush cannot reach it.
    ex?._list();
    const h = this._h;
    let written = writeCall(this._name, this._attrs);
    if (written === undefined) {
      // Too long for one write: the attributes one by one, then the name on its own.
      sendOneByOne(h, this._attrs);
      this._attrs = [];
      written = writeCall(this._name, this._attrs);
      if (written === undefined) {
        span_rename(h, this._name);
        written = { textLen: 0, nameLen: -1, count: 0 };
      }
    }
    this._snap = outWords(span_end(h, ms, written.textLen, written.nameLen, written.count));
    this._attrs = EMPTY_ATTRS;
    this._parent = undefined; // an ended span never begins again
    if (this._registered) registry.unregister(this);
    this._endS = ms / 1000;
    if (ex !== undefined) ex.notify();
    return this._endS;
  }

  /** The Braintrust slug: V4, or V3 in legacy id mode. */
  export() {
    return this._snap === undefined ? span_export(this._handle()) : snapshot_export(this._logger._wasm.id, writeWords(this._snap));
  }

  /** Internal: the headers to inject, or undefined in legacy UUID mode. */
  _propagation() {
    this._current();
    if (this._prop === undefined) {
      const len = this._snap === undefined ? span_propagation(this._handle()) : snapshot_propagation(writeWords(this._snap));
      this._prop = len < 0 ? null : propagationOf(outText(len));
    }
    return this._prop ?? undefined;
  }

  /** Writes `traceparent`, `tracestate` and `baggage` into `carrier` (new object if omitted) and returns it. */
  inject(carrier) {
    const target = carrier ?? {};
    const p = this._propagation();
    if (p === undefined) return target;
    return injectContext(target, p);
  }

  /**
   * `fetch` under a client span that is a child of this one, with trace headers
   * injected where the logger's `propagateTo` allows (see http.js `tracedFetch`).
   */
  fetch(input, init, options) {
    return tracedFetch(this, input, init, options);
  }
}
Object.defineProperty(Span.prototype, SPAN_BRAND, { value: true });

function tracedOptions(fn, options) {
  if (typeof fn !== 'function') throw new TypeError('traced expects a function');
  return options.name === undefined ? { ...options, name: fn.name || 'traced' } : options;
}

function recordError(span, e) {
  try {
    span.log({ error: errorText(e) });
    span.addEvent('exception', {
      'exception.type': e?.name ?? typeof e,
      'exception.message': e instanceof Error ? e.message : String(e),
      ...(e instanceof Error && e.stack ? { 'exception.stacktrace': e.stack } : {}),
    });
  } catch { /* recording must never hide the user's error */ }
}

/** Ends a traced span; a failure to record is warned about, never thrown over the user's result. */
function endTraced(span) {
  try {
    span.end();
  } catch (err) {
    warnOnce('traced-end', `a traced span could not be ended: ${err?.message ?? err}`);
  }
}

function runTraced(span, fn) {
  let result;
  let then;
  try {
    result = fn(span);
    // A thenable's `then` is read once, as await reads it; a throwing getter or call
    // is the function's error.
    then = result !== null && typeof result === 'object' ? result.then : undefined;
    if (typeof then === 'function') {
      return then.call(
        result,
        (v) => { endTraced(span); return v; },
        (e) => { recordError(span, e); endTraced(span); throw e; },
      );
    }
  } catch (e) {
    recordError(span, e);
    endTraced(span);
    throw e;
  }
  endTraced(span);
  return result;
}

function optString(options, key) {
  const v = options[key];
  if (v !== undefined && (typeof v !== 'string' || v === '')) throw new TypeError(`initLogger: ${key} must be a non-empty string`);
  return v;
}

/** Begins a span in the recorder under `parent` (see Span._parent); returns its handle. */
function beginSpan(id, kind, startMs, parent) {
  if (parent === undefined) return span_start_root(id, kind, startMs);
  if (parent instanceof Span) {
    return parent._snap === undefined
      ? span_start_child(id, kind, startMs, parent._handle())
      : span_start_after(id, kind, startMs, writeWords(parent._snap));
  }
  if (typeof parent === 'string') return span_start_slug(id, kind, startMs, parent);
  return startRemote(id, kind, startMs, parent);
}

/**
 * Starts a span under inbound `{ traceparent, tracestate?, baggage? }` values: the three
 * go to wasm in one write.
 */
function startRemote(id, kind, startMs, { traceparent: tp, tracestate: ts, baggage: bg, checked }) {
  const tsText = typeof ts === 'string' ? ts : '';
  const bgText = typeof bg === 'string' ? bg : '';
  let tpLen = tp.length;
  let tsLen = tsText.length;
  let bgLen = bgText.length;
  const hasTs = typeof ts === 'string';
  const hasBg = typeof bg === 'string';
  if (writeAscii(tp + tsText + bgText) < 0) {
    // Not ASCII: written part by part. Longer than TEXT (32 KiB) in all, which no
    // header limit prevents (raw baggage, empty tracestate members, a long
    // higher-version traceparent): passed as strings, and the core's limits apply.
    const meta = metaView();
    if (writeParts([tp, tsText, bgText], [0, 1, 2]) < 0) {
      const bits = (hasTs ? 1 : 0) | (hasBg ? 2 : 0) | (checked ? 4 : 0);
      return span_start_remote_strings(id, kind, startMs, tp, tsText, bgText, bits);
    }
    [tpLen, tsLen, bgLen] = [meta[0], meta[1], meta[2]];
  }
  return span_start_remote(id, kind, startMs, tpLen, hasTs ? tsLen : -1, hasBg ? bgLen : -1, checked);
}

/** Printable ASCII, nothing at either end that a header would trim. */
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * The `x-bt-parent` header naming the logger's Braintrust object (kind 1 project id,
 * 2 project name, 3 experiment id): `project_name:<name>` as Braintrust reads it
 * (resolveParentHeader in its util package, which takes the rest verbatim). A header
 * carries only Latin-1, and fetch trims spaces and tabs at its ends, so a value that
 * would not arrive intact (`Café ☕`, a trailing space) is sent as the V3 slug the
 * same reader decodes: base64 of the exact UTF-8.
 */
function parentHeader(kind, value) {
  const text = `${['', 'project_id', 'project_name', 'experiment_id'][kind]}:${value}`;
  if (HEADER_SAFE.test(text)) return text;
  const fields = kind === 2
    ? { object_type: 2, compute_object_metadata_args: { project_name: value } }
    : { object_type: kind === 1 ? 2 : 1, object_id: value };
  return slug_format(JSON.stringify(fields), 3);
}

/** A logger: where spans go (Braintrust object, service, exporter) and how ids are made. */
export class Logger {
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('initLogger expects an options object');
    const projectName = optString(options, 'projectName');
    const projectId = optString(options, 'projectId');
    const experimentId = optString(options, 'experimentId');
    const serviceName = options.serviceName ?? projectName ?? 'unknown_service';
    if (typeof serviceName !== 'string') throw new TypeError('initLogger: serviceName must be a string');
    const sampleRate = options.sampleRate ?? 1;
    if (typeof sampleRate !== 'number' || !(sampleRate >= 0 && sampleRate <= 1)) {
      throw new TypeError('initLogger: sampleRate must be a number from 0 to 1');
    }
    let legacyIds = options.legacyIds ?? envFlag('BRAINTRUST_LEGACY_IDS');
    if (typeof legacyIds !== 'boolean') throw new TypeError('initLogger: legacyIds must be a boolean');
    if (legacyIds && envFlag('BRAINTRUST_OTEL_COMPAT')) {
      warnOnce('otel-compat', 'BRAINTRUST_OTEL_COMPAT is set: using OpenTelemetry hex ids, not legacy UUID ids');
      legacyIds = false;
    }
    const exporter = options.exporter;
    if (exporter !== undefined && exporter !== false && (exporter === null || typeof exporter !== 'object')) {
      throw new TypeError('initLogger: exporter must be an object or false');
    }
    const protocol = exporter === false ? 0 : (exporter?.protocol ?? 'json');
    if (protocol !== 0 && protocol !== 'json' && protocol !== 'protobuf') {
      throw new TypeError("initLogger: exporter.protocol must be 'json' or 'protobuf'");
    }
    const [parentKind, parentValue] = experimentId !== undefined ? [3, experimentId]
      : projectId !== undefined ? [1, projectId]
        : projectName !== undefined ? [2, projectName] : [0, ''];
    const resource = options.resourceAttributes;
    if (resource !== undefined && (resource === null || typeof resource !== 'object')) {
      throw new TypeError('initLogger: resourceAttributes must be an object');
    }
    // The core's queue holds what the exporter's normalized options say (a bad option
    // throws the exporter's TypeError here); without an exporter nothing is queued.
    const batch = protocol === 0 ? { maxQueueSize: 1, maxQueueBytes: 1 } : Exporter.batchConfig(options.batch);
    const wasmLogger = new WasmLogger([
      serviceName, sdkLanguage(), parentKind, parentValue, legacyIds, sampleRate,
      protocol === 0 ? 0 : protocol === 'json' ? 1 : 2,
      batch.maxQueueSize,
      batch.maxQueueBytes,
      resource === undefined ? '' : stringify(resource, 'initLogger: resourceAttributes') ?? '',
    ]);
    /** @internal */
    this._wasm = wasmLogger;
    this.projectName = projectName;
    this.projectId = projectId;
    this.experimentId = experimentId;
    this.serviceName = serviceName;
    this.legacyIds = legacyIds;
    this.sampleRate = sampleRate;
    this._slugWarned = false;
    this._exporter = undefined;
    const braintrustParent = parentKind === 0 ? undefined : parentHeader(parentKind, parentValue);
    const contentType = protocol === 'protobuf' ? 'application/x-protobuf' : 'application/json';
    this._source = {
      takeBatch(max, maxBytes = 2 ** 32 - 1) {
        const id = wasmLogger.id;
        const before = logger_queued(id);
        const body = logger_take_batch(id, max, maxBytes);
        if (body === undefined) return undefined;
        return { body, count: before - logger_queued(id), contentType };
      },
      /**
       * Drops up to `max` queued spans unsent; returns how many (the benchmark clears
       * the queue with it, as OpenTelemetry's InMemorySpanExporter.reset()).
       */
      discard: (max) => logger_discard_queued(wasmLogger.id, max),
      /** The queued spans as one body, left queued (the benchmark times the encoder with it). */
      encodeQueued: () => logger_encode_queued(wasmLogger.id),
      /** Whether `max` spans or `maxBytes` (their weight in the core) are queued. */
      holdsBatch: (max, maxBytes) => logger_holds_batch(wasmLogger.id, max, maxBytes),
      queued: () => logger_queued(wasmLogger.id),
      dropped: () => logger_dropped(wasmLogger.id),
      /** After a failed call, before the restart: the spans queued, even with the recorder left borrowed. */
      queuedAfterTrap: () => logger_queued_after_trap(wasmLogger.id),
    };
    if (loggerRegistry !== undefined) {
      loggerRegistry.register(this._source, wasmLogger);
      openLoggers.add(wasmLogger);
    }
    if (protocol !== 0) {
      this._exporter = new Exporter(
        { exporter, apiKey: options.apiKey, batch: options.batch, braintrustParent },
        this._source,
      );
      // Weakly where `openLoggers` holds the WasmLogger, which must not keep the
      // exporter (and so `_source`) reachable.
      wasmLogger.exporter = weakRef(this._exporter);
    }
  }

  /**
   * What a Span of another copy of this package (its CommonJS and ES module builds are
   * separate bundles) is continued from: its headers, which carry its flags, its
   * tracestate and its object (baggage), as a span of this copy would be; its slug
   * where the headers cannot say it all (legacy id mode writes none; a Braintrust
   * propagated event travels only in the slug); neither (a legacy-mode span of a
   * logger without a Braintrust object): a new trace, with one warning.
   */
  _foreignParent(parent) {
    const headers = parent.inject({});
    let slug;
    try {
      slug = parent.export();
    } catch {
      slug = undefined; // no Braintrust object to export
    }
    const carriesEvent = slug !== undefined && parseSlug(slug).propagated_event !== undefined;
    if (typeof headers?.traceparent === 'string' && !carriesEvent) return headers;
    if (slug !== undefined) return slug;
    warnOnce('foreign-parent', 'a span of another copy of spanwire with no headers or slug to continue from (legacy ids, no Braintrust object): starting a new trace');
    return undefined;
  }

  _warnSlug(message) {
    if (this._slugWarned) return;
    this._slugWarned = true;
    globalThis.console?.warn?.(`spanwire: ignoring a malformed slug parent, starting a new trace (${message})`);
  }

  _start(options, parent) {
    if (options === null || typeof options !== 'object') throw new TypeError('startSpan expects an options object');
    const name = options.name ?? (parent == null ? 'root' : 'subspan');
    if (typeof name !== 'string') throw new TypeError('startSpan: name must be a string');
    const startMs = options.startTime === undefined ? nowMs() : timeToMs(options.startTime, 'startTime');
    const kind = kindCode(options.kind);
    // Braintrust's `spanAttributes` over `type`, as its SDK builds them ({ type, ...spanAttributes }).
    // Checked before the span exists, so a refused option leaves nothing begun.
    let spanAttributes = options.spanAttributes;
    if (spanAttributes !== undefined && (spanAttributes === null || typeof spanAttributes !== 'object')) {
      throw new TypeError('startSpan: spanAttributes must be an object');
    }
    if (options.type !== undefined) {
      if (typeof options.type !== 'string') throw new TypeError('startSpan: type must be a string');
      spanAttributes = { type: options.type, ...spanAttributes };
    }
    // (undefined too when a toJSON gives undefined: then there are none)
    const spanAttributesText = spanAttributes === undefined ? undefined : stringify(spanAttributes, 'startSpan: spanAttributes');
    // Braintrust's `event.id` is the span's row id (`span.id`); the rest is logged.
    let event = options.event ?? undefined;
    let rowId;
    if (event !== undefined && typeof event === 'object' && 'id' in event) {
      ({ id: rowId, ...event } = event); // `id: undefined` is no id
      if (rowId !== undefined && (typeof rowId !== 'string' || rowId === '')) {
        throw new TypeError('startSpan: event.id must be a non-empty string');
      }
    }
    let span;
    if (parent === undefined || parent === null) {
      span = new Span(this, startMs, name, kind, undefined);
    } else if (parent instanceof Span) {
      span = new Span(this, startMs, name, kind, parent);
    } else if (typeof parent === 'string') {
      // A slug is read now, so a malformed one is reported by this call.
      span = new Span(this, startMs, name, kind, parent);
      span._begin(true);
      const err = take_slug_error();
      if (err !== undefined) this._warnSlug(err);
    } else if (typeof parent === 'object' && parent[SPAN_BRAND] === true) {
      return this._start({ ...options, parent: undefined }, this._foreignParent(parent));
    } else if (typeof parent === 'object' && typeof (parent._traceparent ?? parent.traceparent) === 'string') {
      // The values are taken now: the span begins later, and the object may change.
      // An extracted context's tracestate was validated by extract, and is not again;
      // only its own fields are read then (a `tracestate` or `baggage` set on it, or
      // inherited from a polluted Object.prototype, would go unchecked).
      const extracted = TraceContext._extracted(parent);
      const context = extracted
        ? { traceparent: parent._traceparent, tracestate: parent._tracestate, baggage: parent._baggage, checked: true }
        : {
          traceparent: parent._traceparent ?? parent.traceparent,
          tracestate: parent._tracestate ?? parent.tracestate,
          baggage: parent._baggage ?? parent.baggage,
          checked: false,
        };
      span = new Span(this, startMs, name, kind, context);
    } else {
      throw new TypeError('startSpan: parent must be a Span, a context from extractTraceContext, or an exported slug string');
    }
    try {
      if (spanAttributesText !== undefined) {
        span_log(span._handle(), undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, spanAttributesText);
      }
      if (options.attributes !== undefined) span.setAttributes(options.attributes);
      if (rowId !== undefined) {
        // Kept on the span, which sets it whenever it begins (a slug parent's already has).
        span._rowId = rowId;
        if (span._ep === epoch) span_set_row_id(span._h, rowId);
      }
      // Braintrust's `event`: fields logged as the span starts.
      if (event !== undefined) span.log(event);
    } catch (err) {
      span._discard(); // refused options: the span is not returned, so nothing may keep it
      throw err;
    }
    return span;
  }

  /** Starts a span: a root, or a child of `parent` (a Span, an extracted context or a slug). */
  startSpan(options = {}) {
    return this._start(options, options?.parent);
  }

  /** Runs `fn(span)` in a new span and ends it when `fn` returns or its promise settles. */
  traced(fn, options = {}) {
    return runTraced(this._start(tracedOptions(fn, options), options.parent), fn);
  }

  /**
   * Sends every ended span; resolves with the exporter's report. Without an exporter
   * (`exporter: false`) ended spans are not kept, so the report is all zeros.
   */
  flush(options) {
    if (this._exporter !== undefined) return this._exporter.flush(options);
    return Promise.resolve({ exported: 0, dropped: 0, failed: 0, pending: 0 });
  }

  /** Export counters; the same fields without an exporter, which never sends. */
  stats() {
    if (this._exporter !== undefined) return this._exporter.stats();
    const s = this._source;
    return { queued: s.queued(), inFlight: 0, exported: 0, failed: 0, dropped: s.dropped(), retries: 0, requests: 0 };
  }
}

let current;

/** Creates a logger and makes it the one module-level `startSpan`, `traced` and `flush` use. */
export function initLogger(options = {}) {
  const logger = new Logger(options);
  if (options.setCurrent !== false) current = logger;
  return logger;
}

/** The logger module-level functions use: the last `initLogger`, else a propagation-only logger. */
export function currentLogger() {
  return (current ??= new Logger({ exporter: false }));
}

/** Starts a span on the current logger. */
export function startSpan(options = {}) {
  return currentLogger().startSpan(options);
}

/** Runs `fn(span)` in a span on the current logger. */
export function traced(fn, options = {}) {
  return currentLogger().traced(fn, options);
}

/** Flushes the current logger. */
export function flush(options) {
  return currentLogger().flush(options);
}

/** Decodes a slug (V1–V4) into its fields; throws an Error saying exactly what is wrong. */
export function parseSlug(slug) {
  if (typeof slug !== 'string') throw new TypeError('parseSlug expects a string');
  return JSON.parse(slug_parse(slug));
}

/** Encodes slug fields as Braintrust's V4 (default) or V3 slug. */
export function formatSlug(fields, options = {}) {
  if (fields === null || typeof fields !== 'object') throw new TypeError('formatSlug expects an object');
  const json = stringify(fields, 'formatSlug: fields');
  if (typeof json !== 'string' || json[0] !== '{') throw new TypeError('formatSlug: fields must serialize to a JSON object');
  return slug_format(json, options.version ?? 4);
}
