// A person in headless Chromium signs the demo user in, sees the account page, and signs out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARTIFACTS, browserSuite } from '../helpers/browser-suite.ts';

const suite = browserSuite();
const { skip } = suite;

test('the demo user signs in, sees the account page and signs out', { skip }, async () => {
  const h = suite.harness();
  const browser = suite.browser();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${h.baseUrl}/account`);
  assert.equal(new URL(page.url()).pathname, '/login', 'a protected page sends you to sign in');
  assert.equal(await page.locator(':focus').getAttribute('id'), 'username', 'the first field has the focus');
  assert.equal(await page.getByLabel('Email address').getAttribute('maxlength'), '128');
  assert.equal(await page.getByLabel('Password').getAttribute('maxlength'), '256');
  await page.screenshot({ path: `${ARTIFACTS}/login.png`, fullPage: true });

  await page.getByLabel('Email address').fill('demo@example.com');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Incorrect email address or password.').first().waitFor();
  await page.screenshot({ path: `${ARTIFACTS}/login-error.png`, fullPage: true });

  await page.getByLabel('Email address').fill(h.pool.demoUser.email);
  await page.getByLabel('Password').fill(h.pool.demoUser.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${h.baseUrl}/account`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your account');
  assert.ok(await page.getByText('demo@example.com').isVisible());
  await page.screenshot({ path: `${ARTIFACTS}/account.png`, fullPage: true });

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'session');
  assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(session?.sameSite, 'Lax');

  await page.goto(`${h.baseUrl}/logout`);
  await page.screenshot({ path: `${ARTIFACTS}/logout.png`, fullPage: true });
  await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have been signed out.').waitFor();
  await page.goto(`${h.baseUrl}/account`);
  assert.equal(new URL(page.url()).pathname, '/login', 'signed out: the account page is closed again');
  await context.close();
});
