/**
 * spanwire: distributed tracing for the edge. OpenTelemetry-compatible ids, W3C
 * Trace Context and Baggage propagation, Braintrust-compatible spans and OTLP
 * export, in Rust compiled to WebAssembly.
 *
 * One package for every runtime: `import` or `require` in Node.js, a bundler or a
 * `<script type="module">` in browsers, and Cloudflare Workers (the `workerd`
 * export condition). The module is ready when the import resolves.
 *
 * The declarations live in `types/*.d.cts`, one file per JS module, shared by this
 * entry (`import`, bundlers, `moduleResolution: node10`) and `types/index.d.cts`
 * (`require`): an ES module may re-export a CommonJS one, not the reverse.
 *
 * @packageDocumentation
 */

export * from './types/ids.cjs';
export * from './types/propagation.cjs';
export * from './types/span.cjs';
export * from './types/exporter.cjs';
export * from './types/http.cjs';
