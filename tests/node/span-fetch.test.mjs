// span.fetch: a client span, child of the span, with headers injected only where the
// logger's propagateTo allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { initLogger, configureHttp } from 'spanwire';

function listen() {
  const seen = [];
  const server = createServer((req, res) => { seen.push(req.headers); res.end('ok'); });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/x`, seen, close: () => new Promise((r) => server.close(r)),
  })));
}

test('span.fetch injects a child client span where allowed, and nothing elsewhere', async () => {
  const allowed = await listen();
  const other = await listen();
  const logger = initLogger({ projectName: 'p', exporter: false });
  configureHttp(logger, { propagateTo: [new URL(allowed.url).origin] });
  const span = logger.startSpan({ name: 'parent' });
  try {
    const res = await span.fetch(allowed.url);
    assert.equal(await res.text(), 'ok');
    await span.fetch(other.url);
    const tp = allowed.seen[0].traceparent;
    assert.match(tp, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/);
    assert.equal(tp.slice(3, 35), span.rootSpanId, 'same trace');
    assert.notEqual(tp.slice(36, 52), span.spanId, 'the client span, not the parent, is the remote parent');
    assert.equal(other.seen[0].traceparent, undefined, 'no trace headers to an origin not allowed');
    assert.equal(other.seen[0].baggage, undefined);
  } finally {
    span.end();
    await allowed.close();
    await other.close();
  }
});
