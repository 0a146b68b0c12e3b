// Runs a bundled Worker in workerd through Miniflare, bound to 127.0.0.1.
import { Miniflare } from 'miniflare';
import { join, dirname } from 'node:path';

/** Starts `workerFile` (an ES module bundle with its .wasm beside it) in workerd. */
export async function startWorker(workerFile, options = {}) {
  const mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: workerFile },
      { type: 'CompiledWasm', path: join(dirname(workerFile), 'spanwire_bg.wasm') },
    ],
    modulesRoot: dirname(workerFile),
    compatibilityDate: '2025-09-01',
    host: '127.0.0.1',
    port: 0,
    cf: false,
    ...options,
  });
  const url = await mf.ready;
  return { mf, url, dispose: () => mf.dispose() };
}
