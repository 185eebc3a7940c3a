// The hosted-UI round trip against the emulator, and every way the callback refuses: no session, one token call.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { openPending, pendingCookieName } from '../../src/flows/hosted/pending-authorization.ts';
import type { PendingAuthorization } from '../../src/session/auth-session.ts';
import type { Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { hostedSignIn, newHostedBrowser } from '../helpers/hosted-ui.ts';

let h: Harness;
before(async () => {
  h = await startHarness({ env: { LOGIN_MODE: 'hosted' } });
});
after(() => h.close());
beforeEach(() => h.emulator.resetCalls());

const demo = () => ({ username: h.pool.demoUser.email, password: h.pool.demoUser.password });

/** Starts sign-in at the app; returns the authorize URL it redirected to. */
async function start(b: Browser, path = '/account'): Promise<URL> {
  const res = await b.get(path);
  const login = res.location!.startsWith('/login') ? await b.get(res.location!) : res;
  assert.equal(login.status, 302);
  return new URL(login.location!);
}

/** The pending authorization the app keeps in its sealed cookie (tests only: to forge a mismatched nonce). */
function pendingOf(b: Browser): Promise<PendingAuthorization> {
  const name = pendingCookieName(false);
  return Promise.resolve(openPending(b.cookies.get(name)!, h.config.session.keys, name)!);
}

const callbackPath = (location: string) => {
  const url = new URL(location);
  return url.pathname + url.search;
};

describe('round trip', () => {
  test('hosted mode: /account -> hosted UI -> /callback -> back on /account, signed in', async () => {
    const b = h.browser();
    const authorize = await start(b, '/account?tab=mfa');
    assert.equal(authorize.origin, h.emulator.endpoint);
    assert.equal(authorize.pathname, '/oauth2/authorize');
    const q = authorize.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), h.pool.clientId);
    assert.equal(q.get('redirect_uri'), `${h.baseUrl}/callback`);
    assert.equal(q.get('scope'), 'openid email profile');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.match(q.get('state')!, /^[\w-]{43}$/);
    assert.match(q.get('nonce')!, /^[\w-]{43}$/);
    assert.equal(q.get('lang'), 'en');
    assert.doesNotMatch(authorize.href, /account|tab/, 'returnTo never travels in the request');
    const pending = await pendingOf(b);
    assert.equal(q.get('code_challenge'), createHash('sha256').update(pending.verifier).digest('base64url'));

    const back = await hostedSignIn(newHostedBrowser(h.emulator.endpoint), authorize.href, demo());
    assert.ok(back.location!.startsWith(`${h.baseUrl}/callback?`));
    const done = await b.get(callbackPath(back.location!));
    assert.equal(done.status, 302);
    assert.equal(done.location, '/account?tab=mfa');
    assert.equal(h.emulator.callCount('oauth2/token'), 1);
    const account = await b.get('/account?tab=mfa');
    assert.equal(account.status, 200);
    assert.match(account.body, /demo@example\.com/);
  });

  test('signing out ends our session and sends the browser to the hosted sign-out', async () => {
    const b = h.browser();
    const authorize = await start(b);
    const back = await hostedSignIn(newHostedBrowser(h.emulator.endpoint), authorize.href, demo());
    await b.get(callbackPath(back.location!));
    const confirm = await b.get('/logout');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    const out = await b.post('/logout', { _csrf: csrf });
    const logout = new URL(out.location!);
    assert.equal(logout.origin + logout.pathname, `${h.emulator.endpoint}/logout`);
    assert.equal(logout.searchParams.get('client_id'), h.pool.clientId);
    assert.equal(logout.searchParams.get('logout_uri'), `${h.baseUrl}/signed-out`);
    assert.equal((await b.get('/account')).status, 302);
    const hosted = newHostedBrowser(h.emulator.endpoint);
    const bounced = await hosted.get(logout.pathname + logout.search);
    assert.equal(bounced.location, `${h.baseUrl}/signed-out`);
    assert.match((await b.get('/signed-out')).body, /You have been signed out/);
  });
});

describe('the callback refuses, leaving no session and making no token call', () => {
  async function assertRefused(b: Browser, path: string, expectStatus = 400) {
    h.emulator.resetCalls();
    const res = await b.get(path);
    assert.equal(res.status, expectStatus);
    assert.match(res.body, /Sign-in could not be completed|Sign-in cancelled/);
    assert.equal((await b.get('/account')).status, 302, 'not signed in');
    return res;
  }

  test('a missing state', async () => {
    const b = h.browser();
    const authorize = await start(b);
    const back = await hostedSignIn(newHostedBrowser(h.emulator.endpoint), authorize.href, demo());
    const url = new URL(back.location!);
    url.searchParams.delete('state');
    await assertRefused(b, url.pathname + url.search);
    assert.equal(h.emulator.callCount('oauth2/token'), 0);
  });

  test('a wrong state, and the authorization is spent afterwards', async () => {
    const b = h.browser();
    const authorize = await start(b);
    const back = await hostedSignIn(newHostedBrowser(h.emulator.endpoint), authorize.href, demo());
    const url = new URL(back.location!);
    const real = url.searchParams.get('state')!;
    url.searchParams.set('state', real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A'));
    await assertRefused(b, url.pathname + url.search);
    await assertRefused(b, callbackPath(back.location!));
    assert.equal(h.emulator.callCount('oauth2/token'), 0);
  });

  test('a callback from another browser (login CSRF / code injection)', async () => {
    const victim = h.browser();
    const attacker = h.browser();
    const authorize = await start(attacker);
    const back = await hostedSignIn(newHostedBrowser(h.emulator.endpoint), authorize.href, demo());
    await victim.get('/');
    await assertRefused(victim, callbackPath(back.location!));
    assert.equal(h.emulator.callCount('oauth2/token'), 0);
  });

  test('a replayed code', async () => {
    const b = h.browser();
    const authorize = await start(b);
    const back = await hostedSignIn(newHostedBrowser(h.emulator.endpoint), authorize.href, demo());
    assert.equal((await b.get(callbackPath(back.location!))).status, 302);
    const other = h.browser();
    await assertRefused(other, callbackPath(back.location!));
    assert.equal(h.emulator.callCount('oauth2/token'), 0, 'refused by state before any token call');
  });

  test('a code the token endpoint refuses (token-endpoint error): one token call, friendly page', async () => {
    const b = h.browser();
    const authorize = await start(b);
    const state = authorize.searchParams.get('state')!;
    await assertRefused(b, `/callback?code=not-a-real-code&state=${state}`);
    assert.equal(h.emulator.callCount('oauth2/token'), 1);
  });

  test('an ID token with a nonce we did not send', async () => {
    const b = h.browser();
    const authorize = await start(b);
    const pending = await pendingOf(b);
    // The same PKCE challenge and redirect, but another nonce: the tokens come back bound to it.
    const forged = new URL(authorize);
    forged.searchParams.set('nonce', 'a-nonce-we-never-sent');
    const back = await hostedSignIn(newHostedBrowser(h.emulator.endpoint), forged.href, demo());
    assert.equal(new URL(back.location!).searchParams.get('state'), pending.state);
    await assertRefused(b, callbackPath(back.location!));
    assert.equal(h.emulator.callCount('oauth2/token'), 1);
    assert.equal(h.emulator.callCount('RevokeToken'), 1, 'the refused refresh token is revoked');
  });

  test('the user cancelling (error=access_denied) gets a calm page', async () => {
    const b = h.browser();
    const authorize = await start(b);
    const back = await hostedSignIn(newHostedBrowser(h.emulator.endpoint), authorize.href, 'cancel');
    assert.equal(new URL(back.location!).searchParams.get('error'), 'access_denied');
    const res = await assertRefused(b, callbackPath(back.location!), 200);
    assert.match(res.body, /You cancelled signing in/);
    assert.equal(h.emulator.callCount('oauth2/token'), 0);
  });
});

describe('no session before a sign-in', () => {
  test('being sent to the hosted UI stores nothing on the server: the transaction is a sealed cookie', async () => {
    const before = h.store.size;
    for (let i = 0; i < 20; i++) {
      const b = h.browser();
      const res = await b.get('/login/hosted');
      assert.equal(res.status, 302);
      assert.equal(b.cookies.get('session'), undefined, 'no session cookie');
      const sealed = b.cookies.get(pendingCookieName(false))!;
      assert.ok(sealed, 'the transaction travels sealed');
      assert.doesNotMatch(Buffer.from(sealed, 'base64url').toString('latin1'), /state|verifier|nonce/);
    }
    assert.equal(h.store.size, before, 'nothing stored');
  });
});
