// The batching OTLP/HTTP exporter: timers, `fetch`, retries, flush, stats.
//
// Internal. The logger imports the class as this module's *default* export
// (`import Exporter from './exporter.js'`) and `weakRef` by name; `api.js` re-exports
// only `BRAINTRUST_OTLP_URL` and `OTLP_DEFAULT_URL`, the public names.
//
//   new Exporter({ exporter, apiKey, batch, braintrustParent }, source)   (`parent` is an alias)
//   source = { takeBatch(max, maxBytes) -> { body: Uint8Array, count, contentType } | undefined,
//              holdsBatch(max, maxBytes) -> boolean,
//              queued() -> number, dropped() -> number,           (the logger's core queue)
//              queuedAfterTrap() -> number }                      (see _salvage)
//   exporter.notify()            after each span the logger queues
//   exporter.flush({ timeoutMs }) -> Promise<{ exported, dropped, failed, pending }>  (never rejects)
//   exporter.stats()             -> { queued, inFlight, exported, failed, dropped, retries, requests, lastError? }
//   exporter.shutdown({ timeoutMs }) -> flush, then stop timers and listeners
//
// Rules: one batch in flight at a time (the keepalive flush on pagehide excepted);
// each batch is retried per the core's schedule (`retryDelayMs`, src/export/retry.rs)
// on network errors, timeouts, 429, 502, 503, 504, honouring Retry-After; every
// request is bounded by `timeoutMs` through an AbortController. Nothing here
// rejects or throws asynchronously: every promise is settled with a report. The
// API key never appears in an error, a warning or `stats()`.
import { beforeRestart, epoch, retryDelayMs } from './instance.js';
import { fetchBase } from './base-url.js';

/** Braintrust's OTLP/HTTP traces endpoint, used when `apiKey` is given without `exporter.url`. */
export const BRAINTRUST_OTLP_URL = 'https://api.braintrust.dev/otel/v1/traces';
/** The OpenTelemetry default OTLP/HTTP traces endpoint, used without `apiKey` or `exporter.url`. */
export const OTLP_DEFAULT_URL = 'http://localhost:4318/v1/traces';

const DEFAULTS = {
  maxQueueSize: 2048,
  maxQueueBytes: 32 * 1024 * 1024,
  maxBatchSize: 512,
  maxBatchBytes: 4 * 1024 * 1024,
  delayMs: 5000,
  timeoutMs: 30000,
  maxRetries: 5,
  initialBackoffMs: 1000,
  maxBackoffMs: 30000,
};
const MAX_QUEUE_SIZE_LIMIT = 1 << 20;
const MAX_QUEUE_BYTES_LIMIT = 2 ** 30;
/** `compression: 'auto'` gzips bodies of at least this many bytes. */
const GZIP_THRESHOLD = 1024;
/** Browsers allow 64 KiB of keepalive request bodies in flight per page. */
const KEEPALIVE_BUDGET = 64 * 1024;
/**
 * Slack past a send step's own bound (the request timeout, a backoff) before the send
 * loop counts as stalled: its I/O context is gone (see _kick).
 */
const STALL_SLACK_MS = 2000;

/** Default bound of `flush()`. */
const FLUSH_TIMEOUT_MS = 30000;

/**
 * How long a Node process that is done may wait for its spans to leave (the
 * `beforeExit` flush): requests and retries past it are given up, counted as failed.
 * Without a bound, a script run with no collector listening waited out every retry's
 * backoff (24 s by default) before it could exit.
 */
const EXIT_FLUSH_MS = 5000;

const OUTCOME_NETWORK = 0;
const OUTCOME_TIMEOUT = 1;

// The exporters that may have spans waiting to be sent (queued in the wasm, or taken
// and left by a stalled send loop), for the listeners (flush what is left when Node's
// loop empties, or when a page is hidden) and for a restart (beforeRestart below),
// which must reach every queued span. An exporter joins when a span of its logger ends
// (before the span is queued) or a send loop starts, and leaves when a send loop ends,
// or a send falls due, with nothing left, or a flush gives up waiting with nothing
// left and no send loop under way (or only a stalled one).
// Entries hold their exporter weakly where the runtime has WeakRef, so a logger dropped
// with spans it can no longer send (a Worker's request context ended under its send
// loop) can still be collected; the registry removes its entry then. Where there is no
// WeakRef (Workers at compatibility dates before `enable_weak_ref`) the entry holds it
// until its spans are sent: without the list, a restart there lost them uncounted.
const withWork = new Set();
const withWorkRegistry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((ref) => withWork.delete(ref))
  : undefined;
let beforeExitHooked = false;
let pageHooked = false;

/** `value` held weakly where the runtime has WeakRef (strongly otherwise), behind `deref()`. */
export function weakRef(value) {
  return typeof WeakRef === 'function' ? new WeakRef(value) : { deref: () => value };
}

/** Calls `fn` with each exporter in `withWork`, dropping the entries of collected ones. */
function eachWithWork(fn) {
  for (const ref of withWork) {
    const exporter = ref.deref();
    if (exporter === undefined) {
      withWork.delete(ref);
      continue;
    }
    try {
      fn(exporter);
    } catch (err) {
      exporter._note(err); // one exporter's failure must not keep the others from their flush
    }
  }
}

const plural = (n) => (n === 1 ? '1 queued span' : `${n} queued spans`);

/**
 * What a restart did with the queued spans of `s` (what _salvage returned, or their
 * sum over exporters), in the words given for kept and lost ones.
 */
function salvageOutcome(s, keptWords, lostWords) {
  const words = [];
  if (s.kept > 0) words.push(`${plural(s.kept)} ${keptWords}`);
  if (s.lost === undefined) words.push(`the ${s.kept > 0 ? 'other ' : ''}spans queued in it ${lostWords}, uncounted`);
  else if (s.lost > 0) words.push(`${plural(s.lost)} ${lostWords} (counted as dropped)`);
  return words.join(', ') || 'no span was queued in it';
}

// Before a restart (instance.js): every exporter takes what its logger queued in the
// old instance (see _salvage). Returns what the Error and warning say.
beforeRestart(() => {
  const sum = { kept: 0, lost: 0 };
  eachWithWork((exporter) => {
    const s = exporter._salvage();
    sum.kept += s.kept;
    if (s.lost === undefined || sum.lost === undefined) sum.lost = undefined;
    else sum.lost += s.lost;
  });
  return sum.kept > 0 || sum.lost !== 0 ? salvageOutcome(sum, 'kept for export', 'lost') : '';
});

function int(value, name, fallback, min, max) {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`spanwire: batch.${name} must be a non-negative finite number`);
  }
  return Math.min(Math.max(Math.floor(value), min), max);
}

/** Normalizes `initLogger`'s `batch` option the way the core's `BatchConfig::normalized` does. */
function batchConfig(batch) {
  const b = batch ?? {};
  if (typeof b !== 'object') throw new TypeError('spanwire: batch must be an object');
  const maxQueueSize = int(b.maxQueueSize, 'maxQueueSize', DEFAULTS.maxQueueSize, 1, MAX_QUEUE_SIZE_LIMIT);
  const maxQueueBytes = int(b.maxQueueBytes, 'maxQueueBytes', DEFAULTS.maxQueueBytes, 1, MAX_QUEUE_BYTES_LIMIT);
  return {
    maxQueueSize,
    maxQueueBytes,
    maxBatchSize: int(b.maxBatchSize, 'maxBatchSize', DEFAULTS.maxBatchSize, 1, maxQueueSize),
    maxBatchBytes: int(b.maxBatchBytes, 'maxBatchBytes', DEFAULTS.maxBatchBytes, 1, maxQueueBytes),
    delayMs: int(b.delayMs, 'delayMs', DEFAULTS.delayMs, 0, 2 ** 31 - 1),
    timeoutMs: int(b.timeoutMs, 'timeoutMs', DEFAULTS.timeoutMs, 1, 2 ** 31 - 1),
    maxRetries: int(b.maxRetries, 'maxRetries', DEFAULTS.maxRetries, 0, 1000),
    initialBackoffMs: int(b.initialBackoffMs, 'initialBackoffMs', DEFAULTS.initialBackoffMs, 0, 2 ** 31 - 1),
    maxBackoffMs: int(b.maxBackoffMs, 'maxBackoffMs', DEFAULTS.maxBackoffMs, 0, 2 ** 31 - 1),
  };
}

function headerPairs(headers) {
  if (headers === undefined || headers === null) return [];
  if (typeof headers.forEach === 'function' && typeof headers.get === 'function') {
    const out = []; // Headers or Map
    headers.forEach((v, k) => out.push([k, v]));
    return out;
  }
  if (Array.isArray(headers)) return headers.map((p) => [p[0], p[1]]);
  if (typeof headers === 'object') return Object.entries(headers);
  throw new TypeError('spanwire: exporter.headers must be an object, a Headers, a Map or [name, value] pairs');
}

/** Returns a function that removes every occurrence of the secrets from a string. */
function redactor(secrets) {
  const list = secrets.filter((s) => typeof s === 'string' && s.length > 0);
  return (text) => {
    let out = String(text);
    for (const s of list) out = out.split(s).join('[redacted]');
    return out;
  };
}

function describe(err) {
  if (err === null || typeof err !== 'object') return String(err);
  const cause = err.cause && typeof err.cause === 'object' ? err.cause.code ?? err.cause.message : undefined;
  return `${err.name ?? 'Error'}: ${err.message ?? ''}${cause ? ` (${cause})` : ''}`;
}

async function gzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * What an OTLP partial-success answer says was rejected: `{ rejected, message }`,
 * `rejected` 0 when none or unreadable. The collector answers in the encoding it was
 * sent: OTLP/JSON, or a protobuf ExportTraceServiceResponse.
 */
function partialSuccess(r, count) {
  let n = 0;
  let message = '';
  try {
    if (/^application\/(x-)?protobuf/i.test(r.contentType ?? '')) {
      [n, message] = protobufPartialSuccess(r.bytes);
    } else if (r.text) {
      const p = JSON.parse(r.text)?.partialSuccess;
      n = Number(p?.rejectedSpans ?? 0);
      if (typeof p?.errorMessage === 'string') message = p.errorMessage;
    }
  } catch {
    return { rejected: 0, message: '' };
  }
  return { rejected: Number.isFinite(n) ? Math.min(Math.max(Math.floor(n), 0), count) : 0, message };
}

/**
 * `[rejected_spans, error_message]` of a protobuf ExportTraceServiceResponse: its
 * field 1 (partial_success) holds field 1 (int64) and field 2 (string).
 */
function protobufPartialSuccess(bytes) {
  let rejected = 0;
  let message = '';
  for (const [field, value] of protobufFields(bytes)) {
    if (field !== 1 || typeof value === 'number') continue;
    for (const [f, v] of protobufFields(value)) {
      if (f === 1 && typeof v === 'number') rejected = v < 2 ** 63 ? v : 0; // a negative int64 is no count
      else if (f === 2 && typeof v !== 'number') message = new TextDecoder().decode(v);
    }
  }
  return [rejected, message];
}

/**
 * The `[field, value]` pairs of a protobuf message: a number for a varint, the bytes
 * of a length-delimited field; fixed-width fields are skipped. Throws when malformed.
 */
function* protobufFields(bytes) {
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let scale = 1; scale < 2 ** 70; scale *= 128) {
      if (at >= bytes.length) break;
      const b = bytes[at++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
    }
    throw new RangeError('malformed protobuf varint');
  };
  while (at < bytes.length) {
    const key = varint();
    const wire = key % 8;
    if (wire === 0) {
      yield [Math.floor(key / 8), varint()];
    } else if (wire === 2) {
      const len = varint();
      if (len > bytes.length - at) throw new RangeError('truncated protobuf field');
      yield [Math.floor(key / 8), bytes.subarray(at, at + len)];
      at += len;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else {
      throw new RangeError('unsupported protobuf wire type');
    }
  }
}

export default class Exporter {
  /** The normalized batch options (`maxQueueSize` and `maxQueueBytes` size the logger's core queue); throws a TypeError on bad values. */
  static batchConfig(batch) {
    return batchConfig(batch);
  }

  /**
   * @param {{ exporter?: false | { url?: string, headers?: any, protocol?: 'json'|'protobuf', compression?: 'auto'|'gzip'|'none'|boolean },
   *           apiKey?: string, batch?: object, braintrustParent?: string, parent?: string }} options
   * @param {{ takeBatch(max: number, maxBytes: number): { body: Uint8Array, count: number, contentType: string } | undefined,
   *           holdsBatch(max: number, maxBytes: number): boolean, queued(): number, dropped(): number,
   *           queuedAfterTrap(): number }} source
   */
  constructor(options, source) {
    const o = options ?? {};
    this._source = source;
    this.config = batchConfig(o.batch);
    this.enabled = o.exporter !== false;
    const ex = o.exporter && typeof o.exporter === 'object' ? o.exporter : {};
    const apiKey = o.apiKey;
    if (apiKey !== undefined && apiKey !== null) {
      if (typeof apiKey !== 'string' || apiKey.length === 0 || /[^\x21-\x7e]/.test(apiKey)) {
        throw new TypeError('spanwire: apiKey must be a non-empty string of printable ASCII characters');
      }
    }
    this._redact = redactor([apiKey]);
    const url = ex.url ?? (apiKey ? BRAINTRUST_OTLP_URL : OTLP_DEFAULT_URL);
    try {
      // In a page or a web worker, a relative URL ('/otel/v1/traces') is resolved as fetch does.
      this.url = new URL(String(url), fetchBase()).href;
    } catch {
      throw new TypeError(`spanwire: exporter.url is not a valid URL: ${this._redact(url)}`);
    }
    const protocol = ex.protocol ?? 'json';
    if (protocol !== 'json' && protocol !== 'protobuf') {
      throw new TypeError("spanwire: exporter.protocol must be 'json' or 'protobuf'");
    }
    this.protocol = protocol;
    const c = ex.compression ?? 'auto';
    const threshold = { auto: GZIP_THRESHOLD, gzip: 0, none: Infinity, true: 0, false: Infinity }[String(c)];
    if (threshold === undefined) throw new TypeError("spanwire: exporter.compression must be 'auto', 'gzip' or 'none'");
    this._gzipThreshold = typeof CompressionStream === 'function' ? threshold : Infinity;

    const headers = {};
    for (const [k, v] of headerPairs(ex.headers)) headers[String(k).toLowerCase()] = String(v);
    if (apiKey && headers.authorization === undefined) headers.authorization = `Bearer ${apiKey}`;
    const parent = o.braintrustParent ?? o.parent;
    if (typeof parent === 'string' && parent && headers['x-bt-parent'] === undefined) headers['x-bt-parent'] = parent;
    this._headers = headers;

    this._timer = undefined; // the batching delay
    this._pump = undefined; // the send loop's promise, while it runs
    this._sending = undefined; // the batch the send loop is sending
    this._loop = undefined; // the current send loop's token (_drain stops when replaced)
    this._deadline = 0; // when the send loop's current step (a request, a backoff) must be over
    this._orphans = []; // batches of a send loop that stalled, sent again by the next one
    this._taken = 0; // spans taken from the source so far (sequence numbers)
    this._open = new Map(); // batches taken but not settled: sequence start -> span count
    this._waiters = [];
    this._inFlight = 0;
    this._bytesPerSpan = 0;
    this._keepaliveBytes = 0;
    this._counts = { exported: 0, failed: 0, retries: 0, requests: 0 };
    this._reportedDropped = 0;
    this._droppedBefore = 0; // drops counted by instances before a restart (see _restarted)
    this._droppedSeen = 0; // the highest `_dropped()` read
    this._epoch = epoch; // the module instance (instance.js) this exporter last saw
    this._salvaged = undefined; // what _salvage kept and lost, until _restarted reads it
    this._listed = false; // in `withWork`
    this._ref = undefined; // its entry there, made on first listing
    this._lostInRestarts = 0; // of the dropped count, spans lost in restarts
    this._warnedDrop = false;
    this._warnedFail = false;
    this._lastError = undefined;
    this._closed = false;
    this._exitBy = Infinity; // when the process is exiting: the end of the exit flush (EXIT_FLUSH_MS)
    if (this.enabled) this._listen();
  }

  /** Called by the logger after it queues a span. Never throws. */
  notify() {
    if (!this.enabled || this._closed) return;
    this._list();
    this._restarted();
    try {
      this._checkDropped();
      if (this.config.delayMs === 0 || this._source.holdsBatch(this.config.maxBatchSize, this.config.maxBatchBytes)) {
        this._kick();
      } else {
        this._schedule();
      }
    } catch (err) {
      this._note(err);
    }
  }

  /**
   * Sends everything queued now and resolves when all of it is delivered or has
   * finally failed, or when `timeoutMs` passes (then `pending` counts what is
   * left). Never rejects.
   * @returns {Promise<{ exported: number, dropped: number, failed: number, pending: number }>}
   */
  flush(opts) {
    this._restarted();
    const start = { ...this._counts };
    const finish = (pending) => {
      let dropped = 0;
      try {
        dropped = this._dropped() - this._reportedDropped;
      } catch (err) {
        this._note(err); // a report is due whatever the module does
      }
      this._reportedDropped += dropped;
      return {
        exported: this._counts.exported - start.exported,
        dropped,
        failed: this._counts.failed - start.failed,
        pending,
      };
    };
    try {
      this._checkDropped();
      if (!this.enabled) return Promise.resolve(finish(0));
      const target = this._taken + this._source.queued();
      this._kick(target);
      if (this._lowWater() >= target) return Promise.resolve(finish(0));
      // A bad timeout must not end the wait early (a Worker's waitUntil would drop the
      // spans still in flight): it is noted, and the default bounds the wait.
      let timeoutMs = FLUSH_TIMEOUT_MS;
      const t = opts?.timeoutMs;
      if (t !== undefined && t !== null) {
        if (typeof t === 'number' && t >= 0 && Number.isFinite(t)) timeoutMs = Math.min(Math.floor(t), 2 ** 31 - 1);
        else this._note(`flush: timeoutMs must be a non-negative finite number (got ${typeof t}); waiting up to ${FLUSH_TIMEOUT_MS} ms`);
      }
      return new Promise((resolve) => {
        let done = false;
        const waiter = { target, resolve: () => resolve(finish(0)) };
        const timer = setTimeout(() => {
          this._restarted(); // a restart not yet seen lowers this waiter's target, and may settle it
          if (done) return;
          done = true;
          this._waiters = this._waiters.filter((w) => w !== waiter);
          // The last flush gone: a backoff under way no longer holds the process.
          if (this._waiters.length === 0 && this._exitBy === Infinity) this._sending?.sender?.timer?.unref?.();
          // A send loop whose context ended (a Worker's request) never reaches its end.
          this._unlistIfIdle();
          resolve(finish(this._pendingBelow(waiter.target)));
        }, timeoutMs);
        timer?.unref?.();
        waiter.resolve = () => {
          done = true;
          clearTimeout(timer);
          resolve(finish(0));
        };
        this._waiters.push(waiter);
        // A backoff under way holds the process for this flush (see _send).
        this._sending?.sender?.timer?.ref?.();
        // This flush drives the sends it waits for from its own call chain: in Workers
        // a send loop started by another request stops when that request's
        // waitUntil ends, so it must never carry this flush's spans (see _kick).
        // A loop of another request that stalls (its context ended) is replaced once
        // past its deadline: the wait wakes then and kicks again (see _kick).
        const drive = async () => {
          // What a send loop still has to do for this flush: spans not taken, a stalled
          // loop's batches, or the batch the loop is sending (which may be stalled).
          const forThisFlush = () => this._unsent(waiter.target)
            || (this._pump !== undefined && this._sending !== undefined && this._sending.seq < waiter.target);
          while (!done && !this._closed && forThisFlush()) {
            this._kick(waiter.target);
            const pump = this._pump;
            if (pump === undefined) return;
            let timer;
            const pastDeadline = new Promise((resolve) => {
              timer = setTimeout(resolve, Math.max(0, this._deadline - Date.now()) + 1);
              timer?.unref?.();
            });
            await Promise.race([pump, pastDeadline]);
            clearTimeout(timer);
          }
        };
        drive().catch((err) => this._note(err));
      });
    } catch (err) {
      this._note(err);
      return Promise.resolve(finish(0));
    }
  }

  /** For tests: how many exporters the listeners and a restart reach (tests/node/span-finalization.test.mjs). */
  static _withWorkCount() {
    let n = 0;
    eachWithWork(() => n++);
    return n;
  }

  /** Counters since the exporter started. */
  stats() {
    this._restarted();
    const s = {
      queued: this._source.queued(),
      inFlight: this._inFlight,
      exported: this._counts.exported,
      failed: this._counts.failed,
      dropped: this._dropped(),
      retries: this._counts.retries,
      requests: this._counts.requests,
    };
    if (this._lastError !== undefined) s.lastError = this._lastError;
    return s;
  }

  /** Flushes, then stops timers and listeners; later spans are not sent. Never rejects. */
  async shutdown(opts) {
    const report = await this.flush(opts);
    this._closed = true;
    if (this._timer !== undefined) clearTimeout(this._timer);
    this._timer = undefined;
    this._unlist();
    withWorkRegistry?.unregister(this);
    return report;
  }

  // ---- internals ----

  /**
   * Lists this exporter in `withWork`: its logger is about to queue a span, or a send
   * loop starts. Called before every span end, so it is cheap when listed.
   */
  _list() {
    if (this._listed || !this.enabled || this._closed) return;
    this._listed = true;
    if (this._ref === undefined) {
      this._ref = weakRef(this);
      withWorkRegistry?.register(this, this._ref, this);
    }
    withWork.add(this._ref);
  }

  /** Takes this exporter out of `withWork`: nothing of it waits to be sent. */
  _unlist() {
    if (!this._listed) return;
    this._listed = false;
    withWork.delete(this._ref);
  }

  /**
   * `_unlist` unless spans wait for a send loop. Where entries are weak, also not while
   * a loop is under way (its batch may wait for a retry that a page hide hands to
   * keepalive; the loop's end unlists), unless it is past its step's bound (stalled).
   * Where they are strong (Workers without WeakRef), a send whose request context
   * ended never settles, and its entry would hold the logger for good: it goes. Kept
   * listed when the queue cannot be read.
   */
  _unlistIfIdle() {
    if (this._pump !== undefined && Date.now() <= this._deadline && typeof WeakRef === 'function') return;
    try {
      if (!this._hasWork()) this._unlist();
    } catch { /* the module failed: its next restart reaches what it holds */ }
  }

  /** Whether spans wait for a send loop: queued, or taken and left (orphans). */
  _hasWork() {
    return this._orphans.length > 0 || this._source.queued() > 0;
  }

  /** Whether spans before `target` wait for a send loop to pick them up. */
  _unsent(target) {
    return this._taken < target || this._orphans.some((b) => b.seq < target);
  }

  _lowWater() {
    let low = this._taken;
    for (const s of this._open.keys()) if (s < low) low = s;
    return low;
  }

  /**
   * Spans below sequence `target` not settled yet: those not taken, and those of open
   * batches (which may settle out of order: a keepalive send, a stalled loop's batch).
   */
  _pendingBelow(target) {
    let pending = Math.max(0, target - this._taken);
    for (const [seq, count] of this._open) if (seq < target) pending += Math.min(count, target - seq);
    return pending;
  }

  _settle() {
    const low = this._lowWater();
    const ready = this._waiters.filter((w) => w.target <= low);
    if (ready.length === 0) return;
    this._waiters = this._waiters.filter((w) => w.target > low);
    for (const w of ready) w.resolve();
  }

  /** Spans dropped at the queue, or lost in a restart, since the exporter started. */
  _dropped() {
    const inSource = this._source.dropped(); // first: it may create the logger again (_restarted)
    const dropped = this._droppedBefore + inSource;
    if (dropped > this._droppedSeen) this._droppedSeen = dropped;
    return dropped;
  }

  /**
   * After a trap, before the restart (instance.js): takes every span queued in the old
   * instance as batches, sent as the send loop's orphans are, and reads its drop count.
   * A trap that left the recorder borrowed makes that trap again: then the queued
   * spans are only counted, to be reported as dropped. Returns `{ kept, lost }`
   * (`lost` undefined when even the count failed).
   */
  _salvage() {
    // An exporter that has not caught up with an earlier restart has a logger not yet
    // created again, so nothing of it is queued in this instance; its last salvage
    // still waits for _restarted.
    if (this._closed || this._epoch !== epoch) return { kept: 0, lost: 0 };
    const result = { kept: 0, lost: 0 };
    try {
      this._dropped();
      for (let batch; (batch = this._takeOrThrow(this.config.maxBatchSize, this.config.maxBatchBytes)) !== undefined;) {
        this._orphans.push(batch);
        result.kept += batch.count;
      }
    } catch {
      try {
        // A recorder stopped mid-change may give a wrong count: never more than fits.
        result.lost = Math.min(this._source.queuedAfterTrap(), this.config.maxQueueSize);
      } catch {
        result.lost = undefined;
      }
    }
    this._salvaged = result;
    return result;
  }

  /**
   * Catches up with a restart of the WebAssembly module (instance.js), once per
   * restart: the logger calls it when it creates itself again, and the entry points
   * here call it too. The spans queued in the old instance were taken before it went
   * (_salvage) and are sent now, or were lost: counted as dropped where they could be
   * counted. No flush waits for a span that is not sent. The new instance counts drops
   * from zero: the count goes on from the last one read.
   */
  _restarted() {
    if (this._epoch === epoch) return;
    this._epoch = epoch;
    // Not salvaged: it was not in `withWork`, so none of its spans was queued.
    const salvaged = this._salvaged ?? { kept: 0, lost: 0 };
    this._salvaged = undefined;
    const lost = salvaged.lost ?? 0;
    for (const w of this._waiters) if (w.target > this._taken) w.target = this._taken;
    this._droppedBefore = this._droppedSeen + lost;
    this._droppedSeen = this._droppedBefore;
    this._lostInRestarts += lost;
    this._note(`the WebAssembly module was restarted after a call failed in it; ${salvageOutcome(salvaged, 'were taken from it and are sent', 'were lost with it')}`);
    this._settle();
    // After the batching delay, as for a queued span: this may run inside a send
    // loop's own call into the logger, and in Workers inside another request (whose
    // I/O ends with it), where a flush starts its own send loop instead.
    if (this._orphans.length > 0 && !this._closed) this._schedule();
  }

  /** Sends after the batching delay, unless a send loop or the delay is under way. */
  _schedule() {
    if (this._timer !== undefined || this._pump !== undefined) return;
    this._timer = setTimeout(() => {
      this._timer = undefined;
      this._kick();
    }, this.config.delayMs);
    // Node: the delay alone does not keep the process alive; `beforeExit` flushes instead.
    this._timer?.unref?.();
  }

  _checkDropped() {
    const dropped = this._dropped() - this._lostInRestarts; // those were noted apart
    if (dropped > 0 && !this._warnedDrop) {
      this._warnedDrop = true;
      console.warn(
        `spanwire: the export queue is full (batch.maxQueueSize ${this.config.maxQueueSize} spans or ` +
          `batch.maxQueueBytes ${this.config.maxQueueBytes} bytes); ` +
          'new spans are dropped and counted in logger.stats().dropped',
      );
    }
  }

  _note(err) {
    this._lastError = this._redact(typeof err === 'string' ? err : describe(err));
  }

  /** Starts the send loop unless it runs. */
  _kick(end) {
    if (this._closed) return;
    if (this._pump !== undefined) {
      if (Date.now() <= this._deadline) return;
      // The loop is past its step's bound with nothing settled: its I/O context is
      // gone, as a Worker's is once the request whose flush started it has ended (its
      // timers and fetch never settle). A new loop, in this caller's context, sends its
      // batch again; the stalled one no longer counts it, should it ever wake.
      if (this._sending !== undefined && this._open.has(this._sending.seq)) this._orphans.push(this._sending);
      this._note('a send loop stalled (its request context ended); its batch is sent again');
      this._sending = undefined;
      this._pump = undefined;
      this._loop = undefined; // the stalled loop stops taking batches, should it wake
    }
    if (this._timer !== undefined) {
      clearTimeout(this._timer);
      this._timer = undefined;
    }
    let queued = -1; // unknown
    try {
      queued = this._source.queued();
    } catch (err) {
      this._note(err);
    }
    if (queued <= 0 && this._orphans.length === 0) {
      if (queued === 0) this._unlist();
      return;
    }
    this._list(); // spans may be queued without a notify (a flush of a fresh source)
    // The loop sends what is queued now (up to `end`, a flush's target), not what
    // comes later: in Workers it runs in the I/O context of the request that started
    // it, which ends once that request's flush resolves.
    const stop = Math.min(end ?? Infinity, this._taken + Math.max(queued, 0));
    const loop = {};
    this._loop = loop;
    const pump = this._drain(stop, loop)
      .catch((err) => this._note(err))
      .finally(() => {
        if (this._pump !== pump) return; // a stalled loop, replaced
        this._pump = undefined;
        this._sending = undefined;
        this._exitBy = Infinity; // an exit flush is over; a process that carries on sends as usual
        try {
          this._settle();
          // Spans queued while the loop ran, and batches it left (taken in a restart
          // past its stop), wait for the next delay, unless a flush waits for some of
          // them (it drives its own sends, and takes the rest too).
          const driven = this._waiters.some((w) => this._unsent(w.target));
          if (!this._hasWork()) this._unlist();
          else if (!this._closed && !driven) this.notify();
        } catch (err) {
          this._note(err);
        }
      });
    this._pump = pump;
  }

  /** The send loop `loop`: sends batches up to `stop` while it is the current loop. */
  async _drain(stop, loop) {
    for (let guard = 0; guard < 1e6 && !this._closed && this._loop === loop; guard++) {
      const orphan = this._orphans.findIndex((b) => b.seq < stop);
      const batch = orphan >= 0
        ? this._orphans.splice(orphan, 1)[0]
        : this._taken < stop ? this._take(Math.min(this.config.maxBatchSize, stop - this._taken)) : undefined;
      if (batch === undefined) return;
      this._sending = batch;
      await this._send(batch, false);
    }
  }

  /** Takes a batch from the source and opens its sequence range; undefined if it fails. */
  _take(max, maxBytes) {
    try {
      return this._takeOrThrow(max, maxBytes ?? this.config.maxBatchBytes);
    } catch (err) {
      this._note(err);
      return undefined;
    }
  }

  _takeOrThrow(max, maxBytes) {
    const batch = this._source.takeBatch(max, maxBytes);
    if (!batch || !(batch.count > 0)) return undefined;
    batch.seq = this._taken;
    this._taken += batch.count;
    this._open.set(batch.seq, batch.count);
    this._inFlight += batch.count;
    const per = batch.body.byteLength / batch.count;
    this._bytesPerSpan = this._bytesPerSpan === 0 ? per : Math.max(per, 0.8 * this._bytesPerSpan + 0.2 * per);
    return batch;
  }

  /**
   * Sends one batch until it is delivered or finally fails. Never rejects. The send
   * loop's sends (not keepalive) keep `_deadline` at the bound of their current step.
   */
  async _send(batch, keepalive) {
    const sender = {}; // a batch sent again after a stall is accounted by its last sender
    batch.sender = sender;
    // Only the batch's current sender moves the deadline (a replaced loop's does not).
    const step = (ms) => {
      if (!keepalive && batch.sender === sender) this._deadline = Date.now() + ms + STALL_SLACK_MS;
    };
    let delivered = false;
    let rejected = 0;
    try {
      step(this.config.timeoutMs);
      const headers = { 'content-type': batch.contentType, ...this._headers };
      let body = batch.body;
      if (!keepalive && body.byteLength >= this._gzipThreshold) {
        try {
          const packed = await gzip(body);
          if (packed.byteLength < body.byteLength) {
            body = packed;
            headers['content-encoding'] = 'gzip';
          }
        } catch {
          // Send it uncompressed.
        }
      }
      let useKeepalive = keepalive && this._keepaliveBytes + body.byteLength <= KEEPALIVE_BUDGET;
      if (useKeepalive) this._keepaliveBytes += body.byteLength;
      try {
        // Attempts are counted on the batch: one handed to another sender (a keepalive
        // send at pagehide, a stalled loop's batch sent again) goes on from its count.
        for (let attempt = (batch.attempts ?? 0) + 1; attempt <= this.config.maxRetries + 1; attempt++) {
          batch.attempts = attempt;
          step(this.config.timeoutMs);
          const r = await this._attempt(body, headers, useKeepalive);
          const wait = retryDelayMs(
            attempt,
            r.outcome,
            r.retryAfter,
            Date.now(),
            Math.random(),
            this.config.maxRetries,
            this.config.initialBackoffMs,
            this.config.maxBackoffMs,
          );
          if (wait === -2) {
            delivered = true;
            const partial = partialSuccess(r, batch.count);
            rejected = partial.rejected;
            if (rejected > 0) {
              this._note(`the collector rejected ${rejected} span(s)${partial.message ? `: ${this._redact(partial.message).slice(0, 200)}` : ''}`);
            }
            break;
          }
          this._note(r.error);
          if (wait < 0 || this._closed || Date.now() + wait > this._exitBy) break;
          this._counts.retries++;
          step(wait);
          // A page being hidden hands a batch waiting here to a keepalive send, which
          // wakes this wait early (see _flushKeepalive); that sender accounts for it.
          await new Promise((resolve) => {
            // While no flush waits, a backoff must not hold a Node process open: the
            // timer is unref'd, and when the event loop empties the beforeExit hook
            // bounds the loop by the exit flush (refs the timer or wakes it). A flush
            // refs it while it waits (flush()); an exit flush keeps it ref'd.
            const timer = setTimeout(resolve, wait);
            if (this._waiters.length === 0 && this._exitBy === Infinity) timer?.unref?.();
            sender.timer = timer;
            sender.until = Date.now() + wait;
            sender.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          sender.wake = undefined;
          sender.timer = undefined;
          sender.until = undefined;
          if (batch.sender !== sender) break;
        }
      } finally {
        if (useKeepalive) this._keepaliveBytes -= body.byteLength;
      }
    } catch (err) {
      this._note(err);
    } finally {
      if (batch.sender === sender) this._account(batch, delivered, rejected);
    }
  }

  /** Counts a batch's outcome and settles its sequence range. */
  _account(batch, delivered, rejected) {
    const ok = delivered ? batch.count - rejected : 0;
    this._counts.exported += ok;
    this._counts.failed += batch.count - ok;
    this._inFlight -= batch.count;
    this._open.delete(batch.seq);
    if (batch.count - ok > 0 && !this._warnedFail) {
      this._warnedFail = true;
      const to = this._redact(this.url);
      console.warn(`spanwire: ${batch.count - ok} span(s) could not be exported to ${to}: ${this._lastError}`);
    }
    this._settle();
  }

  /** One HTTP request. Resolves with { outcome, retryAfter?, contentType?, bytes?, text?, error? }; never rejects. */
  async _attempt(body, headers, keepalive) {
    const controller = new AbortController();
    let timedOut = false;
    const timeoutMs = Math.max(0, Math.min(this.config.timeoutMs, this._exitBy - Date.now()));
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    this._counts.requests++;
    try {
      const init = { method: 'POST', headers, body, signal: controller.signal };
      if (keepalive) init.keepalive = true;
      const res = await fetch(this.url, init);
      const status = res.status;
      let bytes = new Uint8Array(0);
      try {
        bytes = new Uint8Array(await res.arrayBuffer());
      } catch {
        // The status decides; an unreadable body does not.
      }
      const text = new TextDecoder().decode(bytes);
      return {
        outcome: status,
        retryAfter: res.headers.get('retry-after') ?? undefined,
        contentType: res.headers.get('content-type') ?? undefined,
        bytes,
        text,
        // Redacted before it is cut: a cut inside the key would leave part of it.
        error: `HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''} from ${this.url}${text ? `: ${this._redact(text).slice(0, 200)}` : ''}`,
      };
    } catch (err) {
      return timedOut
        ? { outcome: OUTCOME_TIMEOUT, error: `no response from ${this.url} within ${timeoutMs} ms` }
        : { outcome: OUTCOME_NETWORK, error: `request to ${this.url} failed: ${describe(err)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends every queued span at once with `fetch(..., { keepalive: true })` (page hidden
   * or unloading), and the batches that wait to be sent again: the send loop's batch in
   * its retry backoff, and a stalled loop's. A request already in flight is left to
   * finish, so that no span is delivered twice.
   */
  _flushKeepalive() {
    if (!this.enabled || this._closed) return;
    const waiting = this._orphans.splice(0);
    // Only the batch's current sender can be waiting for it: a stalled loop's wait
    // (its batch since re-sent by another) is not.
    const current = this._sending;
    const wake = current?.sender?.wake;
    if (wake !== undefined && this._open.has(current.seq)) {
      waiting.unshift(current);
      wake();
    }
    for (const batch of waiting) this._send(batch, true); // never rejects
    for (let guard = 0; guard < 1000 && this._source.queued() > 0; guard++) {
      const room = KEEPALIVE_BUDGET - this._keepaliveBytes;
      const per = this._bytesPerSpan > 0 ? this._bytesPerSpan : 1024;
      // Past the budget, the rest goes in full batches without keepalive (best effort).
      const fit = Math.floor((room * 0.9) / per);
      const max = fit >= 1 ? Math.min(this.config.maxBatchSize, fit) : this.config.maxBatchSize;
      // The spans' weight bounds the batch too, so one large span does not take others with it.
      const batch = this._take(max, fit >= 1 ? Math.min(this.config.maxBatchBytes, Math.floor(room * 0.9)) : undefined);
      if (batch === undefined) return;
      this._send(batch, true); // never rejects
    }
  }

  _listen() {
    const g = globalThis;
    const page = typeof g.addEventListener === 'function' && typeof g.document === 'object' && g.document;
    const proc = g.process;
    const node = typeof proc?.on === 'function' && typeof proc.versions?.node === 'string';
    if (page && !pageHooked) {
      pageHooked = true;
      g.addEventListener('pagehide', () => eachWithWork((e) => e._flushKeepalive()));
      g.addEventListener('visibilitychange', () => {
        if (g.document.visibilityState === 'hidden') eachWithWork((e) => e._flushKeepalive());
      });
    }
    if (node && !beforeExitHooked) {
      beforeExitHooked = true;
      proc.on('beforeExit', () => {
        // Only when there is work: the sends keep the loop alive, and this runs again after.
        eachWithWork((e) => {
          if (e._pump !== undefined) {
            // A loop in its retry backoff (an unref'd timer) becomes an exit flush,
            // bounded from now: a backoff that ends within the bound is waited for (it
            // may be a Retry-After), a longer one is cut short.
            if (e._exitBy !== Infinity) return;
            e._exitBy = Date.now() + EXIT_FLUSH_MS;
            const sender = e._sending?.sender;
            if (sender?.until !== undefined && sender.until <= e._exitBy) sender.timer?.ref?.();
            else sender?.wake?.();
            return;
          }
          e._unlistIfIdle(); // listed by an end that failed before queuing its span
          if (!e._listed) return;
          e._exitBy = Date.now() + EXIT_FLUSH_MS;
          e._kick();
          if (e._pump === undefined) e._exitBy = Infinity; // nothing started
        });
      });
    }
  }
}
