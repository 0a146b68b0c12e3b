// The round trip with a recorded span, timed beside bench/contender.mjs's codec round
// trip in the same run: extract -> a real child span started (remote parent), injected
// and ended, queued for export into a logger whose queue is emptied unsent every 1024
// spans (as in contender.mjs). Only roundTrip is measured here; no cold-start, size or
// workerd entry.
import { initSync } from '../pkg/dist/spanwire.js';
import * as spanwire from '../pkg/dist/api.js';

export const name = 'spanwire-span';
export const description = 'spanwire roundTrip with a real child span recorded (extract -> startSpan -> inject -> end)';
export const workerd = false;

let logger;

export async function setup() {
  const { readFile } = await import('node:fs/promises');
  initSync({ module: await readFile(new URL('../pkg/dist/spanwire_bg.wasm', import.meta.url)) });
  logger = spanwire.initLogger({
    projectName: 'bench',
    serviceName: 'bench',
    exporter: { url: 'http://127.0.0.1:9/never-sent' },
    batch: { delayMs: 86_400_000, maxQueueSize: 4096, maxBatchSize: 4096 },
    setCurrent: false,
  });
}

let ended = 0;
export function roundTrip(carrier) {
  const span = logger.startSpan({ name: 'hop', parent: spanwire.extractTraceContext(carrier) });
  const out = span.inject({});
  span.end();
  if ((++ended & 1023) === 0) logger._source.discard(4096);
  return out;
}

/** Not part of the harness contract: empties the queue unsent (tests/bench, at exit). */
export function discardQueued() {
  logger._source.discard(4096);
}
