// The accessibility audit of the browser tests: each page as sent read with a real HTML parser, and axe-core (WCAG 2.1
// A/AA and best practices) in light and dark, with a screenshot of each.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { ARTIFACTS } from './browser-suite.ts';
import { htmlProblems } from './html-check.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResult {
  violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
}

/** The HTML each page was last sent, as the server wrote it (before the browser repaired anything). */
const sentHtml = new WeakMap<Page, Promise<string>>();

/** Keeps the body of every page `page` is sent (not the redirects on the way). */
export function keepSentHtml(page: Page): Page {
  page.on('response', (response) => {
    const request = response.request();
    if (request.resourceType() !== 'document' || request.frame() !== page.mainFrame()) return;
    if (response.status() >= 300 && response.status() < 400) return;
    sentHtml.set(page, response.text());
  });
  return page;
}

/**
 * Reads the page as sent with a real HTML parser (axe sees the repaired DOM, not two attributes glued into one),
 * runs axe (WCAG 2.1 A/AA and best practices) in light and dark, and saves both screenshots as `<name>-*.png`.
 */
export async function audit(page: Page, name: string): Promise<void> {
  const problems: string[] = [];
  const html = await sentHtml.get(page);
  assert.ok(html !== undefined, `${name}: the page's HTML was kept`);
  problems.push(...htmlProblems(html).map((p) => `${name}: ${p}`));
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.addScriptTag({ content: AXE_SOURCE });
    const result = (await page.evaluate(() =>
      (globalThis as unknown as { axe: { run(o: object): Promise<unknown> } }).axe.run({
        runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      }),
    )) as AxeResult;
    for (const v of result.violations) {
      problems.push(
        `${name} (${scheme}): ${v.id} [${v.impact}] ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      );
    }
    await page.screenshot({ path: `${ARTIFACTS}/a11y-${name}-${scheme}.png`, fullPage: true });
  }
  assert.deepEqual(problems, []);
}
