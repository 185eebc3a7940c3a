// The profile under /account against the emulator: change the name, the email address (unverified until its code is
// entered, and the sign-in name follows), add a phone number verified by text message; and an unverified address
// offered to be verified right after sign-in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { latestCode } from '../helpers/inbox.ts';

const PASSWORD = 'Sunny-day-42';

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

const freshEmail = (tag: string) => `${tag}-${++users}-${Date.now()}@example.com`;

async function signedIn(): Promise<{ b: Browser; email: string }> {
  const email = freshEmail('profile');
  await createConfirmedUser(admin, h.pool.userPoolId, email, PASSWORD);
  const b = h.browser();
  const res = await b.submit('/login', '/login', { username: email, password: PASSWORD });
  assert.equal(res.location, '/account');
  return { b, email };
}

async function attributesOf(email: string): Promise<Record<string, string>> {
  const out = await admin.send(new AdminGetUserCommand({ UserPoolId: h.pool.userPoolId, Username: email }));
  return Object.fromEntries((out.UserAttributes ?? []).map((a) => [a.Name!, a.Value ?? '']));
}

/** Posts the profile form as shown, with `changes`. */
async function saveProfile(b: Browser, changes: Record<string, string>) {
  const page = await b.get('/account/profile');
  const shown = Object.fromEntries(
    [
      ...page.body.matchAll(/<input id="([a-z_]+)" name="[a-z_]+" type="[a-z]+"(?: [^>]*?value="([^"]*)")?/g),
    ].map((m) => [m[1]!, m[2] ?? '']),
  );
  return b.post('/account/profile', { ...shown, ...changes, _csrf: csrfOf(page.body) });
}

describe('the profile', () => {
  test('needs sign-in, shows the current details, and is linked from the account page', async () => {
    assert.match((await h.browser().get('/account/profile')).location ?? '', /^\/login\?returnTo=/);
    const { b, email } = await signedIn();
    assert.match((await b.get('/account')).body, /href="\/account\/profile"/);
    const page = await b.get('/account/profile');
    assert.equal(page.status, 200);
    assert.match(page.body, new RegExp(`value="${email.replace(/[.]/g, '\\.')}"`));
    assert.match(page.body, /id="phone_number"/, 'a phone number can be added');
  });

  test('a bad phone number or email is said on its field, and nothing changes', async () => {
    const { b, email } = await signedIn();
    const res = await saveProfile(b, { phone_number: '12345', email: 'not an email' });
    assert.equal(res.status, 400);
    assert.match(res.body, /id="phone_number-error"/);
    assert.match(res.body, /id="email-error"/);
    assert.equal((await attributesOf(email)).phone_number, undefined);
  });

  test('saving with nothing changed calls nothing and says it is saved', async () => {
    const { b } = await signedIn();
    h.emulator.resetCalls();
    const res = await saveProfile(b, {});
    assert.equal(res.location, '/account?notice=profile-saved');
    assert.equal(h.emulator.callCount('UpdateUserAttributes'), 0);
  });

  test('a new email address: in force at once but unverified, a code to it, verified by the code', async () => {
    const { b, email } = await signedIn();
    const next = freshEmail('moved');
    const res = await saveProfile(b, { email: next });
    assert.equal(res.location, '/account/verify?sent=1');
    assert.equal((await attributesOf(next)).email, next, 'in force at once: the new address names the user');
    await assert.rejects(
      attributesOf(email),
      { name: 'UserNotFoundException' },
      'the old one no longer does',
    );
    assert.equal((await attributesOf(next)).email_verified, 'false');
    const page = await b.get(res.location);
    assert.match(page.body, /We sent a code to m\*\*\*@e\*\*\*\.com/);
    const wrong = await b.post('/account/verify', {
      _csrf: csrfOf(page.body),
      attribute: 'email',
      code: '000000',
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /id="code-error"/);
    const code = await latestCode(h.emulator.endpoint, next, 'VERIFY_EMAIL');
    const ok = await b.post('/account/verify', { _csrf: csrfOf(page.body), attribute: 'email', code });
    assert.equal(ok.location, '/account?notice=email-verified');
    assert.equal((await attributesOf(next)).email_verified, 'true');
    const account = await b.get(ok.location);
    assert.match(
      account.body,
      new RegExp(next.replace(/[.]/g, '\\.')),
      'the account page shows the new address',
    );
    assert.match(account.body, /notice-success" role="status">Your email address has been verified/);
    const again = await h.browser().submit('/login', '/login', { username: next, password: PASSWORD });
    assert.equal(again.location, '/account', 'the new address signs in');
  });

  test('a phone number added is verified by a text-message code, and a code can be asked again', async () => {
    const { b, email } = await signedIn();
    const res = await saveProfile(b, { phone_number: '+44 7700 900123' });
    assert.equal(res.location, '/account/verify?sent=1');
    const page = await b.get(res.location);
    assert.match(page.body, /Verify your phone number/);
    assert.match(page.body, /We sent a code to \+\*+0123/);
    const resent = await b.post('/account/verify/send', {
      _csrf: csrfOf(page.body),
      attribute: 'phone_number',
    });
    assert.equal(resent.location, '/account/verify?sent=1');
    const code = await latestCode(h.emulator.endpoint, '+447700900123', 'VERIFY_PHONE_NUMBER');
    const ok = await b.post('/account/verify', { _csrf: csrfOf(page.body), attribute: 'phone_number', code });
    assert.equal(ok.location, '/account?notice=phone_number-verified');
    const attributes = await attributesOf(email);
    assert.equal(attributes.phone_number, '+447700900123');
    assert.equal(attributes.phone_number_verified, 'true');
  });

  test('an email address another account has is refused on its field', async () => {
    const { b } = await signedIn();
    const res = await saveProfile(b, { email: h.pool.demoUser.email });
    assert.equal(res.status, 400);
    assert.match(res.body, /This email address is already used by another account/);
  });
});

describe('an unverified email address at sign-in', () => {
  async function unverifiedUser(): Promise<string> {
    const email = freshEmail('unverified');
    await createConfirmedUser(admin, h.pool.userPoolId, email, PASSWORD);
    await admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: h.pool.userPoolId,
        Username: email,
        UserAttributes: [{ Name: 'email_verified', Value: 'false' }],
      }),
    );
    return email;
  }

  test('is offered to be verified right after the sign-in, and "skip" goes on where the user was going', async () => {
    const email = await unverifiedUser();
    const b = h.browser();
    const res = await b.submit('/login?returnTo=%2Faccount%2Fmfa', '/login?returnTo=%2Faccount%2Fmfa', {
      username: email,
      password: PASSWORD,
    });
    assert.equal(res.location, '/account/verify?attribute=email');
    const page = await b.get(res.location);
    assert.match(page.body, /Your email address is not verified yet/);
    assert.match(page.body, /<a href="\/account\/mfa">Skip for now<\/a>/);
    assert.equal((await b.get('/account')).status, 200, 'signed in all the same');
  });

  test('verified there: the user goes on to where they were going, verified', async () => {
    const email = await unverifiedUser();
    const b = h.browser();
    const res = await b.submit('/login?returnTo=%2Faccount%2Fmfa', '/login?returnTo=%2Faccount%2Fmfa', {
      username: email,
      password: PASSWORD,
    });
    const page = await b.get(res.location!);
    const sent = await b.post('/account/verify/send', { _csrf: csrfOf(page.body), attribute: 'email' });
    assert.equal(sent.location, '/account/verify?sent=1');
    const code = await latestCode(h.emulator.endpoint, email, 'VERIFY_EMAIL');
    const done = await b.post('/account/verify', { _csrf: csrfOf(page.body), attribute: 'email', code });
    assert.equal(done.location, '/account/mfa');
    assert.equal((await attributesOf(email)).email_verified, 'true');
  });

  test('a verified address is not asked about', async () => {
    const { b } = await signedIn();
    assert.equal((await b.get('/account')).status, 200);
  });
});
