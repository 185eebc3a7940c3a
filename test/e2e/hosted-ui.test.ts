// The hosted-UI round trip in Chromium: a protected page, the (emulated) hosted sign-in page, back signed in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARTIFACTS, browserSuite } from '../helpers/browser-suite.ts';

const suite = browserSuite({ env: { LOGIN_MODE: 'hosted' } });
const { skip } = suite;

test('hosted mode: sign in on the hosted UI and come back to the page asked for', { skip }, async () => {
  const h = suite.harness();
  const context = await suite.browser().newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${h.baseUrl}/account?tab=groups`);
  assert.equal(new URL(page.url()).origin, h.emulator.endpoint, 'on the hosted UI');
  await page.screenshot({ path: `${ARTIFACTS}/hosted-login.png`, fullPage: true });
  await page.getByLabel(/user ?name|email/i).fill(h.pool.demoUser.email);
  await page.getByLabel('Password').fill(h.pool.demoUser.password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(`${h.baseUrl}/account?tab=groups`);
  assert.ok(await page.getByText('demo@example.com').isVisible());

  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${h.baseUrl}/signed-out`);
  assert.ok(await page.getByRole('heading', { name: 'You have been signed out' }).isVisible());
  // The hosted UI's own session ended too: signing in again asks for the password.
  await page.goto(`${h.baseUrl}/account`);
  assert.equal(new URL(page.url()).origin, h.emulator.endpoint);
  assert.ok(await page.getByLabel('Password').isVisible());
  await context.close();
});
