// A person in headless Chromium creates an account, reads the code in the local inbox, confirms and is signed in;
// then forgets the password, resets it, and signs in with the new one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS, browserSuite } from '../helpers/browser-suite.ts';

const suite = browserSuite();
const { skip } = suite;

/** Opens the emulator's inbox page in a new tab and reads the newest code of `kind` sent to `to`. */
async function readInbox(page: Page, endpoint: string, to: string, kind: string): Promise<string> {
  const inbox = await page.context().newPage();
  await inbox.goto(`${endpoint}/_local/inbox`);
  const row = inbox.locator('tbody tr', { hasText: to }).filter({ hasText: kind }).first();
  const code = (await row.locator('code').textContent())?.trim() ?? '';
  await inbox.close();
  assert.match(code, /^\d{6}$/);
  return code;
}

test(
  'sign up, confirm from the inbox, signed in; then reset the password and sign in again',
  { skip },
  async () => {
    const h = suite.harness();
    const browser = suite.browser();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const email = `walker-${Date.now()}@example.com`;

    await page.goto(`${h.baseUrl}/login`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.screenshot({ path: `${ARTIFACTS}/signup.png`, fullPage: true });
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Full name').fill('Walker Test');
    await page.getByLabel('Password', { exact: true }).fill('weak');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Your password needs at least 8 characters').first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/signup-error.png`, fullPage: true });
    await page.getByLabel('Password', { exact: true }).fill('Walking-shoes-7');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.waitForURL(`${h.baseUrl}/confirm`);
    assert.ok(await page.getByText('We sent a code to w***@e***.com').isVisible());
    await page.screenshot({ path: `${ARTIFACTS}/confirm.png`, fullPage: true });
    await page
      .getByLabel('Confirmation code')
      .fill(await readInbox(page, h.emulator.endpoint, email, 'SIGN_UP'));
    await page.getByRole('button', { name: 'Confirm account' }).click();
    await page.waitForURL(`${h.baseUrl}/account?notice=account-confirmed`);
    assert.ok(await page.getByText('Walker Test').isVisible());
    assert.ok(await page.getByText('Your account is confirmed, and you are signed in.').isVisible());

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have been signed out.').waitFor();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.screenshot({ path: `${ARTIFACTS}/forgot-password.png`, fullPage: true });
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.waitForURL(`${h.baseUrl}/reset-password`);
    await page.screenshot({ path: `${ARTIFACTS}/reset-password.png`, fullPage: true });
    await page
      .getByLabel('Reset code')
      .fill(await readInbox(page, h.emulator.endpoint, email, 'FORGOT_PASSWORD'));
    await page.getByLabel('New password').fill('Running-shoes-8');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password has been changed').waitFor();
    assert.equal(await page.getByLabel('Email address').inputValue(), email, 'the email is kept for sign-in');
    await page.getByLabel('Password').fill('Running-shoes-8');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${h.baseUrl}/account`);
    await context.close();
  },
);

test(
  'with script, the resend button waits out its cooldown on the page, then comes back by itself',
  { skip },
  async () => {
    const h = suite.harness();
    const context = await suite.browser().newContext();
    const page = await context.newPage();
    await page.clock.install();
    await page.goto(`${h.baseUrl}/signup`);
    await page.getByLabel('Email address').fill(`counter-${Date.now()}@example.com`);
    await page.getByLabel('Full name').fill('Count Down');
    await page.getByLabel('Password', { exact: true }).fill('Walking-shoes-7');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${h.baseUrl}/confirm`);
    const resend = page.getByRole('button', { name: 'Send a new code' });
    assert.equal(await resend.isDisabled(), true, 'waiting');
    const wait = page.getByText(/You can ask for a new code in \d+ seconds/);
    const secondsLeft = async () => Number(/in (\d+) seconds/.exec((await wait.textContent()) ?? '')?.[1]);
    const first = await secondsLeft();
    assert.ok(first > 10, `a cooldown to wait out (${first} s)`);
    await page.clock.fastForward(10_000);
    assert.ok(Math.abs((await secondsLeft()) - (first - 10)) <= 1, 'counting down');
    await page.clock.fastForward(first * 1000);
    assert.equal(await resend.isDisabled(), false, 'ready');
    assert.equal(await wait.isVisible(), false);
    await page.screenshot({ path: `${ARTIFACTS}/confirm-resend-ready.png`, fullPage: true });
    await context.close();
  },
);

test(
  'with script, a password can be shown and hidden, and its rules tick as one types; without, nothing changes',
  { skip },
  async () => {
    const h = suite.harness();
    const context = await suite.browser().newContext();
    const page = await context.newPage();
    await page.goto(`${h.baseUrl}/signup`);
    const password = page.getByLabel('Password', { exact: true });
    const toggle = page.getByRole('button', { name: 'Show password' });
    await password.fill('abc');
    assert.equal(await password.getAttribute('type'), 'password');
    await toggle.click();
    assert.equal(await password.getAttribute('type'), 'text', 'shown');
    const hide = page.getByRole('button', { name: 'Hide password' });
    assert.equal(await hide.getAttribute('aria-pressed'), 'true');
    await hide.click();
    assert.equal(await password.getAttribute('type'), 'password', 'hidden again');
    const rule = (name: string) => page.locator(`li[data-rule="${name}"]`);
    assert.equal(await rule('lowercase').getAttribute('class'), 'rule-met');
    assert.equal(await rule('minLength').getAttribute('class'), 'rule-broken');
    await password.fill('abcDEF12!');
    for (const name of ['minLength', 'lowercase', 'uppercase', 'number', 'symbol']) {
      assert.equal(await rule(name).getAttribute('class'), 'rule-met', name);
    }
    await page.screenshot({ path: `${ARTIFACTS}/signup-password-rules.png`, fullPage: true });
    await context.close();

    const bare = await suite.browser().newContext({ javaScriptEnabled: false });
    const noScript = await bare.newPage();
    await noScript.goto(`${h.baseUrl}/signup`);
    assert.equal(await noScript.getByRole('button', { name: 'Show password' }).count(), 0);
    assert.equal(await noScript.getByLabel('Password', { exact: true }).getAttribute('type'), 'password');
    await bare.close();
  },
);
