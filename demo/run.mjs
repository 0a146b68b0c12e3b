// The demo: one trace through three tiers, on 127.0.0.1.
//
//   browser page (www/, headless Chromium)  --traceparent-->  Worker (workerd, Miniflare)
//        --traceparent-->  Node origin (/inventory and /pricing, in parallel)
//   every tier exports OTLP/JSON to a local receiver, which keeps the spans in a file
//
// It starts the receiver, the origin, the Worker and a static server for the page;
// clicks the page's button once in headless Chromium; prints the trace as a tree
// (service, name, kind, duration; one trace id); prints the page URL to open by hand
// and keeps running until Ctrl-C / SIGTERM. With --once (or CI=true) it stops after
// printing the tree.
//
//   node demo/run.mjs [--once] [--port N]   (--port: the page's port; default ephemeral)
//   SPANWIRE_NODE_MODULES=<dir>: the node_modules holding spanwire (default demo/node_modules)
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { chromium } from 'playwright-core';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { childrenByParent } from '../www/trace-tree.js';
import { startReceiver } from './receiver.mjs';
import { startOrigin } from './origin.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..');

// ---------------------------------------------------------------------------------
// Pieces

/** The installed spanwire package: its folder and its Node ESM entry. */
async function locatePackage(nodeModules) {
  const dir = join(nodeModules, 'spanwire');
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  const entry = manifest.exports['.'].node.import;
  return { dir, nodeEntry: join(dir, entry), wasm: join(dir, manifest.exports['./spanwire_bg.wasm']) };
}

async function bundle(entry, outfile, conditions, nodeModules) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    conditions,
    nodePaths: [nodeModules],
    external: ['*.wasm'],
    logLevel: 'warning',
  });
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** A static file server for `root` on 127.0.0.1. */
async function serveStatic(root, port = 0) {
  const server = createServer(async (req, res) => {
    let path;
    try {
      path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    origin: new URL(url).origin,
    close: () => {
      server.closeAllConnections?.();
      return new Promise((r) => server.close(r));
    },
  };
}

/**
 * Starts every tier. `nodeModules`: where spanwire is installed; `buildDir`: where
 * bundles and the span file go; `port`: the page's port (0: ephemeral).
 * Resolves to `{ pageUrl, workerUrl, originUrl, receiver, spansFile, stop() }`.
 */
export async function startDemo({
  nodeModules = process.env.SPANWIRE_NODE_MODULES ?? join(HERE, 'node_modules'),
  buildDir = join(HERE, '.build'),
  port = 0,
} = {}) {
  const stops = [];
  const stop = async () => {
    while (stops.length) {
      const s = stops.pop();
      try {
        await s();
      } catch {
        // keep stopping the rest
      }
    }
  };
  try {
    const pkg = await locatePackage(nodeModules);
    const wwwDir = join(buildDir, 'www');
    const workerDir = join(buildDir, 'worker');
    await rm(buildDir, { recursive: true, force: true });
    await mkdir(wwwDir, { recursive: true });
    await mkdir(workerDir, { recursive: true });

    const spansFile = join(buildDir, 'spans.jsonl');
    const receiver = await startReceiver({ file: spansFile });
    stops.push(() => receiver.close());

    // The page: bundled for browsers, served beside its .wasm.
    await bundle(join(REPO, 'www', 'app.js'), join(wwwDir, 'app.js'), ['browser'], nodeModules);
    await copyFile(pkg.wasm, join(wwwDir, 'spanwire_bg.wasm'));
    await copyFile(join(REPO, 'www', 'index.html'), join(wwwDir, 'index.html'));
    await copyFile(join(REPO, 'www', 'style.css'), join(wwwDir, 'style.css'));
    const site = await serveStatic(wwwDir, port);
    stops.push(() => site.close());
    receiver.corsOrigins.add(site.origin); // the page exports its spans cross-origin

    const spanwire = await import(pathToFileURL(pkg.nodeEntry).href);
    const origin = await startOrigin({ spanwire, otlpUrl: receiver.url });
    stops.push(() => origin.close());

    await bundle(join(HERE, 'worker.js'), join(workerDir, 'worker.js'), ['workerd', 'worker', 'browser'], nodeModules);
    await copyFile(pkg.wasm, join(workerDir, 'spanwire_bg.wasm'));
    const mf = new Miniflare({
      modules: [
        { type: 'ESModule', path: join(workerDir, 'worker.js') },
        { type: 'CompiledWasm', path: join(workerDir, 'spanwire_bg.wasm') },
      ],
      modulesRoot: workerDir,
      compatibilityDate: '2025-09-01',
      host: '127.0.0.1',
      port: 0,
      cf: false,
      bindings: { ORIGIN_URL: origin.url, OTLP_URL: receiver.url, PAGE_ORIGIN: site.origin },
    });
    stops.push(() => mf.dispose());
    const workerUrl = (await mf.ready).origin;

    await writeFile(join(wwwDir, 'config.json'), JSON.stringify({
      workerUrl,
      workerOrigin: workerUrl,
      otlpUrl: receiver.url,
      receiverOrigin: receiver.origin,
    }));
    return { pageUrl: site.url, workerUrl, originUrl: origin.url, receiver, spansFile, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Launches Debian's Chromium headless through playwright-core (no network flags). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    timeout: 30_000,
  });
}

/**
 * Opens the page, clicks the button, waits for the waterfall; returns
 * `{ traceId, rows, errors }` and saves a screenshot when `screenshot` is a path.
 */
export async function clickThrough(browser, pageUrl, { screenshot, timeoutMs = 20_000 } = {}) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 520 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
  });
  try {
    await page.goto(pageUrl, { timeout: timeoutMs });
    await page.waitForSelector('body[data-ready]', { state: 'attached', timeout: timeoutMs });
    await page.click('#go', { timeout: timeoutMs });
    await page.waitForSelector('#waterfall[data-done]', { timeout: timeoutMs });
    const traceId = await page.getAttribute('body', 'data-trace-id');
    const rows = await page.$$eval('#waterfall .row[data-span-id]', (els) =>
      els.map((e) => ({ spanId: e.dataset.spanId, service: e.dataset.service })));
    if (screenshot) {
      await mkdir(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    return { traceId, rows, errors };
  } finally {
    await page.close();
  }
}

/** Whether `spans` form one whole tree: one root, every parent present. */
export function wholeTree(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId));
  return roots.length === 1 && roots[0].parentSpanId === undefined;
}

/**
 * Whether `spans` (of one trace) are all in: a whole tree, and every client span that
 * got an answer below 500 has the server span of the service it called below it.
 */
export function completeTrace(spans) {
  if (spans.length === 0 || !wholeTree(spans)) return false;
  return spans
    .filter((s) => s.kind === 'client' && s.attributes['http.response.status_code'] < 500)
    .every((c) => spans.some((s) => s.parentSpanId === c.spanId));
}

/** The trace as an indented tree: service, name, kind, duration, and the HTTP outcome. */
export function formatTree(spans) {
  const traceIds = [...new Set(spans.map((s) => s.traceId))];
  const children = childrenByParent(spans);
  const rows = [];
  const walk = (id, prefix) => {
    const list = children.get(id) ?? [];
    list.forEach((s, i) => {
      const last = i === list.length - 1;
      const branch = id === '' ? '' : last ? '└─ ' : '├─ ';
      rows.push({ s, tree: prefix + branch });
      walk(s.spanId, id === '' ? '' : prefix + (last ? '   ' : '│  '));
    });
  };
  walk('', '');
  const label = (r) => `${r.tree}${r.s.name}`;
  const w1 = Math.max(...rows.map((r) => label(r).length));
  const w2 = Math.max(...rows.map((r) => r.s.service.length));
  const lines = [
    `trace ${traceIds.join(', ')}  (${spans.length} spans, ${new Set(spans.map((s) => s.service)).size} services, ` +
      `${traceIds.length === 1 ? 'one trace id' : `${traceIds.length} TRACE IDS`})`,
  ];
  for (const r of rows) {
    const a = r.s.attributes;
    const http = r.s.kind === 'client' ? `→ ${a['url.full']} ${a['http.response.status_code'] ?? ''}`
      : r.s.kind === 'server' ? `← ${a['http.response.status_code'] ?? ''}` : '';
    const err = r.s.status.code === 'error' ? '  ERROR' : '';
    lines.push(`  ${label(r).padEnd(w1)}  ${r.s.service.padEnd(w2)}  ${r.s.kind.padEnd(8)} ${r.s.durationMs.toFixed(1).padStart(7)} ms  ${http}${err}`.trimEnd());
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------
// The command

async function main() {
  const args = process.argv.slice(2);
  const once = args.includes('--once') || process.env.CI === 'true';
  const portArg = args.indexOf('--port');
  const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
  let demo;
  let browser;
  let stopping = false;
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    await browser?.close().catch(() => {});
    await demo?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => shutdown(130));
  process.on('SIGTERM', () => shutdown(143));
  try {
    demo = await startDemo({ port });
    console.log(`receiver  ${demo.receiver.url}  (spans kept in ${demo.spansFile})`);
    console.log(`origin    ${demo.originUrl}  (Node)`);
    console.log(`worker    ${demo.workerUrl}  (workerd)`);
    console.log(`page      ${demo.pageUrl}`);
    console.log('\nclicking the page once in headless Chromium…\n');
    browser = await launchChromium();
    const { traceId, errors } = await clickThrough(browser, demo.pageUrl);
    await browser.close();
    browser = undefined;
    if (errors.length) console.log(`page messages:\n  ${errors.join('\n  ')}`);
    const spans = await demo.receiver.waitFor(
      (all) => {
        return completeTrace(all.filter((s) => s.traceId === traceId));
      },
      10_000,
      'whole trace',
    ).then((all) => all.filter((s) => s.traceId === traceId));
    console.log(formatTree(spans));
    if (once) return shutdown(0);
    console.log(`\nOpen ${demo.pageUrl} in a browser and click "Check out" for more traces.`);
    console.log('Press Ctrl-C to stop everything.');
  } catch (err) {
    console.error(`demo failed: ${err?.stack ?? err}`);
    await shutdown(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
