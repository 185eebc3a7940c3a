// Finds and launches Debian's Chromium for browser tests; a missing browser is loud, and fatal in CI.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium executable, or undefined when none is installed. */
export function chromiumPath(): string | undefined {
  return CANDIDATES.find((p): p is string => typeof p === 'string' && p !== '' && existsSync(p));
}

/**
 * Why browser tests cannot run here, or undefined when they can. In CI a missing browser throws instead:
 * CI provides every tool, so nothing may be skipped there.
 */
export function browserUnavailable(): string | undefined {
  if (chromiumPath()) return undefined;
  const message =
    'Chromium not found (looked at $CHROMIUM_PATH, /usr/bin/chromium): browser tests cannot run. Install it with `apt-get install chromium`.';
  if (process.env.CI) throw new Error(message);
  process.stderr.write(`\n*** ${message} ***\n\n`);
  return message;
}

/**
 * How long a page action or navigation may take. Playwright's own default (30 s) is too short on a busy machine,
 * with other suites (and maybe another whole run) signing people in against their emulators at the same time.
 */
export const BROWSER_TIMEOUT_MS = 90_000;

/** Launches Chromium; every context it makes waits up to BROWSER_TIMEOUT_MS. */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath()!,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
    return context;
  };
  return browser;
}
