// The installed package (scripts/consumer's scratch project) for Node-side e2e code:
// its module namespace, imported from the tarball's own Node ESM entry.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONSUMER } from '../support/consumer.mjs';

export const NODE_MODULES = join(CONSUMER, 'node_modules');

export async function importSpanwire() {
  const dir = join(NODE_MODULES, 'spanwire');
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  return import(pathToFileURL(join(dir, manifest.exports['.'].node.import)).href);
}

/**
 * A server on 127.0.0.1 that records each request's method, path and headers and answers
 * JSON, or a 302 to `redirect(req)` when that gives a URL.
 */
export async function startRecorder({ cors, redirect } = {}) {
  const { createServer } = await import('node:http');
  const seen = [];
  const server = createServer((req, res) => {
    const h = cors
      ? {
          'access-control-allow-origin': req.headers.origin ?? '*',
          'access-control-allow-headers': 'traceparent, tracestate, baggage, content-type, x-test',
          'access-control-allow-methods': 'GET, POST',
        }
      : {};
    if (req.method === 'OPTIONS') {
      res.writeHead(204, h).end();
      return;
    }
    seen.push({ method: req.method, path: req.url, headers: req.headers });
    const location = redirect?.(req);
    if (location !== undefined) {
      res.writeHead(302, { ...h, location }).end();
      return;
    }
    res.writeHead(200, { ...h, 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, path: req.url }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    seen,
    close: () => {
      server.closeAllConnections?.();
      return new Promise((r) => server.close(r));
    },
  };
}
