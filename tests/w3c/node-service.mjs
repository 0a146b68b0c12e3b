// The W3C test-suite service on node:http (127.0.0.1, an ephemeral port): Node's
// IncomingHttpHeaders are the carrier, exactly as an application would pass them.
import { createServer } from 'node:http';
import { handle } from './service.mjs';

export async function startNodeService(spanwire) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    let body = null;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* not JSON */ }
    try {
      const statuses = await handle(spanwire, req.headers, body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ statuses }));
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err?.stack ?? err) }));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/test`, close: () => new Promise((r) => server.close(r)) };
}
