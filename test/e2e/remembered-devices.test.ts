// A person in headless Chromium signs in by SRP with a code by text message, ticks "Trust this browser", is not asked
// for a code next time, finds the browser on the devices page, forgets it, and is asked again. axe on every new page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { audit, keepSentHtml } from '../helpers/axe-audit.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { Harness } from '../helpers/harness.ts';
import { latestCode } from '../helpers/inbox.ts';
import { enableMfa, makeUser, PASSWORD } from '../helpers/mfa-users.ts';

const suite = browserSuite({ env: { AUTH_FLOW: 'USER_SRP_AUTH', REMEMBER_DEVICES: 'ask' } });
const { skip } = suite;
const PHONE = '+447700900555';

async function signIn(page: Page, h: Harness, email: string): Promise<void> {
  await page.goto(`${h.baseUrl}/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have been signed out.').waitFor();
}

test(
  'trust this browser, sign in without a code, forget it on the devices page',
  { skip, timeout: 180_000 },
  async () => {
    const h = suite.harness();
    const email = await makeUser(h, 'browser-device', PHONE);
    await enableMfa(h, email, { sms: true });
    // bypassCSP only so the test can inject axe; the pages run under their real CSP in the other browser tests.
    const context = await suite.browser().newContext({ bypassCSP: true, locale: 'en-GB' });
    const page = keepSentHtml(await context.newPage());

    await signIn(page, h, email);
    await page.waitForURL(`${h.baseUrl}/mfa`);
    const trust = page.getByRole('checkbox', { name: 'Trust this browser for 30 days' });
    assert.equal(await trust.isChecked(), false, 'not trusted unless asked');
    await audit(page, 'mfa-trust-browser');
    await page.getByLabel('Security code').fill(await latestCode(h.emulator.endpoint, PHONE, 'SMS_MFA'));
    await trust.check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${h.baseUrl}/account`);
    const cookies = await context.cookies();
    const device = cookies.find((c) => c.name === 'device');
    assert.ok(device?.httpOnly, 'the device cookie is HttpOnly');
    assert.ok(device.expires > Date.now() / 1000 + 29 * 86_400, 'and lives the days configured');

    await signOut(page);
    await signIn(page, h, email);
    await page.waitForURL(`${h.baseUrl}/account`);

    await page.getByRole('link', { name: 'Your devices' }).click();
    await page.waitForURL(`${h.baseUrl}/account/devices`);
    const item = page.locator('li.device');
    assert.equal(await item.count(), 1);
    assert.match(
      (await item.textContent()) ?? '',
      /Chrome · Linux\s+This browser[\s\S]*Trusted: no code asked/,
    );
    await audit(page, 'account-devices');
    await page.getByRole('button', { name: 'Forget Chrome · Linux' }).click();
    await page.getByText('The browser has been forgotten').waitFor();
    await audit(page, 'account-devices-none');

    await signOut(page);
    await signIn(page, h, email);
    await page.waitForURL(`${h.baseUrl}/mfa`);
    await context.close();
  },
);
