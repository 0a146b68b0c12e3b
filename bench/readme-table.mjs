// Rewrites the README's performance block (between the bench:start and bench:end
// markers) from one run of the peer harness and the memory soak. scripts/bench calls it
// after a full run; every number in the block comes from that one run.
//
//   node bench/readme-table.mjs --results=DIR [--soak=FILE] [--readme=README.md]
//
// DIR is the harness's results directory (node.json, workerd.json, cold.json,
// size.json); FILE is what `node bench/soak.mjs --json=FILE` wrote.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const resultsDir = arg('results');
const soakFile = arg('soak');
const readmePath = arg('readme') ?? new URL('../README.md', import.meta.url).pathname;
if (!resultsDir) throw new Error('usage: node bench/readme-table.mjs --results=DIR [--soak=FILE] [--readme=FILE]');

const read = (name) => JSON.parse(readFileSync(`${resultsDir}/${name}.json`, 'utf8'));
const node = read('node');
const workerd = existsSync(`${resultsDir}/workerd.json`) ? read('workerd') : undefined;
const cold = read('cold');
const size = read('size');

const US = 'spanwire';
const BASE = 'otel';

/** Our median (contender `us`) over OTel's for `op` in one section's results. */
function ratio(results, op, us = US) {
  const of = (c) => results.find((r) => r.op === op && r.contender === c)?.median;
  const ours = of(us);
  const theirs = of(BASE);
  return ours && theirs ? ours / theirs : undefined;
}

// The issue's targets (Node); `undefined`: reported without one. A fourth element
// names another contender of ours (bench/contender-span.mjs) for that row.
const ROWS = [
  ['spanId', '`spanId` (crypto-backed; OTel uses `Math.random`)', 1.5],
  ['traceId', '`traceId` (crypto-backed)', 1.5],
  ['injectPlain', '`injectPlain`', 1.5],
  ['injectHeaders', '`injectHeaders`', 1.5],
  ['injectBaggage', '`injectBaggage`', undefined],
  ['extract', '`extract` (tracestate fully validated; OTel\'s is lazy)', 1.5],
  ['extractHeaders', '`extractHeaders`', 1.2],
  ['roundTrip', '`roundTrip` (extract → child context → inject, as OTel\'s)', 3.0],
  ['roundTrip', '`roundTrip` with a real child span started, injected and ended', undefined, 'spanwire-span'],
  ['spanLifecycle', '`spanLifecycle` (start + 3 attributes + end, queued for export)', 2.0],
  ['exportBatch', '`exportBatch` (1,000 spans to OTLP/JSON)', 2.0],
];

const fmt = (x) => (x === undefined ? '–' : x.toFixed(2));
const cell = (x, target) => (x !== undefined && target !== undefined && x >= target ? `**${fmt(x)}**` : fmt(x));
const n = (x) => Math.round(x).toLocaleString('en');

const lines = [];
const date = new Date().toISOString().slice(0, 10);
const workerdVersion = workerd?.workerd ? `, ${String(workerd.workerd).replace(/^(?!workerd)/, 'workerd ')}` : '';
lines.push(
  `One run of \`scripts/bench\` (${date}; ${node.rounds} rounds, medians; Node ${node.node}, V8 ${node.v8}` +
    `${workerdVersion}; ${node.platform ?? `${process.platform}-${process.arch}`}, ${os.cpus().length} cores` +
    ` ${os.cpus()[0]?.model?.trim() ?? ''}). Bold: the issue's target is met.`,
  '',
  '| operation | Node × OTel | workerd × OTel | target (Node) |',
  '| --- | --- | --- | --- |',
);
for (const [op, label, target, us] of ROWS) {
  const inNode = ratio(node.results, op, us);
  const inWorkerd = workerd ? ratio(workerd.results, op, us) : undefined;
  lines.push(`| ${label} | ${cell(inNode, target)} | ${fmt(inWorkerd)} | ${target === undefined ? '–' : `≥ ${target.toFixed(1)}`} |`);
}

const coldOf = (label) => cold.results.find((r) => r.label === label)?.importMs?.median;
const ourCold = coldOf(`${US}: full package`);
const otelCold = coldOf(`${BASE}: core+sdk-trace-base`);
const sizeOf = (contender, label) => size.results.find((r) => r.contender === contender && r.label === label);
const ourSize = sizeOf(US, 'full package');
const otelSize = sizeOf(BASE, 'full tracer');
const wasmGzip = ourSize?.wasm?.reduce((sum, w) => sum + w.gzip, 0);
const coldRatio = ourCold / otelCold;
lines.push(
  '',
  '| | spanwire | OpenTelemetry | target |',
  '| --- | --- | --- | --- |',
  `| cold start: import + instantiate, fresh Node (median of ${cold.runs}) | ${ourCold.toFixed(1)} ms | ` +
    `${otelCold.toFixed(1)} ms (core + sdk-trace-base) | ≤ 0.5× (${coldRatio <= 0.5 ? '**' : ''}${coldRatio.toFixed(2)}×${coldRatio <= 0.5 ? '**' : ''}) |`,
  `| shipped size: esbuild bundle + .wasm, gzip -9 | ${n(ourSize.gzip)} B (wasm ${n(wasmGzip)} B) | ` +
    `${n(otelSize.gzip)} B (full tracer + OTLP) | ≤ 40 KB |`,
);
// The same usage on both sides (bench/size-tracer.mjs and size-propagation.mjs mirror
// the harness's otel entries), so esbuild drops the same kind of unused JS from each.
for (const [label, what] of [
  ['full tracer', 'size, the usage of OTel\'s full-tracer entry (`bench/size-tracer.mjs`)'],
  ['propagation', 'size, propagation only (`bench/size-propagation.mjs`)'],
]) {
  const ours = sizeOf(US, label);
  const otel = sizeOf(BASE, label);
  if (ours && otel) lines.push(`| ${what} | ${n(ours.gzip)} B | ${n(otel.gzip)} B | – |`);
}

if (soakFile) {
  const soak = JSON.parse(readFileSync(soakFile, 'utf8'));
  const mb = (b) => (b / (1024 * 1024)).toFixed(1); // MiB, as bench/soak.mjs prints them
  lines.push(
    '',
    `Memory soak (\`bench/soak.mjs\`, same run): ${n(soak.total)} spans started, given 3 attributes, ended and ` +
      `exported as OTLP/JSON to a local receiver in ${soak.seconds.toFixed(1)} s; ${n(soak.received)} received, ` +
      `${n(soak.stats.dropped ?? 0)} dropped; peak RSS ${mb(soak.peakRss)} MB; ` +
      `${soak.ok ? 'flat after warm-up' : 'NOT flat after warm-up'} (from ${n(soak.rule.baselineSpans)} spans on, wasm ` +
      `memory within ${soak.rule.wasmTolerance * 100} % and RSS within ${soak.rule.rssTolerance * 100} % of that sample).`,
    '',
    '| spans | RSS MB | JS heap MB | wasm memory MB |',
    '| ---: | ---: | ---: | ---: |',
    ...soak.samples.map((s) => `| ${n(s.spans)} | ${mb(s.rss)} | ${mb(s.heapUsed)} | ${mb(s.wasm)} |`),
  );
}

const START = '<!-- bench:start: scripts/bench rewrites this block (bench/readme-table.mjs) -->';
const END = '<!-- bench:end -->';
const readme = readFileSync(readmePath, 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) throw new Error(`${readmePath}: no ${START} ... ${END} block`);
writeFileSync(readmePath, `${readme.slice(0, from + START.length)}\n${lines.join('\n')}\n${readme.slice(to)}`);
console.log(`${readmePath}: performance block rewritten`);
