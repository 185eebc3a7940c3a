// ALLOWED_REDIRECT_HOSTS: sign-in and sign-out may send a browser back to an app on a listed host (exact, or below a
// `*.` entry), and nowhere else; SESSION_COOKIE_DOMAIN shares the session with those apps as a __Secure- cookie.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { hiddenFields, hostedSignIn, newHostedBrowser } from '../helpers/hosted-ui.ts';
import { assertNo5xx, assertNoTokenLeak } from '../helpers/protect-checks.ts';
import { REFUSED } from '../helpers/redirect-payloads.ts';

const ALLOWED_HOSTS = 'app1.example.test,*.apps.example.test';

let h: Harness;
before(async () => {
  h = await startHarness({ env: { ALLOWED_REDIRECT_HOSTS: ALLOWED_HOSTS } });
});
after(() => h?.close());

const unescapeHtml = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/** GET /login?returnTo=..., then POST its form as a browser would; returns the answer to the POST. */
async function signInReturningTo(b: Browser, returnTo: string, harness: Harness = h): Promise<Page> {
  const page = await b.get(`/login?${new URLSearchParams({ returnTo }).toString()}`);
  assertNo5xx(page, 'sign-in form');
  assert.equal(page.status, 200);
  const action = unescapeHtml(/<form method="post" action="([^"]+)"/.exec(page.body)![1]!);
  assert.match(action, /^\/login\?returnTo=/, 'the form posts back to the sign-in');
  const res = await b.post(action, {
    _csrf: csrfOf(page.body),
    username: harness.pool.demoUser.email,
    password: harness.pool.demoUser.password,
  });
  assertNo5xx(res, 'sign-in');
  assert.equal(res.status, 302, res.body.slice(0, 200));
  return res;
}

/** The hidden fields of the page's own sign-out form (the header has a bare one of its own first). */
function signOutFields(html: string): Record<string, string> {
  const forms = html.match(/<form method="post" action="\/logout">[\s\S]*?<\/form>/g) ?? [];
  assert.equal(forms.length, 1, "the page's sign-out form");
  return hiddenFields(forms[0]);
}

/** Signed in for real: /account answers 200. */
async function assertSignedIn(b: Browser, what: string): Promise<void> {
  assert.equal((await b.get('/account')).status, 200, `${what}: signed in`);
}

describe('sign-in comes back to an app on an allowed host', () => {
  const allowed: [string, string][] = [
    ['http://app1.example.test/x?y=1', 'http://app1.example.test/x?y=1'],
    [
      'https://app1.example.test/reports/q3?year=2026&tab=a',
      'https://app1.example.test/reports/q3?year=2026&tab=a',
    ],
    ['http://team.apps.example.test/dash', 'http://team.apps.example.test/dash'],
    ['https://a.b.apps.example.test/', 'https://a.b.apps.example.test/'],
    // The parser's normal form is what was checked, and what is sent.
    ['HTTP://APP1.EXAMPLE.TEST/Path', 'http://app1.example.test/Path'],
  ];
  for (const [returnTo, expected] of allowed) {
    test(`${returnTo} -> ${expected}`, async () => {
      const b = h.browser();
      const res = await signInReturningTo(b, returnTo);
      assert.equal(res.location, expected);
      await assertSignedIn(b, returnTo);
    });
  }

  test('already signed in, GET /login?returnTo= an allowed URL goes straight there', async () => {
    const b = await h.signedIn();
    const res = await b.get(`/login?returnTo=${encodeURIComponent('http://app1.example.test/x?y=1')}`);
    assert.equal(res.status, 302);
    assert.equal(res.location, 'http://app1.example.test/x?y=1');
  });

  test('an absolute URL on our own origin comes back as a path', async () => {
    const res = await signInReturningTo(h.browser(), `${h.baseUrl}/account?tab=mfa`);
    assert.equal(res.location, '/account?tab=mfa');
  });
});

/** Hosts that look like an allowed one, and URL tricks around them: all fall back to /account. */
const LOOK_ALIKES: readonly string[] = [
  'http://evil-example.test/x',
  'http://example.test/x',
  'http://app1.example.test.evil.test/x',
  'http://app1.example.test@evil.test/x',
  'http://app1.example.test:x@evil.test/x',
  'http://user@app1.example.test/x',
  'http://user:password@app1.example.test/x',
  // IDN look-alikes: a Cyrillic "а" in the name (it arrives as punycode and matches nothing).
  'http://\u0430pp1.example.test/x',
  'http://app1.ex\u0430mple.test/x',
  'http://team.\u0430pps.example.test/x',
  'http://xn--pp1-5cd.example.test/x',
  // Other ports than the entry names.
  'http://app1.example.test:8080/x',
  'https://app1.example.test:8443/x',
  'http://team.apps.example.test:3000/x',
  // The wildcard's own base and names that merely end the same way.
  'http://apps.example.test/x',
  'http://evilapps.example.test/x',
  'http://team.apps.example.test.evil.test/x',
  'http://app1.example.test./x',
  // Encoded dots and separators in the host.
  'http://app1.example.test%2eevil.test/x',
  'http://evil.test%2fapp1.example.test/x',
  'http://evil.test#@app1.example.test/x',
  'http://evil.test?@app1.example.test/x',
  'http://evil.test\\@app1.example.test/x',
  'http://app1.example.test\\@evil.test/x',
  // Not http(s), or not a whole URL.
  'ftp://app1.example.test/x',
  'javascript://app1.example.test/%0aalert(1)',
  '//app1.example.test/x',
  '///app1.example.test/x',
  'http:/app1.example.test/x',
  'http:app1.example.test/x',
  'app1.example.test/x',
  ' http://app1.example.test/x',
  'http://app1.example.test/x\r\nSet-Cookie: a=b',
  'http://app1.example.test/\u0000',
  'http://127.0.0.1/x',
  'http://[::1]/x',
  `http://app1.example.test/${'a'.repeat(2100)}`,
];

/**
 * Sign-ins of the demo user side by side, but fewer than 5 at once: the login throttle counts each attempt in flight
 * as a failure until it succeeds (5 in a row per account and address), and these suites are not about it.
 */
const SIDE_BY_SIDE = { concurrency: 4 };

describe('look-alikes and tricks fall back to /account', SIDE_BY_SIDE, () => {
  for (const payload of LOOK_ALIKES) {
    test(JSON.stringify(payload).slice(0, 70), async () => {
      const b = h.browser();
      const res = await signInReturningTo(b, payload);
      assert.equal(res.location, '/account');
      await assertSignedIn(b, payload);
    });
  }
});

describe('every REFUSED payload through the sign-in form still lands on /account', SIDE_BY_SIDE, () => {
  for (const payload of REFUSED) {
    test(JSON.stringify(payload).slice(0, 70), async () => {
      const res = await signInReturningTo(h.browser(), payload);
      assert.equal(res.location, '/account');
    });
  }
});

describe('sign-out returns to an allowed host, and to no other', () => {
  /** GET /logout?returnTo=..., then POST its form with its hidden fields (returnTo included when kept). */
  async function signOut(b: Browser, returnTo: string): Promise<{ page: Page; res: Page }> {
    const page = await b.get(`/logout?${new URLSearchParams({ returnTo }).toString()}`);
    assertNo5xx(page, 'sign-out page');
    assert.equal(page.status, 200);
    const res = await b.post('/logout', signOutFields(page.body));
    assertNo5xx(res, 'sign-out');
    return { page, res };
  }

  for (const returnTo of ['http://app1.example.test/bye?a=1', 'https://team.apps.example.test/']) {
    test(`to ${returnTo}`, async () => {
      const b = await h.signedIn();
      h.emulator.resetCalls();
      const { page, res } = await signOut(b, returnTo);
      assert.equal(signOutFields(page.body).returnTo, returnTo, 'the page carries it in a hidden field');
      assert.equal(res.status, 302);
      assert.equal(res.location, returnTo);
      assert.equal(h.emulator.callCount('RevokeToken'), 1, 'the refresh token was revoked');
      const after = await b.get('/account');
      assert.equal(after.status, 302, 'signed out');
      assert.match(after.location ?? '', /^\/login/);
    });
  }

  for (const returnTo of [
    'http://evil.test/',
    'http://app1.example.test.evil.test/',
    'http://user@app1.example.test/',
    'http://app1.example.test:8080/',
  ]) {
    test(`not to ${returnTo}: neither the page nor a forged field takes it`, async () => {
      const b = await h.signedIn();
      const { page, res } = await signOut(b, returnTo);
      assert.equal(signOutFields(page.body).returnTo, undefined, 'the page drops it');
      assert.ok(!page.body.includes(returnTo), 'not echoed anywhere on the page');
      assert.equal(res.status, 302);
      assert.equal(res.location, '/login?notice=signed-out');
      // A forged hidden field on the POST is checked the same way.
      const other = await h.signedIn();
      const form = await other.get('/logout');
      const forged = await other.post('/logout', { _csrf: csrfOf(form.body), returnTo });
      assert.equal(forged.status, 302);
      assert.equal(forged.location, '/login?notice=signed-out');
      assert.equal((await other.get('/account')).status, 302, 'signed out all the same');
    });
  }

  test('not signed in, GET /logout?returnTo= goes to an allowed URL at once, and home otherwise', async () => {
    const allowed = await h
      .browser()
      .get(`/logout?returnTo=${encodeURIComponent('http://app1.example.test/bye')}`);
    assert.equal(allowed.status, 302);
    assert.equal(allowed.location, 'http://app1.example.test/bye');
    for (const returnTo of ['http://evil.test/', ...LOOK_ALIKES.slice(0, 8)]) {
      const res = await h.browser().get(`/logout?${new URLSearchParams({ returnTo }).toString()}`);
      assertNo5xx(res, returnTo);
      assert.equal(res.status, 302, returnTo);
      assert.equal(res.location, '/', returnTo);
    }
  });

  test('signed in through the hosted UI, sign-out still ends at the allowed returnTo', async () => {
    const b = h.browser();
    const hosted = newHostedBrowser(h.emulator.endpoint);
    const start = await b.get('/login/hosted');
    assert.equal(start.status, 302);
    const back = await hostedSignIn(hosted, start.location!, {
      username: h.pool.demoUser.email,
      password: h.pool.demoUser.password,
    });
    const callback = new URL(back.location!);
    const done = await b.get(callback.pathname + callback.search);
    assert.equal(done.status, 302, done.body.slice(0, 200));
    await assertSignedIn(b, 'hosted');

    const returnTo = 'http://app1.example.test/bye';
    const { page, res } = await signOut(b, returnTo);
    assert.equal(signOutFields(page.body).returnTo, returnTo);
    // Through Cognito's /logout (it ends the hosted UI's own session) and back to us, as a browser follows it.
    let current = res;
    const visited: string[] = [];
    for (let i = 0; i < 6 && current.location && current.location !== returnTo; i++) {
      const next = new URL(current.location, h.baseUrl);
      visited.push(next.href);
      current =
        next.origin === h.emulator.endpoint
          ? await hosted.get(next.pathname + next.search)
          : await b.get(next.pathname + next.search);
      assertNo5xx(current, next.href);
    }
    assert.equal(
      current.location,
      returnTo,
      `the way out ends at the allowed returnTo (went through ${visited.join(' -> ')}, ended with ${current.status})`,
    );
  });
});

describe('SESSION_COOKIE_DOMAIN: one session for the apps on its subdomains', () => {
  let s: Harness;
  before(async () => {
    s = await startHarness({
      env: {
        APP_BASE_URL: 'https://auth.example.test',
        SESSION_COOKIE_DOMAIN: 'example.test',
        ALLOWED_REDIRECT_HOSTS: ALLOWED_HOSTS,
        TRUST_PROXY: '1',
      },
    });
  });
  after(() => s?.close());

  /** The Set-Cookie lines for our session cookie (and its signature). */
  const sessionCookies = (res: Page) =>
    res.headers.getSetCookie().filter((c) => /^(__Secure-|__Host-)?session(\.sig)?=/.test(c));

  test('the session cookie is __Secure-session with Domain=example.test; Secure; HttpOnly; SameSite=Lax', async () => {
    const b = s.browser();
    const res = await signInReturningTo(b, 'https://app1.example.test/x?y=1', s);
    assert.equal(res.location, 'https://app1.example.test/x?y=1');
    const cookies = sessionCookies(res);
    assert.ok(cookies.length > 0, 'a session cookie at sign-in');
    for (const cookie of cookies) {
      assert.match(cookie, /^__Secure-session(\.sig)?=/, `${cookie.split('=')[0]}: __Secure- prefixed`);
      assert.match(cookie, /; domain=example\.test(;|$)/i, 'Domain=example.test');
      assert.match(cookie, /; secure(;|$)/i, 'Secure');
      assert.match(cookie, /; httponly(;|$)/i, 'HttpOnly');
      assert.match(cookie, /; samesite=lax(;|$)/i, 'SameSite=Lax');
      assert.match(cookie, /; path=\/(;|$)/i, 'Path=/');
    }
    assert.ok(!b.cookies.has('__Host-session'), 'no __Host- cookie (it cannot carry a Domain)');
    assert.ok(!b.cookies.has('session'), 'no unprefixed session cookie');
    assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/);

    // The cookie works: our pages, and a forward-auth check as an app on a subdomain would make it.
    await assertSignedIn(b, 'cookie domain');
    const check = await b.get('/auth/check', {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app1.example.test',
      'x-forwarded-uri': '/x',
    });
    assert.equal(check.status, 200);
    assert.equal(check.headers.get('x-auth-request-email'), s.pool.demoUser.email);
  });

  test('sign-out clears it with the same Domain, so the browser really drops it', async () => {
    const b = await s.signedIn();
    const form = await b.get('/logout');
    const res = await b.post('/logout', { _csrf: csrfOf(form.body) });
    assert.equal(res.status, 302);
    const cleared = sessionCookies(res).filter((c) => c.startsWith('__Secure-session='));
    assert.equal(cleared.length, 1, 'the cookie is cleared');
    assert.match(cleared[0]!, /expires=Thu, 01 Jan 1970/i);
    assert.match(cleared[0]!, /; domain=example\.test(;|$)/i, 'on the same Domain');
    assert.match(cleared[0]!, /; secure(;|$)/i);
    assertNoTokenLeak(s, res, [], 'sign-out');
  });
});

test('no password or token reached the logs', () => {
  assertNoTokenLeak(h, undefined, [h.pool.demoUser.password]);
});
