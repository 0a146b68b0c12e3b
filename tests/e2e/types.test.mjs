// The HTTP integrations' typed face: tests/e2e/http-usage.ts must type-check with
// tsc --strict against the installed package, and a misuse must not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSUMER, REPO } from '../support/consumer.mjs';

function tsc(file) {
  return spawnSync(process.execPath, [
    join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '--strict', '--noEmit', '--target', 'es2022',
    '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', file,
  ], { cwd: CONSUMER, encoding: 'utf8', timeout: 60_000 });
}

const dir = join(CONSUMER, 'types-check-http');

test('http-usage.ts type-checks with tsc --strict against the installed package', () => {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(REPO, 'tests', 'e2e', 'http-usage.ts'), join(dir, 'http-usage.ts'));
  const r = tsc(join(dir, 'http-usage.ts'));
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});

test('the check can fail: a bad propagateTo and a bad tracedFetch call are reported', () => {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'misuse.ts');
  writeFileSync(file, [
    "import { configureHttp, initLogger, tracedFetch } from 'spanwire';",
    'configureHttp(initLogger(), { propagateTo: 42 });',
    "void tracedFetch('not a span', 'https://x.example/');",
  ].join('\n'));
  const r = tsc(file);
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /misuse\.ts\(2,/);
  assert.match(r.stdout, /misuse\.ts\(3,/);
});
