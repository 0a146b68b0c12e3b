// The demo's backend: a local OTLP/HTTP receiver on 127.0.0.1 that keeps every span
// it is sent, whole (service, parent, kind, times, attributes, status, events), in
// memory and as JSON lines in a file, and serves them back for the page's waterfall.
//
//   POST /v1/traces          OTLP/JSON (gzip accepted); protobuf is refused with 415
//   GET  /v1/spans?traceId=  the stored spans, oldest first (all when no traceId)
//   CORS: the origins in `corsOrigins` (the demo page) may POST and GET.
import { createServer } from 'node:http';
import { appendFile, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/** An OTLP AnyValue as a plain JS value. */
export function anyValue(v) {
  if (v === null || typeof v !== 'object') return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attributes(v.kvlistValue.values);
  if ('bytesValue' in v) return v.bytesValue;
  return undefined;
}

function attributes(list) {
  const out = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

const KIND = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS = ['unset', 'ok', 'error'];

/** Every span of an OTLP/JSON ExportTraceServiceRequest, flattened. */
export function decodeSpans(json) {
  const out = [];
  for (const rs of json?.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          service: resource['service.name'],
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId || undefined,
          name: s.name,
          kind: KIND[s.kind ?? 0] ?? String(s.kind),
          startNs: String(s.startTimeUnixNano ?? '0'),
          endNs: String(s.endTimeUnixNano ?? '0'),
          startMs: Number(BigInt(s.startTimeUnixNano ?? 0) / 1000n) / 1000,
          durationMs: Number(BigInt(s.endTimeUnixNano ?? 0) - BigInt(s.startTimeUnixNano ?? 0)) / 1e6,
          flags: s.flags,
          traceState: s.traceState || undefined,
          attributes: attributes(s.attributes),
          status: { code: STATUS[s.status?.code ?? 0] ?? String(s.status?.code), message: s.status?.message || undefined },
          events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attributes(e.attributes) })),
          resource,
        });
      }
    }
  }
  return out;
}

/**
 * Starts the receiver. `file`: where spans are appended as JSON lines (truncated at
 * start). `corsOrigins`: a Set of origins allowed to call it from a page (mutable).
 */
export async function startReceiver({ file, port = 0, corsOrigins = new Set() } = {}) {
  const spans = [];
  const requests = [];
  let waiters = [];
  if (file) await writeFile(file, '');
  const wake = () => {
    waiters = waiters.filter((w) => (w.check() ? (w.resolve(), false) : true));
  };

  const server = createServer((req, res) => {
    const origin = req.headers.origin;
    const cors = origin !== undefined && corsOrigins.has(origin)
      ? {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, POST',
          'access-control-allow-headers': 'content-type, content-encoding',
          'access-control-max-age': '600',
          vary: 'origin',
        }
      : {};
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'OPTIONS') {
      res.writeHead(cors['access-control-allow-origin'] ? 204 : 403, cors).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/spans') {
      const traceId = url.searchParams.get('traceId');
      const body = JSON.stringify(traceId ? spans.filter((s) => s.traceId === traceId) : spans);
      res.writeHead(200, { ...cors, 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
      return;
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/traces') {
      res.writeHead(404, cors).end();
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', async () => {
      const entry = { headers: req.headers, spans: [] };
      requests.push(entry);
      let status = 200;
      let reply = '{}';
      try {
        if (!String(req.headers['content-type']).startsWith('application/json')) {
          status = 415;
          reply = JSON.stringify({ error: 'the demo receiver takes OTLP/JSON (exporter.protocol "json")' });
        } else {
          let body = Buffer.concat(chunks);
          if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
          entry.spans = decodeSpans(JSON.parse(body.toString('utf8')));
        }
      } catch (err) {
        status = 400;
        reply = JSON.stringify({ error: String(err) });
      }
      entry.status = status;
      if (status === 200) {
        spans.push(...entry.spans);
        if (file && entry.spans.length) {
          await appendFile(file, entry.spans.map((s) => JSON.stringify(s)).join('\n') + '\n');
        }
      }
      res.writeHead(status, { ...cors, 'content-type': 'application/json' }).end(reply);
      wake();
    });
  });
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = server.address().port;
  return {
    url: `http://127.0.0.1:${bound}/v1/traces`,
    origin: `http://127.0.0.1:${bound}`,
    spans,
    requests,
    corsOrigins,
    /** Resolves when `check(spans)` holds; rejects after `ms`. */
    waitFor(check, ms = 10_000, what = 'spans') {
      return new Promise((resolve, reject) => {
        const w = { check: () => check(spans), resolve: () => (clearTimeout(timer), resolve(spans)) };
        const timer = setTimeout(() => {
          waiters = waiters.filter((x) => x !== w);
          reject(new Error(`receiver: no ${what} after ${ms} ms (${spans.length} spans held)`));
        }, ms);
        waiters.push(w);
        wake();
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
