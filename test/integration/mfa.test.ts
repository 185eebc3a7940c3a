// Every MFA challenge from the password to signed in, over HTTP against the emulator. What ends a challenge (wrong,
// late or stolen answers) and what each answer sends to Cognito: test/flows/mfa.test.ts, through a scripted fake.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { latestCode } from '../helpers/inbox.ts';
import { enableMfa, makeInvitedUser, makeUser, PASSWORD } from '../helpers/mfa-users.ts';
import { totp } from '../helpers/totp.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());
beforeEach(() => h.emulator.resetCalls());

const signIn = (b: Browser, username: string, password = PASSWORD) =>
  b.submit('/login', '/login', { username, password });

/** Signs in, proves the password again on /account/mfa, and sets up the authenticator app; returns its secret. */
async function setUpTotp(b: Browser, email: string): Promise<string> {
  assert.equal((await signIn(b, email)).location, '/account');
  const verify = await b.get('/account/mfa');
  assert.match(verify.body, /enter your password again/);
  const ok = await b.post('/account/mfa/verify', { _csrf: csrfOf(verify.body), password: PASSWORD });
  assert.equal(ok.location, '/account/mfa');
  const setup = await b.get('/account/mfa/totp');
  assert.equal(setup.status, 200);
  const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(setup.body)![1]!.replace(/ /g, '');
  const qr = await b.get('/account/mfa/totp/qr.svg');
  assert.equal(qr.headers.get('content-type'), 'image/svg+xml');
  const done = await b.post('/account/mfa/totp', {
    _csrf: csrfOf(setup.body),
    code: totp(secret, h.clock.now()),
  });
  assert.equal(done.location, '/account/mfa?notice=changed');
  const settings = await b.get(done.location);
  assert.match(settings.body, /two-step verification settings were saved/);
  assert.match(settings.body, /Authenticator app<\/strong>\s*<span class="badge badge-on">On/);
  // A TOTP code is good once (Cognito refuses it again in the same step): move on to the app's next code.
  h.clock.advance(30_000);
  return secret;
}

describe('authenticator app (SOFTWARE_TOKEN_MFA)', () => {
  test('set up on the account page, then sign in with a code; a wrong code says how many tries are left', async () => {
    const email = await makeUser(h, 'totp');
    const secret = await setUpTotp(h.browser(), email);

    const b = h.browser();
    const res = await signIn(b, email);
    assert.equal(res.location, '/mfa');
    const page = await b.get('/mfa');
    assert.match(page.body, /Open your authenticator app/);
    assert.match(page.body, /autocomplete="one-time-code"/);
    // Three minutes less however long that took (the exact countdown is checked in test/flows/mfa.test.ts).
    assert.match(page.body, /expires in [0-3] min \d+ s/);
    assert.equal((await b.get('/account')).status, 302, 'not signed in yet');

    const good = totp(secret, h.clock.now());
    const wrong = await b.post('/mfa', {
      _csrf: csrfOf(page.body),
      code: good === '000000' ? '111111' : '000000',
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /The code is incorrect\. You have 2 more attempts\./);
    const done = await b.post('/mfa', { _csrf: csrfOf(page.body), code: good });
    assert.equal(done.location, '/account');
    assert.equal((await b.get('/account')).status, 200);
  });
});

describe('codes by text message and email', () => {
  test('SMS_MFA: the code sent to the phone signs you in', async () => {
    const email = await makeUser(h, 'sms', '+447700900123');
    await enableMfa(h, email, { sms: true }, 'sms');
    const b = h.browser();
    assert.equal((await signIn(b, email)).location, '/mfa');
    const page = await b.get('/mfa');
    assert.match(page.body, /We sent a code by text message to \+\*+0123/);
    const code = await latestCode(h.emulator.endpoint, '+447700900123', 'SMS_MFA');
    assert.equal((await b.post('/mfa', { _csrf: csrfOf(page.body), code })).location, '/account');
  });

  test('EMAIL_OTP: the code sent by email signs you in', async () => {
    const email = await makeUser(h, 'emailotp');
    await enableMfa(h, email, { email: true }, 'email');
    const b = h.browser();
    assert.equal((await signIn(b, email)).location, '/mfa');
    const page = await b.get('/mfa');
    assert.match(
      page.body,
      /We sent a code by email to e\*\*\*@e\*\*\*\.com\./,
      'the domain keeps its ending',
    );
    const code = await latestCode(h.emulator.endpoint, email, 'EMAIL_OTP');
    assert.equal((await b.post('/mfa', { _csrf: csrfOf(page.body), code })).location, '/account');
  });

  test('SELECT_MFA_TYPE: several methods and no preference, choose email, then the code', async () => {
    const email = await makeUser(h, 'select', '+447700900456');
    await enableMfa(h, email, { sms: true, email: true });
    const b = h.browser();
    assert.equal((await signIn(b, email)).location, '/mfa/select');
    const page = await b.get('/mfa/select');
    assert.match(page.body, /value="SMS_MFA"/);
    assert.match(page.body, /value="EMAIL_OTP"/);
    const refused = await b.post('/mfa/select', { _csrf: csrfOf(page.body), method: 'WEB_AUTHN' });
    assert.equal(refused.status, 400);
    const chosen = await b.post('/mfa/select', { _csrf: csrfOf(page.body), method: 'EMAIL_OTP' });
    assert.equal(chosen.location, '/mfa');
    const code = await latestCode(h.emulator.endpoint, email, 'EMAIL_OTP');
    const mfa = await b.get('/mfa');
    assert.equal((await b.post('/mfa', { _csrf: csrfOf(mfa.body), code })).location, '/account');
  });
});

describe('new password required', () => {
  test('an admin-created user chooses a password (policy checked first) and is signed in', async () => {
    const email = await makeInvitedUser(h, 'invited', 'Temporary-pass-1');
    const b = h.browser();
    assert.equal((await signIn(b, email, 'Temporary-pass-1')).location, '/new-password');
    const page = await b.get('/new-password');
    assert.match(page.body, /temporary password/);
    assert.match(page.body, /autocomplete="new-password"/);
    h.emulator.resetCalls();
    const weak = await b.post('/new-password', { _csrf: csrfOf(page.body), newPassword: 'weak' });
    assert.equal(weak.status, 400);
    assert.match(weak.body, /Your password needs at least 8 characters/);
    assert.equal(h.emulator.callCount(), 0);
    const done = await b.post('/new-password', {
      _csrf: csrfOf(page.body),
      newPassword: 'My-own-password-9',
    });
    assert.equal(done.location, '/account');
    assert.equal((await signIn(h.browser(), email, 'My-own-password-9')).location, '/account');
  });
});

describe('account MFA settings', () => {
  test('changes need a fresh password check; a wrong password is refused', async () => {
    const email = await makeUser(h, 'settings', '+447700900789');
    const b = h.browser();
    await signIn(b, email);
    const verify = await b.get('/account/mfa');
    const wrong = await b.post('/account/mfa/verify', {
      _csrf: csrfOf(verify.body),
      password: 'Wrong-password-1',
    });
    assert.equal(wrong.status, 401);
    const change = await b.post('/account/mfa', {
      _csrf: csrfOf(verify.body),
      method: 'SMS_MFA',
      action: 'enable',
    });
    assert.match(change.body, /enter your password again/, 'no change without the check');
    const before = b.clone();
    await b.post('/account/mfa/verify', { _csrf: csrfOf(verify.body), password: PASSWORD });
    assert.notEqual(
      b.cookies.get('session'),
      before.cookies.get('session'),
      'a new session id after the re-check',
    );
    assert.equal((await before.get('/account')).status, 302, 'the old id no longer resolves');
    const on = await b.post('/account/mfa', {
      _csrf: csrfOf(verify.body),
      method: 'SMS_MFA',
      action: 'prefer',
    });
    assert.equal(on.location, '/account/mfa?notice=changed');
    const page = await b.get(on.location);
    assert.match(
      page.body,
      /Text message \(SMS\)<\/strong>\s*<span class="badge badge-on">On<\/span>\s*<span class="badge badge-preferred">/,
    );
    // The next sign-in asks for the SMS code.
    assert.equal((await signIn(h.browser(), email)).location, '/mfa');
    const off = await b.post('/account/mfa', {
      _csrf: csrfOf(page.body),
      method: 'SMS_MFA',
      action: 'disable',
    });
    assert.equal(off.location, '/account/mfa?notice=changed');
    assert.equal((await signIn(h.browser(), email)).location, '/account');
  });
});
