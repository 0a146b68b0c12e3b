// The packed package in headless Chromium: a page bundled with esbuild from the
// installed tarball draws ids with crypto.getRandomValues and checks them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO, SCRATCH, bundleForRuntime } from '../support/consumer.mjs';
import { serveStatic } from '../support/static-server.mjs';
import { launchChromium } from '../support/chromium.mjs';

const site = join(SCRATCH, 'browser-ids');

test('ids in headless Chromium: 32/16 lowercase hex, unique, never zero, uniform', async () => {
  await rm(site, { recursive: true, force: true });
  await bundleForRuntime(join(REPO, 'tests', 'browser', 'ids-page.js'), site, 'browser');
  await copyFile(join(REPO, 'tests', 'browser', 'ids.html'), join(site, 'index.html'));
  const server = await serveStatic(site);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);
    await page.waitForSelector('#result[data-done]', { timeout: 60_000 });
    const result = JSON.parse(await page.textContent('#result'));
    assert.deepEqual(errors, []);
    assert.equal(result.ok, true, result.error);
    assert.match(result.sample[0], /^[0-9a-f]{32}$/);
    assert.match(result.sample[1], /^[0-9a-f]{16}$/);
    for (const s of result.summaries) {
      console.log(`  ${s.label}: chi-square pooled ${s.chi2Pooled.toFixed(2)}, per position ${s.chi2PerPosition.toFixed(2)}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
});
