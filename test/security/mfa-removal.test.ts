// Finding 9, "second factor removed with the password alone": a stolen cookie plus the password turned MFA off on
// /account/mfa. The check before a change is now a whole sign-in: the password, then the second step Cognito asks
// for (a fresh code from the app, or one it sends by email or text message); turning MFA on, changing or removing
// a method ends the user's other sessions.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { latestCode } from '../helpers/inbox.ts';
import { enableMfa, makeUser, PASSWORD } from '../helpers/mfa-users.ts';
import { totp } from '../helpers/totp.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());
beforeEach(() => h.emulator.resetCalls());

/** A user with email codes as their second step, signed in (password, then the emailed code). */
async function emailOtpUser(): Promise<{ email: string; b: Browser }> {
  const email = await makeUser(h, 'mfa-removal');
  await enableMfa(h, email, { email: true }, 'email');
  return { email, b: await signInWithEmailCode(email) };
}

async function signInWithEmailCode(email: string): Promise<Browser> {
  const b = h.browser();
  assert.equal(
    (await b.submit('/login', '/login', { username: email, password: PASSWORD })).location,
    '/mfa',
  );
  const page = await b.get('/mfa');
  const code = await latestCode(h.emulator.endpoint, email, 'EMAIL_OTP');
  assert.equal((await b.post('/mfa', { _csrf: csrfOf(page.body), code })).location, '/account');
  return b;
}

/** Where a new sign-in with the password goes: /mfa while a second step is on, /account when none is. */
async function nextSignIn(email: string): Promise<string | undefined> {
  return (await h.browser().submit('/login', '/login', { username: email, password: PASSWORD })).location;
}

/** The password step of /account/mfa's check (started again, should a second step be pending). */
async function verifyPassword(b: Browser): Promise<Page> {
  const page = await b.get('/account/mfa?restart=1');
  assert.match(page.body, /enter your password again/);
  return b.post('/account/mfa/verify', { _csrf: csrfOf(page.body), password: PASSWORD });
}

async function change(b: Browser, method: string, action: string): Promise<Page> {
  const page = await b.get('/account/mfa');
  return b.post('/account/mfa', { _csrf: csrfOf(page.body), method, action });
}

describe('finding 9: removing or changing a second factor needs that factor', () => {
  test('a stolen cookie and the password do not turn email codes off', async () => {
    const { email, b } = await emailOtpUser();
    const thief = b.clone();
    const checked = await verifyPassword(thief);
    assert.equal(checked.status, 200, 'the password alone is not the check');
    assert.match(checked.body, /We sent a code by email to/);
    assert.match(checked.body, /name="step" value="second"/);
    // Without the code: a guess, then straight to the change.
    const guess = await thief.post('/account/mfa/verify', {
      _csrf: csrfOf(checked.body),
      step: 'second',
      code: '000000',
    });
    assert.equal(guess.status, 400);
    const off = await change(thief, 'EMAIL_OTP', 'disable');
    assert.notEqual(off.location, '/account/mfa?notice=changed');
    assert.equal(h.emulator.callCount('SetUserMFAPreference'), 0, 'Cognito was not asked to change anything');
    assert.equal(await nextSignIn(email), '/mfa', 'the second step is still on');
  });

  test('with the emailed code the owner turns it off, and the other sessions end', async () => {
    const { email, b } = await emailOtpUser();
    const elsewhere = await signInWithEmailCode(email);
    const checked = await verifyPassword(b);
    const code = await latestCode(h.emulator.endpoint, email, 'EMAIL_OTP');
    const ok = await b.post('/account/mfa/verify', { _csrf: csrfOf(checked.body), step: 'second', code });
    assert.equal(ok.location, '/account/mfa');
    const off = await change(b, 'EMAIL_OTP', 'disable');
    assert.equal(off.location, '/account/mfa?notice=changed');
    assert.equal(await nextSignIn(email), '/account', 'no second step any more');
    assert.equal((await elsewhere.get('/account')).status, 302, 'the other session ended');
    assert.equal((await b.get('/account')).status, 200, 'this one stays');
  });

  test('turning a second step on ends the other sessions', async () => {
    const email = await makeUser(h, 'mfa-on');
    const [b, elsewhere] = [h.browser(), h.browser()];
    for (const browser of [b, elsewhere]) {
      const res = await browser.submit('/login', '/login', { username: email, password: PASSWORD });
      assert.equal(res.location, '/account');
    }
    // Without any method on, the password is the whole sign-in, so it is the whole check.
    assert.equal((await verifyPassword(b)).location, '/account/mfa');
    assert.equal((await change(b, 'EMAIL_OTP', 'enable')).location, '/account/mfa?notice=changed');
    assert.equal((await elsewhere.get('/account')).status, 302, 'the other session ended');
    assert.equal((await b.get('/account')).status, 200);
    assert.equal(await nextSignIn(email), '/mfa');
  });

  test('the authenticator app: removing or replacing it needs a fresh code from it', async () => {
    const email = await makeUser(h, 'mfa-app');
    const setter = h.browser();
    await setter.submit('/login', '/login', { username: email, password: PASSWORD });
    assert.equal((await verifyPassword(setter)).location, '/account/mfa');
    const setup = await setter.get('/account/mfa/totp');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(setup.body)![1]!.replace(/ /g, '');
    const done = await setter.post('/account/mfa/totp', {
      _csrf: csrfOf(setup.body),
      code: totp(secret, h.clock.now()),
    });
    assert.equal(done.location, '/account/mfa?notice=changed');
    h.clock.advance(30_000);

    // Signed in with a code from the app; then the cookie is stolen.
    const b = h.browser();
    assert.equal(
      (await b.submit('/login', '/login', { username: email, password: PASSWORD })).location,
      '/mfa',
    );
    const mfa = await b.get('/mfa');
    const signedIn = await b.post('/mfa', { _csrf: csrfOf(mfa.body), code: totp(secret, h.clock.now()) });
    assert.equal(signedIn.location, '/account');
    h.clock.advance(30_000);
    const thief = b.clone();
    h.emulator.resetCalls();
    const asked = await verifyPassword(thief);
    assert.match(asked.body, /Open your authenticator app/);
    for (const [method, action] of [
      ['SOFTWARE_TOKEN_MFA', 'disable'],
      ['EMAIL_OTP', 'enable'],
    ] as const) {
      const refused = await change(thief, method, action);
      assert.notEqual(refused.location, '/account/mfa?notice=changed', `${method} ${action}`);
    }
    assert.doesNotMatch(
      (await thief.get('/account/mfa/totp')).body,
      /class="secret"/,
      'no new app without the old one',
    );
    assert.equal(h.emulator.callCount('SetUserMFAPreference'), 0);
    assert.equal(h.emulator.callCount('AssociateSoftwareToken'), 0);

    // The owner, with the app: a wrong code is refused, the right one lets the app be removed.
    const page = await verifyPassword(b);
    const good = totp(secret, h.clock.now());
    const wrong = await b.post('/account/mfa/verify', {
      _csrf: csrfOf(page.body),
      step: 'second',
      code: good === '000000' ? '111111' : '000000',
    });
    assert.equal(wrong.status, 400);
    const ok = await b.post('/account/mfa/verify', { _csrf: csrfOf(page.body), step: 'second', code: good });
    assert.equal(ok.location, '/account/mfa');
    assert.equal((await change(b, 'SOFTWARE_TOKEN_MFA', 'disable')).location, '/account/mfa?notice=changed');
    assert.equal(await nextSignIn(email), '/account');
    assert.equal((await thief.get('/account')).status, 302, "the thief's copy ended with the change");
  });
});
