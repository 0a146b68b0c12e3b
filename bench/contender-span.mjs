// The round trip with a recorded span, timed beside bench/contender.mjs's codec round
// trip in the same run: extract -> a real child span started (remote parent), injected
// and ended, queued for export into a logger whose queue is emptied unsent every 1024
// spans (as in contender.mjs). Only roundTrip is measured here; no cold-start, size or
// workerd entry.
import { drainEvery1024, loadPackage, queueingLogger, spanwire } from './common.mjs';

export const name = 'spanwire-span';
export const description = 'spanwire roundTrip with a real child span recorded (extract -> startSpan -> inject -> end)';
export const workerd = false;

let logger;
let drain;

export async function setup() {
  await loadPackage();
  logger = queueingLogger();
  drain = drainEvery1024(logger);
}

export function roundTrip(carrier) {
  const span = logger.startSpan({ name: 'hop', parent: spanwire.extractTraceContext(carrier) });
  const out = span.inject({});
  span.end();
  drain();
  return out;
}

/** Not part of the harness contract: empties the queue unsent (tests/bench, at exit). */
export function discardQueued() {
  logger._source.discard(4096);
}
