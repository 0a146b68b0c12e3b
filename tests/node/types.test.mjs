// The typed face: the files in tests/types/ use the API and must type-check with
// `tsc --strict` against the installed package (its declaration files checked too,
// since lib checking is on), under the module settings users have:
//   - `moduleResolution: bundler` with the DOM lib (api-usage.ts);
//   - `module: nodenext` (the default of `tsc --init`) and `node16` without the DOM lib,
//     as a Node project has it: ES modules (.mts) through the `import` types, CommonJS
//     (.cts, and checked .cjs JavaScript) through the `require` types. Both: TypeScript
//     5.8+ lets nodenext `require` an ES module, so there `require` would also accept ESM
//     types that misdescribe dist/spanwire.cjs; node16 (and nodenext before 5.8) refuses.
// Each run also checks a misuse, which must be reported, so the check can fail. One tsc
// run per setting (each takes seconds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const consumer = join(dirname(fileURLToPath(import.meta.url)), '..');

function findUp(rel) {
  for (let dir = consumer; ; dir = dirname(dir)) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
    if (dirname(dir) === dir) throw new Error(`${rel} not found above ${consumer}`);
  }
}

function tsc(args, files) {
  return spawnSync(process.execPath, [
    findUp('node_modules/typescript/bin/tsc'), '--strict', '--noEmit', '--target', 'es2022', ...args, ...files,
  ], { cwd: consumer, encoding: 'utf8', timeout: 110_000 });
}

/**
 * Writes `files` ({ name: a tests/types/ file to copy, or [lines] }) into a folder of the
 * consumer project, so that 'spanwire' resolves to the installed package; returns their paths.
 */
function checkFiles(folder, files) {
  const dir = join(consumer, folder);
  mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([file, from]) => {
    if (Array.isArray(from)) writeFileSync(join(dir, file), from.join('\n') + '\n');
    else copyFileSync(findUp(`types/${from}`), join(dir, file));
    return join(dir, file);
  });
}

/**
 * Asserts that tsc reported errors exactly in `expected` ({ 'misuse.ts': { 2: 'TS2322' } }:
 * each listed line has an error with that code) and nowhere else.
 */
function assertErrors(r, expected, mode = '') {
  const out = `${mode && `--module ${mode}:\n`}${r.stdout}${r.stderr}`;
  assert.equal(r.error, undefined, `tsc did not finish: ${r.error}`);
  const errors = out.split('\n').filter((l) => /error TS\d+/.test(l));
  const at = (file, line) => errors.filter((l) => l.includes(`${file}(${line},`));
  const elsewhere = errors.filter((l) => !Object.entries(expected).some(([file, lines]) =>
    Object.keys(lines).some((line) => l.includes(`${file}(${line},`))));
  assert.deepEqual(elsewhere, [], `errors outside the misuse lines:\n${out}`);
  for (const [file, lines] of Object.entries(expected)) {
    for (const [line, code] of Object.entries(lines)) {
      assert.ok(at(file, line).some((l) => l.includes(`error ${code}`)), `${file} line ${line}: no ${code}, so the check cannot fail:\n${out}`);
    }
  }
}

test('bundler: tests/types/api-usage.ts type-checks with tsc --strict; a misuse is reported', { timeout: 120_000 }, () => {
  const files = checkFiles('types-check', {
    'api-usage.ts': 'api-usage.ts',
    'misuse.ts': ["import { startSpan } from 'spanwire';", 'const n: number = startSpan({ name: 1 }).spanId;', 'void n;'],
  });
  const r = tsc(['--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom'], files);
  assertErrors(r, { 'misuse.ts': { 2: 'TS2322' } });
});

test('nodenext and node16 without the DOM lib: import (.mts) and require (.cts, checked .cjs) type-check; misuses are reported', { timeout: 240_000 }, () => {
  const files = checkFiles('types-check-nodenext', {
    'node-globals.d.ts': 'node-globals.d.ts',
    'api-usage.mts': 'api-usage.ts',
    'api-usage.cts': 'api-usage.ts',
    'node-esm.mts': 'node-esm.mts',
    'node-cjs.cts': 'node-cjs.cts',
    'node-require.cjs': 'node-require.cjs',
    'misuse.mts': ["import { startSpan } from 'spanwire';", "const n: number = startSpan({ name: 'x' }).spanId;", 'void n;'],
    'misuse.cts': ["import spanwire = require('spanwire');", 'const n: number = spanwire.newTraceId();', 'void n;', 'export {};'],
    'misuse.cjs': ['// @ts-check', "const spanwire = require('spanwire');", '/** @type {number} */', 'const n = spanwire.newSpanId();', 'module.exports = n;'],
  });
  // No automatic @types (typeRoots: an empty folder): the fetch globals are node-globals.d.ts.
  const noTypes = join(consumer, 'types-check-nodenext', 'no-types');
  mkdirSync(noTypes, { recursive: true });
  for (const mode of ['nodenext', 'node16']) {
    const r = tsc(['--module', mode, '--moduleResolution', mode, '--lib', 'es2022',
      '--typeRoots', noTypes, '--allowJs', '--checkJs'], files);
    assertErrors(r, { 'misuse.mts': { 2: 'TS2322' }, 'misuse.cts': { 2: 'TS2322' }, 'misuse.cjs': { 4: 'TS2322' } }, mode);
  }
});

test('every public declaration of the installed package has a doc comment with an @example', async () => {
  const ts = (await import(pathToFileURL(findUp('node_modules/typescript/lib/typescript.js')).href)).default;
  const installed = join(consumer, 'node_modules', 'spanwire');
  const files = ['index.d.ts', ...readdirSync(join(installed, 'types')).map((f) => `types/${f}`)]
    .filter((f) => /\.d\.c?ts$/.test(f));
  const missing = [];
  let checked = 0;
  const hasExample = (node) => ts.getJSDocTags(node).some((tag) => tag.tagName.text === 'example');
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(join(installed, file), 'utf8'), ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (!ts.getModifiers?.(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      const declarations = ts.isVariableStatement(statement) ? statement.declarationList.declarations : [statement];
      for (const decl of declarations) {
        if (!decl.name) continue;
        checked++;
        if (!hasExample(decl)) missing.push(`${file}: ${decl.name.text}`);
        if (!ts.isClassDeclaration(decl)) continue;
        for (const member of decl.members) {
          if (ts.isConstructorDeclaration(member) || !member.name) continue;
          checked++;
          if (!hasExample(member)) missing.push(`${file}: ${decl.name.text}.${member.name.text}`);
        }
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} declarations found in ${files.join(', ')}`);
  assert.deepEqual(missing, [], 'public declarations without an @example');
});

test('the names the package exports at run time are exactly the values its types declare, through import and require', async () => {
  const ts = (await import(pathToFileURL(findUp('node_modules/typescript/lib/typescript.js')).href)).default;
  const [esm, cjs] = checkFiles('types-check-exports', {
    'esm.mts': ["import * as spanwire from 'spanwire';", 'export { spanwire };'],
    'cjs.cts': ["import spanwire = require('spanwire');", 'export { spanwire };'],
  });
  const program = ts.createProgram([esm, cjs], {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, types: [],
  });
  const checker = program.getTypeChecker();
  // The values (functions, classes, constants) the module's declarations export; types
  // and interfaces have no run-time name.
  const declared = (file) => {
    const [first] = program.getSourceFile(file).statements;
    const specifier = ts.isImportDeclaration(first) ? first.moduleSpecifier : first.moduleReference.expression;
    const module = checker.getSymbolAtLocation(specifier);
    assert.ok(module, `${file}: 'spanwire' did not resolve`);
    return checker.getExportsOfModule(module)
      .filter((s) => ((s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value) !== 0)
      .map((s) => s.name).sort();
  };
  const imported = Object.keys(await import('spanwire')).sort();
  const required = Object.keys(createRequire(join(consumer, 'node', 'x.cjs'))('spanwire')).sort();
  assert.ok(imported.length > 20, `only ${imported.length} names imported`);
  assert.deepEqual(imported, declared(esm), 'import: run-time names against the declared values');
  assert.deepEqual(required, declared(cjs), 'require: run-time names against the declared values');
});
