// spanwire as a contender in the shared peer benchmark (../shared/bench/peers).
// It drives the built package (pkg/dist, made by scripts/build) through its public
// API, exactly as a user's code would call it.
//
//   BENCH_EXTRA_CONTENDERS=$PWD/bench/contender.mjs ../shared/bench/peers/run.sh --runs=5
import { initSync } from '../pkg/dist/spanwire.js';
import * as spanwire from '../pkg/dist/api.js';

export const name = 'spanwire';
export const description = 'spanwire (Rust → wasm): crypto ids from a pooled CSPRNG source, W3C codec in wasm';

export async function setup() {
  if (globalThis.process?.versions?.node) {
    const { readFile } = await import('node:fs/promises');
    initSync({ module: await readFile(new URL('../pkg/dist/spanwire_bg.wasm', import.meta.url)) });
  } else {
    initSync({ module: (await import('../pkg/dist/spanwire_bg.wasm')).default });
  }
}

export const traceId = spanwire.newTraceId;
export const spanId = spanwire.newSpanId;

export const coldStartModules = { 'spanwire: full package': ['./cold-start.mjs'] };
export const sizeEntries = { 'full package': './size-entry.mjs' };
