// Session cookies under attack: tampered, unsigned, oversized and malformed cookies are anonymous (never a 5xx) and
// start no session; an id (and a double-submit cookie) planted before sign-in is replaced at sign-in; every
// Set-Cookie is small, HttpOnly and SameSite=Lax.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Browser, csrfOf, type Page } from '../helpers/browser.ts';
import type { Harness } from '../helpers/harness.ts';
import { assertFriendly, assertNoSecrets, freshEmail, PASSWORD, startSecurityHarness } from './support.ts';

let h: Harness;
before(async () => {
  h = await startSecurityHarness();
});
after(() => h.close());

const demo = () => ({ username: h.pool.demoUser.email, password: h.pool.demoUser.password });

/** The signature koa-session (cookies + keygrip: HMAC-SHA1, base64url) puts in `<name>.sig`. */
const sign = (name: string, value: string, key = h.config.session.keys[0]!) =>
  createHmac('sha1', key).update(`${name}=${value}`).digest('base64url');

/** A GET with exactly this Cookie header (bypassing the jar). */
const withCookie = (cookie: string, path: string) => new Browser(h.baseUrl).get(path, { cookie });

/**
 * Anonymous: protected pages send you to sign in, and the sign-in page works; it stores no session for a visitor who
 * has submitted nothing (its form's token needs none), and never takes up the id that was sent.
 */
async function assertAnonymous(cookie: string, planted: string, what: string): Promise<void> {
  const account = await withCookie(cookie, '/account');
  assert.equal(account.status, 302, `${what}: /account`);
  assert.match(account.location ?? '', /^\/login\?/, `${what}: sent to sign in`);
  const home = await withCookie(cookie, '/');
  assert.equal(home.status, 200, `${what}: home`);
  assert.doesNotMatch(home.body, /You are signed in/, `${what}: not signed in`);
  const login = await withCookie(cookie, '/login');
  assertFriendly(login, 200, `${what}: /login`);
  assert.match(csrfOf(login.body), /^b\./, `${what}: a form with a double-submit token`);
  const session = login.headers
    .getSetCookie()
    .find((c) => c.startsWith('session='))
    ?.split(';')[0]
    ?.slice('session='.length);
  assert.ok(!session, `${what}: no session started for a visitor who submitted nothing`);
  assert.notEqual(session, planted, `${what}: never the id that was sent`);
}

describe('tampered, unsigned, oversized and malformed session cookies are anonymous, never a 5xx', () => {
  let id: string;
  let sig: string;
  before(async () => {
    const b = await h.signedIn();
    id = b.cookies.get('session')!;
    sig = b.cookies.get('session.sig')!;
    assert.equal(sign('session', id), sig, 'the test signs cookies as the app does');
    assert.equal((await withCookie(`session=${id}; session.sig=${sig}`, '/account')).status, 200);
  });

  const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
  const CASES: ReadonlyArray<[string, () => string]> = [
    ['a tampered id with the real signature', () => `session=${flip(id)}; session.sig=${sig}`],
    ['the real id with a tampered signature', () => `session=${id}; session.sig=${flip(sig)}`],
    ['the real id unsigned (no .sig cookie)', () => `session=${id}`],
    [
      'the real id signed with another key',
      () => `session=${id}; session.sig=${sign('session', id, 'k'.repeat(40))}`,
    ],
    ['an oversized id (5 KB)', () => `session=${'A'.repeat(5000)}; session.sig=${sig}`],
    [
      'an oversized id (5 KB), validly signed',
      () => `session=${'A'.repeat(5000)}; session.sig=${sign('session', 'A'.repeat(5000))}`,
    ],
    ['an oversized signature (5 KB)', () => `session=${id}; session.sig=${'B'.repeat(5000)}`],
    ['an empty id and signature', () => 'session=; session.sig='],
    ['percent garbage', () => `session=%%%E0%A4%A; session.sig=%ZZ`],
    ['quotes, commas and equals signs', () => `session="${id}",=x=; session.sig="${sig}`],
    ['JSON instead of an id', () => `session={"auth":{"username":"admin"}}; session.sig=${sig}`],
    [
      'a well-formed id never issued, validly signed',
      () => {
        const made = randomBytes(32).toString('base64url');
        return `session=${made}; session.sig=${sign('session', made)}`;
      },
    ],
    [
      'a prototype key as the id, validly signed',
      () => `session=__proto__; session.sig=${sign('session', '__proto__')}`,
    ],
    [
      'two session cookies, a forged one first',
      () => `session=${flip(id)}; session=${id}; session.sig=${sig}`,
    ],
  ];
  for (const [name, cookie] of CASES) {
    test(`${name}: anonymous, friendly pages`, async () => {
      const header = cookie();
      const planted = /session=([^;]*)/.exec(header)![1]!;
      h.emulator.resetCalls();
      await assertAnonymous(header, planted, name);
      assert.equal(h.emulator.callCount(), 0, 'Cognito not called');
    });
  }

  test('a copied cookie is worthless after sign-out', async () => {
    const b = await h.signedIn();
    const copy = b.clone();
    const out = await b.post('/logout', { _csrf: csrfOf((await b.get('/account')).body) });
    assert.equal(out.status, 302);
    const stolen = await copy.get('/account');
    assert.equal(stolen.status, 302);
    assert.match(stolen.location!, /^\/login\?/);
  });
});

describe('session fixation', () => {
  test("an attacker's real pre-session id planted in the victim's browser is replaced at sign-in, and the attacker's copy stays anonymous", async () => {
    const attacker = h.browser();
    // Only a submit starts a pre-session: the attacker asks for a password reset.
    const asked = await attacker.submit('/forgot-password', '/forgot-password', {
      email: freshEmail('fixation'),
    });
    assert.equal(asked.location, '/reset-password');
    const plantedId = attacker.cookies.get('session')!;
    const attackerToken = csrfOf((await attacker.get('/reset-password')).body);
    const plantedBinding = attacker.cookies.get('csrf')!;
    assert.ok(
      plantedId && attacker.cookies.get('session.sig') && plantedBinding,
      'the attacker holds a real signed pre-session, and a double-submit cookie',
    );
    // The attacker knows the double-submit token of the cookie it plants.
    const plantedToken = csrfOf((await withCookie(`csrf=${plantedBinding}`, '/login')).body);

    // The victim's browser gets the attacker's cookies (a subdomain, a shared computer, an injected header).
    const victim = attacker.clone();
    const signedIn = await victim.submit('/login', '/login', demo());
    assert.equal(signedIn.status, 302);
    assert.equal(signedIn.location, '/account');
    const victimId = victim.cookies.get('session')!;
    assert.notEqual(victimId, plantedId, 'a new session id at sign-in');
    assert.equal(
      victim.cookies.get('csrf'),
      undefined,
      'the planted double-submit cookie is cleared at sign-in',
    );
    assert.equal((await victim.get('/account')).status, 200, 'the victim is signed in');

    h.emulator.resetCalls();
    const account = await attacker.get('/account');
    assert.equal(account.status, 302, "the attacker's copy is not signed in");
    assert.match(account.location!, /^\/login\?/);
    assert.doesNotMatch((await attacker.get('/')).body, /Demo User|You are signed in/);
    assert.equal(await h.store.get(plantedId), undefined, 'the planted id no longer resolves');
    const reuse = await attacker.post('/logout', { _csrf: attackerToken });
    assert.equal(reuse.status, 403, "the planted session's CSRF token is dead too");
    const planted = await victim.post(
      '/logout',
      { _csrf: plantedToken },
      { cookie: `${victim.cookieHeader()}; csrf=${plantedBinding}` },
    );
    assert.equal(
      planted.status,
      403,
      "the planted cookie's double-submit token does not act for the signed-in victim",
    );
    assert.equal(h.emulator.callCount(), 0);
    assert.equal(
      (await victim.get('/account')).status,
      200,
      "the attacker's requests did not end the victim's session",
    );
    assertNoSecrets(h, undefined, [h.pool.demoUser.password]);
  });
});

/** Pages that set cookies, walked by one browser: pre-session, language, sign-in, sign-out, errors, sign-up. */
async function collectSetCookies(hh: Harness): Promise<string[]> {
  const seen: string[] = [];
  const b = hh.browser();
  const keep = (p: Page) => {
    seen.push(...p.headers.getSetCookie());
    return p;
  };
  keep(await b.get('/login'));
  keep(await b.get('/login?lang=de'));
  keep(await b.get('/login?lang=en'));
  keep(await b.get('/no/such/page'));
  keep(await b.post('/login', { _csrf: 'wrong' }));
  keep(await b.post('/login', { _csrf: csrfOf((await b.get('/login')).body), ...demo() }));
  keep(await b.get('/account'));
  keep(await b.post('/logout', { _csrf: csrfOf(keep(await b.get('/account')).body) }));
  const c = hh.browser();
  keep(
    await c.post('/signup', {
      _csrf: csrfOf(keep(await c.get('/signup')).body),
      email: freshEmail('cookie'),
      password: PASSWORD,
      name: 'Cookie Person',
    }),
  );
  keep(await c.get('/confirm'));
  keep(await c.get('/login/hosted?returnTo=%2Faccount'));
  return seen;
}

describe('every Set-Cookie', () => {
  test('on plain http: under 4096 bytes, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    const cookies = await collectSetCookies(h);
    assert.ok(cookies.length >= 6, `cookies seen: ${cookies.length}`);
    for (const c of cookies) {
      assert.ok(Buffer.byteLength(c) < 4096, `${c.slice(0, 40)}: under 4 KB`);
      assert.match(c, /; httponly/i, c);
      assert.match(c, /; samesite=lax/i, c);
      assert.match(c, /; path=\/(;|$)/i, c);
      assert.doesNotMatch(c, /; domain=/i, c);
    }
  });

  test('on https: also Secure and __Host- prefixed', async () => {
    const hs = await startSecurityHarness({ APP_BASE_URL: 'https://login.example.test' });
    try {
      const b = hs.browser();
      const page = await b.get('/login?lang=de');
      const cookies = page.headers.getSetCookie();
      assert.ok(cookies.length >= 2, 'double-submit and language cookies');
      assert.ok(
        cookies.some((c) => c.startsWith('__Host-csrf=')),
        "the form's token is bound to a __Host- cookie",
      );
      const signedIn = await b.post(
        '/login',
        { _csrf: csrfOf(page.body), username: hs.pool.demoUser.email, password: hs.pool.demoUser.password },
        { origin: 'https://login.example.test' },
      );
      assert.equal(signedIn.status, 302);
      for (const c of [...cookies, ...signedIn.headers.getSetCookie()]) {
        assert.ok(Buffer.byteLength(c) < 4096, c);
        assert.match(c, /^__Host-/, c);
        assert.match(c, /; secure/i, c);
        assert.match(c, /; httponly/i, c);
        assert.match(c, /; samesite=lax/i, c);
        assert.doesNotMatch(c, /; domain=/i, c);
      }
    } finally {
      await hs.close();
    }
  });
});
