// Limits per client IP and per account on every Cognito-bound form: a 429 page before Cognito (a scripted fake,
// whose calls are counted) is called. Across instances on Redis: test/integration/redis-instances.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RATE_LIMITED_ROUTES } from '../../src/rate-limit/auth-rate-limit.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { cognitoError, JANE, startFakeHarness, type FakeHarness } from '../helpers/fake-harness.ts';

/** A form that every route accepts as far as the limiter cares; handlers may refuse it later, that is fine. */
const FORM = { username: 'someone@example.com', email: 'someone@example.com', password: 'Wrong-password-1' };

/** Refused by the limiter: its error page, not a form's own "wait before asking again". */
const limited = (res: { status: number; body: string }) =>
  res.status === 429 && /Too many requests/.test(res.body);

async function csrfFor(b: Browser): Promise<string> {
  return csrfOf((await b.get('/login')).body);
}

/** Cognito refuses whatever the forms send (wrong password, no such code); what matters is whether it was asked. */
function refuseEverything(h: FakeHarness): void {
  const wrong = cognitoError('NotAuthorizedException', 'Incorrect username or password.');
  const mismatch = cognitoError(
    'CodeMismatchException',
    'Invalid verification code provided, please try again.',
  );
  h.cognito
    .on('signInWithPassword', wrong)
    .on('signUp', cognitoError('InvalidPasswordException', 'Password did not conform with policy'))
    .on('confirmSignUp', mismatch)
    .on('resendConfirmationCode', undefined)
    .on('forgotPassword', undefined)
    .on('confirmForgotPassword', mismatch);
}

describe('behind one trusted proxy (TRUST_PROXY=1)', () => {
  let h: FakeHarness;
  before(async () => {
    h = await startFakeHarness({
      env: { TRUST_PROXY: '1', RATE_LIMIT_PER_IP: '2', RATE_LIMIT_PER_ACCOUNT: '1000' },
    });
    refuseEverything(h);
  });
  after(() => h.close());

  test('every listed route is limited per client IP, with a 429 page and Retry-After, before Cognito', async () => {
    let client = 0;
    for (const path of Object.keys(RATE_LIMITED_ROUTES)) {
      // Each route from its own client address, so the routes of one group do not share what they spend.
      const ip = `192.0.2.${++client}`;
      const b = h.browser();
      const csrf = await csrfFor(b);
      const post = () => b.post(path, { _csrf: csrf, ...FORM }, { 'x-forwarded-for': ip });
      for (let i = 0; i < 2; i++) assert.ok(!limited(await post()), `${path} attempt ${i + 1}`);
      h.cognito.resetCalls();
      const refused = await post();
      assert.ok(limited(refused), path);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1, `${path}: Retry-After`);
      assert.match(refused.body, /Too many requests/);
      assert.doesNotMatch(refused.body, /Wrong-password-1|someone@example\.com/);
      assert.equal(h.cognito.callCount(), 0, `${path}: Cognito not called once limited`);
    }
    assert.deepEqual(h.cognito.unscripted, [], 'every call the forms made was answered');
  });

  test('the address is the one the proxy appended, whatever the client wrote before it', async () => {
    const b = h.browser();
    const csrf = await csrfFor(b);
    const post = (xff: string) =>
      b.post('/forgot-password', { _csrf: csrf, email: 'x@example.com' }, { 'x-forwarded-for': xff });
    assert.notEqual((await post('198.51.100.9')).status, 429);
    assert.notEqual((await post('10.0.0.1, 198.51.100.9')).status, 429);
    assert.equal((await post('10.0.0.2, 198.51.100.9')).status, 429, 'a new leftmost entry does not help');
    assert.notEqual(
      (await post('198.51.100.9, 198.51.100.10')).status,
      429,
      'another client is counted apart',
    );
  });
});

describe('without a trusted proxy (the default)', () => {
  let h: FakeHarness;
  before(async () => {
    h = await startFakeHarness({ env: { RATE_LIMIT_PER_IP: '6', RATE_LIMIT_PER_ACCOUNT: '2' } });
    refuseEverything(h);
  });
  after(() => h.close());

  test('X-Forwarded-For is ignored: the socket address is counted', async () => {
    const b = h.browser();
    const csrf = await csrfFor(b);
    const statuses: boolean[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await b.post(
        '/signup',
        { _csrf: csrf, email: `spoof-${i}@example.com`, password: 'x' },
        { 'x-forwarded-for': `203.0.113.${i}` },
      );
      statuses.push(limited(res));
    }
    assert.deepEqual(statuses, [false, false, false, false, false, false, true]);
  });

  test('the per-account limit holds for known and unknown accounts alike, before Cognito', async () => {
    for (const username of [JANE.email!, 'nobody-here@example.com']) {
      const b = h.browser();
      const csrf = await csrfFor(b);
      const post = () => b.post('/login', { _csrf: csrf, username, password: 'Wrong-password-1' });
      assert.equal((await post()).status, 401);
      assert.equal((await post()).status, 401);
      h.cognito.resetCalls();
      const refused = await post();
      assert.equal(refused.status, 429, username);
      assert.equal(h.cognito.callCount(), 0);
    }
  });
});
