// The HTTP integrations' typed face: tests/e2e/http-usage.ts (including a Worker typed
// as @cloudflare/workers-types types it, whose fetch the runtime calls with three
// arguments) must type-check with tsc --strict against the installed package (its
// declaration files checked too), and misuses must not. One tsc run checks both files
// (each run takes seconds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSUMER, REPO } from '../support/consumer.mjs';

test('http-usage.ts type-checks with tsc --strict; a bad propagateTo, tracedFetch call, instrumented fetch call or unchecked handler span do not', { timeout: 60_000 }, () => {
  const dir = join(CONSUMER, 'types-check-http');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(REPO, 'tests', 'e2e', 'http-usage.ts'), join(dir, 'http-usage.ts'));
  writeFileSync(join(dir, 'misuse.ts'), [
    "import { configureHttp, initLogger, instrument, tracedFetch } from 'spanwire';",
    'configureHttp(initLogger(), { propagateTo: 42 });',
    "void tracedFetch('not a span', 'https://x.example/');",
    "void instrument({ fetch: () => new Response('ok') }).fetch(new Request('https://x.example/'));",
    "void instrument({ fetch: async (request, env, ctx, span) => span.fetch('https://x.example/') });",
    'export {};',
  ].join('\n'));
  const r = spawnSync(process.execPath, [
    join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '--strict', '--noEmit', '--target', 'es2022',
    '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom',
    join(dir, 'http-usage.ts'), join(dir, 'misuse.ts'),
  ], { cwd: CONSUMER, encoding: 'utf8', timeout: 55_000 });
  const out = `${r.stdout}${r.stderr}`;
  const errorLines = out.split('\n').filter((l) => /error TS\d+/.test(l));
  assert.ok(errorLines.length > 0, `tsc reported nothing, so the check cannot fail:\n${out}`);
  const elsewhere = errorLines.filter((l) => !/misuse\.ts\(/.test(l));
  assert.deepEqual(elsewhere, [], 'http-usage.ts and the package types type-check');
  assert.ok(errorLines.some((l) => /misuse\.ts\(2,/.test(l)), `propagateTo: 42 is refused:\n${out}`);
  assert.ok(errorLines.some((l) => /misuse\.ts\(3,/.test(l)), `a string for the span is refused:\n${out}`);
  assert.ok(errorLines.some((l) => /misuse\.ts\(4,.*error TS2554/.test(l)), `the instrumented fetch takes (request, env, ctx):\n${out}`);
  assert.ok(errorLines.some((l) => /misuse\.ts\(5,.*error TS18048/.test(l)), `the handler's span may be undefined (an ignored request):\n${out}`);
});
