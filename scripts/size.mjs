// Prints the size of what a user ships, raw and gzip -9, one line per file and a total.
// Usage: node scripts/size.mjs FILE... (the .wasm and the JS a browser or Worker loads)
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const rows = process.argv.slice(2).map((file) => {
  const bytes = readFileSync(file);
  const gzip = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
  return { file: basename(file), raw: bytes.length, gzip };
});
const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip }), { raw: 0, gzip: 0 });
const pad = (s, n) => String(s).padStart(n);
console.log('shipped size (each file compressed on its own):');
for (const r of rows) console.log(`  ${r.file.padEnd(22)} ${pad(r.raw, 8)} B raw ${pad(r.gzip, 8)} B gzip -9`);
console.log(`  ${'total'.padEnd(22)} ${pad(total.raw, 8)} B raw ${pad(total.gzip, 8)} B gzip -9`);
