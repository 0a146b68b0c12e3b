// The demo's origin tier: a Node HTTP service on 127.0.0.1. Each request gets a server
// span from `startServerSpan` (a child of the Worker's client span, whose traceparent
// it carries); /inventory also records an internal span for its "database" lookup.
import { createServer } from 'node:http';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the origin with `spanwire` (the package's module namespace) exporting to
 * `otlpUrl`. Resolves to `{ url, close }`.
 */
export async function startOrigin({ spanwire, otlpUrl, port = 0 }) {
  const { initLogger, startServerSpan } = spanwire;
  const logger = initLogger({
    serviceName: 'demo-origin',
    exporter: { url: otlpUrl, protocol: 'json' },
    batch: { delayMs: 100 },
    setCurrent: false,
  });

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const route = ['/inventory', '/pricing'].includes(url.pathname) ? url.pathname : undefined;
    const span = startServerSpan(req, { logger, route, response: res });
    res.once('finish', () => logger.flush()); // after the span ended (it listens first)
    const sku = url.searchParams.get('sku') ?? '0';
    try {
      if (url.pathname === '/inventory') {
        const lookup = span.startSpan({ name: 'inventory.lookup', attributes: { 'db.system': 'demo', sku } });
        await sleep(15);
        lookup.end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sku, inStock: 7 }));
      } else if (url.pathname === '/pricing') {
        await sleep(5);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sku, priceCents: 1299 }));
      } else {
        res.writeHead(404).end('not found');
      }
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    logger,
    close: async () => {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
      await logger.flush({ timeoutMs: 2000 });
    },
  };
}
