// The typed face: tests/types/api-usage.ts uses the whole span/logger API and must
// type-check with `tsc --strict` against the installed package (pkg/types/*.d.ts
// included, since lib checking is on).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const consumer = join(dirname(fileURLToPath(import.meta.url)), '..');

function findUp(rel) {
  for (let dir = consumer; ; dir = dirname(dir)) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
    if (dirname(dir) === dir) throw new Error(`${rel} not found above ${consumer}`);
  }
}

function tsc(file) {
  return spawnSync(process.execPath, [
    findUp('node_modules/typescript/bin/tsc'), '--strict', '--noEmit', '--target', 'es2022',
    '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom',
    file,
  ], { cwd: consumer, encoding: 'utf8' });
}

test('tests/types/api-usage.ts type-checks with tsc --strict against the installed package', () => {
  const dir = join(consumer, 'types-check');
  mkdirSync(dir, { recursive: true });
  copyFileSync(findUp('types/api-usage.ts'), join(dir, 'api-usage.ts'));
  const r = tsc(join(dir, 'api-usage.ts'));
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});

test('the check can fail: a misuse is reported', () => {
  const dir = join(consumer, 'types-check');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'misuse.ts');
  writeFileSync(file, "import { startSpan } from 'spanwire';\nconst n: number = startSpan({ name: 1 }).spanId;\nvoid n;\n");
  const r = tsc(file);
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /TS2322/);
});
