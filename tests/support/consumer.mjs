// Where scripts/consumer installed the packed package, and esbuild bundling from it,
// so browser and Worker tests use exactly what `npm install spanwire` gives a user.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONSUMER = process.env.SPANWIRE_CONSUMER ?? join(REPO, 'tests', '.scratch', 'consumer');
export const INSTALLED = join(CONSUMER, 'node_modules', 'spanwire');
/** A folder for generated test files, beside the consumer project. */
export const SCRATCH = dirname(CONSUMER);

/**
 * Bundles `entry` (which imports 'spanwire' by name) into `outdir` for a browser or
 * for workerd, and copies the package's .wasm beside the bundle, as a user of
 * esbuild would. A test page may also import the package's internal modules as
 * `spanwire-dist/<file>` (the package's exports do not list them): the same modules
 * as the ones 'spanwire' imports.
 */
export async function bundleForRuntime(entry, outdir, runtime) {
  await mkdir(outdir, { recursive: true });
  const outfile = join(outdir, runtime === 'workerd' ? 'worker.js' : 'app.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    conditions: runtime === 'workerd' ? ['workerd', 'worker', 'browser'] : ['browser'],
    nodePaths: [join(CONSUMER, 'node_modules')],
    alias: { 'spanwire-dist': join(INSTALLED, 'dist') },
    external: ['*.wasm'],
    logLevel: 'warning',
  });
  await copyFile(join(INSTALLED, 'dist', 'spanwire_bg.wasm'), join(outdir, 'spanwire_bg.wasm'));
  return outfile;
}
