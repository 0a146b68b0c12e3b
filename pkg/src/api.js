// The public API, shared by every runtime's entry. Each entry instantiates the
// WebAssembly module its own way, then re-exports this.
export { newTraceId, newSpanId } from './ids.js';
export * from './propagation.js';
export * from './span.js';
export { BRAINTRUST_OTLP_URL, OTLP_DEFAULT_URL } from './exporter.js';
export * from './http.js';
