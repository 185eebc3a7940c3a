// Finding 5, "anonymous visitors fill the session store": a visitor who has submitted nothing costs no server-side
// session (its forms carry a signed double-submit token bound to a random cookie), login CSRF is refused all the
// same, and anonymous sessions never push a signed-in one out of the memory store. Cognito is a scripted fake.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Browser, csrfOf, type Page } from '../helpers/browser.ts';
import {
  challenge,
  FAKE_PASSWORD,
  JANE,
  signedInWith,
  startFakeHarness,
  type FakeHarness,
  type FakeUser,
} from '../helpers/fake-harness.ts';
import {
  cleanUp,
  keysUnder,
  redisSkipReason,
  requireRedis,
  TEST_REDIS_URL,
  testRedis,
  uniquePrefix,
} from '../helpers/redis.ts';
import { MemorySessionStore, type SessionStore } from '../../src/session/memory-store.ts';

const redisSkip = await redisSkipReason();

/** Every page with a form a visitor without a session can open. */
const FORM_PAGES = ['/login', '/signup', '/forgot-password'] as const;
/** Every other page such a visitor can reach (most send them on), and a few spellings. */
const OTHER_PAGES = [
  '/',
  '/login?lang=de',
  '/login?returnTo=%2Faccount',
  '/confirm',
  '/reset-password',
  '/new-password',
  '/mfa',
  '/mfa/select',
  '/mfa/setup',
  '/logout',
  '/account',
  '/account/mfa',
  '/signed-out',
  '/login/hosted',
  '/callback?state=x&code=y',
  '/no/such/page',
] as const;

/** The store under the harness's (the sessions themselves, whatever wraps them). */
const rawStore = (h: FakeHarness): MemorySessionStore =>
  ((h.store as unknown as { inner?: SessionStore }).inner ?? h.store) as MemorySessionStore;

const sessionCookieOf = (page: Page) =>
  page.headers.getSetCookie().find((c) => /^(__Host-)?session=[^;]/.test(c));

/** `count` cookie-less GETs of `path`, `parallel` at a time; each checked by `check`. */
async function hammer(h: FakeHarness, path: string, count: number, check: (p: Page) => void) {
  const parallel = 25;
  for (let done = 0; done < count; done += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - done) }, () =>
      new Browser(h.baseUrl).get(path),
    );
    for (const page of await Promise.all(batch)) check(page);
  }
}

function assertFormWithoutSession(page: Page, path: string): void {
  assert.equal(page.status, 200, path);
  assert.match(csrfOf(page.body), /^b\./, `${path}: a double-submit token`);
  assert.equal(sessionCookieOf(page), undefined, `${path}: no session cookie`);
  assert.ok(
    page.headers.getSetCookie().some((c) => /^csrf=[A-Za-z0-9_-]{43};/.test(c)),
    `${path}: the token's random cookie`,
  );
}

function assertNoSessionCookie(page: Page, path: string): void {
  assert.ok(page.status < 500, `${path}: ${page.status}`);
  assert.equal(sessionCookieOf(page), undefined, `${path}: no session cookie`);
}

describe('finding 5, anonymous visitors fill the session store (memory store)', () => {
  let h: FakeHarness;
  let writes = 0;
  before(async () => {
    h = await startFakeHarness();
    const raw = rawStore(h);
    const set = raw.set.bind(raw);
    raw.set = (...args) => {
      writes++;
      return set(...args);
    };
  });
  after(() => h.close());

  test('1000 cookie-less GETs of every form page store nothing (and the other pages none either)', async () => {
    const size = rawStore(h).size;
    writes = 0;
    for (const path of FORM_PAGES) await hammer(h, path, 1000, (p) => assertFormWithoutSession(p, path));
    for (const path of OTHER_PAGES) await hammer(h, path, 50, (p) => assertNoSessionCookie(p, path));
    assert.equal(rawStore(h).size, size, 'the store holds no more sessions');
    assert.equal(writes, 0, 'nothing was written to the store');
    assert.equal(h.cognito.callCount(), 0);
  });

  test('the forms still work: sign-in and a password reset from a fresh browser', async () => {
    const b = await h.signedIn();
    assert.equal((await b.get('/account')).status, 200);
    h.cognito.on('forgotPassword', undefined);
    const fresh = h.browser();
    const asked = await fresh.submit('/forgot-password', '/forgot-password', { email: 'kim@example.com' });
    assert.equal(asked.location, '/reset-password', 'a submit may start a session');
    const reset = await fresh.get('/reset-password');
    assert.equal(reset.status, 200);
    assert.doesNotMatch(csrfOf(reset.body), /^b\./, 'with a session, the synchronizer token in it');
  });

  describe('login CSRF without a session is refused: 403, Cognito not called, nothing stored', () => {
    let victim: Browser;
    let token: string;
    let otherToken: string;
    before(async () => {
      victim = h.browser();
      const page = await victim.get('/login');
      token = csrfOf(page.body);
      assert.equal(victim.cookies.get('session'), undefined, 'the sign-in form started no session');
      assert.ok(victim.cookies.get('csrf'));
      otherToken = csrfOf((await h.browser().get('/login')).body);
    });

    const jane = () => ({ username: JANE.email!, password: FAKE_PASSWORD });
    const CASES: ReadonlyArray<[string, () => Promise<Page>]> = [
      ['no token', () => victim.post('/login', jane())],
      ['an empty token', () => victim.post('/login', { _csrf: '', ...jane() })],
      [
        'a made-up token',
        () => victim.post('/login', { _csrf: `b.${randomBytes(32).toString('base64url')}`, ...jane() }),
      ],
      [
        'a made-up synchronizer token',
        () => victim.post('/login', { _csrf: randomBytes(32).toString('base64url'), ...jane() }),
      ],
      [
        "another browser's token (bound to its cookie)",
        () => victim.post('/login', { _csrf: otherToken, ...jane() }),
      ],
      ['the right token without its cookie', () => h.browser().post('/login', { _csrf: token, ...jane() })],
      [
        'the right token with another random cookie',
        () =>
          h
            .browser()
            .post(
              '/login',
              { _csrf: token, ...jane() },
              { cookie: `csrf=${randomBytes(32).toString('base64url')}` },
            ),
      ],
      [
        'the right token and cookie from a cross-origin page',
        () => victim.post('/login', { _csrf: token, ...jane() }, { origin: 'https://evil.example' }),
      ],
      [
        'the right token and cookie with Sec-Fetch-Site: cross-site',
        () => victim.post('/login', { _csrf: token, ...jane() }, { 'sec-fetch-site': 'cross-site' }),
      ],
      [
        'the right token and cookie with Sec-Fetch-Site: same-site',
        () => victim.post('/login', { _csrf: token, ...jane() }, { 'sec-fetch-site': 'same-site' }),
      ],
    ];
    for (const [name, send] of CASES) {
      test(`refuses ${name}`, async () => {
        const size = rawStore(h).size;
        h.cognito.resetCalls();
        const res = await send();
        assert.equal(res.status, 403, res.body.slice(0, 200));
        assert.match(res.body, /This form has expired/);
        assert.equal(h.cognito.callCount(), 0, 'Cognito not called');
        assert.equal(sessionCookieOf(res), undefined, 'no session started');
        assert.equal(rawStore(h).size, size, 'nothing stored');
      });
    }

    test('the right token with its cookie signs in; then the token and its cookie are spent', async () => {
      h.cognito.once('signInWithPassword', signedInWith(h.tokens.issue(JANE)));
      const res = await victim.post('/login', { _csrf: token, ...jane() });
      assert.equal(res.status, 302);
      assert.equal(res.location, '/account');
      assert.ok(
        res.headers.getSetCookie().some((c) => /^csrf=;/.test(c) && /expires=Thu, 01 Jan 1970/i.test(c)),
        'the random cookie is cleared at sign-in',
      );
      h.cognito.resetCalls();
      const reuse = await victim.post('/logout', { _csrf: token });
      assert.equal(reuse.status, 403, 'a token from before the sign-in does not work after it');
      assert.equal((await victim.get('/account')).status, 200);
    });
  });

  test('anonymous sessions never push a signed-in one out: a full store drops anonymous ones first', async () => {
    const store = new MemorySessionStore({ maxEntries: 100 });
    try {
      const signedIn = Array.from({ length: 100 }, (_, i) => `owned-${i}`);
      for (const id of signedIn) await store.set(id, { owners: [`sub:${id}`] }, 60_000);
      for (let i = 0; i < 500; i++) await store.set(`anon-${i}`, { challenge: { n: i } }, 60_000);
      assert.equal(store.size, 100);
      for (const id of signedIn) assert.ok(await store.get(id), `${id} was pushed out`);
      // Signed-in sessions make room for one another (the least recently used goes); anonymous ones wait.
      await store.set('owned-new', { owners: ['sub:new'] }, 60_000);
      assert.ok(await store.get('owned-new'));
      assert.equal(await store.get('owned-0'), undefined);
      assert.equal(store.size, 100);
    } finally {
      await store.close();
    }
  });
});

describe('finding 5, signed-in users survive an anonymous flood of the memory store', () => {
  let h: FakeHarness;
  before(async () => {
    h = await startFakeHarness({ env: { SESSION_MAX_ENTRIES: '100' } });
  });
  after(() => h.close());

  test('200 sign-ins left at a challenge (anonymous sessions) do not evict 20 signed-in users', async () => {
    const users: FakeUser[] = Array.from({ length: 20 }, (_, i) => ({
      ...JANE,
      username: `user-${i}`,
      sub: `user-${i}`,
      email: `user-${i}@example.com`,
    }));
    const signedIn: Browser[] = [];
    for (const user of users) signedIn.push(await h.signedIn(user));
    h.cognito.on('signInWithPassword', challenge('SOFTWARE_TOKEN_MFA', { USER_ID_FOR_SRP: 'someone' }));
    for (let i = 0; i < 200; i++) {
      const b = h.browser();
      const res = await b.submit('/login', '/login', {
        username: `flood-${i}@example.com`,
        password: FAKE_PASSWORD,
      });
      assert.equal(res.location, '/mfa', `flood ${i}`);
    }
    assert.ok(rawStore(h).size <= 100, `the store keeps its bound (${rawStore(h).size})`);
    for (const [i, b] of signedIn.entries()) {
      const account = await b.get('/account');
      assert.equal(account.status, 200, `signed-in user ${i} was pushed out`);
    }
  });
});

describe('finding 5, anonymous visitors fill the session store (Redis store)', { skip: redisSkip }, () => {
  let h: FakeHarness;
  const prefix = uniquePrefix('anonymous');
  const redis = testRedis();
  before(async () => {
    await requireRedis();
    h = await startFakeHarness({
      env: { SESSION_STORE: 'redis', REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix },
    });
  });
  after(async () => {
    await h?.close();
    await cleanUp(redis, prefix);
  });

  test('1000 cookie-less GETs of every form page leave no key in Redis', async () => {
    const before = (await keysUnder(redis, prefix)).sort();
    for (const path of FORM_PAGES) await hammer(h, path, 1000, (p) => assertFormWithoutSession(p, path));
    for (const path of OTHER_PAGES) await hammer(h, path, 50, (p) => assertNoSessionCookie(p, path));
    assert.deepEqual((await keysUnder(redis, prefix)).sort(), before, 'no key was added');
    const b = await h.signedIn();
    assert.equal((await b.get('/account')).status, 200, 'the forms still work');
    assert.ok((await keysUnder(redis, `${prefix}sess:`)).length > 0, 'a signed-in session is kept');
  });
});
