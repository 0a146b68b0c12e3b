// A reusable OTLP/HTTP trace receiver on 127.0.0.1 for tests and the demo.
//
//   const rx = await startReceiver({ file?: 'spans.jsonl', keep?: true });
//   rx.url                      // 'http://127.0.0.1:<port>/v1/traces'
//   rx.script(503, { status: 429, retryAfter: '1' }, 'hang', 'reset', 'ok')
//                               // how to answer the next requests, in order; then 'ok' (200)
//   await rx.down(ms)           // drop every connection for `ms` (the port stays bound), then accept again
//   rx.requests                 // every request: { status?, action, headers, raw, body, spans }
//   rx.spans()                  // spans of the requests answered 2xx: { traceId, spanId, name }
//   rx.spanCount()              // how many spans were accepted (answered 2xx), also with keep: false
//   await rx.waitForSpans(n, ms)
//   await rx.close()
//
// Bodies are gunzipped when `content-encoding: gzip`, parsed as OTLP/JSON when the
// content type is JSON and walked as OTLP protobuf otherwise (span ids, trace ids
// and names only). With `file`, every accepted span is appended as one JSON line.
// With `keep: false` (long soaks) nothing is kept per request: `requests` and `spans()`
// stay empty and only `spanCount()` and `waitForSpans` see what arrived.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { appendFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

const hex = (bytes) => Buffer.from(bytes).toString('hex');

/** Minimal protobuf walk: yields [fieldNumber, wireType, value] (value: Buffer for LEN, number/bigint otherwise). */
function* fields(buf) {
  let i = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield [field, wire, varint()];
    else if (wire === 1) {
      if (i + 8 > buf.length) throw new Error('truncated fixed64');
      yield [field, wire, buf.subarray(i, i + 8)];
      i += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      if (i + len > buf.length) throw new Error('truncated bytes');
      yield [field, wire, buf.subarray(i, i + len)];
      i += len;
    } else if (wire === 5) {
      if (i + 4 > buf.length) throw new Error('truncated fixed32');
      yield [field, wire, buf.subarray(i, i + 4)];
      i += 4;
    } else throw new Error(`bad wire type ${wire}`);
  }
}

/** Span identities in an ExportTraceServiceRequest protobuf body. */
export function spansFromProtobuf(buf) {
  const out = [];
  for (const [f1, w1, rs] of fields(buf)) {
    if (f1 !== 1 || w1 !== 2) continue; // resource_spans
    for (const [f2, w2, ss] of fields(rs)) {
      if (f2 !== 2 || w2 !== 2) continue; // scope_spans
      for (const [f3, w3, sp] of fields(ss)) {
        if (f3 !== 2 || w3 !== 2) continue; // spans
        const span = {};
        for (const [f, w, v] of fields(sp)) {
          if (w !== 2) continue;
          if (f === 1) span.traceId = hex(v);
          else if (f === 2) span.spanId = hex(v);
          else if (f === 5) span.name = v.toString('utf8');
        }
        out.push(span);
      }
    }
  }
  return out;
}

/** Span identities in an OTLP/JSON body. */
export function spansFromJson(json) {
  const out = [];
  for (const rs of json?.resourceSpans ?? []) {
    for (const ss of rs?.scopeSpans ?? []) {
      for (const s of ss?.spans ?? []) out.push({ traceId: s.traceId, spanId: s.spanId, name: s.name });
    }
  }
  return out;
}

export async function startReceiver({ file, port = 0, keep = true } = {}) {
  const requests = [];
  const plan = [];
  const sockets = new Set();
  let waiters = [];
  let acceptedCount = 0; // spans of the requests answered 2xx

  const accepted = () => requests.filter((r) => r.status >= 200 && r.status < 300).flatMap((r) => r.spans);
  const wake = () => {
    const n = acceptedCount;
    waiters = waiters.filter((w) => (n >= w.n ? (w.resolve(), false) : true));
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const entry = { method: req.method, path: req.url, headers: req.headers, raw, spans: [], action: 'ok' };
      if (keep) requests.push(entry);
      try {
        entry.body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        if (String(req.headers['content-type']).startsWith('application/json')) {
          entry.json = entry.body.length ? JSON.parse(entry.body.toString('utf8')) : {};
          entry.spans = spansFromJson(entry.json);
        } else {
          entry.spans = spansFromProtobuf(entry.body);
        }
      } catch (err) {
        entry.decodeError = String(err);
      }
      const step = plan.shift() ?? 'ok';
      const action = typeof step === 'object' ? step : step === 'ok' ? { status: 200 } : typeof step === 'number' ? { status: step } : { action: step };
      entry.action = action.action ?? action.status;
      if (action.action === 'hang') return; // never answers; the client must time out
      if (action.action === 'reset') {
        req.socket.destroy();
        return;
      }
      let status = action.status ?? 200;
      if (entry.decodeError && status < 300) status = 400;
      entry.status = status;
      if (status >= 200 && status < 300) acceptedCount += entry.spans.length;
      // A success answers in the request's encoding, as OTLP/HTTP says (an empty
      // protobuf ExportTraceServiceResponse, or `{}`); errors in JSON.
      const protobuf = status < 300 && !String(req.headers['content-type']).startsWith('application/json');
      const headers = { 'content-type': action.contentType ?? (protobuf ? 'application/x-protobuf' : 'application/json') };
      if (action.retryAfter !== undefined) headers['retry-after'] = String(action.retryAfter);
      const reply = action.body
        ?? (status < 300 ? (protobuf ? '' : '{}') : JSON.stringify({ error: entry.decodeError ?? `scripted ${status}` }));
      res.writeHead(status, headers).end(reply);
      if (status < 300 && file && entry.spans.length) {
        await appendFile(file, entry.spans.map((s) => JSON.stringify(s)).join('\n') + '\n');
      }
      wake();
    });
  });
  let refusing = false; // down(): connections are dropped as they come
  server.on('connection', (s) => {
    if (refusing) {
      s.destroy();
      return;
    }
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (p) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', reject);
        resolve(server.address().port);
      });
    });
  const stop = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  const boundPort = await listen(port);

  return {
    url: `http://127.0.0.1:${boundPort}/v1/traces`,
    port: boundPort,
    requests,
    /** Scripts the answers to the next requests: a status number, { status, retryAfter, body, contentType }, 'ok', 'hang' or 'reset'. */
    script(...steps) {
      plan.push(...steps);
    },
    /** Spans of the requests answered 2xx, in arrival order. */
    spans: accepted,
    /** How many spans were accepted (answered 2xx); counted with `keep: false` too. */
    spanCount: () => acceptedCount,
    /**
     * Down for `ms`: open connections are closed and new ones dropped at once (the
     * client sees a network error). The port stays bound, so no other socket (a
     * client's ephemeral port) can take it before the receiver is back.
     */
    async down(ms) {
      refusing = true;
      for (const s of sockets) s.destroy();
      await new Promise((r) => setTimeout(r, ms));
      refusing = false;
    },
    /** Resolves when `n` spans have been accepted; rejects after `ms`. */
    waitForSpans(n, ms = 5000) {
      return new Promise((resolve, reject) => {
        const w = { n, resolve: () => (clearTimeout(timer), resolve()) };
        const timer = setTimeout(() => {
          waiters = waiters.filter((x) => x !== w);
          reject(new Error(`receiver: ${acceptedCount} of ${n} spans after ${ms} ms`));
        }, ms);
        waiters.push(w);
        wake();
      });
    },
    close: stop,
  };
}

/**
 * Asserts that `spans` (what a receiver accepted, e.g. `rx.spans()`) hold each span id
 * in `ids` exactly once and nothing else: no span lost, none delivered twice.
 */
export function assertEachOnce(spans, ids) {
  const counts = new Map();
  for (const s of spans) counts.set(s.spanId, (counts.get(s.spanId) ?? 0) + 1);
  assert.deepEqual([...counts].filter(([, c]) => c > 1), [], 'no span delivered twice');
  assert.deepEqual(ids.filter((id) => !counts.has(id)), [], 'every recorded span arrived');
  assert.equal(counts.size, ids.length, 'nothing else arrived');
}

/** Runs `fn(receiver)` against a fresh receiver and closes it afterwards, even on failure. */
export async function withReceiver(fn, options) {
  const rx = await startReceiver(options);
  try {
    await fn(rx);
  } finally {
    await rx.close();
  }
}
