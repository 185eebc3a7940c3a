// Forgotten and reset passwords given Cognito's answers (a scripted fake): what is sent, which error lands at which
// field, unknown accounts, and the sessions a reset ends. End to end against the emulator:
// test/integration/recovery.test.ts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { csrfOf } from '../helpers/browser.ts';
import {
  cognitoError,
  FAKE_PASSWORD,
  JANE,
  startFakeHarness,
  type FakeHarness,
  type FakeUser,
} from '../helpers/fake-harness.ts';

let h: FakeHarness;
before(async () => {
  h = await startFakeHarness();
});
after(() => h.close());
beforeEach(() => {
  h.cognito.reset();
  h.cognito.on('forgotPassword', undefined);
  h.cognito.on('revokeRefreshToken', undefined);
});

const NEW = 'Brand-new-pass-2';
const stripCsrf = (s: string) => s.replace(/name="_csrf" value="[^"]+"/g, '');

describe('forgot and reset password', () => {
  test('the code and new password go to Cognito for the address typed; then sign in, not signed in already', async () => {
    const b = h.browser();
    const asked = await b.submit('/forgot-password', '/forgot-password', { email: ' reset@example.com ' });
    assert.equal(asked.status, 302);
    assert.equal(asked.location, '/reset-password');
    assert.deepEqual(h.cognito.argsOf('forgotPassword'), [['reset@example.com']]);
    const page = await b.get('/reset-password');
    assert.match(page.body, /If an account exists for r\*\*\*@e\*\*\*\.com, we sent it a code/);
    assert.match(page.body, /autocomplete="one-time-code"/);
    assert.match(page.body, /autocomplete="new-password"/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');

    h.cognito.on('confirmForgotPassword', undefined);
    const done = await b.post('/reset-password', {
      _csrf: csrfOf(page.body),
      code: '123 456',
      newPassword: NEW,
    });
    assert.equal(done.status, 302);
    assert.equal(done.location, '/login?notice=password-changed');
    assert.deepEqual(h.cognito.argsOf('confirmForgotPassword'), [['reset@example.com', '123456', NEW]]);
    assert.equal((await b.get('/account')).status, 302, 'a reset does not sign you in');
    const login = await b.get(done.location);
    assert.match(login.body, /Your password has been changed/);
    assert.match(login.body, /value="reset@example\.com"/, 'the address is filled in');
    assert.equal((await b.get('/reset-password')).location, '/forgot-password', 'the reset is spent');
  });

  test("a reset ends every session of the user and revokes each one's refresh token; others stay", async () => {
    const jane = [await h.signedIn(), await h.signedIn()];
    const other: FakeUser = { ...JANE, username: 'u-2', sub: 'u-2', email: 'other@example.com' };
    const bystander = await h.signedIn(other);
    const refreshTokens = await Promise.all(
      jane.map(
        async (b) =>
          ((await h.store.get(b.cookies.get('session')!))!.auth as { refreshToken: string }).refreshToken,
      ),
    );
    h.cognito.resetCalls();
    const b = h.browser();
    await b.submit('/forgot-password', '/forgot-password', { email: JANE.email! });
    h.cognito.on('confirmForgotPassword', undefined);
    await b.submit('/reset-password', '/reset-password', { code: '123456', newPassword: NEW });
    assert.deepEqual(
      h.cognito
        .argsOf('revokeRefreshToken')
        .map((a) => a[0])
        .sort(),
      refreshTokens.sort(),
    );
    for (const s of jane) assert.equal((await s.get('/account')).status, 302);
    assert.equal((await bystander.get('/account')).status, 200, "another user's session stays");
  });

  test('an unknown account gets the very same pages, whether or not Cognito says so', async () => {
    h.cognito.on('forgotPassword', (username) =>
      username.startsWith('known')
        ? undefined
        : Promise.reject(cognitoError('UserNotFoundException', 'Username/client id combination not found.')),
    );
    h.cognito.on('confirmForgotPassword', (username) =>
      Promise.reject(
        username.startsWith('known')
          ? cognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.')
          : cognitoError('UserNotFoundException', 'Username/client id combination not found.'),
      ),
    );
    const [a, b] = [h.browser(), h.browser()];
    const ra = await a.submit('/forgot-password', '/forgot-password', { email: 'known@example.com' });
    const rb = await b.submit('/forgot-password', '/forgot-password', { email: 'knowx@example.com' });
    assert.equal(ra.status, rb.status);
    assert.equal(ra.location, rb.location);
    const [pa, pb] = [await a.get('/reset-password'), await b.get('/reset-password')];
    assert.equal(stripCsrf(pa.body), stripCsrf(pb.body));
    const [wa, wb] = [
      await a.post('/reset-password', { _csrf: csrfOf(pa.body), code: '123456', newPassword: NEW }),
      await b.post('/reset-password', { _csrf: csrfOf(pb.body), code: '123456', newPassword: NEW }),
    ];
    assert.equal(wa.status, 400);
    assert.equal(wa.status, wb.status);
    assert.equal(stripCsrf(wa.body), stripCsrf(wb.body));
    assert.equal(h.cognito.callCount('forgotPassword'), 2);
  });

  test("wrong code, expired code and Cognito's policy refusal each get their message at the right field", async () => {
    const b = h.browser();
    await b.submit('/forgot-password', '/forgot-password', { email: JANE.email! });
    const cases = [
      [
        cognitoError('CodeMismatchException', 'Invalid verification code provided'),
        /id="code-error" class="error-message">The code is incorrect/,
      ],
      [
        cognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.'),
        /id="code-error" class="error-message">The code has expired/,
      ],
      [
        cognitoError(
          'InvalidPasswordException',
          'Password does not conform to policy: Password must have uppercase characters',
        ),
        /id="newPassword-error" class="error-message">Your password needs an uppercase letter/,
      ],
      [
        cognitoError('PasswordHistoryPolicyViolationException', ''),
        /id="newPassword-error" class="error-message">/,
      ],
    ] as const;
    for (const [err, message] of cases) {
      h.cognito.once('confirmForgotPassword', err);
      const res = await b.submit('/reset-password', '/reset-password', { code: '123456', newPassword: NEW });
      assert.equal(res.status, 400, err.name);
      assert.match(res.body, message, err.name);
      assert.doesNotMatch(res.body, new RegExp(NEW), 'the password is never echoed');
      assert.doesNotMatch(res.body, /value="123456"/, `${err.name}: nor the code (a secret)`);
    }
    assert.equal(h.cognito.callCount('confirmForgotPassword'), cases.length);
    assert.equal((await b.get('/reset-password')).status, 200, 'the reset stays pending');
  });

  test('a weak password and a malformed code are named before Cognito is called', async () => {
    const b = h.browser();
    await b.submit('/forgot-password', '/forgot-password', { email: JANE.email! });
    const res = await b.submit('/reset-password', '/reset-password', {
      code: '12ab',
      newPassword: 'nouppercase1!',
    });
    assert.equal(res.status, 400);
    assert.match(
      res.body,
      /id="newPassword-error" class="error-message">Your password needs an uppercase letter/,
    );
    assert.match(res.body, /Enter the code as 6 digits/);
    assert.equal(h.cognito.callCount('confirmForgotPassword'), 0);
  });

  test("Cognito's limit per user looks like a code sent (an unknown account always is); an outage goes to the error page", async () => {
    const b = h.browser();
    h.cognito.once('forgotPassword', cognitoError('InternalErrorException', ''));
    const down = await b.submit('/forgot-password', '/forgot-password', { email: JANE.email! });
    assert.equal(down.status, 503);
    assert.equal((await b.get('/reset-password')).location, '/forgot-password', 'no reset pending');
    h.cognito.once('forgotPassword', cognitoError('LimitExceededException', 'Attempt limit exceeded'));
    const limited = await b.submit('/forgot-password', '/forgot-password', { email: JANE.email! });
    assert.equal(limited.status, 302, 'the same answer as for an account that does not exist');
    assert.equal(limited.location, '/reset-password');
    h.cognito.once('forgotPassword', cognitoError('CodeDeliveryFailureException', 'Unable to deliver'));
    const undeliverable = await h
      .browser()
      .submit('/forgot-password', '/forgot-password', { email: JANE.email! });
    assert.equal(undeliverable.status, 302, 'a failed delivery tells nothing either');
  });

  test('Cognito demanding a reset at sign-in sends a code and goes to the reset page', async () => {
    h.cognito.once(
      'signInWithPassword',
      cognitoError('PasswordResetRequiredException', 'Password reset required for the user'),
    );
    const b = h.browser();
    const res = await b.submit('/login', '/login', { username: JANE.email!, password: FAKE_PASSWORD });
    assert.equal(res.location, '/reset-password');
    assert.deepEqual(h.cognito.argsOf('forgotPassword'), [[JANE.email]]);
    const page = await b.get('/reset-password');
    assert.match(page.body, /You need to choose a new password/);
    h.cognito.on('confirmForgotPassword', undefined);
    const done = await b.post('/reset-password', {
      _csrf: csrfOf(page.body),
      code: '123456',
      newPassword: NEW,
    });
    assert.equal(done.location, '/login?notice=password-changed');
  });

  test('the reset page without a pending reset sends you to ask for a code', async () => {
    const b = h.browser();
    const res = await b.get('/reset-password');
    assert.equal(res.status, 302);
    assert.equal(res.location, '/forgot-password');
    const posted = await b.submit('/forgot-password', '/reset-password', {
      code: '123456',
      newPassword: NEW,
    });
    assert.equal(posted.status, 400);
    assert.equal(h.cognito.callCount(), 0);
  });

  test('an empty or oversized address is refused before Cognito', async () => {
    for (const email of ['', `${'a'.repeat(120)}@example.com`]) {
      const res = await h.browser().submit('/forgot-password', '/forgot-password', { email });
      assert.equal(res.status, 400, email.slice(0, 10));
    }
    assert.equal(h.cognito.callCount(), 0);
  });
});

describe('CSRF on the recovery forms', () => {
  for (const path of ['/forgot-password', '/reset-password']) {
    test(`${path} refuses a missing CSRF token with zero Cognito calls`, async () => {
      const b = h.browser();
      await b.get('/forgot-password');
      const res = await b.post(path, { email: 'x@example.com', code: '123456', newPassword: NEW });
      assert.equal(res.status, 403);
      assert.equal(h.cognito.callCount(), 0);
    });
  }
});
