// Browsers and bundlers: fetch and instantiate the .wasm that sits beside this file
// (bundlers such as Vite and webpack follow `new URL(..., import.meta.url)`; with
// esbuild, copy spanwire_bg.wasm next to the bundle). Top-level await: the API is
// ready once the import resolves.
import init from './spanwire.js';

await init({ module_or_path: new URL('./spanwire_bg.wasm', import.meta.url) });

export * from './api.js';
