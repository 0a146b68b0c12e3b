/**
 * spanwire for `require('spanwire')` (Node's `require` condition, `dist/spanwire.cjs`):
 * the same API as the `import` entry (`index.d.ts`), from the same declarations.
 *
 * @example
 * ```ts
 * // jobs.cts (or `const spanwire = require('spanwire')` in a .cjs file)
 * import spanwire = require('spanwire');
 * const logger = spanwire.initLogger({ serviceName: 'jobs' });
 * const span: spanwire.Span = logger.startSpan({ name: 'nightly' });
 * span.end();
 * ```
 *
 * @packageDocumentation
 */

export * from './ids.cjs';
export * from './propagation.cjs';
export * from './span.cjs';
export * from './exporter.cjs';
export * from './http.cjs';
