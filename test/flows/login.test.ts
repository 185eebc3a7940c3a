// Sign-in, sign-out, protected pages, token refresh and request hygiene, given Cognito's answers (a scripted fake).
// The same flows end to end against the emulator: test/integration/login.test.ts.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createLoginThrottle } from '../../src/rate-limit/login-throttle.ts';
import { Browser, csrfOf, type Page } from '../helpers/browser.ts';
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
  h = await startFakeHarness();
});
after(() => h.close());
beforeEach(() => {
  h.cognito.reset();
  // Any name and password Cognito does not know: its answer with "prevent user existence errors" on.
  h.cognito.on(
    'signInWithPassword',
    cognitoError('NotAuthorizedException', 'Incorrect username or password.'),
  );
});

const jane = () => ({ username: JANE.email!, password: FAKE_PASSWORD });
const sessionCookie = (b: Browser) => b.cookies.get('session');
let users = 0;
const someone = (tag: string): FakeUser => {
  const id = `${tag}-${++users}-0000-4000-8000-000000000000`;
  return { username: id, sub: id, email: `${tag}-${users}@example.com`, name: undefined, groups: [] };
};
/** The next sign-in of `user` succeeds with fresh tokens. */
const acceptNext = (user: FakeUser = JANE) =>
  h.cognito.once('signInWithPassword', signedInWith(h.tokens.issue(user)));
const strip = (s: string) => s.replace(/value="[^"]*@example\.com"/, 'value="X"');
const cookieShape = (p: Page) => p.headers.getSetCookie().map((c) => c.replace(/=[^;]*/g, '=X'));

describe('sign in', () => {
  test('the password goes to Cognito as typed; its tokens are verified and start a session on a new id', async () => {
    const b = h.browser();
    const form = await b.get('/login');
    assert.equal(form.status, 200);
    assert.match(form.body, /autocomplete="username"/);
    assert.match(form.body, /autocomplete="current-password"/);
    assert.equal(
      sessionCookie(b),
      undefined,
      'showing the form stores no session (a signed double-submit token)',
    );
    // A planted session id (fixation) must not survive the sign-in.
    b.cookies.set('session', 'A'.repeat(43));
    acceptNext();
    const res = await b.post('/login?returnTo=%2Faccount', { _csrf: csrfOf(form.body), ...jane() });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/account');
    const signedIn = sessionCookie(b);
    assert.ok(signedIn && signedIn !== 'A'.repeat(43), 'a new session id at sign-in');
    assert.deepEqual(h.cognito.argsOf('signInWithPassword'), [[JANE.email, FAKE_PASSWORD, undefined]]);
    const account = await b.get('/account');
    assert.equal(account.status, 200);
    assert.match(account.body, /jane@example\.com/);
    assert.match(account.body, /<dd>staff<\/dd>/);
    assert.doesNotMatch(account.body, /fake-(access|id|refresh)-/, 'no token on the page');
    assert.equal(h.cognito.callCount(), 1, 'the account page asks Cognito nothing');
  });

  test('tokens that fail verification start no session', async () => {
    const tokens = h.tokens.issue(JANE);
    h.tokens.refuse(tokens);
    h.cognito.once('signInWithPassword', signedInWith(tokens));
    const b = h.browser();
    const res = await b.submit('/login', '/login', jane());
    assert.equal(res.status, 503);
    assert.match(res.body, /Temporarily unavailable/);
    assert.equal((await b.get('/account')).status, 302);
  });

  test('the old session id no longer resolves after sign-in', async () => {
    const b = h.browser();
    await b.get('/login');
    const before = b.clone();
    acceptNext();
    await b.post('/login', { _csrf: csrfOf((await before.get('/login')).body), ...jane() });
    assert.equal((await b.get('/account')).status, 200);
    const stale = await before.get('/account');
    assert.equal(stale.status, 302);
    assert.match(stale.location!, /^\/login\?/);
  });

  test('the session cookie is HttpOnly, SameSite=Lax, path /, no domain, small', async () => {
    const b = h.browser();
    const form = await b.get('/login');
    acceptNext();
    const res = await b.post('/login', { _csrf: csrfOf(form.body), ...jane() });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='))!;
    assert.match(cookie, /httponly/i);
    assert.match(cookie, /samesite=lax/i);
    assert.match(cookie, /path=\//i);
    assert.doesNotMatch(cookie, /domain=/i);
    assert.doesNotMatch(cookie, /secure/i, 'plain http: no Secure flag');
    const id = cookie.split(';')[0]!.split('=')[1]!;
    assert.equal(Buffer.from(id, 'base64url').length, 32, '256-bit session id');
    for (const c of res.headers.getSetCookie()) assert.ok(c.length < 4096);
  });

  test('an unknown user and a wrong password give the same status, page and cookies', async () => {
    h.cognito
      .once('signInWithPassword', cognitoError('NotAuthorizedException', 'Incorrect username or password.'))
      .once('signInWithPassword', cognitoError('UserNotFoundException', 'User does not exist.'));
    const b = h.browser();
    const csrf = csrfOf((await b.get('/login')).body);
    const wrong = await b.post('/login', {
      _csrf: csrf,
      username: JANE.email!,
      password: 'Wrong-password-1',
    });
    const unknown = await b.post('/login', {
      _csrf: csrf,
      username: 'nobody@example.com',
      password: 'Wrong-password-1',
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, wrong.status);
    assert.equal(strip(unknown.body), strip(wrong.body));
    assert.deepEqual(cookieShape(unknown), cookieShape(wrong));
    assert.match(wrong.body, /Incorrect email address or password\./);
    assert.doesNotMatch(wrong.body, /Wrong-password-1/, 'the password is never echoed');
    assert.equal((await b.get('/account')).status, 302);
  });

  test('five wrong passwords lock the account: refused before Cognito, even with the right password', async () => {
    const user = someone('locked');
    const b = h.browser();
    const csrf = csrfOf((await b.get('/login')).body);
    for (let i = 0; i < 5; i++) {
      const res = await b.post('/login', {
        _csrf: csrf,
        username: user.email!,
        password: 'Wrong-password-1',
      });
      assert.equal(res.status, 401);
    }
    const locked = await b.post('/login', {
      _csrf: csrf,
      username: user.email!,
      password: 'Wrong-password-1',
    });
    assert.equal(locked.status, 429);
    assert.match(locked.body, /temporarily locked/);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    acceptNext(user);
    const right = await b.post('/login', { _csrf: csrf, username: user.email!, password: FAKE_PASSWORD });
    assert.equal(right.status, 429);
    assert.equal(h.cognito.callCount('signInWithPassword'), 5, 'refused before Cognito once locked');
    assert.equal((await b.get('/account')).status, 302);
  });

  test('the count is per account, ignores case, and a success clears it', async () => {
    const user = someone('counted');
    // A new browser for each attempt: a sign-in rotates the session, and its CSRF token with it.
    const attempt = async (username: string, password = 'Wrong-password-1') =>
      h.browser().submit('/login', '/login', { username, password });
    for (let i = 0; i < 4; i++) assert.equal((await attempt(user.email!.toUpperCase())).status, 401);
    acceptNext(user);
    assert.equal((await attempt(`  ${user.email!}`, FAKE_PASSWORD)).location, '/account');
    for (let i = 0; i < 5; i++) assert.equal((await attempt(user.email!)).status, 401, `attempt ${i + 1}`);
    assert.equal((await attempt(user.email!)).status, 429);
    assert.equal((await attempt(someone('other').email!)).status, 401, 'another account is not locked');
  });

  test('an unknown account locks exactly like a known one, so locking tells nothing', async () => {
    const known = someone('lock-known').email!;
    const unknown = someone('lock-unknown').email!;
    h.cognito.on('signInWithPassword', (username) =>
      Promise.reject(
        username === known
          ? cognitoError('NotAuthorizedException', 'Incorrect username or password.')
          : cognitoError('UserNotFoundException', 'User does not exist.'),
      ),
    );
    const b = h.browser();
    const csrf = csrfOf((await b.get('/login')).body);
    const attempt = (username: string) =>
      b.post('/login', { _csrf: csrf, username, password: 'Wrong-password-1' });
    for (let i = 0; i < 5; i++) {
      await attempt(known);
      await attempt(unknown);
    }
    const [k, u] = [await attempt(known), await attempt(unknown)];
    assert.equal(k.status, 429);
    assert.equal(u.status, k.status);
    assert.equal(strip(u.body), strip(k.body));
    assert.equal(h.cognito.callCount('signInWithPassword'), 10);
  });

  test("Cognito's own lockout (reached past our counter) shows the same locked page", async () => {
    const lenient = await startFakeHarness({
      loginThrottle: createLoginThrottle({ maxFailures: 1000, windowSeconds: 60 }),
    });
    try {
      lenient.cognito.on(
        'signInWithPassword',
        cognitoError('NotAuthorizedException', 'Password attempts exceeded'),
      );
      const b = lenient.browser();
      const locked = await b.submit('/login', '/login', jane());
      assert.equal(locked.status, 429);
      assert.match(locked.body, /temporarily locked/);
      assert.equal(lenient.cognito.callCount('signInWithPassword'), 1, 'this time Cognito said it');
      assert.equal((await b.get('/account')).status, 302);
    } finally {
      await lenient.close();
    }
  });

  test('empty fields are named without calling Cognito', async () => {
    const res = await h.browser().submit('/login', '/login', { username: '', password: '' });
    assert.equal(res.status, 400);
    assert.match(res.body, /href="#username">Enter your email address/);
    assert.match(res.body, /href="#password">Enter your password/);
    assert.match(res.body, /aria-describedby="username-error"/);
    assert.equal(h.cognito.callCount(), 0);
  });

  test('a signed-in visitor to /login goes on to the account', async () => {
    const b = await h.signedIn();
    const res = await b.get('/login');
    assert.equal(res.status, 302);
    assert.equal(res.location, '/account');
  });

  test('Cognito unreachable or throttling: its own page, no session, the form still works afterwards', async () => {
    for (const [err, status, text] of [
      [cognitoError('TimeoutError', 'Request timed out'), 503, /Temporarily unavailable/],
      [cognitoError('InternalErrorException', ''), 503, /Temporarily unavailable/],
      [cognitoError('TooManyRequestsException', 'Too many requests'), 429, /Too many requests/],
    ] as const) {
      h.cognito.once('signInWithPassword', err);
      const b = h.browser();
      const res = await b.submit('/login', '/login', jane());
      assert.equal(res.status, status, err.name);
      assert.match(res.body, text);
      assert.ok(Number(res.headers.get('retry-after')) > 0, `${err.name}: Retry-After`);
      assert.equal((await b.get('/account')).status, 302);
    }
    acceptNext();
    assert.equal((await h.browser().submit('/login', '/login', jane())).location, '/account');
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
    acceptNext();
    const done = await b.post(action, { _csrf: csrfOf(form.body), ...jane() });
    assert.equal(done.location, '/account?tab=groups');
  });

  test('returnTo pointing elsewhere is replaced by the account page', async () => {
    const b = h.browser();
    const form = await b.get('/login?returnTo=%2F%2Fevil.example');
    acceptNext();
    const done = await b.post('/login?returnTo=%2F%2Fevil.example', { _csrf: csrfOf(form.body), ...jane() });
    assert.equal(done.location, '/account');
  });
});

describe('sign out', () => {
  test('GET /logout asks first; POST revokes the refresh token and ends the session, copies included', async () => {
    const b = await h.signedIn();
    const copy = b.clone();
    const confirm = await b.get('/logout');
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /method="post" action="\/logout"/);
    const auth = (await h.store.get(b.cookies.get('session')!))!.auth as { refreshToken: string };
    h.cognito.resetCalls();
    h.cognito.on('revokeRefreshToken', undefined);
    const res = await b.post('/logout', { _csrf: csrfOf(confirm.body) });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/login?notice=signed-out');
    assert.deepEqual(h.cognito.argsOf('revokeRefreshToken'), [[auth.refreshToken]]);
    assert.match((await b.get(res.location)).body, /You have been signed out\./);
    const stolen = await copy.get('/account');
    assert.equal(stolen.status, 302);
    assert.match(stolen.location!, /^\/login/);
  });

  test('sign-out works even when the revocation fails', async () => {
    const b = await h.signedIn();
    h.cognito.on('revokeRefreshToken', cognitoError('InternalErrorException', ''));
    const res = await b.post('/logout', { _csrf: csrfOf((await b.get('/logout')).body) });
    assert.equal(res.status, 302);
    assert.equal((await b.get('/account')).status, 302);
  });

  test('sign-out without a CSRF token is refused and the session survives', async () => {
    const b = await h.signedIn();
    h.cognito.resetCalls();
    const res = await b.post('/logout', {});
    assert.equal(res.status, 403);
    assert.equal(h.cognito.callCount(), 0);
    assert.equal((await b.get('/account')).status, 200);
  });
});

describe('token refresh', () => {
  const HOUR = 61 * 60_000;
  async function later<T>(ms: number, work: () => Promise<T>): Promise<T> {
    h.clock.advance(ms);
    try {
      return await work();
    } finally {
      h.clock.advance(-ms);
    }
  }

  test('an expired access token is refreshed once, with the internal username and the refresh token', async () => {
    const b = await h.signedIn();
    const auth = (await h.store.get(b.cookies.get('session')!))!.auth as { refreshToken: string };
    h.cognito.resetCalls();
    await later(HOUR, async () => {
      h.cognito.on('refresh', () => h.tokens.issue(JANE, { refresh: false }));
      const res = await b.get('/account');
      assert.equal(res.status, 200);
      assert.deepEqual(h.cognito.argsOf('refresh'), [[JANE.username, auth.refreshToken, undefined]]);
      assert.equal((await b.get('/account')).status, 200);
      assert.equal(h.cognito.callCount('refresh'), 1, 'the new token is kept');
    });
    const kept = (await h.store.get(b.cookies.get('session')!))!.auth as { refreshToken: string };
    assert.equal(kept.refreshToken, auth.refreshToken, 'no rotation: the refresh token stays');
  });

  test('concurrent requests share one refresh', async () => {
    const b = await h.signedIn();
    h.cognito.resetCalls();
    // Cognito answers the refresh only once every request has read its session (and so has asked for the refresh
    // or joined the one in flight): however slowly a busy machine lets them arrive.
    let reads = 0;
    const get = h.store.get.bind(h.store);
    h.store.get = (key) => {
      reads++;
      return get(key);
    };
    const allRead = async () => {
      for (const until = performance.now() + 10_000; reads < 6 && performance.now() < until;)
        await new Promise((resolve) => setTimeout(resolve, 5));
      // The last request's own steps from its session to the refresh run before any timer.
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    try {
      await later(HOUR, async () => {
        h.cognito.on('refresh', async () => {
          await allRead();
          return h.tokens.issue(JANE, { refresh: false });
        });
        const pages = await Promise.all(Array.from({ length: 6 }, () => b.get('/account')));
        for (const p of pages) assert.equal(p.status, 200);
        assert.equal(reads, 6);
        assert.equal(h.cognito.callCount('refresh'), 1);
      });
    } finally {
      h.store.get = get;
    }
  });

  test('a refresh refused (revoked) ends the session', async () => {
    const b = await h.signedIn();
    await later(HOUR, async () => {
      h.cognito.on('refresh', cognitoError('NotAuthorizedException', 'Refresh Token has been revoked'));
      const res = await b.get('/account');
      assert.equal(res.status, 302);
      assert.equal(res.location, '/login?returnTo=%2Faccount&notice=session-ended');
      assert.equal((await b.get('/account')).location?.startsWith('/login'), true, 'the session is gone');
      assert.equal(h.cognito.callCount('refresh'), 1);
    });
  });

  test('a refresh failing in an outage answers 503 and keeps the session for later', async () => {
    const b = await h.signedIn();
    await later(HOUR, async () => {
      h.cognito.once('refresh', cognitoError('InternalErrorException', ''));
      assert.equal((await b.get('/account')).status, 503);
      h.cognito.on('refresh', () => h.tokens.issue(JANE, { refresh: false }));
      assert.equal((await b.get('/account')).status, 200, 'the session survived the outage');
    });
  });

  test('the absolute lifetime ends a session however active it was', async () => {
    const b = await h.signedIn();
    h.cognito.resetCalls();
    h.cognito.on('refresh', () => h.tokens.issue(JANE, { refresh: false }));
    const LIFETIME = 12 * 3_600_000; // SESSION_ABSOLUTE_HOURS (default 12)
    const STEP = 25 * 60_000; // within the idle timeout (30 minutes)
    let elapsed = 0;
    const wait = (ms: number) => {
      h.clock.advance(ms);
      elapsed += ms;
    };
    try {
      // In use all day: a request every 25 minutes, its access token refreshed as it expires.
      while (elapsed + STEP < LIFETIME) {
        wait(STEP);
        const res = await b.get('/account');
        assert.equal(res.status, 200, `in use for ${elapsed / 60_000} minutes: ${res.location ?? ''}`);
      }
      wait(LIFETIME - 60_000 - elapsed);
      assert.equal((await b.get('/account')).status, 200, 'a minute before the absolute lifetime');
      assert.ok(h.cognito.callCount('refresh') >= 1, 'the tokens were refreshed on the way');
      wait(61_000);
      const res = await b.get('/account');
      assert.equal(res.status, 302);
      assert.match(res.location!, /notice=session-ended/);
      assert.match(
        (await b.get('/account')).location!,
        /^\/login\b(?!.*session-ended)/,
        'and it stays ended',
      );
    } finally {
      h.clock.advance(-elapsed);
    }
  });
});

describe('CSRF and request hygiene', () => {
  test('sign-in without a CSRF token is refused with zero Cognito calls', async () => {
    const b = h.browser();
    await b.get('/login');
    const res = await b.post('/login', jane());
    assert.equal(res.status, 403);
    assert.match(res.body, /This form has expired/);
    assert.equal(h.cognito.callCount(), 0);
  });

  test('a token from another browser is refused', async () => {
    const mine = h.browser();
    const theirs = h.browser();
    const token = csrfOf((await theirs.get('/login')).body);
    await mine.get('/login');
    const res = await mine.post('/login', { _csrf: token, ...jane() });
    assert.equal(res.status, 403);
    assert.equal(h.cognito.callCount(), 0);
  });

  test('a cross-origin POST is refused even with a valid token', async () => {
    const b = h.browser();
    const csrf = csrfOf((await b.get('/login')).body);
    const evil = await b.post('/login', { _csrf: csrf, ...jane() }, { origin: 'https://evil.example' });
    assert.equal(evil.status, 403);
    const site = await b.post('/login', { _csrf: csrf, ...jane() }, { 'sec-fetch-site': 'cross-site' });
    assert.equal(site.status, 403);
    const nullCrossSite = await b.post(
      '/login',
      { _csrf: csrf, ...jane() },
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
    );
    assert.equal(nullCrossSite.status, 403);
    assert.equal(h.cognito.callCount(), 0);
    // Our own no-referrer pages post with `Origin: null`; same-origin by Sec-Fetch-Site, and the token holds.
    acceptNext();
    const nullSameSite = await b.post(
      '/login',
      { _csrf: csrf, ...jane() },
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    );
    assert.equal(nullSameSite.status, 302);
    assert.equal(h.cognito.callCount(), 1);
  });

  test('tampered, unsigned and malformed cookies are anonymous, not errors', async () => {
    const b = await h.signedIn();
    const id = b.cookies.get('session')!;
    for (const value of [id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A'), 'x'.repeat(5000), '%%%']) {
      const other = new Browser(h.baseUrl);
      other.cookies.set('session', value);
      other.cookies.set('session.sig', 'forged');
      const res = await other.get('/account');
      assert.equal(res.status, 302, value.slice(0, 20));
    }
    const unsigned = new Browser(h.baseUrl);
    unsigned.cookies.set('session', id);
    assert.equal((await unsigned.get('/account')).status, 302);
    assert.equal((await b.get('/account')).status, 200, 'the real cookie still works');
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
    assert.equal(h.cognito.callCount(), 0);
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
    assert.match((await b.get('/')).body, /You are signed in as Jane Doe/);
  });

  test('health and readiness answer without asking Cognito', async () => {
    const b = h.browser();
    assert.equal((await b.get('/healthz')).status, 200);
    const ready = await b.get('/readyz');
    assert.equal(ready.status, 200, ready.body);
    assert.equal(h.cognito.callCount(), 0);
  });
});
