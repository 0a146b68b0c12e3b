// Node.js, `require`: bundled by scripts/build into dist/spanwire.cjs, beside the .wasm.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { initSync } = require('./spanwire.js');

// Node 18 has Web Crypto only as node:crypto's `webcrypto` unless started with
// --experimental-global-webcrypto; ids are drawn through globalThis.crypto.
if (!('crypto' in globalThis)) globalThis.crypto = require('node:crypto').webcrypto;

initSync({ module: readFileSync(join(__dirname, 'spanwire_bg.wasm')) });

module.exports = require('./api.js');
