// Sign-up and confirmation over HTTP against the emulator, reading codes from its /_local/messages. Errors at their
// fields, taken addresses, the sign-up form's checks and CSRF: test/flows/signup.test.ts, through a scripted fake.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { countMessages, latestCode } from '../helpers/inbox.ts';

let h: Harness;
before(async () => {
  h = await startHarness({ env: { RESEND_COOLDOWN_SECONDS: '30' } });
});
after(() => h.close());
beforeEach(() => h.emulator.resetCalls());

const PASSWORD = 'Sunny-day-42';
let n = 0;
const newEmail = (tag: string) => `${tag}-${++n}-${Date.now()}@example.com`;

async function signUp(b: Browser, email: string, extra: Record<string, string> = {}) {
  return b.submit('/signup', '/signup', { email, name: 'Jane Doe', password: PASSWORD, ...extra });
}

describe('sign up and confirm', () => {
  test('sign up, read the code, confirm: signed in on the account page', async () => {
    const b = h.browser();
    const email = newEmail('new');
    const res = await signUp(b, email);
    assert.equal(res.status, 302);
    assert.equal(res.location, '/confirm');
    const page = await b.get('/confirm');
    assert.match(page.body, /We sent a code to n\*\*\*@e\*\*\*\.com/);
    assert.match(page.body, /autocomplete="one-time-code"/);
    assert.match(page.body, /inputmode="numeric"/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');

    const code = await latestCode(h.emulator.endpoint, email, 'SIGN_UP');
    const done = await b.post('/confirm', { _csrf: csrfOf(page.body), code });
    assert.equal(done.status, 302);
    assert.equal(done.location, '/account?notice=account-confirmed');
    const account = await b.get('/account');
    assert.equal(account.status, 200);
    assert.match(account.body, new RegExp(email.replace(/[.]/g, '\\.')));
    assert.match(account.body, /Jane Doe/);
  });

  test('a resend supersedes the old code, after a visible cooldown', async () => {
    const b = h.browser();
    const email = newEmail('resend');
    await signUp(b, email);
    const first = await latestCode(h.emulator.endpoint, email, 'SIGN_UP');
    const page = await b.get('/confirm');
    assert.match(page.body, /You can ask for a new code in \d+ seconds/);
    const early = await b.post('/confirm/resend', { _csrf: csrfOf(page.body) });
    assert.equal(early.status, 429);
    assert.match(early.body, /Please wait \d+ seconds/);
    assert.equal(h.emulator.callCount('ResendConfirmationCode'), 0);

    h.clock.advance(31_000);
    try {
      const resent = await b.post('/confirm/resend', { _csrf: csrfOf(page.body) });
      assert.equal(resent.location, '/confirm?notice=resent');
      assert.match((await b.get(resent.location)).body, /We sent a new code to r\*\*\*@e\*\*\*\.com/);
    } finally {
      h.clock.advance(-31_000);
    }
    const second = await latestCode(h.emulator.endpoint, email, 'SIGN_UP');
    assert.notEqual(second, first);
    const stale = await b.post('/confirm', { _csrf: csrfOf(page.body), code: first });
    assert.equal(stale.status, 400);
    assert.match(stale.body, /The code is incorrect/);
    const ok = await b.post('/confirm', { _csrf: csrfOf(page.body), code: second });
    assert.equal(ok.location, '/account?notice=account-confirmed');
  });

  test('signing in before confirming lands on /confirm with a new code sent', async () => {
    const b = h.browser();
    const email = newEmail('early');
    await signUp(b, email);
    const other = h.browser();
    const before = await countMessages(h.emulator.endpoint, email, 'SIGN_UP');
    const res = await other.submit('/login', '/login', { username: email, password: PASSWORD });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/confirm?notice=unconfirmed');
    const page = await other.get(res.location);
    assert.match(page.body, /not confirmed yet\. We sent a new code to e\*\*\*@e\*\*\*\.com/);
    assert.equal(await countMessages(h.emulator.endpoint, email, 'SIGN_UP'), before + 1);
    const code = await latestCode(h.emulator.endpoint, email, 'SIGN_UP');
    const done = await other.post('/confirm', { _csrf: csrfOf(page.body), code });
    // Confirmed without a sign-up session in this browser: sign in with the password.
    assert.equal(done.location, '/login?notice=account-confirmed');
    const login = await other.get(done.location);
    assert.match(login.body, /Your account is confirmed/);
    assert.match(login.body, new RegExp(`value="${email.replace(/[.]/g, '\\.')}"`));
  });
});
