// What both contenders (contender.mjs, contender-span.mjs) share: the built package,
// instantiated the way each runtime does it, and loggers whose spans are queued for
// export and never sent.
import { initSync } from '../pkg/dist/spanwire.js';
import * as spanwire from '../pkg/dist/api.js';

export { spanwire };

/** Instantiates the wasm: from the file's bytes in Node, from workerd's compiled Module elsewhere. */
export async function loadPackage() {
  if (globalThis.process?.versions?.node) {
    const { readFile } = await import('node:fs/promises');
    initSync({ module: await readFile(new URL('../pkg/dist/spanwire_bg.wasm', import.meta.url)) });
  } else {
    initSync({ module: (await import('../pkg/dist/spanwire_bg.wasm')).default });
  }
}

/** A logger whose spans wait for export and are never sent (a day's delay, batches as big as the queue). */
export function queueingLogger() {
  return spanwire.initLogger({
    projectName: 'bench',
    serviceName: 'bench',
    exporter: { url: 'http://127.0.0.1:9/never-sent' },
    batch: { delayMs: 86_400_000, maxQueueSize: 4096, maxBatchSize: 4096 },
    setCurrent: false,
  });
}

/**
 * A function to call once a span: every 1,024 calls it empties `logger`'s queue unsent,
 * as OpenTelemetry's benchmark resets its in-memory exporter.
 */
export function drainEvery1024(logger) {
  let ended = 0;
  return () => {
    if ((++ended & 1023) === 0) logger._source.discard(4096);
  };
}
