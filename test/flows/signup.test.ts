// Sign-up and confirmation given Cognito's answers (a scripted fake): what is sent, the resend cooldown, taken
// addresses, errors at their fields, the sign-in after confirming. End to end against the emulator:
// test/integration/signup.test.ts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import {
  cognitoError,
  FAKE_PASSWORD,
  JANE,
  signedInWith,
  startFakeHarness,
  type FakeHarness,
  type FakeUser,
} from '../helpers/fake-harness.ts';

let h: FakeHarness;
before(async () => {
  h = await startFakeHarness({ env: { RESEND_COOLDOWN_SECONDS: '30' } });
});
after(() => h.close());
beforeEach(() => {
  h.cognito.reset();
  h.cognito.on('signUp', { confirmed: false, session: 'sign-up-session' });
  h.cognito.on('resendConfirmationCode', undefined);
});

const PASSWORD = 'Sunny-day-42';
let n = 0;
const newEmail = (tag: string) => `${tag}-${++n}@example.com`;
const userFor = (email: string): FakeUser => ({
  username: `uuid-${email}`,
  sub: `uuid-${email}`,
  email,
  name: 'Jane Doe',
  groups: [],
});
const stripCsrf = (s: string) => s.replace(/name="_csrf" value="[^"]+"/g, '');

function signUp(b: Browser, email: string, extra: Record<string, string> = {}) {
  return b.submit('/signup', '/signup', { email, name: 'Jane Doe', password: PASSWORD, ...extra });
}

describe('sign up and confirm', () => {
  test('SignUp gets the address, password and fields; the code confirms with its session and signs in', async () => {
    const b = h.browser();
    const email = newEmail('new');
    const res = await signUp(b, email);
    assert.equal(res.status, 302);
    assert.equal(res.location, '/confirm');
    assert.deepEqual(h.cognito.argsOf('signUp'), [[email, PASSWORD, { email, name: 'Jane Doe' }]]);
    const page = await b.get('/confirm');
    assert.match(page.body, /We sent a code to n\*\*\*@e\*\*\*\.com/);
    assert.match(page.body, /autocomplete="one-time-code"/);
    assert.match(page.body, /inputmode="numeric"/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');

    h.cognito.once('confirmSignUp', 'sign-in-session');
    h.cognito.once('signInWithSession', signedInWith(h.tokens.issue(userFor(email))));
    const done = await b.post('/confirm', { _csrf: csrfOf(page.body), code: '123456' });
    assert.equal(done.status, 302);
    assert.equal(done.location, '/account?notice=account-confirmed');
    assert.deepEqual(h.cognito.argsOf('confirmSignUp'), [[email, '123456', 'sign-up-session']]);
    assert.deepEqual(h.cognito.argsOf('signInWithSession'), [[email, 'sign-in-session']]);
    const account = await b.get(done.location);
    assert.equal(account.status, 200);
    assert.match(
      account.body,
      /notice-success" role="status">Your account is confirmed, and you are signed in/,
    );
    assert.match(account.body, new RegExp(email.replace(/[.]/g, '\\.')));
    assert.equal((await b.get('/confirm')).body.includes('We sent a code'), false, 'the sign-up is spent');
  });

  test('an expired sign-up session only costs the automatic sign-in', async () => {
    const b = h.browser();
    const email = newEmail('late');
    await signUp(b, email);
    h.cognito.once(
      'confirmSignUp',
      cognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.'),
    );
    h.cognito.once('confirmSignUp', undefined);
    const done = await b.submit('/confirm', '/confirm', { code: '123456' });
    assert.deepEqual(h.cognito.argsOf('confirmSignUp'), [
      [email, '123456', 'sign-up-session'],
      [email, '123456', undefined],
    ]);
    assert.equal(done.location, '/login?notice=account-confirmed');
    assert.equal(h.cognito.callCount('signInWithSession'), 0);
    const login = await b.get(done.location);
    assert.match(login.body, /Your account is confirmed/);
    assert.match(login.body, new RegExp(`value="${email.replace(/[.]/g, '\\.')}"`));
  });

  test('a sign-in after confirming that fails still leaves the account confirmed: sign in with the password', async () => {
    const b = h.browser();
    await signUp(b, newEmail('fails'));
    h.cognito.once('confirmSignUp', 'sign-in-session');
    h.cognito.once(
      'signInWithSession',
      cognitoError('NotAuthorizedException', 'Invalid session for the user.'),
    );
    const done = await b.submit('/confirm', '/confirm', { code: '123456' });
    assert.equal(done.location, '/login?notice=account-confirmed');
    assert.equal((await b.get('/account')).status, 302);
  });

  test('a pool that confirms without a code goes straight to sign-in', async () => {
    h.cognito.once('signUp', { confirmed: true, session: undefined });
    const b = h.browser();
    const email = newEmail('auto');
    const res = await signUp(b, email);
    assert.equal(res.location, '/login?notice=account-confirmed');
    assert.match((await b.get(res.location)).body, new RegExp(`value="${email.replace(/[.]/g, '\\.')}"`));
  });

  test('a resend waits for a visible cooldown, then asks Cognito for one new code', async () => {
    const b = h.browser();
    const email = newEmail('resend');
    await signUp(b, email);
    const page = await b.get('/confirm');
    assert.match(page.body, /You can ask for a new code in (30|29) seconds/);
    assert.match(
      page.body,
      /<button type="submit" class="link-button" disabled aria-describedby="resend-wait">/,
    );
    assert.match(page.body, /data-resend-wait="(30|29)"/, 'the script counts down from the same number');
    // The button waits on the page; the server refuses an early resend all the same.
    const early = await b.post('/confirm/resend', { _csrf: csrfOf(page.body) });
    assert.equal(early.status, 429);
    assert.match(early.body, /Please wait \d+ seconds/);
    assert.ok(Number(early.headers.get('retry-after')) > 0);
    assert.equal(h.cognito.callCount('resendConfirmationCode'), 0);

    h.clock.advance(31_000);
    try {
      const resent = await b.post('/confirm/resend', { _csrf: csrfOf(page.body) });
      assert.equal(resent.location, '/confirm?notice=resent');
      assert.deepEqual(h.cognito.argsOf('resendConfirmationCode'), [[email]]);
      const after = await b.get(resent.location);
      assert.match(after.body, /We sent a new code to r\*\*\*@e\*\*\*\.com/);
      assert.match(after.body, /class="link-button" disabled/, 'and the button waits again');
      h.clock.advance(31_000);
      assert.match((await b.get('/confirm')).body, /<button type="submit" class="link-button">/, 'ready');
      h.clock.advance(-31_000);
      const again = await b.post('/confirm/resend', { _csrf: csrfOf(page.body) });
      assert.equal(again.status, 429, 'the cooldown starts again');
    } finally {
      h.clock.advance(-31_000);
    }
    // The sign-up session survives the resend: confirming still signs in.
    h.cognito.once('confirmSignUp', 'sign-in-session');
    h.cognito.once('signInWithSession', signedInWith(h.tokens.issue(userFor(email))));
    assert.equal(
      (await b.post('/confirm', { _csrf: csrfOf(page.body), code: '123456' })).location,
      '/account?notice=account-confirmed',
    );
    assert.equal(h.cognito.argsOf('confirmSignUp')[0]![2], 'sign-up-session');
  });

  test("Cognito's limit per user on resend looks like a code sent (an unknown account always is)", async () => {
    const b = h.browser();
    const email = newEmail('resend-limited');
    await signUp(b, email);
    const page = await b.get('/confirm');
    h.clock.advance(31_000);
    try {
      h.cognito.once(
        'resendConfirmationCode',
        cognitoError('LimitExceededException', 'Attempt limit exceeded'),
      );
      const limited = await b.post('/confirm/resend', { _csrf: csrfOf(page.body) });
      assert.equal(limited.location, '/confirm?notice=resent', 'the same answer as a code sent');
    } finally {
      h.clock.advance(-31_000);
    }
  });

  test('a wrong code stays on the page with the error next to the field; the code is not echoed', async () => {
    const b = h.browser();
    await signUp(b, newEmail('wrong'));
    h.cognito.once(
      'confirmSignUp',
      cognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.'),
    );
    const res = await b.submit('/confirm', '/confirm', { code: '000000' });
    assert.equal(res.status, 400);
    assert.match(res.body, /id="code-error" class="error-message">The code is incorrect/);
    assert.match(res.body, /aria-describedby="code-hint code-error"/);
    assert.doesNotMatch(res.body, /value="000000"/);
    const malformed = await b.submit('/confirm', '/confirm', { code: '12ab' });
    assert.match(malformed.body, /Enter the code as 6 digits/);
    assert.equal(h.cognito.callCount('confirmSignUp'), 1, 'the malformed code never reached Cognito');
  });

  test('an expired code says so and offers a new one', async () => {
    const b = h.browser();
    await signUp(b, newEmail('expired'));
    h.cognito.once(
      'confirmSignUp',
      cognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.'),
    );
    const res = await b.submit('/confirm', '/confirm', { code: '123456' });
    assert.equal(res.status, 400);
    assert.match(res.body, /The code has expired/);
    assert.match(res.body, /Send a new code/);
  });

  test('a weak password names the broken rule, before Cognito is called', async () => {
    const b = h.browser();
    const res = await signUp(b, newEmail('weak'), { password: 'lowercase-only-1' });
    assert.equal(res.status, 400);
    assert.match(res.body, /Your password needs an uppercase letter/);
    assert.match(res.body, /href="#password"/);
    assert.equal(h.cognito.callCount('signUp'), 0);
    const page = await b.get('/signup');
    assert.match(page.body, /Your password needs:/);
    assert.match(page.body, /at least 8 characters/);
    assert.match(page.body, /autocomplete="new-password"/);
  });

  test("Cognito's refusals are shown at their fields, with what was typed kept", async () => {
    const cases = [
      [
        cognitoError(
          'InvalidPasswordException',
          'Password did not conform with policy: Password must have symbol characters',
        ),
        /href="#password">Your password needs a symbol/,
      ],
      [cognitoError('InvalidParameterException', 'Invalid email address format.'), /href="#email">/],
      [
        cognitoError(
          'UserLambdaValidationException',
          'PreSignUp failed with error Your domain is not allowed.',
        ),
        /Your domain is not allowed\./,
      ],
      [
        cognitoError('CodeDeliveryFailureException', 'Unable to deliver the code'),
        /<div class="error-summary"/,
      ],
    ] as const;
    for (const [err, shown] of cases) {
      h.cognito.once('signUp', err);
      const res = await signUp(h.browser(), 'kept@example.com');
      assert.ok(res.status >= 400 && res.status < 500, `${err.name}: ${res.status}`);
      assert.match(res.body, shown, err.name);
      assert.match(res.body, /value="kept@example\.com"/, err.name);
      assert.doesNotMatch(res.body, new RegExp(PASSWORD), `${err.name}: the password is not echoed`);
    }
  });

  test('missing and malformed fields are all named at once, keeping what was typed (but not the password)', async () => {
    const b = h.browser();
    const res = await b.submit('/signup', '/signup', { email: 'not-an-email', name: '', password: PASSWORD });
    assert.equal(res.status, 400);
    assert.match(res.body, /Enter an email address in the right format/);
    assert.match(res.body, /Full name is required/);
    assert.match(res.body, /value="not-an-email"/);
    assert.doesNotMatch(res.body, new RegExp(PASSWORD));
    assert.equal(h.cognito.callCount(), 0);
  });

  test('a weak password is told every rule it breaks at once; the checklist says which are met; the rest is kept', async () => {
    const res = await h
      .browser()
      .submit('/signup', '/signup', { email: 'kept@example.com', name: 'Kept Name', password: 'abc' });
    assert.equal(res.status, 400);
    assert.match(
      res.body,
      /Your password needs at least 8 characters, an uppercase letter, a number, and a symbol, such as ! \? @ # or %/,
    );
    const rules = (res.body.match(/<li data-rule="[^"]+"[^>]*>/g) ?? []).join('\n');
    assert.match(rules, /data-rule="minLength" data-min="8" class="rule-broken"/);
    assert.match(rules, /data-rule="lowercase" class="rule-met"/);
    assert.match(rules, /data-rule="uppercase" class="rule-broken"/);
    assert.match(res.body, /a lowercase letter<span class="visually-hidden"[^>]*> \(done\)<\/span>/);
    assert.match(res.body, /value="kept@example\.com"/);
    assert.match(res.body, /value="Kept Name"/);
    assert.doesNotMatch(res.body, /value="abc"/, 'the password is not sent back');
    const first = await h.browser().get('/signup');
    assert.doesNotMatch(first.body, /rule-met|rule-broken/, 'nothing is ticked before a password was tried');
  });

  test('an email address over the limit is told the limit, not "the right format"; so is the recovery form', async () => {
    const long = `${'a'.repeat(120)}@example.com`;
    const signUpPage = await h
      .browser()
      .submit('/signup', '/signup', { email: long, name: 'A', password: PASSWORD });
    assert.equal(signUpPage.status, 400);
    assert.match(signUpPage.body, /Enter an email address of at most 128 characters/);
    assert.doesNotMatch(signUpPage.body, /right format/);
    const recovery = await h.browser().submit('/forgot-password', '/forgot-password', { email: long });
    assert.equal(recovery.status, 400);
    assert.match(recovery.body, /Enter an email address of at most 128 characters/);
    assert.equal(h.cognito.callCount(), 0);
  });

  test('a taken email looks exactly like a new one, up to a wrong code', async () => {
    const taken = newEmail('taken');
    const free = taken.replace('taken-', 'tfree-');
    h.cognito.on('signUp', (username) =>
      username === taken
        ? Promise.reject(
            cognitoError('UsernameExistsException', 'An account with the given email already exists.'),
          )
        : { confirmed: false, session: 'sign-up-session' },
    );
    h.cognito.on('confirmSignUp', (username) =>
      Promise.reject(
        username === taken
          ? cognitoError('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED')
          : cognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.'),
      ),
    );
    const [a, b] = [h.browser(), h.browser()];
    const takenRes = await signUp(a, taken);
    const freeRes = await signUp(b, free);
    assert.equal(takenRes.status, freeRes.status);
    assert.equal(takenRes.location, freeRes.location);
    const [pa, pb] = [await a.get('/confirm'), await b.get('/confirm')];
    assert.equal(stripCsrf(pa.body).replace(taken[0]!, 'X'), stripCsrf(pb.body).replace(free[0]!, 'X'));
    const [ca, cb] = [
      await a.post('/confirm', { _csrf: csrfOf(pa.body), code: '123456' }),
      await b.post('/confirm', { _csrf: csrfOf(pb.body), code: '123456' }),
    ];
    assert.equal(ca.status, 400);
    assert.equal(ca.status, cb.status);
    assert.equal(stripCsrf(ca.body).replace(taken[0]!, 'X'), stripCsrf(cb.body).replace(free[0]!, 'X'));
  });

  test('signing in before confirming sends a new code and lands on /confirm; confirming there asks for the password', async () => {
    const email = newEmail('early');
    h.cognito.once('signInWithPassword', cognitoError('UserNotConfirmedException', 'User is not confirmed.'));
    const other = h.browser();
    const res = await other.submit('/login', '/login', { username: email, password: FAKE_PASSWORD });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/confirm?notice=unconfirmed');
    assert.deepEqual(h.cognito.argsOf('resendConfirmationCode'), [[email]]);
    const page = await other.get(res.location);
    assert.match(page.body, /not confirmed yet\. We sent a new code to e\*\*\*@e\*\*\*\.com/);
    h.cognito.once('confirmSignUp', undefined);
    const done = await other.post('/confirm', { _csrf: csrfOf(page.body), code: '123456' });
    // Confirmed without a sign-up session in this browser: sign in with the password.
    assert.deepEqual(h.cognito.argsOf('confirmSignUp'), [[email, '123456', undefined]]);
    assert.equal(done.location, '/login?notice=account-confirmed');
    const login = await other.get(done.location);
    assert.match(login.body, /Your account is confirmed/);
    assert.match(login.body, new RegExp(`value="${email.replace(/[.]/g, '\\.')}"`));
  });

  test('a signed-in visitor to /signup goes to the account', async () => {
    const b = await h.signedIn(JANE);
    assert.equal((await b.get('/signup')).location, '/account');
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
      assert.equal(h.cognito.callCount(), 0);
    });
  }
});
