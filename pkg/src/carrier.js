// Internal: reading and writing the three propagation headers on any carrier.
//
//   kind             read                               write
//   Web Headers      .get(name) (case-insensitive,      .set / .delete
//                    repeated lines joined by ", ")
//   Node outgoing    .getHeader(name)                   .setHeader / .removeHeader
//   Map              entries, any key case              delete case-variants, .set(lowercase)
//   [name, value][]  pairs, any name case               first pair replaced, later variants removed
//   plain object     own keys, any case (Node's          delete case-variants, lowercase key
//                    IncomingHttpHeaders included)
//   other .get/.set  .get(name) / .set / .delete        (Express-like request/response objects)
//
// Values may be strings or arrays of strings. Several values of `tracestate` or
// `baggage` (array elements, case-variant keys, repeated pairs) are joined with ",".
// An array value of `traceparent` gives its first element (CONTRACT, as Braintrust JS
// does: vector `array_valued_headers`); a traceparent repeated as separate header
// lines (case-variant keys, repeated pairs, Headers' joined "a, b") is no parent (W3C
// test suite: test_traceparent_duplicated).
//
// Reads never throw. Writes that the carrier rejects throw a TypeError naming the header.

import { __relayBaggage } from './instance.js';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
const BAGGAGE = 'baggage';

const hasOwn = Object.prototype.hasOwnProperty;
const mapHas = Map.prototype.has;

/** Which of our headers `key` names, case-insensitively: 1, 2, 3, or 0 for none. */
function which(key) {
  if (typeof key !== 'string') return 0;
  switch (key.length) {
    case 11:
      return key === TRACEPARENT || key.toLowerCase() === TRACEPARENT ? 1 : 0;
    case 10:
      return key === TRACESTATE || key.toLowerCase() === TRACESTATE ? 2 : 0;
    case 7:
      return key === BAGGAGE || key.toLowerCase() === BAGGAGE ? 3 : 0;
    default:
      return 0;
  }
}

/**
 * What a carrier holds. `tp` is the traceparent (undefined when absent or repeated),
 * `ts` and `bg` the joined tracestate and baggage (undefined when absent).
 */
class Read {
  constructor() {
    this.tp = undefined;
    this.tpCount = 0;
    this.ts = undefined;
    this.bg = undefined;
  }

  /** Adds one header value (a string, an array of strings, anything else ignored). */
  add(name, value) {
    if (typeof value === 'string') {
      this.addOne(name, value);
    } else if (Array.isArray(value) && name === 1) {
      const first = value[0];
      if (typeof first === 'string') this.addOne(name, first);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        if (typeof v === 'string') this.addOne(name, v);
      }
    }
  }

  addOne(name, value) {
    if (name === 1) {
      this.tp = ++this.tpCount === 1 ? value : undefined;
    } else if (name === 2) {
      this.ts = this.ts === undefined ? value : this.ts + ',' + value;
    } else if (name === 3) {
      this.bg = this.bg === undefined ? value : this.bg + ',' + value;
    }
  }
}

const EMPTY = Object.freeze(new Read());

/** The carrier's kind, for reads and writes. */
const HEADERS = 1;
const MAP = 2;
const PAIRS = 3;
const OUTGOING = 4;
const GETTER = 5;
const OBJECT = 6;

/**
 * The Fetch `Headers` class, once a carrier has shown itself to be one. The global is
 * looked at only for an object that says it is a `Headers`: in Node, the first touch
 * of `Headers` loads the fetch implementation (about 30 ms), which an import must not
 * pay for. It is kept because Node's global is a lazy getter, about 25 ns a read.
 */
let HeadersClass;

/** Whether `carrier` is a Fetch `Headers` (not a class that only calls itself one). */
function isHeaders(carrier) {
  if (HeadersClass !== undefined && carrier instanceof HeadersClass) return true;
  if (carrier[Symbol.toStringTag] !== 'Headers') return false;
  const current = globalThis.Headers;
  if (typeof current !== 'function' || !(carrier instanceof current)) return false;
  HeadersClass = current;
  return true;
}

/**
 * Whether `carrier` is a Map of another realm (a vm context, an iframe), which fails
 * `instanceof Map`: Map's own methods accept any real Map, and only those.
 */
function isForeignMap(carrier) {
  try {
    mapHas.call(carrier, TRACEPARENT);
    return true;
  } catch {
    return false;
  }
}

function kindOf(carrier) {
  if (carrier instanceof Map) return MAP;
  if (Array.isArray(carrier)) return PAIRS;
  if (typeof carrier.getHeader === 'function' && typeof carrier.setHeader === 'function') return OUTGOING;
  if (typeof carrier.get === 'function') {
    if (isHeaders(carrier)) return HEADERS;
    return isForeignMap(carrier) ? MAP : GETTER;
  }
  return OBJECT;
}

/**
 * Asks a carrier with a case-insensitive getter (`get`, or Node's `getHeader`) for the
 * headers. Without a traceparent there is no context, so the other two are not asked
 * for: most requests carry none, and each `Headers.get` costs 50 to 175 ns in Node 20,
 * by host.
 */
function readNamed(carrier, kind) {
  if (kind === HEADERS) return readFetch(carrier);
  const out = new Read();
  const outgoing = kind === OUTGOING;
  out.add(1, outgoing ? carrier.getHeader(TRACEPARENT) : carrier.get(TRACEPARENT));
  if (out.tpCount === 0) return out;
  out.add(2, outgoing ? carrier.getHeader(TRACESTATE) : carrier.get(TRACESTATE));
  out.add(3, outgoing ? carrier.getHeader(BAGGAGE) : carrier.get(BAGGAGE));
  return out;
}

/**
 * `readNamed` for a Fetch `Headers`, whose `get` gives one string (repeated lines
 * joined with ", ") or null: no array or other value to sort out.
 */
function readFetch(headers) {
  const out = new Read();
  const tp = headers.get(TRACEPARENT);
  if (typeof tp !== 'string') return out;
  out.tp = tp;
  out.tpCount = 1;
  const ts = headers.get(TRACESTATE);
  if (typeof ts === 'string') out.ts = ts;
  const bg = headers.get(BAGGAGE);
  if (typeof bg === 'string') out.bg = bg;
  return out;
}

/** Reads the headers of a carrier that is scanned: a Map, pairs or a plain object. */
function readKind(carrier, kind, out) {
  switch (kind) {
    case MAP: {
      for (const [key, value] of carrier) {
        const name = which(key);
        if (name !== 0) out.add(name, value);
      }
      return out;
    }
    case PAIRS: {
      for (let i = 0; i < carrier.length; i++) {
        const pair = carrier[i];
        if (pair === null || typeof pair !== 'object') continue;
        const name = which(pair[0]);
        if (name !== 0) out.add(name, pair[1]);
      }
      return out;
    }
    default: {
      // Own enumerable keys: plain objects and Node's IncomingHttpHeaders. Inherited
      // properties are ignored, so a polluted Object.prototype cannot inject a parent.
      // (for-in without an array of keys; the own-key check only for our names)
      for (const key in carrier) {
        const name = which(key);
        if (name !== 0 && hasOwn.call(carrier, key)) out.add(name, carrier[key]);
      }
      return out;
    }
  }
}

/**
 * Reads `traceparent`, `tracestate` and `baggage` from any carrier. Never throws: a
 * carrier that is not an object, or that throws while being read (a getter, a Proxy
 * trap), reads as holding none of them.
 */
export function readHeaders(carrier) {
  if (carrier === null || (typeof carrier !== 'object' && typeof carrier !== 'function')) return EMPTY;
  try {
    const kind = kindOf(carrier);
    if (kind === HEADERS || kind === GETTER || kind === OUTGOING) return readNamed(carrier, kind);
    return readKind(carrier, kind, new Read());
  } catch {
    return EMPTY;
  }
}

function describe(err) {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'unknown error';
  }
}

function rejected(name, err) {
  return new TypeError(`spanwire: the carrier rejected the "${name}" header: ${describe(err)}`, { cause: err });
}

/** Sets `name` (lowercase) to `value`, or deletes it when `value` is undefined. */
function writeOne(carrier, kind, name, value) {
  switch (kind) {
    case HEADERS:
    case GETTER:
      if (value === undefined) carrier.delete(name);
      else carrier.set(name, value);
      return;
    case OUTGOING:
      if (value === undefined) carrier.removeHeader(name);
      else carrier.setHeader(name, value);
      return;
    case MAP: {
      for (const key of [...carrier.keys()]) {
        if (key !== name && typeof key === 'string' && key.length === name.length && key.toLowerCase() === name) {
          carrier.delete(key);
        }
      }
      if (value === undefined) carrier.delete(name);
      else carrier.set(name, value);
      return;
    }
    case PAIRS: {
      let kept = value === undefined;
      for (let i = 0; i < carrier.length; i++) {
        const pair = carrier[i];
        if (pair === null || typeof pair !== 'object') continue;
        const key = pair[0];
        if (typeof key !== 'string' || key.length !== name.length || key.toLowerCase() !== name) continue;
        if (!kept) {
          carrier[i] = [name, value];
          kept = true;
        } else {
          carrier.splice(i, 1);
          i--;
        }
      }
      if (!kept) carrier.push([name, value]);
      return;
    }
    default: {
      const keys = Object.keys(carrier);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (key !== name && key.length === name.length && key.toLowerCase() === name) {
          if (!delete carrier[key]) throw new TypeError(`cannot delete "${key}"`);
        }
      }
      if (value === undefined) {
        if (!delete carrier[name]) throw new TypeError(`cannot delete "${name}"`);
      } else {
        carrier[name] = value;
      }
    }
  }
}

function write(carrier, kind, name, value) {
  try {
    writeOne(carrier, kind, name, value);
  } catch (err) {
    throw rejected(name, err);
  }
}

/**
 * Reads, from `at` in a propagation text wasm wrote, the tail every such text ends
 * with (src/js/propagation.rs push_update_and_parent): the baggage for a carrier that
 * holds none (`S<value>` set, `R` remove, `L` leave as is), a line break, then the
 * decoded Braintrust parent or nothing. Sets `relayed` (the value, `''` to remove,
 * undefined to leave; see outboundBaggage below) and, when there is one,
 * `braintrustParent` on `into`, and returns it.
 */
export function readBaggageTail(text, at, into) {
  const nl = text.indexOf('\n', at);
  const kind = text.charCodeAt(at);
  into.relayed = kind === 0x53 ? text.slice(at + 1, nl) : kind === 0x52 ? '' : undefined;
  if (nl + 1 < text.length) into.braintrustParent = text.slice(nl + 1);
  return into;
}

/**
 * The outbound baggage. `propagation.relayed`, when present, is the answer for a carrier
 * that holds none (undefined: leave it): the propagation objects of spans and
 * TraceContexts come with it computed once, as inject is usually called many times
 * with one of them. The relay is idempotent (relaying into a carrier that holds our own
 * last output gives that output again), so a carrier holding exactly that value is
 * served from it too.
 */
function outboundBaggage(propagation, carrierBaggage) {
  const inbound = propagation.baggage;
  const parent = propagation.braintrustParent;
  if (carrierBaggage === undefined && inbound === undefined && parent === undefined) return undefined;
  const value = 'relayed' in propagation
    ? propagation.relayed
    : __relayBaggage(undefined, str(inbound), str(parent));
  if (carrierBaggage === undefined || (value !== undefined && carrierBaggage === value)) return value;
  return __relayBaggage(carrierBaggage, str(inbound), str(parent));
}

function str(value) {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The carrier's `baggage` before an inject (the only header an inject reads). Carriers
 * with a case-insensitive `get` are asked for that one header; the others are scanned.
 */
function existingBaggage(carrier, kind) {
  if (kind === HEADERS || kind === GETTER || kind === OUTGOING) {
    const read = new Read();
    read.add(3, kind === OUTGOING ? carrier.getHeader(BAGGAGE) : carrier.get(BAGGAGE));
    return read.bg;
  }
  return readKind(carrier, kind, new Read()).bg;
}

/**
 * Writes a span's context into `carrier` and returns the carrier.
 *
 * `propagation` is `undefined` in legacy UUID mode (nothing is written, the carrier is
 * returned untouched) or `{ traceparent, tracestate?, baggage?, braintrustParent?,
 * relayed? }` (`relayed`: see outboundBaggage).
 * Names are written in lowercase and replace any case-variant. `tracestate` is written
 * only when the span carries one; the carrier's `baggage` is relayed by the core with
 * ours appended, or deleted when only a stale `braintrust.parent` was in it.
 *
 * Throws a TypeError naming the header when the carrier rejects a write.
 */
export function injectContext(carrier, propagation) {
  if (carrier === undefined || carrier === null) carrier = {};
  if (propagation === undefined || propagation === null) return carrier;
  if (typeof carrier !== 'object' && typeof carrier !== 'function') {
    throw new TypeError(`spanwire: cannot inject into a ${typeof carrier}; pass an object, Map, Headers or array of pairs`);
  }
  let kind;
  let existing;
  try {
    kind = kindOf(carrier);
    existing = existingBaggage(carrier, kind);
  } catch (err) {
    throw rejected(BAGGAGE, err);
  }
  const baggage = outboundBaggage(propagation, existing);
  write(carrier, kind, TRACEPARENT, propagation.traceparent);
  if (typeof propagation.tracestate === 'string') write(carrier, kind, TRACESTATE, propagation.tracestate);
  // A case-insensitive store already holding exactly our baggage needs no write.
  const unchanged = baggage === existing && (kind === HEADERS || kind === OUTGOING);
  if (baggage !== undefined && !unchanged) write(carrier, kind, BAGGAGE, baggage === '' ? undefined : baggage);
  return carrier;
}
