// Cloudflare Workers (workerd): importing a .wasm gives a compiled WebAssembly.Module,
// which instantiates synchronously. No randomness is drawn here: Workers forbid
// crypto.getRandomValues at module scope, so ids are drawn on first use.
import wasmModule from './spanwire_bg.wasm';
import { initSync } from './spanwire.js';

initSync({ module: wasmModule });

export * from './api.js';
