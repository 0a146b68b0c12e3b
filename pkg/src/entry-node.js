// Node.js, `import`: instantiate synchronously from the .wasm beside this file.
import { readFileSync } from 'node:fs';
import { initSync } from './spanwire.js';

initSync({ module: readFileSync(new URL('./spanwire_bg.wasm', import.meta.url)) });

export * from './api.js';
