// Bundles ids-worker.js as wrangler would (esbuild, `workerd` condition), runs it in
// workerd on 127.0.0.1 through Miniflare, asks it once and prints the answer.
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '.build');
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(here, 'ids-worker.js')],
  outfile: join(out, 'worker.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  conditions: ['workerd', 'worker', 'browser'],
  external: ['*.wasm'],
  logLevel: 'warning',
});
const wasm = createRequire(join(here, 'package.json')).resolve('spanwire/spanwire_bg.wasm');
await copyFile(wasm, join(out, 'spanwire_bg.wasm'));

const mf = new Miniflare({
  modules: [
    { type: 'ESModule', path: join(out, 'worker.js') },
    { type: 'CompiledWasm', path: join(out, 'spanwire_bg.wasm') },
  ],
  modulesRoot: out,
  compatibilityDate: '2025-09-01',
  host: '127.0.0.1',
  port: 0,
  cf: false,
});
try {
  const url = await mf.ready;
  const { traceId, spanIds, traceparent } = await (await fetch(url)).json();
  console.log(`workerd  trace id     ${traceId}      (from ${url.origin})`);
  for (const id of spanIds) console.log(`workerd  span id      ${id}`);
  console.log(`workerd  traceparent  ${traceparent}`);
} finally {
  await mf.dispose();
}
