// MFA challenges, new-password challenges and the account's MFA settings, given Cognito's answers (a scripted
// fake): what is sent back to Cognito, how wrong, late and stolen answers end, which page each answer leads to.
// Every kind end to end against the emulator: test/integration/mfa.test.ts and mfa-setup.test.ts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { CognitoUser } from '../../src/cognito/gateway.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import {
  challenge,
  cognitoError,
  FAKE_PASSWORD,
  JANE,
  signedInWith,
  startFakeHarness,
  type FakeHarness,
} from '../helpers/fake-harness.ts';

let h: FakeHarness;
before(async () => {
  h = await startFakeHarness();
});
after(() => h.close());
beforeEach(() => h.cognito.reset());

const USERNAME = JANE.username;
const TOTP = () => challenge('SOFTWARE_TOKEN_MFA', { USER_ID_FOR_SRP: USERNAME }, 'totp-session-1');

/** Signs in with Cognito answering the password with `first`; returns the browser and where it was sent. */
async function signInTo(first = TOTP()): Promise<{ b: Browser; location: string | undefined }> {
  h.cognito.once('signInWithPassword', first);
  const b = h.browser();
  const res = await b.submit(
    '/login?returnTo=%2Faccount%3Ftab%3Dmfa',
    '/login?returnTo=%2Faccount%3Ftab%3Dmfa',
    {
      username: JANE.email!,
      password: FAKE_PASSWORD,
    },
  );
  return { b, location: res.location };
}

describe('a code challenge', () => {
  test('the code goes back with the challenge session and the internal username; tokens sign in', async () => {
    const started = performance.now();
    const { b, location } = await signInTo();
    assert.equal(location, '/mfa');
    const page = await b.get('/mfa');
    const elapsed = Math.ceil((performance.now() - started) / 1000);
    assert.equal(page.status, 200);
    assert.match(page.body, /Open your authenticator app/);
    assert.match(page.body, /autocomplete="one-time-code"/);
    // The app client's challenge lifetime (3 minutes), less the time this took (however busy the machine is).
    const left = Number(/data-seconds-left="(\d+)"/.exec(page.body)![1]);
    assert.ok(left <= 180 && left >= 180 - elapsed - 1, `${left} s left after ${elapsed} s`);
    assert.match(page.body, new RegExp(`expires in ${Math.floor(left / 60)} min ${left % 60} s`));
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal((await b.get('/account')).status, 302, 'not signed in yet');

    h.cognito.once('respondToChallenge', signedInWith(h.tokens.issue(JANE)));
    const done = await b.post('/mfa', { _csrf: csrfOf(page.body), code: '123456' });
    assert.equal(done.location, '/account?tab=mfa', 'on to the page asked for before the challenge');
    assert.deepEqual(h.cognito.argsOf('respondToChallenge'), [
      ['SOFTWARE_TOKEN_MFA', 'totp-session-1', USERNAME, { SOFTWARE_TOKEN_MFA_CODE: '123456' }],
    ]);
    assert.equal((await b.get('/account')).status, 200);
    assert.equal((await b.get('/mfa')).location, '/login?notice=sign-in-required', 'the challenge is spent');
  });

  for (const [name, field, medium, destination, lead] of [
    ['SMS_MFA', 'SMS_MFA_CODE', 'SMS', '+*******0123', /We sent a code by text message to \+\*+0123/],
    ['EMAIL_OTP', 'EMAIL_OTP_CODE', 'EMAIL', 'j***@e***', /We sent a code by email to j\*\*\*@e\*\*\*/],
  ] as const) {
    test(`${name}: the page names where the code went; the code goes back as ${field}`, async () => {
      const { b, location } = await signInTo(
        challenge(name, {
          USER_ID_FOR_SRP: USERNAME,
          CODE_DELIVERY_DELIVERY_MEDIUM: medium,
          CODE_DELIVERY_DESTINATION: destination,
        }),
      );
      assert.equal(location, '/mfa');
      const page = await b.get('/mfa');
      assert.match(page.body, lead);
      h.cognito.once('respondToChallenge', signedInWith(h.tokens.issue(JANE)));
      assert.equal(
        (await b.post('/mfa', { _csrf: csrfOf(page.body), code: '654321' })).location,
        '/account?tab=mfa',
      );
      assert.deepEqual(h.cognito.argsOf('respondToChallenge')[0]![3], { [field]: '654321' });
    });
  }

  test('a malformed code is refused before Cognito', async () => {
    const { b } = await signInTo();
    const csrf = csrfOf((await b.get('/mfa')).body);
    for (const code of ['12345', '1234567', 'abcdef', '']) {
      const res = await b.post('/mfa', { _csrf: csrf, code });
      assert.equal(res.status, 400, code);
    }
    assert.equal(h.cognito.callCount('respondToChallenge'), 0);
  });

  test('a wrong code says how many tries are left; the next answer uses the same session', async () => {
    const { b } = await signInTo();
    const csrf = csrfOf((await b.get('/mfa')).body);
    h.cognito.once(
      'respondToChallenge',
      cognitoError('CodeMismatchException', 'Invalid code received for user'),
    );
    const wrong = await b.post('/mfa', { _csrf: csrf, code: '000000' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /The code is incorrect\. You have 2 more attempts\./);
    assert.doesNotMatch(wrong.body, /value="000000"/, 'the code is not echoed');
    h.cognito.once('respondToChallenge', signedInWith(h.tokens.issue(JANE)));
    assert.equal((await b.post('/mfa', { _csrf: csrf, code: '111111' })).status, 302);
    assert.deepEqual(
      h.cognito.argsOf('respondToChallenge').map((a) => a[1]),
      ['totp-session-1', 'totp-session-1'],
    );
  });

  test('too many wrong codes end the challenge and send you back to sign in, username kept', async () => {
    const { b } = await signInTo();
    const csrf = csrfOf((await b.get('/mfa')).body);
    h.cognito.on(
      'respondToChallenge',
      cognitoError('CodeMismatchException', 'Invalid code received for user'),
    );
    for (let i = 0; i < 2; i++)
      assert.equal((await b.post('/mfa', { _csrf: csrf, code: '000000' })).status, 400);
    const ended = await b.post('/mfa', { _csrf: csrf, code: '000000' });
    assert.equal(ended.location, '/login?returnTo=%2Faccount%3Ftab%3Dmfa&notice=too-many-codes');
    assert.equal(h.cognito.callCount('respondToChallenge'), 3);
    const login = await b.get(ended.location);
    assert.match(login.body, /Too many wrong codes/);
    assert.match(login.body, /value="jane@example\.com"/);
    assert.equal(
      (await b.post('/mfa', { _csrf: csrf, code: '123456' })).status,
      302,
      'the challenge is gone',
    );
    assert.equal(h.cognito.callCount('respondToChallenge'), 3);
  });

  for (const [exception, message, notice] of [
    ['NotAuthorizedException', 'Invalid session for the user, session is expired.', 'challenge-expired'],
    ['ExpiredCodeException', 'Invalid code provided, please request a code again.', 'challenge-expired'],
    ['TooManyFailedAttemptsException', 'Too many invalid credentials attempts.', 'too-many-codes'],
  ] as const) {
    test(`Cognito answering ${exception} ends the challenge (${notice})`, async () => {
      const { b } = await signInTo();
      const csrf = csrfOf((await b.get('/mfa')).body);
      h.cognito.once('respondToChallenge', cognitoError(exception, message));
      const res = await b.post('/mfa', { _csrf: csrf, code: '123456' });
      assert.equal(res.location, `/login?returnTo=%2Faccount%3Ftab%3Dmfa&notice=${notice}`);
      assert.equal((await b.get('/mfa')).location, '/login?notice=sign-in-required');
      assert.equal((await b.get('/account')).status, 302);
    });
  }

  test('Cognito unreachable while answering: the error page, and the challenge stays for another try', async () => {
    const { b } = await signInTo();
    const csrf = csrfOf((await b.get('/mfa')).body);
    h.cognito.once('respondToChallenge', cognitoError('InternalErrorException', ''));
    const res = await b.post('/mfa', { _csrf: csrf, code: '123456' });
    assert.equal(res.status, 503);
    assert.match(res.body, /Temporarily unavailable/);
    h.cognito.once('respondToChallenge', signedInWith(h.tokens.issue(JANE)));
    assert.equal((await b.post('/mfa', { _csrf: csrf, code: '123456' })).location, '/account?tab=mfa');
  });

  test('an expired challenge goes back to sign in with the username kept, without asking Cognito', async () => {
    const { b } = await signInTo();
    const csrf = csrfOf((await b.get('/mfa')).body);
    h.clock.advance(3 * 60_000 + 1000);
    try {
      const res = await b.post('/mfa', { _csrf: csrf, code: '123456' });
      assert.equal(res.location, '/login?returnTo=%2Faccount%3Ftab%3Dmfa&notice=challenge-expired');
      assert.equal(h.cognito.callCount('respondToChallenge'), 0);
      const login = await b.get(res.location);
      assert.match(login.body, /took too long/);
      assert.match(login.body, /value="jane@example\.com"/);
    } finally {
      h.clock.advance(-(3 * 60_000 + 1000));
    }
  });

  test('a challenge cannot be answered from another browser: refused before Cognito is called', async () => {
    const { b: victim } = await signInTo();
    await victim.get('/mfa');
    const attacker = h.browser();
    const page = await attacker.get('/login');
    const res = await attacker.post('/mfa', { _csrf: csrfOf(page.body), code: '123456' });
    assert.equal(res.status, 302);
    assert.match(res.location!, /^\/login/);
    assert.equal(h.cognito.callCount('respondToChallenge'), 0);
    assert.equal((await attacker.get('/account')).status, 302);
  });

  test('each challenge page lets only its own kind of challenge through', async () => {
    const { b } = await signInTo();
    assert.equal((await b.get('/mfa/select')).location, '/mfa');
    assert.equal((await b.get('/new-password')).location, '/mfa');
    assert.equal((await b.get('/mfa/setup')).location, '/mfa');
  });
});

test('a code page of the only method set up offers no other method', async () => {
  const { b, location } = await signInTo(
    challenge('EMAIL_OTP', { USER_ID_FOR_SRP: USERNAME, CODE_DELIVERY_DESTINATION: 'j***@e***.com' }, 's'),
  );
  assert.equal(location, '/mfa');
  const page = await b.get('/mfa');
  assert.doesNotMatch(page.body, /Use another method/);
  assert.match(page.body, /We sent a code by email to j\*\*\*@e\*\*\*\.com\./);
});

describe('choosing a method (SELECT_MFA_TYPE)', () => {
  const select = () =>
    challenge(
      'SELECT_MFA_TYPE',
      { USER_ID_FOR_SRP: USERNAME, MFAS_CAN_CHOOSE: '["SMS_MFA","EMAIL_OTP","WEB_AUTHN"]' },
      'select-session',
    );

  test('only the methods we have a page for are offered; the choice goes back as ANSWER', async () => {
    const { b, location } = await signInTo(select());
    assert.equal(location, '/mfa/select');
    const page = await b.get('/mfa/select');
    assert.match(page.body, /value="SMS_MFA"/);
    assert.match(page.body, /value="EMAIL_OTP"/);
    assert.doesNotMatch(page.body, /value="WEB_AUTHN"/);
    const refused = await b.post('/mfa/select', { _csrf: csrfOf(page.body), method: 'WEB_AUTHN' });
    assert.equal(refused.status, 400);
    assert.equal(h.cognito.callCount('respondToChallenge'), 0);

    h.cognito.once(
      'respondToChallenge',
      challenge(
        'EMAIL_OTP',
        {
          USER_ID_FOR_SRP: USERNAME,
          CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL',
          CODE_DELIVERY_DESTINATION: 'j***@e***',
        },
        'email-session',
      ),
    );
    const chosen = await b.post('/mfa/select', { _csrf: csrfOf(page.body), method: 'EMAIL_OTP' });
    assert.equal(chosen.location, '/mfa');
    assert.deepEqual(h.cognito.argsOf('respondToChallenge'), [
      ['SELECT_MFA_TYPE', 'select-session', USERNAME, { ANSWER: 'EMAIL_OTP' }],
    ]);
    const mfa = await b.get('/mfa');
    assert.match(mfa.body, /We sent a code by email/);
    assert.match(
      mfa.body,
      /No code\? <a href="\/login">Start again to have a new one sent<\/a>/,
      'a link, not text',
    );
    assert.match(
      mfa.body,
      /<a href="\/login">Use another method<\/a>/,
      'chosen among several: another can be',
    );
    h.cognito.once('respondToChallenge', signedInWith(h.tokens.issue(JANE)));
    assert.equal(
      (await b.post('/mfa', { _csrf: csrfOf(mfa.body), code: '123456' })).location,
      '/account?tab=mfa',
    );
    // The next answer carries the session Cognito gave with the new challenge, and the same username.
    assert.deepEqual(h.cognito.argsOf('respondToChallenge')[1], [
      'EMAIL_OTP',
      'email-session',
      USERNAME,
      { EMAIL_OTP_CODE: '123456' },
    ]);
  });
});

describe('new password required', () => {
  const required = (attributes: string[] = []) =>
    challenge(
      'NEW_PASSWORD_REQUIRED',
      {
        USER_ID_FOR_SRP: USERNAME,
        requiredAttributes: JSON.stringify(attributes.map((a) => `userAttributes.${a}`)),
        userAttributes: JSON.stringify({ email: JANE.email }),
      },
      'new-password-session',
    );

  test('the policy is checked before Cognito; the new password goes back with the challenge', async () => {
    const { b, location } = await signInTo(required());
    assert.equal(location, '/new-password');
    const page = await b.get('/new-password');
    assert.match(page.body, /temporary password/);
    assert.match(page.body, /autocomplete="new-password"/);
    const weak = await b.post('/new-password', { _csrf: csrfOf(page.body), newPassword: 'weak' });
    assert.equal(weak.status, 400);
    assert.match(weak.body, /Your password needs at least 8 characters/);
    assert.equal(h.cognito.callCount('respondToChallenge'), 0);
    h.cognito.once('respondToChallenge', signedInWith(h.tokens.issue(JANE)));
    const done = await b.post('/new-password', {
      _csrf: csrfOf(page.body),
      newPassword: 'My-own-password-9',
    });
    assert.equal(done.location, '/account?tab=mfa');
    assert.deepEqual(h.cognito.argsOf('respondToChallenge'), [
      ['NEW_PASSWORD_REQUIRED', 'new-password-session', USERNAME, { NEW_PASSWORD: 'My-own-password-9' }],
    ]);
  });

  test('required attributes are asked for and sent as userAttributes.*', async () => {
    const { b } = await signInTo(required(['name']));
    const page = await b.get('/new-password');
    assert.match(page.body, /<label for="name">Full name/);
    const missing = await b.post('/new-password', {
      _csrf: csrfOf(page.body),
      newPassword: 'My-own-password-9',
    });
    assert.equal(missing.status, 400);
    assert.match(missing.body, /Full name is required/);
    assert.equal(h.cognito.callCount('respondToChallenge'), 0);
    h.cognito.once('respondToChallenge', signedInWith(h.tokens.issue(JANE)));
    await b.post('/new-password', {
      _csrf: csrfOf(page.body),
      newPassword: 'My-own-password-9',
      name: ' Jane Doe ',
    });
    assert.deepEqual(h.cognito.argsOf('respondToChallenge')[0]![3], {
      NEW_PASSWORD: 'My-own-password-9',
      'userAttributes.name': 'Jane Doe',
    });
  });

  test("Cognito's refusals land at the password field: the broken rule, a reused password", async () => {
    const { b } = await signInTo(required());
    const csrf = csrfOf((await b.get('/new-password')).body);
    h.cognito.once(
      'respondToChallenge',
      cognitoError(
        'InvalidPasswordException',
        'Password did not conform with policy: Password must have symbol characters',
      ),
    );
    const rule = await b.post('/new-password', { _csrf: csrf, newPassword: 'My-own-password-9' });
    assert.equal(rule.status, 400);
    assert.match(rule.body, /id="newPassword-error" class="error-message">Your password needs a symbol/);
    h.cognito.once('respondToChallenge', cognitoError('PasswordHistoryPolicyViolationException', ''));
    const reused = await b.post('/new-password', { _csrf: csrf, newPassword: 'My-own-password-9' });
    assert.equal(reused.status, 400);
    assert.match(reused.body, /id="newPassword-error"/);
    assert.equal((await b.get('/new-password')).status, 200, 'the challenge stays for another try');
  });
});

describe('account MFA settings', () => {
  const user = (over: Partial<CognitoUser> = {}): CognitoUser => ({
    username: USERNAME,
    attributes: { email: JANE.email!, phone_number: '+447700900789' },
    mfaEnabled: [],
    mfaPreferred: undefined,
    ...over,
  });

  async function reauthenticated(): Promise<{ b: Browser; csrf: string }> {
    const b = await h.signedIn();
    const verify = await b.get('/account/mfa');
    assert.match(verify.body, /enter your password again/);
    h.cognito.once('signInWithPassword', signedInWith(h.tokens.issue(JANE)));
    h.cognito.on('revokeRefreshToken', undefined);
    const ok = await b.post('/account/mfa/verify', { _csrf: csrfOf(verify.body), password: FAKE_PASSWORD });
    assert.equal(ok.location, '/account/mfa');
    return { b, csrf: csrfOf(verify.body) };
  }

  test('changes need a fresh password check; a wrong one is refused; the check rotates the session id', async () => {
    const b = await h.signedIn();
    const verify = await b.get('/account/mfa');
    const csrf = csrfOf(verify.body);
    h.cognito.once(
      'signInWithPassword',
      cognitoError('NotAuthorizedException', 'Incorrect username or password.'),
    );
    const wrong = await b.post('/account/mfa/verify', { _csrf: csrf, password: 'Wrong-password-1' });
    assert.equal(wrong.status, 401);
    const change = await b.post('/account/mfa', { _csrf: csrf, method: 'SMS_MFA', action: 'enable' });
    assert.match(change.body, /enter your password again/, 'no change without the check');
    assert.equal(h.cognito.callCount('setMfaPreference'), 0);

    const before = b.clone();
    const extra = h.tokens.issue(JANE);
    h.cognito.once('signInWithPassword', signedInWith(extra));
    h.cognito.on('revokeRefreshToken', undefined);
    await b.post('/account/mfa/verify', { _csrf: csrf, password: FAKE_PASSWORD });
    assert.deepEqual(h.cognito.argsOf('signInWithPassword').at(-1), [JANE.email, FAKE_PASSWORD]);
    assert.deepEqual(
      h.cognito.argsOf('revokeRefreshToken'),
      [[extra.refreshToken]],
      'the check signs nobody in',
    );
    assert.notEqual(
      b.cookies.get('session'),
      before.cookies.get('session'),
      'a new session id after the check',
    );
    assert.equal((await before.get('/account')).status, 302, 'the old id no longer resolves');
    assert.equal((await b.get('/account')).status, 200);
  });

  test('the settings show what GetUser says; prefer and disable send one change each', async () => {
    const { b, csrf } = await reauthenticated();
    h.cognito.on('getUser', user({ mfaEnabled: ['SMS_MFA'], mfaPreferred: 'SMS_MFA' }));
    const page = await b.get('/account/mfa');
    assert.match(
      page.body,
      /Text message \(SMS\)<\/strong>\s*<span class="badge badge-on">On<\/span>\s*<span class="badge badge-preferred">/,
    );
    h.cognito.on('setMfaPreference', undefined);
    const prefer = await b.post('/account/mfa', { _csrf: csrf, method: 'EMAIL_OTP', action: 'prefer' });
    assert.equal(prefer.location, '/account/mfa?notice=changed');
    assert.match((await b.get(prefer.location)).body, /two-step verification settings were saved/);
    const off = await b.post('/account/mfa', { _csrf: csrf, method: 'SMS_MFA', action: 'disable' });
    assert.equal(off.location, '/account/mfa?notice=changed');
    const accessToken = ((await h.store.get(b.cookies.get('session')!))!.auth as { accessToken: string })
      .accessToken;
    assert.deepEqual(h.cognito.argsOf('setMfaPreference'), [
      [accessToken, { EMAIL_OTP: { enabled: true, preferred: true } }],
      [accessToken, { SMS_MFA: { enabled: false, preferred: false } }],
    ]);
    const bad = await b.post('/account/mfa', { _csrf: csrf, method: 'WEB_AUTHN', action: 'enable' });
    assert.equal(bad.status, 400);
    assert.equal(h.cognito.callCount('setMfaPreference'), 2);
  });

  test('the check expires after a few minutes', async () => {
    const { b, csrf } = await reauthenticated();
    h.clock.advance(h.config.mfa.reauthMinutes * 60_000 + 1000);
    try {
      const change = await b.post('/account/mfa', { _csrf: csrf, method: 'SMS_MFA', action: 'enable' });
      assert.match(change.body, /enter your password again/);
      assert.equal(h.cognito.callCount('setMfaPreference'), 0);
    } finally {
      h.clock.advance(-(h.config.mfa.reauthMinutes * 60_000 + 1000));
    }
  });

  test('the authenticator app: turned on only once set up; a wrong first code is refused', async () => {
    const { b, csrf } = await reauthenticated();
    h.cognito.on('getUser', user());
    const enable = await b.post('/account/mfa', {
      _csrf: csrf,
      method: 'SOFTWARE_TOKEN_MFA',
      action: 'enable',
    });
    assert.equal(enable.location, '/account/mfa/totp', 'set it up first');
    h.cognito.on('associateSoftwareToken', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    const setup = await b.get('/account/mfa/totp');
    assert.match(setup.body, /<code class="secret">JBSW Y3DP EHPK 3PXP/);
    assert.equal((await b.get('/account/mfa/totp')).status, 200);
    assert.equal(
      h.cognito.callCount('associateSoftwareToken'),
      1,
      'one secret per set-up, kept in the session',
    );
    const qr = await b.get('/account/mfa/totp/qr.svg');
    assert.equal(qr.headers.get('content-type'), 'image/svg+xml');
    h.cognito.once('verifySoftwareToken', cognitoError('EnableSoftwareTokenMFAException', 'Code mismatch'));
    const wrong = await b.post('/account/mfa/totp', { _csrf: csrf, code: '000000' });
    assert.equal(wrong.status, 400);
    h.cognito.on('verifySoftwareToken', undefined);
    h.cognito.on('setMfaPreference', undefined);
    const done = await b.post('/account/mfa/totp', { _csrf: csrf, code: '123456' });
    assert.equal(done.location, '/account/mfa?notice=changed');
    assert.deepEqual(h.cognito.argsOf('setMfaPreference').at(-1)![1], {
      SOFTWARE_TOKEN_MFA: { enabled: true, preferred: true },
    });
  });
});
