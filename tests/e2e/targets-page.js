// Propagation targets in a browser page (bundled from the installed package): the
// same calls with the default targets (same origin only), an explicit allow and an
// explicit deny. The servers record what arrived on the wire.
import { initLogger, extractTraceContext, tracedFetch } from 'spanwire';

const other = new URLSearchParams(location.search).get('other');
const logger = initLogger({ serviceName: 'targets-page', exporter: false });
const parent = extractTraceContext({
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'congo=t61rcWkgMzE',
  baggage: 'userId=alice',
});
const span = logger.startSpan({ name: 'page', parent });
try {
  await tracedFetch(span, '/echo?case=same-default');
  // The caller copied trace headers in: a target that is not allowed must not get them.
  await tracedFetch(span, `${other}/echo?case=other-default`, {
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'congo=x', baggage: 'userId=alice', 'x-test': '1' },
  });
  await tracedFetch(span, `${other}/echo?case=other-allowed`, undefined, { propagateTo: [other] });
  await tracedFetch(span, '/echo?case=same-denied', undefined, { propagateTo: false });
  document.body.dataset.result = 'ok';
} catch (err) {
  document.body.dataset.result = String(err);
}
span.end();
document.body.dataset.done = '';
