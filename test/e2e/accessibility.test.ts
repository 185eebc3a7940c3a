// Every page of every flow in Chromium: zero axe-core violations in light and dark, and a screenshot of each.
import { test } from 'node:test';
import { SetUserPoolMfaConfigCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Page } from 'playwright-core';
import { adminClient } from '../helpers/admin.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { Harness } from '../helpers/harness.ts';
import { audit, keepSentHtml } from '../helpers/axe-audit.ts';
import { enableMfa, makeInvitedUser, makeUser, PASSWORD } from '../helpers/mfa-users.ts';

const suite = browserSuite({
  env: { SIGNUP_TERMS_URL: 'https://example.com/terms', BRAND_PRIVACY_URL: 'https://example.com/privacy' },
});
const { skip } = suite;

async function signIn(page: Page, h: Harness, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${h.baseUrl}/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('every page passes axe-core in light and dark', { skip, timeout: 240_000 }, async () => {
  const h = suite.harness();
  // bypassCSP only so the test can inject axe; the pages themselves run under their real CSP elsewhere.
  const newPage = async (lang = 'en-GB') =>
    keepSentHtml(await (await suite.browser().newContext({ bypassCSP: true, locale: lang })).newPage());
  const visit = async (page: Page, path: string, name: string) => {
    await page.goto(`${h.baseUrl}${path}`);
    await audit(page, name);
  };

  // Visitors.
  const anon = await newPage();
  await visit(anon, '/', 'home');
  await visit(anon, '/login', 'login');
  await anon.getByRole('button', { name: 'Sign in' }).click();
  await audit(anon, 'login-errors');
  await visit(anon, '/signup', 'signup');
  await anon.getByLabel('Email address').fill('not an email');
  await anon.getByRole('button', { name: 'Create account' }).click();
  await audit(anon, 'signup-errors');
  await anon.getByLabel('Email address').fill(`a11y-${Date.now()}@example.com`);
  await anon.getByLabel('Full name').fill('Ally Tester');
  await anon.getByLabel('Password', { exact: true }).fill('Sunny-day-42');
  await anon.getByLabel('I agree to the terms of service').check();
  await anon.getByRole('button', { name: 'Create account' }).click();
  await anon.waitForURL(/\/confirm$/);
  await audit(anon, 'confirm');
  await anon.getByLabel('Confirmation code').fill('12');
  await anon.getByRole('button', { name: 'Confirm account' }).click();
  await audit(anon, 'confirm-errors');
  await visit(anon, '/forgot-password', 'forgot-password');
  await anon.getByLabel('Email address').fill('someone@example.com');
  await anon.getByRole('button', { name: 'Send code' }).click();
  await anon.waitForURL(/\/reset-password$/);
  await audit(anon, 'reset-password');
  await visit(anon, '/signed-out', 'signed-out');
  await visit(anon, '/no-such-page', 'not-found');
  await visit(anon, '/callback?state=x&code=y', 'hosted-error');
  await visit(anon, '/login?lang=de', 'login-de');
  await anon.getByRole('button', { name: 'Anmelden' }).click();
  await audit(anon, 'login-errors-de');

  // Sign-in steps.
  const invited = await makeInvitedUser(h, 'a11y-invited', 'Temporary-pass-1');
  const np = await newPage();
  await signIn(np, h, invited, 'Temporary-pass-1');
  await np.waitForURL(/\/new-password$/);
  await audit(np, 'new-password');

  const emailUser = await makeUser(h, 'a11y-email');
  await enableMfa(h, emailUser, { email: true }, 'email');
  const mfa = await newPage();
  await signIn(mfa, h, emailUser);
  await mfa.waitForURL(/\/mfa$/);
  await audit(mfa, 'mfa');
  await mfa.getByLabel('Security code').fill('000000');
  await mfa.getByRole('button', { name: 'Continue' }).click();
  await audit(mfa, 'mfa-errors');

  const both = await makeUser(h, 'a11y-select', '+447700900111');
  await enableMfa(h, both, { sms: true, email: true });
  const select = await newPage();
  await signIn(select, h, both);
  await select.waitForURL(/\/mfa\/select$/);
  await audit(select, 'mfa-select');

  const admin = adminClient(h.emulator.endpoint);
  const poolMfa = (on: boolean) =>
    admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: h.pool.userPoolId,
        MfaConfiguration: on ? 'ON' : 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
        EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Your code' },
      }),
    );
  const fresh = await makeUser(h, 'a11y-setup');
  await poolMfa(true);
  try {
    const setup = await newPage();
    await signIn(setup, h, fresh);
    await setup.waitForURL(/\/mfa\/setup$/);
    await audit(setup, 'mfa-setup');
  } finally {
    await poolMfa(false);
  }

  // Signed in.
  const me = await newPage();
  await signIn(me, h, h.pool.demoUser.email, h.pool.demoUser.password);
  await me.waitForURL(/\/account$/);
  await audit(me, 'account');
  await visit(me, '/logout', 'logout');
  await visit(me, '/account/mfa', 'account-mfa-verify');
  await me.getByLabel('Password').fill(h.pool.demoUser.password);
  await me.getByRole('button', { name: 'Continue' }).click();
  await audit(me, 'account-mfa');
  await visit(me, '/account/mfa/totp', 'account-mfa-totp');
  await visit(me, '/account/profile', 'account-profile');
  await me.getByLabel('Phone number').fill('12');
  await me.getByRole('button', { name: 'Save' }).click();
  await audit(me, 'account-profile-errors');
  await visit(me, '/account/verify?attribute=email', 'account-verify');
  await visit(me, '/account/password', 'account-password');
  await me.getByRole('button', { name: 'Change password' }).click();
  await audit(me, 'account-password-errors');
  await visit(me, '/account/sign-out-everywhere', 'account-sign-out-everywhere');
  await visit(me, '/account/delete', 'account-delete');
  await me.getByRole('button', { name: 'Delete my account' }).click();
  await audit(me, 'account-delete-errors');
});
