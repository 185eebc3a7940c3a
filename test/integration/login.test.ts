// Sign-in, sign-out and protected pages over HTTP, against the emulator.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { adminClient, createConfirmedUser, globalSignOut } from '../helpers/admin.ts';
import { Browser, csrfOf } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { createLoginThrottle } from '../../src/rate-limit/login-throttle.ts';

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
    assert.match(form.body, /autocomplete="username"/);
    assert.match(form.body, /autocomplete="current-password"/);
    const preSession = sessionCookie(b);
    assert.ok(preSession, 'the form starts a pre-session for its CSRF token');

    const res = await b.post('/login?returnTo=%2Faccount', { _csrf: csrfOf(form.body), ...demo() });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/account');
    assert.notEqual(sessionCookie(b), preSession, 'a new session id at sign-in');
    assert.equal(h.emulator.callCount('InitiateAuth'), 1);

    const account = await b.get('/account');
    assert.equal(account.status, 200);
    assert.match(account.body, /demo@example\.com/);
    assert.match(account.body, /<dd>demo<\/dd>/);
    assert.doesNotMatch(account.body, /eyJ[A-Za-z0-9_-]{10,}/, 'no token on the page');
  });

  test('the old session id no longer resolves after sign-in', async () => {
    const b = h.browser();
    await b.get('/login');
    const before = b.clone();
    await b.post('/login', { _csrf: csrfOf((await before.get('/login')).body), ...demo() });
    const stale = await before.get('/account');
    assert.equal(stale.status, 302);
    assert.match(stale.location!, /^\/login\?/);
  });

  test('the session cookie is HttpOnly, SameSite=Lax, path /, no domain, small', async () => {
    const b = h.browser();
    const res = await b.get('/login');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='))!;
    assert.match(cookie, /httponly/i);
    assert.match(cookie, /samesite=lax/i);
    assert.match(cookie, /path=\//i);
    assert.doesNotMatch(cookie, /domain=/i);
    const id = cookie.split(';')[0]!.split('=')[1]!;
    assert.equal(Buffer.from(id, 'base64url').length, 32, '256-bit session id');
    for (const c of res.headers.getSetCookie()) assert.ok(c.length < 4096);
  });

  test('unknown user and wrong password give the same status, page and cookies', async () => {
    const b = h.browser();
    const csrf = csrfOf((await b.get('/login')).body);
    const wrong = await b.post('/login', {
      _csrf: csrf,
      username: 'demo@example.com',
      password: 'Wrong-password-1',
    });
    const unknown = await b.post('/login', {
      _csrf: csrf,
      username: 'nobody@example.com',
      password: 'Wrong-password-1',
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, wrong.status);
    const strip = (s: string) => s.replace(/value="[^"]*@example\.com"/, 'value="X"');
    assert.equal(strip(unknown.body), strip(wrong.body));
    // Same cookies and attributes; values (the unchanged id, an expiry a second apart) aside.
    const names = (p: typeof wrong) => p.headers.getSetCookie().map((c) => c.replace(/=[^;]*/g, '=X'));
    assert.deepEqual(names(unknown), names(wrong));
    assert.match(wrong.body, /Incorrect email address or password\./);
    assert.doesNotMatch(wrong.body, /Wrong-password-1/, 'the password is never echoed');
  });

  test('a locked account says so, and the right password does not get through while locked', async () => {
    const b = h.browser();
    const csrf = csrfOf((await b.get('/login')).body);
    const { username } = await createUser('locked');
    for (let i = 0; i < 5; i++) {
      const res = await b.post('/login', { _csrf: csrf, username, password: 'Wrong-password-1' });
      assert.equal(res.status, 401);
    }
    const locked = await b.post('/login', { _csrf: csrf, username, password: 'Wrong-password-1' });
    assert.equal(locked.status, 429);
    assert.match(locked.body, /temporarily locked/);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    const right = await b.post('/login', { _csrf: csrf, username, password: PASSWORD });
    assert.equal(right.status, 429);
    assert.equal(h.emulator.callCount('InitiateAuth'), 5, 'refused before Cognito once locked');
    assert.equal((await b.get('/account')).status, 302);
  });

  test('an unknown account locks exactly like a known one, so locking tells nothing', async () => {
    const b = h.browser();
    const csrf = csrfOf((await b.get('/login')).body);
    const { username: known } = await createUser('lock-known');
    const unknown = `lock-unknown-${Date.now()}@example.com`;
    const attempt = (username: string) =>
      b.post('/login', { _csrf: csrf, username, password: 'Wrong-password-1' });
    for (let i = 0; i < 5; i++) {
      await attempt(known);
      await attempt(unknown);
    }
    const [k, u] = [await attempt(known), await attempt(unknown)];
    assert.equal(k.status, 429);
    assert.equal(u.status, k.status);
    const strip = (s: string) => s.replace(/value="[^"]*@example\.com"/, 'value="X"');
    assert.equal(strip(u.body), strip(k.body));
  });

  test("Cognito's own lockout (reached past our counter) shows the same locked page", async () => {
    const lenient = await startHarness({
      loginThrottle: createLoginThrottle({ maxFailures: 1000, windowSeconds: 60 }),
    });
    try {
      const b = lenient.browser();
      const csrf = csrfOf((await b.get('/login')).body);
      const username = lenient.pool.demoUser.email;
      for (let i = 0; i < 5; i++)
        await b.post('/login', { _csrf: csrf, username, password: 'Wrong-password-1' });
      const locked = await b.post('/login', {
        _csrf: csrf,
        username,
        password: lenient.pool.demoUser.password,
      });
      assert.equal(locked.status, 429);
      assert.match(locked.body, /temporarily locked/);
      assert.equal(lenient.emulator.callCount('InitiateAuth'), 6, 'this time Cognito said it');
    } finally {
      await lenient.close();
    }
  });

  test('empty fields are named without calling Cognito', async () => {
    const b = h.browser();
    const res = await b.submit('/login', '/login', { username: '', password: '' });
    assert.equal(res.status, 400);
    assert.match(res.body, /href="#username">Enter your email address/);
    assert.match(res.body, /href="#password">Enter your password/);
    assert.match(res.body, /aria-describedby="username-error"/);
    assert.equal(h.emulator.callCount(), 0);
  });

  test('a signed-in visitor to /login goes on to the account', async () => {
    const b = await h.signedIn();
    const res = await b.get('/login');
    assert.equal(res.status, 302);
    assert.equal(res.location, '/account');
  });
});

describe('protected pages', () => {
  test('an anonymous visitor is sent to sign in, and comes back to the page asked for', async () => {
    const b = h.browser();
    const res = await b.get('/account?tab=groups');
    assert.equal(res.status, 302);
    const login = new URL(res.location!, h.baseUrl);
    assert.equal(login.pathname, '/login');
    assert.equal(login.searchParams.get('returnTo'), '/account?tab=groups');
    const form = await b.get(res.location!);
    assert.match(form.body, /Please sign in to continue\./);
    const action = /action="([^"]+)"/.exec(form.body)![1]!.replace(/&amp;/g, '&');
    const done = await b.post(action, { _csrf: csrfOf(form.body), ...demo() });
    assert.equal(done.location, '/account?tab=groups');
  });

  test('returnTo pointing elsewhere is replaced by the account page', async () => {
    const b = h.browser();
    const form = await b.get('/login?returnTo=%2F%2Fevil.example');
    const done = await b.post('/login?returnTo=%2F%2Fevil.example', { _csrf: csrfOf(form.body), ...demo() });
    assert.equal(done.location, '/account');
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

  test('sign-out without a CSRF token is refused and the session survives', async () => {
    const b = await h.signedIn();
    h.emulator.resetCalls();
    const res = await b.post('/logout', {});
    assert.equal(res.status, 403);
    assert.equal(h.emulator.callCount(), 0);
    assert.equal((await b.get('/account')).status, 200);
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

  test('concurrent requests share one refresh', async () => {
    const b = await h.signedIn();
    h.emulator.resetCalls();
    h.clock.advance(61 * 60_000);
    try {
      const pages = await Promise.all(Array.from({ length: 6 }, () => b.get('/account')));
      for (const p of pages) assert.equal(p.status, 200);
      assert.equal(h.emulator.callCount('InitiateAuth'), 1);
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

  test('the absolute lifetime ends a session however active it was', async () => {
    const b = await h.signedIn();
    h.clock.advance(12 * 3_600_000 + 1000);
    try {
      const res = await b.get('/account');
      assert.equal(res.status, 302);
      assert.match(res.location!, /notice=session-ended/);
    } finally {
      h.clock.advance(-(12 * 3_600_000 + 1000));
    }
  });
});

describe('CSRF and request hygiene', () => {
  test('sign-in without a CSRF token is refused with zero Cognito calls', async () => {
    const b = h.browser();
    await b.get('/login');
    const res = await b.post('/login', demo());
    assert.equal(res.status, 403);
    assert.match(res.body, /This form has expired/);
    assert.equal(h.emulator.callCount(), 0);
  });

  test('a token from another browser is refused', async () => {
    const mine = h.browser();
    const theirs = h.browser();
    const token = csrfOf((await theirs.get('/login')).body);
    await mine.get('/login');
    const res = await mine.post('/login', { _csrf: token, ...demo() });
    assert.equal(res.status, 403);
    assert.equal(h.emulator.callCount(), 0);
  });

  test('a cross-origin POST is refused even with a valid token', async () => {
    const b = h.browser();
    const csrf = csrfOf((await b.get('/login')).body);
    const evil = await b.post('/login', { _csrf: csrf, ...demo() }, { origin: 'https://evil.example' });
    assert.equal(evil.status, 403);
    const site = await b.post('/login', { _csrf: csrf, ...demo() }, { 'sec-fetch-site': 'cross-site' });
    assert.equal(site.status, 403);
    assert.equal(h.emulator.callCount(), 0);
    const nullCrossSite = await b.post(
      '/login',
      { _csrf: csrf, ...demo() },
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
    );
    assert.equal(nullCrossSite.status, 403);
    assert.equal(h.emulator.callCount(), 0);
    // Our own no-referrer pages post with `Origin: null`; same-origin by Sec-Fetch-Site, and the token holds.
    const nullSameSite = await b.post(
      '/login',
      { _csrf: csrf, ...demo() },
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    );
    assert.equal(nullSameSite.status, 302);
  });

  test('tampered, unsigned and malformed cookies are anonymous, not errors', async () => {
    const b = await h.signedIn();
    const id = b.cookies.get('session')!;
    for (const [name, value] of [
      ['session', id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A')],
      ['session', 'x'.repeat(5000)],
      ['session', '%%%'],
    ] as const) {
      const other = new Browser(h.baseUrl);
      other.cookies.set(name, value);
      other.cookies.set('session.sig', 'forged');
      const res = await other.get('/account');
      assert.equal(res.status, 302, `${value.slice(0, 20)}`);
    }
    const unsigned = new Browser(h.baseUrl);
    unsigned.cookies.set('session', id);
    assert.equal((await unsigned.get('/account')).status, 302);
  });

  test('wrong content type, oversized bodies and repeated keys get friendly errors', async () => {
    const b = h.browser();
    await b.get('/login');
    const json = await b.request('POST', '/login', '{"username":"a"}', {
      'content-type': 'application/json',
    });
    assert.equal(json.status, 415);
    const big = await b.post('/login', { username: 'a'.repeat(40_000) });
    assert.equal(big.status, 413);
    const repeated = await b.request('POST', '/login', 'username=a&username=b', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(repeated.status, 400);
    for (const res of [json, big, repeated]) {
      assert.match(res.headers.get('content-type')!, /text\/html/);
      assert.doesNotMatch(res.body, /at [\w.]+ \(|Error:/);
    }
    assert.equal(h.emulator.callCount(), 0);
  });
});

describe('pages and headers', () => {
  test('every page carries the security headers and no-store', async () => {
    const b = h.browser();
    for (const path of ['/', '/login', '/nope']) {
      const res = await b.get(path);
      const csp = res.headers.get('content-security-policy')!;
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /object-src 'none'/);
      assert.match(csp, /base-uri 'none'/);
      assert.match(csp, /form-action 'self'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'same-origin');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('x-powered-by'), null);
    }
  });

  test('unknown pages get a friendly 404', async () => {
    const res = await h.browser().get('/no/such/page');
    assert.equal(res.status, 404);
    assert.match(res.body, /Page not found/);
  });

  test('the home page offers sign-in, then says who you are', async () => {
    const anon = await h.browser().get('/');
    assert.match(anon.body, /href="\/login"/);
    const b = await h.signedIn();
    const home = await b.get('/');
    assert.match(home.body, /You are signed in as Demo User/);
  });

  test('health and readiness answer', async () => {
    const b = h.browser();
    assert.equal((await b.get('/healthz')).status, 200);
    const ready = await b.get('/readyz');
    assert.equal(ready.status, 200, ready.body);
  });
});

const PASSWORD = 'Correct-horse-1';
let userCount = 0;
async function createUser(prefix: string): Promise<{ username: string }> {
  const username = `${prefix}-${++userCount}-${Date.now()}@example.com`;
  await createConfirmedUser(adminClient(h.emulator.endpoint), h.pool.userPoolId, username, PASSWORD);
  return { username };
}
