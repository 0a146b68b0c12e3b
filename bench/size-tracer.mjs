// 'full tracer': the usage of the harness's size/otel-full.mjs, written with spanwire:
// a logger exporting OTLP/HTTP JSON (to an absolute URL, which spanwire requires),
// extract, a span with one attribute, inject, end, flush. Both bundles keep what that
// usage needs and esbuild drops the rest; the .wasm is whole (one module, every API).
import { initLogger, extractTraceContext } from '../pkg/dist/entry-browser.js';

const logger = initLogger({ serviceName: 'app', exporter: { url: 'http://127.0.0.1:4318/v1/traces' } });
export function handle(headers, outHeaders) {
  const parent = extractTraceContext(headers);
  const span = logger.startSpan({ name: 'handle', parent });
  span.setAttributes({ 'http.request.method': 'GET' });
  span.inject(outHeaders);
  span.end();
  return logger.flush();
}
