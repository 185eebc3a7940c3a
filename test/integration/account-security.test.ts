// The account's own security pages against the emulator: change the password, sign out everywhere, delete the
// account. Each behind sign-in and CSRF, each ending the right sessions, each saying what happened.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

const PASSWORD = 'Sunny-day-42';
const NEW_PASSWORD = 'Rainy-night-77';

let h: Harness;
let admin: CognitoIdentityProviderClient;
let users = 0;
before(async () => {
  h = await startHarness();
  admin = adminClient(h.emulator.endpoint);
});
after(async () => {
  admin?.destroy();
  await h?.close();
});

async function newUser(): Promise<string> {
  const email = `account-${++users}-${Date.now()}@example.com`;
  await createConfirmedUser(admin, h.pool.userPoolId, email, PASSWORD);
  return email;
}

async function signIn(email: string, password = PASSWORD): Promise<Browser> {
  const b = h.browser();
  const res = await b.submit('/login', '/login', { username: email, password });
  assert.equal(res.status, 302, `sign-in answered ${res.status}`);
  assert.equal(res.location, '/account');
  return b;
}

/** Fills the form at `path` (its own CSRF token) and posts it. */
async function post(b: Browser, path: string, form: Record<string, string>) {
  return b.submit(path, path, form);
}

const signedIn = async (b: Browser) => (await b.get('/account')).status === 200;

describe('the account page links to each', () => {
  test('change password, two-step verification, sign out everywhere, delete account', async () => {
    const page = await (await signIn(await newUser())).get('/account');
    for (const href of [
      '/account/password',
      '/account/mfa',
      '/account/sign-out-everywhere',
      '/account/delete',
    ]) {
      assert.match(page.body, new RegExp(`href="${href}"`), href);
    }
  });

  test('each page needs sign-in, and each form its CSRF token', async () => {
    for (const path of ['/account/password', '/account/sign-out-everywhere', '/account/delete']) {
      const res = await h.browser().get(path);
      assert.equal(res.status, 302, path);
      assert.match(res.location!, /^\/login\?returnTo=/, path);
    }
    const b = await signIn(await newUser());
    for (const path of ['/account/password', '/account/sign-out-everywhere', '/account/delete']) {
      assert.equal((await b.post(path, { _csrf: 'forged' })).status, 403, path);
    }
    assert.ok(await signedIn(b), 'still signed in: nothing happened');
  });
});

describe('change password', () => {
  test('a wrong current password, or a new one the policy refuses, is said on its field; nothing changes', async () => {
    const email = await newUser();
    const b = await signIn(email);
    const wrong = await post(b, '/account/password', {
      currentPassword: 'Not-the-one-1',
      newPassword: NEW_PASSWORD,
    });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /Your current password is not right/);
    const weak = await post(b, '/account/password', { currentPassword: PASSWORD, newPassword: 'short' });
    assert.equal(weak.status, 400);
    assert.match(weak.body, /id="newPassword-error"/);
    const empty = await post(b, '/account/password', { currentPassword: '', newPassword: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.body, /id="currentPassword-error"/);
    assert.match(empty.body, /id="newPassword-error"/, 'every field in error at once');
    await signIn(email); // the old password still works
  });

  test('changed: this browser stays signed in, the other devices are signed out, and the page says so', async () => {
    const email = await newUser();
    const b = await signIn(email);
    const other = await signIn(email);
    const res = await post(b, '/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/account?notice=password-changed-others');
    const page = await b.get(res.location);
    assert.equal(page.status, 200, 'still signed in here');
    assert.match(
      page.body,
      /class="notice notice-success" role="status">Your password has been changed, and you/,
    );
    assert.equal(await signedIn(other), false, 'the other device is signed out');
    await signIn(email, NEW_PASSWORD);
    const old = await h.browser().submit('/login', '/login', { username: email, password: PASSWORD });
    assert.equal(old.status, 401, 'the old password no longer works');
  });
});

describe('sign out everywhere', () => {
  test('every session of the user ends, this one too; Cognito is told; the sign-in page says so', async () => {
    const email = await newUser();
    const b = await signIn(email);
    const other = await signIn(email);
    const bystander = await signIn(await newUser());
    h.emulator.resetCalls();
    const confirm = await b.get('/account/sign-out-everywhere');
    assert.equal(confirm.status, 200);
    const res = await b.post('/account/sign-out-everywhere', { _csrf: csrfOf(confirm.body) });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/login?notice=signed-out-everywhere');
    assert.equal(h.emulator.callCount('GlobalSignOut'), 1);
    assert.equal(await signedIn(b), false, 'this browser');
    assert.equal(await signedIn(other), false, 'the other device');
    assert.ok(await signedIn(bystander), 'another user is untouched');
    const notice = await b.get(res.location);
    assert.match(notice.body, /notice-success" role="status">You have been signed out on every device/);
  });
});

describe('delete account', () => {
  test('the typed confirmation and the password must both be right; nothing is deleted before', async () => {
    const email = await newUser();
    const b = await signIn(email);
    const page = await b.get('/account/delete');
    assert.match(page.body, new RegExp(email.replace(/[.]/g, '\\.')), 'the page names what to type');
    const untyped = await post(b, '/account/delete', { password: PASSWORD, confirm: '' });
    assert.equal(untyped.status, 400);
    assert.match(untyped.body, /Type your email address to confirm/);
    const empty = await post(b, '/account/delete', { password: '', confirm: '' });
    assert.match(empty.body, /id="password-error"/, 'every field in error at once');
    assert.match(empty.body, /id="confirm-error"/, 'every field in error at once');
    const mistyped = await post(b, '/account/delete', { password: PASSWORD, confirm: 'someone@example.com' });
    assert.equal(mistyped.status, 400);
    const wrong = await post(b, '/account/delete', { password: 'Not-the-one-1', confirm: email });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, new RegExp(`id="confirm"[^>]*value="${email.replace(/[.]/g, '\\.')}"`), 'kept');
    await admin.send(new AdminGetUserCommand({ UserPoolId: h.pool.userPoolId, Username: email }));
    assert.ok(await signedIn(b));
  });

  test('deleted: the user is gone at Cognito, every session ends, the sign-in page says so', async () => {
    const email = await newUser();
    const b = await signIn(email);
    const other = await signIn(email);
    const res = await post(b, '/account/delete', { password: PASSWORD, confirm: email.toUpperCase() });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/login?notice=account-deleted');
    await assert.rejects(
      admin.send(new AdminGetUserCommand({ UserPoolId: h.pool.userPoolId, Username: email })),
      { name: 'UserNotFoundException' },
    );
    assert.equal(await signedIn(b), false);
    assert.equal(await signedIn(other), false);
    assert.match((await b.get(res.location)).body, /Your account has been deleted/);
    const again = await h.browser().submit('/login', '/login', { username: email, password: PASSWORD });
    assert.equal(again.status, 401, 'nobody signs in as the deleted user');
  });
});
