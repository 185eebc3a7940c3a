// Sign-up and confirmation over HTTP against the emulator, reading codes from its /_local/messages.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
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
    assert.equal(done.location, '/account');
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
    assert.equal(ok.location, '/account');
  });

  test('a wrong code stays on the page with the error next to the field; the code is not echoed', async () => {
    const b = h.browser();
    const email = newEmail('wrong');
    await signUp(b, email);
    const code = await latestCode(h.emulator.endpoint, email, 'SIGN_UP');
    const wrong = code === '000000' ? '111111' : '000000';
    const res = await b.submit('/confirm', '/confirm', { code: wrong });
    assert.equal(res.status, 400);
    assert.match(res.body, /id="code-error" class="error-message">The code is incorrect/);
    assert.match(res.body, /aria-describedby="code-hint code-error"/);
    assert.doesNotMatch(res.body, new RegExp(`value="${wrong}"`));
    const malformed = await b.submit('/confirm', '/confirm', { code: '12ab' });
    assert.match(malformed.body, /Enter the code as 6 digits/);
  });

  test('an expired code says so and offers a new one', async () => {
    const b = h.browser();
    const email = newEmail('expired');
    await signUp(b, email);
    const code = await latestCode(h.emulator.endpoint, email, 'SIGN_UP');
    h.clock.advance(25 * 3_600_000);
    try {
      const res = await b.submit('/confirm', '/confirm', { code });
      assert.equal(res.status, 400);
      assert.match(res.body, /The code has expired/);
      assert.match(res.body, /Send a new code/);
    } finally {
      h.clock.advance(-25 * 3_600_000);
    }
  });

  test('a weak password names the broken rule, before Cognito is called', async () => {
    const b = h.browser();
    const res = await signUp(b, newEmail('weak'), { password: 'lowercase-only-1' });
    assert.equal(res.status, 400);
    assert.match(res.body, /Your password needs an uppercase letter/);
    assert.match(res.body, /href="#password"/);
    assert.equal(h.emulator.callCount('SignUp'), 0);
    const page = await b.get('/signup');
    assert.match(page.body, /Your password needs:/);
    assert.match(page.body, /at least 8 characters/);
    assert.match(page.body, /autocomplete="new-password"/);
  });

  test('missing and malformed fields are all named at once, keeping what was typed (but not the password)', async () => {
    const b = h.browser();
    const res = await b.submit('/signup', '/signup', { email: 'not-an-email', name: '', password: PASSWORD });
    assert.equal(res.status, 400);
    assert.match(res.body, /Enter an email address in the right format/);
    assert.match(res.body, /Full name is required/);
    assert.match(res.body, /value="not-an-email"/);
    assert.doesNotMatch(res.body, new RegExp(PASSWORD));
    assert.equal(h.emulator.callCount(), 0);
  });

  test('a taken email looks exactly like a new one', async () => {
    const taken = newEmail('taken');
    await createConfirmedUser(adminClient(h.emulator.endpoint), h.pool.userPoolId, taken, PASSWORD);
    const free = taken.replace('taken-', 'tfree-');
    const [a, b] = [h.browser(), h.browser()];
    const takenRes = await signUp(a, taken);
    const freeRes = await signUp(b, free);
    assert.equal(takenRes.status, freeRes.status);
    assert.equal(takenRes.location, freeRes.location);
    const [pa, pb] = [await a.get('/confirm'), await b.get('/confirm')];
    const strip = (s: string) => s.replace(/name="_csrf" value="[^"]+"/g, '');
    assert.equal(strip(pa.body), strip(pb.body));
    // A wrong code reads the same too.
    const [ca, cb] = [
      await a.post('/confirm', { _csrf: csrfOf(pa.body), code: '123456' }),
      await b.post('/confirm', { _csrf: csrfOf(pb.body), code: '123456' }),
    ];
    assert.equal(ca.status, cb.status);
    assert.equal(strip(ca.body), strip(cb.body));
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

describe('CSRF on every sign-up form', () => {
  for (const path of ['/signup', '/confirm', '/confirm/resend']) {
    test(`${path} refuses a missing CSRF token with zero Cognito calls`, async () => {
      const b = h.browser();
      await b.get('/signup');
      const res = await b.post(path, {
        email: newEmail('csrf'),
        name: 'X',
        password: PASSWORD,
        code: '123456',
      });
      assert.equal(res.status, 403);
      assert.equal(h.emulator.callCount(), 0);
    });
  }
});
