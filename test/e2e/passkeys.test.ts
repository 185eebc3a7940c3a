// Passkeys in headless Chromium with its virtual authenticator (DevTools' WebAuthn domain), on http://localhost (the
// emulator's relying party id, which browsers refuse on 127.0.0.1): signed in with the email first and the password,
// the offer after sign-in adds a passkey, the next sign-in uses it without a password, and the passkeys page removes
// it. "Not now" is remembered; without JavaScript the passkey page says so. axe on every new page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ListWebAuthnCredentialsCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { BrowserContext, Page } from 'playwright-core';
import { adminClient } from '../helpers/admin.ts';
import { audit, keepSentHtml } from '../helpers/axe-audit.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { signInWithSdk } from '../helpers/cognito-tokens.ts';
import type { Harness } from '../helpers/harness.ts';
import { makeUser, PASSWORD } from '../helpers/mfa-users.ts';

const suite = browserSuite({ env: { PASSWORDLESS: 'email,sms,passkey' }, host: 'localhost' });
const { skip } = suite;

/** A context whose pages run under their real CSP except for axe (injected by the audit), in British English. */
async function newContext(options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  // bypassCSP only so the test can inject axe; the passkey ceremony itself runs the page's own scripts.
  return suite.browser().newContext({ bypassCSP: true, locale: 'en-GB', ...options });
}

/** Chromium's virtual authenticator for `page`: a platform authenticator that keeps passkeys and verifies the user. */
async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
}

/** The email on the first page, then the choice page. */
async function enterEmail(page: Page, h: Harness, email: string, auditAs?: string): Promise<void> {
  await page.goto(`${h.baseUrl}/login`);
  assert.equal(await page.getByLabel('Password').count(), 0, 'the email comes first, alone');
  if (auditAs) await audit(page, auditAs);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${h.baseUrl}/login/choose`);
  await page.getByRole('heading', { name: 'How do you want to sign in?' }).waitFor();
}

async function signInWithPassword(page: Page, h: Harness, email: string): Promise<void> {
  await enterEmail(page, h, email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in with password' }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have been signed out.').waitFor();
}

/** The user's passkeys as Cognito (the emulator) lists them, with a token of the user's own. */
async function passkeysAtCognito(h: Harness, email: string): Promise<{ id: string; name: string }[]> {
  const cognito = adminClient(h.emulator.endpoint);
  const { accessToken } = await signInWithSdk(cognito, h.pool, email, PASSWORD);
  const res = await cognito.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }));
  return (res.Credentials ?? []).map((c) => ({
    id: c.CredentialId ?? '',
    name: c.FriendlyCredentialName ?? '',
  }));
}

test(
  'add a passkey when offered, sign in with it and no password, remove it',
  { skip, timeout: 240_000 },
  async () => {
    const h = suite.harness();
    const email = await makeUser(h, 'browser-passkey');
    const context = await newContext();
    const page = keepSentHtml(await context.newPage());
    await addVirtualAuthenticator(context, page);

    // Email first, then the password on the choice page.
    await enterEmail(page, h, email, 'login-email-first');
    await audit(page, 'login-choose');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in with password' }).click();

    // No passkey yet: offered once, before the account page.
    await page.waitForURL(`${h.baseUrl}/account/passkeys`);
    await page.getByRole('heading', { name: 'Sign in faster next time' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Not now' }).count(), 1);
    await audit(page, 'passkey-offer');
    await page.getByRole('button', { name: 'Add a passkey' }).click();

    await page.getByRole('heading', { name: 'Create your passkey' }).waitFor();
    assert.equal(page.url(), `${h.baseUrl}/account/passkeys/add`);
    const create = page.getByRole('button', { name: 'Create passkey' });
    await create.waitFor(); // shown by passkey.js once WebAuthn is there
    await audit(page, 'passkey-create');
    await create.click();

    // The offer goes on where the sign-in was going: the account page.
    await page.waitForURL(`${h.baseUrl}/account`);
    await page.getByRole('link', { name: 'Passkeys' }).click();
    await page.waitForURL(`${h.baseUrl}/account/passkeys`);
    await page.getByRole('heading', { name: 'Passkeys', exact: true }).waitFor();
    const item = page.locator('li.device');
    assert.equal(await item.count(), 1, 'one passkey listed');
    const atCognito = await passkeysAtCognito(h, email);
    assert.equal(atCognito.length, 1, 'and Cognito has it');
    assert.match((await item.textContent()) ?? '', new RegExp(`${atCognito[0]!.name}[\\s\\S]*added`));
    assert.equal(await page.getByLabel(/Your password/).count(), 0, 'a fresh sign-in: no password asked');
    await audit(page, 'account-passkeys');

    // Next time: the email, then the passkey; no password typed.
    await signOut(page);
    await enterEmail(page, h, email);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${h.baseUrl}/login/passkey`);
    const use = page.getByRole('button', { name: 'Use my passkey' });
    await use.waitFor();
    await audit(page, 'login-passkey');
    await use.click();
    await page.waitForURL(`${h.baseUrl}/account`);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();

    // Remove it: signed in just now, so no password is asked.
    await page.getByRole('link', { name: 'Passkeys' }).click();
    await page.waitForURL(`${h.baseUrl}/account/passkeys`);
    assert.equal(await page.getByLabel(/Your password/).count(), 0);
    await page.getByRole('button', { name: `Remove ${atCognito[0]!.name}` }).click();
    await page.getByText('The passkey has been removed.').waitFor();
    assert.equal(page.url(), `${h.baseUrl}/account/passkeys?notice=passkey-removed`);
    assert.equal(await page.locator('li.device').count(), 0);
    await page.getByText('You have no passkeys yet.').waitFor();
    assert.deepEqual(await passkeysAtCognito(h, email), [], 'gone at Cognito too');
    await context.close();
  },
);

test('"Not now" goes on to the account and is not offered again in this browser', { skip }, async () => {
  const h = suite.harness();
  const email = await makeUser(h, 'browser-passkey-later');
  const context = await newContext();
  const page = await context.newPage();

  await signInWithPassword(page, h, email);
  await page.waitForURL(`${h.baseUrl}/account/passkeys`);
  await page.getByRole('heading', { name: 'Sign in faster next time' }).waitFor();
  await page.getByRole('button', { name: 'Not now' }).click();
  await page.waitForURL(`${h.baseUrl}/account`);

  await signOut(page);
  await signInWithPassword(page, h, email);
  await page.waitForURL(`${h.baseUrl}/account`);
  assert.deepEqual(await passkeysAtCognito(h, email), []);
  await context.close();
});

test('without JavaScript the passkey page says so and offers another way', { skip }, async () => {
  const h = suite.harness();
  const email = await makeUser(h, 'browser-passkey-noscript');
  const context = await newContext({ javaScriptEnabled: false });
  const page = await context.newPage();

  await enterEmail(page, h, email);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.waitForURL(`${h.baseUrl}/login/passkey`);
  // Playwright's text search skips <noscript>: its paragraph is read as the browser shows it.
  const note = page.locator('noscript > p');
  assert.ok(await note.isVisible(), 'the no-JavaScript note is shown');
  assert.equal(
    await note.innerText(),
    'Passkeys need JavaScript, which is off in this browser. Choose another way to sign in.',
  );
  assert.equal(
    await page.getByRole('button', { name: 'Use my passkey' }).count(),
    0,
    'no button that cannot work',
  );
  await page.getByRole('link', { name: 'Choose another way' }).click();
  await page.waitForURL(`${h.baseUrl}/login`);
  await context.close();
});

test('no passkey to use: the page says so and keeps the step for another try', { skip }, async () => {
  const h = suite.harness();
  const email = await makeUser(h, 'browser-passkey-none');
  const context = await newContext();
  const page = await context.newPage();
  await addVirtualAuthenticator(context, page); // it holds no passkey for this site: the browser refuses

  await enterEmail(page, h, email);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.waitForURL(`${h.baseUrl}/login/passkey`);
  await page.getByRole('button', { name: 'Use my passkey' }).click();
  await page.getByText('No passkey was used. Try again, or choose another way to sign in.').waitFor();
  assert.equal(page.url(), `${h.baseUrl}/login/passkey`);
  assert.ok(await page.getByRole('button', { name: 'Use my passkey' }).isVisible(), 'another try');
  await context.close();
});
