// A person in headless Chromium turns on an authenticator app from the account page (reading the key shown
// beside the QR code), signs out, and signs in again with a code from the app.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARTIFACTS, browserSuite } from '../helpers/browser-suite.ts';
import { makeUser, PASSWORD } from '../helpers/mfa-users.ts';
import { totp } from '../helpers/totp.ts';

const suite = browserSuite();
const { skip } = suite;

test('set up TOTP from the QR page, sign out, sign in with a TOTP code', { skip }, async () => {
  const h = suite.harness();
  const browser = suite.browser();
  const email = await makeUser(h, 'browser-totp');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${h.baseUrl}/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${h.baseUrl}/account`);

  await page.getByRole('link', { name: 'Two-step verification' }).click();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.screenshot({ path: `${ARTIFACTS}/account-mfa.png`, fullPage: true });
  await page.getByRole('link', { name: 'Set up' }).click();
  const qr = page.getByRole('img', { name: 'QR code for setting up your authenticator app' });
  await qr.waitFor();
  assert.ok(
    await qr.evaluate((img) => {
      const image = img as unknown as { complete: boolean; naturalWidth: number };
      return image.complete && image.naturalWidth > 0;
    }),
    'the QR image loads',
  );
  await page.screenshot({ path: `${ARTIFACTS}/account-mfa-totp.png`, fullPage: true });
  const secret = ((await page.locator('code.secret').textContent()) ?? '').replace(/\s/g, '');
  await page.getByLabel('Security code').fill(totp(secret, h.clock.now()));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await page.getByText('Your two-step verification settings were saved.').waitFor();

  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have been signed out.').waitFor();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${h.baseUrl}/mfa`);
  assert.match((await page.locator('.expiry-text').textContent()) ?? '', /expires in \d min \d+ s/);
  await page.screenshot({ path: `${ARTIFACTS}/mfa.png`, fullPage: true });
  // A code is good once: like a person, wait for the app's next one.
  h.clock.advance(30_000);
  await page.getByLabel('Security code').fill(totp(secret, h.clock.now()));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${h.baseUrl}/account`);
  await context.close();
});
