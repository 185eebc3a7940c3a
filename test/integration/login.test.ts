// Sign-in, sign-out and token refresh end to end over HTTP, against the emulator. What the app does with each of
// Cognito's answers (errors, lockout, CSRF, cookies, headers) is checked through a scripted fake in
// test/flows/login.test.ts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { adminClient, globalSignOut } from '../helpers/admin.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());
beforeEach(() => h.emulator.resetCalls());

const demo = () => ({ username: h.pool.demoUser.email, password: h.pool.demoUser.password });
const sessionCookie = (b: Browser) => b.cookies.get('session');

describe('sign in', () => {
  test('the demo user signs in and sees who they are and their groups', async () => {
    const b = h.browser();
    const form = await b.get('/login');
    assert.equal(form.status, 200);
    assert.equal(sessionCookie(b), undefined, 'showing the form stores no session');

    const res = await b.post('/login?returnTo=%2Faccount', { _csrf: csrfOf(form.body), ...demo() });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/account');
    assert.ok(sessionCookie(b), 'a session at sign-in');
    assert.equal(h.emulator.callCount('InitiateAuth'), 1);

    const account = await b.get('/account');
    assert.equal(account.status, 200);
    assert.match(account.body, /demo@example\.com/);
    assert.match(account.body, /<dd>demo<\/dd>/);
    assert.doesNotMatch(account.body, /eyJ[A-Za-z0-9_-]{10,}/, 'no token on the page');
  });

  test('a wrong password is refused by Cognito and starts no session', async () => {
    const b = h.browser();
    const res = await b.submit('/login', '/login', { ...demo(), password: 'Wrong-password-1' });
    assert.equal(res.status, 401);
    assert.match(res.body, /Incorrect email address or password\./);
    assert.equal(h.emulator.callCount('InitiateAuth'), 1);
    assert.equal((await b.get('/account')).status, 302);
  });
});

describe('sign out', () => {
  test('GET /logout asks first; POST signs out, revokes the token, and a copied cookie is then anonymous', async () => {
    const b = await h.signedIn();
    const copy = b.clone();
    const confirm = await b.get('/logout');
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /method="post" action="\/logout"/);
    h.emulator.resetCalls();
    const res = await b.post('/logout', { _csrf: csrfOf(confirm.body) });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/login?notice=signed-out');
    assert.equal(h.emulator.callCount('RevokeToken'), 1);
    const notice = await b.get(res.location);
    assert.match(notice.body, /You have been signed out\./);
    const stolen = await copy.get('/account');
    assert.equal(stolen.status, 302);
    assert.match(stolen.location!, /^\/login/);
  });
});

describe('token refresh', () => {
  test('an expired access token is refreshed once, with the internal username', async () => {
    const b = await h.signedIn();
    h.emulator.resetCalls();
    h.clock.advance(61 * 60_000);
    try {
      const res = await b.get('/account');
      assert.equal(res.status, 200);
      assert.equal(h.emulator.callCount('InitiateAuth'), 1);
      const again = await b.get('/account');
      assert.equal(again.status, 200);
      assert.equal(h.emulator.callCount('InitiateAuth'), 1, 'the new token is kept');
    } finally {
      h.clock.advance(-61 * 60_000);
    }
  });

  test('a refresh refused after revocation ends the session', async () => {
    const b = await h.signedIn();
    const other = await h.signedIn();
    // A global sign-out (an admin, or the user elsewhere) ends every refresh token of the user.
    await globalSignOut(adminClient(h.emulator.endpoint), h.pool.userPoolId, h.pool.demoUser.email);
    h.clock.advance(61 * 60_000);
    try {
      const res = await b.get('/account');
      assert.equal(res.status, 302);
      assert.equal(res.location, '/login?returnTo=%2Faccount&notice=session-ended');
      assert.equal((await b.get('/account')).location?.startsWith('/login'), true, 'the session is gone');
      assert.equal((await other.get('/account')).status, 302);
    } finally {
      h.clock.advance(-61 * 60_000);
    }
  });
});

describe('readiness', () => {
  test('ready once the signing keys are loaded from the emulator', async () => {
    const b = h.browser();
    assert.equal((await b.get('/healthz')).status, 200);
    // The keys load in the background from the start; on a busy machine that may take a moment.
    let ready = await b.get('/readyz');
    for (let i = 0; i < 100 && ready.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await b.get('/readyz');
    }
    assert.equal(ready.status, 200, ready.body);
    assert.equal((JSON.parse(ready.body) as { jwks: boolean }).jwks, true);
  });
});
