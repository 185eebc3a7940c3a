// The example theme in Chromium: restyled pages that still pass axe-core in light and dark.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS, browserSuite } from '../helpers/browser-suite.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// A deliberately pale brand colour: the pages must still reach WCAG AA contrast.
const suite = browserSuite({ env: { THEME_DIR: 'themes/example', BRAND_PRIMARY_COLOR: '#7dd3fc' } });
const { skip } = suite;

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(o: object): Promise<unknown> } }).axe.run({
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'],
    }),
  )) as { violations: { id: string }[] };
  return result.violations.map((v) => v.id);
}

test('the example theme restyles the pages and keeps them accessible', { skip }, async () => {
  const h = suite.harness();
  const page = await (await suite.browser().newContext({ bypassCSP: true })).newPage();
  for (const path of ['/', '/login', '/signup']) {
    await page.goto(`${h.baseUrl}${path}`);
    assert.ok(await page.getByText('Northwind').first().isVisible());
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      assert.deepEqual(await axeViolations(page), [], `${path} ${scheme}`);
      const name = path === '/' ? 'home' : path.slice(1);
      await page.screenshot({ path: `${ARTIFACTS}/theme-${name}-${scheme}.png`, fullPage: true });
    }
  }
});
