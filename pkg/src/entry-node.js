// Node.js, `import`: instantiate synchronously from the .wasm beside this file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync } from './spanwire.js';

// Node 18 has Web Crypto only as node:crypto's `webcrypto` unless started with
// --experimental-global-webcrypto; ids are drawn through globalThis.crypto.
if (!('crypto' in globalThis)) globalThis.crypto = createRequire(import.meta.url)('node:crypto').webcrypto;

initSync({ module: readFileSync(new URL('./spanwire_bg.wasm', import.meta.url)) });

export * from './api.js';
