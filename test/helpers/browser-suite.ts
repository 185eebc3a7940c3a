// Set-up shared by the browser tests: the app and emulator, and Debian's Chromium; screenshots go to test-artifacts/.
import { mkdirSync } from 'node:fs';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserUnavailable, launchChromium } from './chromium.ts';
import { startHarness, type Harness, type HarnessOptions } from './harness.ts';

export const ARTIFACTS = 'test-artifacts/screenshots';

export interface BrowserSuite {
  /** Why the browser tests cannot run here (pass as the tests' `skip`), or undefined. Throws in CI. */
  skip: string | undefined;
  harness(): Harness;
  browser(): Browser;
}

/** Registers before/after hooks that start the harness and Chromium for this test file. */
export function browserSuite(options?: HarnessOptions): BrowserSuite {
  const skip = browserUnavailable();
  let h: Harness | undefined;
  let browser: Browser | undefined;
  before(async () => {
    if (skip) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness(options);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });
  return { skip, harness: () => h!, browser: () => browser! };
}
