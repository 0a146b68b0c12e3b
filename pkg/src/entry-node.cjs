// Node.js, `require`: bundled by scripts/build into dist/spanwire.cjs, beside the .wasm.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { initSync } = require('./spanwire.js');

initSync({ module: readFileSync(join(__dirname, 'spanwire_bg.wasm')) });

module.exports = require('./api.js');
