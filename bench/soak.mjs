// Memory soak (issue #7): 1,000,000 spans started, given 3 attributes, ended and
// exported over OTLP/HTTP (JSON, the default) to a local receiver in this process,
// through the BUILT package's Node entry. Samples RSS, JS heap and wasm memory every
// 100,000 spans and judges "flat after warm-up":
//   every sample from 200,000 spans on is within 10% of the 200,000 sample for wasm
//   memory and within 20% for RSS (the receiver shares the process, so it is in RSS).
// Exits 1 if that fails or the receiver did not get every span.
//
//   node bench/soak.mjs [--json=PATH]
//   SPANWIRE_DIST=.pkg-soak/dist node bench/soak.mjs      (another build; default pkg/dist)
//   SPANWIRE_SOAK_SPANS=200000 node bench/soak.mjs        (a shorter run, for a quick look)
//
// The loop yields to the event loop every 1,000 spans so the exporter (one batch of 512
// in flight at a time) can send. It produces faster than one HTTP request per 512 spans
// drains, so when the queue (the default 2,048) has no room for the next 1,000 spans
// the loop also waits for it to drain: backpressure, counted as "waits", so no span is
// dropped for being produced faster than a local socket accepts; `dropped` is reported
// from the logger either way. Runs itself again under --expose-gc so every sample is
// taken after a full GC.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { catchWasmInstance } from '../tests/js/wasm-instance.mjs';

if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}

const TOTAL = Number(process.env.SPANWIRE_SOAK_SPANS ?? 1_000_000);
const EVERY = Math.max(1, Math.floor(TOTAL / 10)); // sample interval: 100,000 for 1M
const WARM = 2 * EVERY; // the flatness baseline: the 200,000 sample
const YIELD = 1000;
const WASM_TOL = 0.1;
const RSS_TOL = 0.2;
const jsonArg = process.argv.find((a) => a.startsWith('--json='))?.slice('--json='.length);

const here = new URL('.', import.meta.url);
const dist = process.env.SPANWIRE_DIST ? pathToFileURL(resolve(process.env.SPANWIRE_DIST) + '/') : new URL('../pkg/dist/', here);

// The wasm memory, as tests/node/soak.test.mjs reads it: catch the instance the glue creates.
const caught = catchWasmInstance();
const { initLogger } = await import(new URL('entry-node.js', dist).href);
caught.restore();
let memory = caught.instance?.exports.memory;
if (memory === undefined) {
  // The glue's initSync returns the instance's exports once initialized.
  const { initSync } = await import(new URL('spanwire.js', dist).href);
  memory = initSync().memory;
}
const { startReceiver } = await import(new URL('../tests/support/otlp-receiver.mjs', here).href);

const rx = await startReceiver({ keep: false });
const logger = initLogger({ projectId: 'soak', exporter: { url: rx.url }, setCurrent: false });
const maxQueue = logger._exporter?.config.maxQueueSize ?? 2048; // the default batch.maxQueueSize

const MB = 1024 * 1024;
const samples = [];
const sample = (spans) => {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  const s = { spans, rss: m.rss, heapUsed: m.heapUsed, wasm: memory.buffer.byteLength, exported: rx.spanCount() };
  samples.push(s);
  return s;
};
const tick = () => new Promise(setImmediate);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

sample(0);
let waits = 0;
const t0 = performance.now();
for (let i = 1; i <= TOTAL; i++) {
  const span = logger.startSpan({ name: 'GET /api/items' });
  span.setAttribute('http.request.method', 'GET');
  span.setAttribute('http.response.status_code', 200);
  span.setAttribute('app.cache_hit', true);
  span.end();
  if (i % YIELD === 0) {
    await tick();
    while (logger.stats().queued + YIELD > maxQueue) {
      waits++;
      await sleep(1);
    }
  }
  if (i % EVERY === 0) sample(i);
}
const report = await logger.flush({ timeoutMs: 60_000 });
await rx.waitForSpans(TOTAL, 10_000).catch(() => {});
const seconds = (performance.now() - t0) / 1000;
const stats = logger.stats();
const received = rx.spanCount();
await rx.close();
const peakRss = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB

const base = samples.find((s) => s.spans === WARM);
const within = (x, b, tol) => Math.abs(x / b - 1) <= tol;
const late = samples.filter((s) => s.spans >= WARM);
const wasmFlat = late.every((s) => within(s.wasm, base.wasm, WASM_TOL));
const rssFlat = late.every((s) => within(s.rss, base.rss, RSS_TOL));
const complete = received === TOTAL && stats.exported === TOTAL && stats.dropped === 0 && stats.failed === 0;
const ok = wasmFlat && rssFlat && complete;

const f = (n) => (n / MB).toFixed(1);
const n = (x) => x.toLocaleString('en');
const lines = [
  `Memory soak: ${n(TOTAL)} spans (start + 3 attributes + end) exported as OTLP/JSON to a local receiver`,
  `Node ${process.version}, ${process.platform}-${process.arch}; ${process.env.SPANWIRE_DIST ?? 'pkg/dist'}`,
  '',
  '| spans | RSS MB | JS heap MB | wasm memory MB | received by then |',
  '| ---: | ---: | ---: | ---: | ---: |',
  ...samples.map((s) => `| ${n(s.spans)} | ${f(s.rss)} | ${f(s.heapUsed)} | ${f(s.wasm)} | ${n(s.exported)} |`),
  '',
  `peak RSS (maxRSS): ${f(peakRss)} MB; wasm memory at the end: ${f(samples.at(-1).wasm)} MB`,
  `total time: ${seconds.toFixed(1)} s (${n(Math.round(TOTAL / seconds))} spans/s), backpressure waits: ${n(waits)}`,
  `spans received: ${n(received)} of ${n(TOTAL)}; exporter: exported ${n(stats.exported)}, dropped ${n(stats.dropped)}, ` +
    `failed ${n(stats.failed)}, requests ${n(stats.requests)}, retries ${n(stats.retries)}; flush pending ${report.pending}`,
  `rule: every sample from ${n(WARM)} spans on within ${WASM_TOL * 100}% of the ${n(WARM)} sample for wasm memory ` +
    `and within ${RSS_TOL * 100}% for RSS`,
  `verdict: ${wasmFlat && rssFlat ? 'flat after warm-up' : `NOT flat after warm-up (wasm ${wasmFlat ? 'ok' : 'grew'}, RSS ${rssFlat ? 'ok' : 'moved'})`}` +
    `${complete ? '' : '; SPANS MISSING'}`,
];
console.log(lines.join('\n'));

if (jsonArg) {
  writeFileSync(jsonArg, JSON.stringify({
    node: process.version, platform: `${process.platform}-${process.arch}`, dist: fileURLToPath(dist),
    total: TOTAL, seconds, waits, peakRss, samples, received, stats, flush: report,
    rule: { baselineSpans: WARM, wasmTolerance: WASM_TOL, rssTolerance: RSS_TOL },
    wasmFlat, rssFlat, complete, ok,
  }, null, 2) + '\n');
}
process.exitCode = ok ? 0 : 1;
