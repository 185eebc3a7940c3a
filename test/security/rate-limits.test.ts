// The rate-limit findings of the outside penetration test, each pinned by a test named after it: limits that other
// spellings of a path skipped, parallel guesses that outran the counters, and an owner locked out by anyone.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from '@koa/router';
import Koa from 'koa';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { limitRoutes } from '../../src/rate-limit/auth-rate-limit.ts';
import { MEMORY_LIMITS } from '../../src/rate-limit/limiter-backend.ts';
import { createLoginThrottle, type LoginThrottleOptions } from '../../src/rate-limit/login-throttle.ts';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import { Browser, csrfOf, type Page } from '../helpers/browser.ts';
import {
  cognitoError,
  FAKE_PASSWORD,
  JANE,
  signedInWith,
  startFakeHarness,
  type FakeHarness,
} from '../helpers/fake-harness.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { latestCode } from '../helpers/inbox.ts';
import { enableMfa, makeUser, PASSWORD } from '../helpers/mfa-users.ts';
import { cleanUp, redisSkipReason, requireRedis, testRedis, uniquePrefix } from '../helpers/redis.ts';

/** Every POST route with a limit, written out here so that a route dropped from the code's own list shows. */
const LIMITED_ROUTES = [
  '/login',
  '/mfa',
  '/mfa/select',
  '/mfa/setup',
  '/new-password',
  '/account/mfa/verify',
  '/signup',
  '/confirm',
  '/confirm/resend',
  '/forgot-password',
  '/reset-password',
] as const;

/** Other ways to write `path` that a router, a proxy or a decoder might take for it. */
function spellings(path: string): string[] {
  const segments = path.slice(1).split('/');
  const join = (parts: string[], sep = '/') => `/${parts.join(sep)}`;
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  const capitalised = segments.map((s) => s[0]!.toUpperCase() + s.slice(1));
  const last = segments.length - 1;
  const variants = [
    // Case.
    path.toUpperCase(),
    join(capitalised),
    join(segments.map((s, i) => (i === last ? s[0]!.toUpperCase() + s.slice(1) : s))),
    join(segments.map((s) => s.slice(0, -1) + s.slice(-1).toUpperCase())),
    // Trailing and doubled slashes.
    `${path}/`,
    `${path}//`,
    `/${path}`,
    join(segments, '//'),
    // Encodings: a letter, the separators, a trailing slash, in both cases of hex.
    `/${hex(path[1]!)}${path.slice(2)}`,
    `/${hex(path[1]!).toUpperCase()}${path.slice(2)}`,
    `${path.slice(0, -1)}${hex(path.at(-1)!)}`,
    join(segments, '%2F'),
    join(segments, '%2f'),
    `${path}%2F`,
    `${path}%2f`,
    `/%2F${path.slice(1)}`,
    `${path}%20`,
    `${path}%00`,
    `${path}%5C`,
    // Dot segments.
    `/.${path}`,
    `${path}/.`,
    `/x/..${path}`,
    `${path}/x/..`,
    `/%2e${path}`,
    // Matrix parameters.
    `${path};`,
    `${path};x=1`,
    `${path}/;x=1`,
    join(segments.map((s, i) => (i === 0 ? `${s};x` : s))),
  ];
  return [...new Set(variants)].filter((v) => v !== path);
}

/** A POST with its path sent byte for byte (fetch would normalise dot segments and slashes away). */
function rawPost(b: Browser, path: string, form: Record<string, string>, address: string): Promise<Page> {
  const url = new URL(b.baseUrl);
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          cookie: b.cookieHeader(),
          'x-forwarded-for': address,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: new Headers(),
            body: Buffer.concat(chunks).toString(),
            location: res.headers.location,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Cognito refuses whatever the forms send; what matters is whether it was asked. */
function refuseEverything(h: FakeHarness): void {
  const mismatch = cognitoError('CodeMismatchException', 'Invalid verification code provided.');
  h.cognito
    .on('signInWithPassword', cognitoError('NotAuthorizedException', 'Incorrect username or password.'))
    .on('signUp', cognitoError('InvalidPasswordException', 'Password did not conform with policy'))
    .on('confirmSignUp', mismatch)
    .on('resendConfirmationCode', undefined)
    .on('forgotPassword', undefined)
    .on('confirmForgotPassword', mismatch);
}

const WRONG = 'Wrong-password-1';
const locked = (p: Page) => p.status === 429 && /temporarily locked/.test(p.body);
const tooMany = (p: Page) => p.status === 429 && /Too many requests/.test(p.body);

/** A new address for every call (TRUST_PROXY=1: the proxy's entry is the client). */
let addresses = 0;
const freshAddress = () => `198.18.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;

/** A sign-in attempt from `address` in a new browser. */
async function signIn(h: FakeHarness | Harness, username: string, password: string, address: string) {
  const b = h.browser();
  const csrf = csrfOf((await b.get('/login')).body);
  return b.post('/login', { _csrf: csrf, username, password }, { 'x-forwarded-for': address });
}

describe('rate limits skipped by spelling the path differently (high)', () => {
  let h: FakeHarness;
  before(async () => {
    h = await startFakeHarness({
      env: { TRUST_PROXY: '1', RATE_LIMIT_PER_IP: '1', RATE_LIMIT_PER_ACCOUNT: '1000000' },
    });
    refuseEverything(h);
  });
  after(() => h.close());

  test('every spelling of every limited route is either not found or counted against that route', async () => {
    const b = h.browser();
    const csrf = csrfOf((await b.get('/login')).body);
    const form = {
      _csrf: csrf,
      username: 'x@example.com',
      email: 'x@example.com',
      password: WRONG,
      code: '123456',
    };
    const escaped: string[] = [];
    let checked = 0;
    for (const route of LIMITED_ROUTES) {
      // The route itself: served, and its one request per address spent.
      const own = freshAddress();
      assert.notEqual((await rawPost(b, route, form, own)).status, 404, `${route} is served`);
      assert.ok(tooMany(await rawPost(b, route, form, own)), `${route} is limited`);
      for (const spelling of spellings(route)) {
        // Each spelling from an address of its own: if it reached any route, that route's allowance is gone.
        const address = freshAddress();
        const first = await rawPost(b, spelling, form, address);
        assert.ok(first.status < 500, `${spelling}: ${first.status}`);
        checked++;
        if (first.status === 404) continue;
        if (!tooMany(await rawPost(b, route, form, address))) escaped.push(`${spelling} (${first.status})`);
      }
    }
    assert.deepEqual(escaped, [], 'served without being counted');
    assert.ok(checked > 200, `${checked} spellings`);
    assert.deepEqual(h.cognito.unscripted, []);
  });

  test('every router matches one spelling of each path: case and trailing slash count, others are not found', async () => {
    const b = h.browser();
    // The pages, the probes (their own router) and forward auth (another one).
    for (const path of ['/login', '/signup', '/healthz', '/auth/keys']) {
      assert.notEqual((await b.get(path)).status, 404, path);
      for (const other of [
        path.toUpperCase(),
        `${path}/`,
        path[0] + path[1]!.toUpperCase() + path.slice(2),
      ]) {
        assert.equal((await b.get(other)).status, 404, other);
      }
    }
  });
});

describe('rate limits skipped by spelling the path differently (high): the limit belongs to the route', () => {
  // A router that takes many spellings for one route (the old options), with the app's limits put on it: whatever
  // it serves, the limit of the route it served runs.
  let server: Server;
  let base: string;
  before(async () => {
    const app = new Koa();
    app.proxy = true;
    app.use(async function anySession(ctx, next) {
      ctx.session = {} as NonNullable<typeof ctx.session>;
      await next();
    });
    const lenient = new Router({ sensitive: false, strict: false });
    limitRoutes(lenient, { windowSeconds: 60, perIp: 1, perAccount: 1_000_000 }, MEMORY_LIMITS);
    for (const route of LIMITED_ROUTES) {
      lenient.post(route, (ctx) => {
        ctx.body = 'served';
      });
    }
    app.use(lenient.routes());
    const handle = app.callback();
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('on a router that takes other spellings too, each one it serves is counted', async () => {
    const b = new Browser(base);
    let served = 0;
    for (const route of LIMITED_ROUTES) {
      for (const spelling of [route, ...spellings(route)]) {
        const address = freshAddress();
        const first = await rawPost(b, spelling, {}, address);
        if (first.status === 404) continue;
        served++;
        assert.equal(first.body, 'served', spelling);
        assert.equal((await rawPost(b, route, {}, address)).status, 429, `${spelling} was not counted`);
      }
    }
    assert.ok(served > 2 * LIMITED_ROUTES.length, `${served} spellings served`);
  });
});

/** A Redis of its own for one suite, or skipped when there is none (CI never skips). */
const redisSkip = await redisSkipReason();

for (const backend of ['memory', 'redis'] as const) {
  describe(
    `a burst of parallel wrong passwords passes the login throttle (medium-high), on ${backend}`,
    {
      skip: backend === 'redis' ? redisSkip : undefined,
    },
    () => {
      let h: Harness;
      let redis: Redis | undefined;
      const prefix = uniquePrefix('rate-limits');
      before(async () => {
        if (backend === 'redis') await requireRedis();
        const env: Record<string, string> =
          backend === 'redis'
            ? { SESSION_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix }
            : {};
        h = await startHarness({ env });
        if (backend === 'redis') redis = testRedis();
      });
      after(async () => {
        await h?.close();
        if (redis) await cleanUp(redis, prefix);
      });

      test('ten wrong passwords at once reach Cognito five times, and a known and an unknown account answer alike', async () => {
        const known = `burst-${Date.now()}@example.com`;
        await createConfirmedUser(adminClient(h.emulator.endpoint), h.pool.userPoolId, known, PASSWORD);
        const unknown = `nobody-${Date.now()}@example.com`;
        const answers: Record<string, number[]> = {};
        for (const name of [known, unknown]) {
          const b = h.browser();
          const csrf = csrfOf((await b.get('/login')).body);
          h.emulator.resetCalls();
          const pages = await Promise.all(
            Array.from({ length: 10 }, () =>
              b.post('/login', { _csrf: csrf, username: name, password: WRONG }),
            ),
          );
          assert.equal(h.emulator.callCount('InitiateAuth'), 5, `${name}: tries that reached Cognito`);
          answers[name] = pages.map((p) => p.status).sort();
          for (const p of pages) assert.ok(p.status === 401 || locked(p), `${name}: ${p.status}`);
        }
        assert.deepEqual(answers[known], [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
        assert.deepEqual(answers[unknown], answers[known], 'known and unknown accounts answer alike');
      });

      test('four wrong MFA codes at once reach Cognito three times (MFA_MAX_ATTEMPTS), and then no more', async () => {
        const email = await makeUser(h, 'burst-mfa');
        await enableMfa(h, email, { email: true }, 'email');
        const b = h.browser();
        const signedIn = await b.submit('/login', '/login', { username: email, password: PASSWORD });
        assert.equal(signedIn.location, '/mfa');
        const csrf = csrfOf((await b.get('/mfa')).body);
        const code = await latestCode(h.emulator.endpoint, email, 'EMAIL_OTP');
        const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
        h.emulator.resetCalls();
        const pages = await Promise.all(
          Array.from({ length: 4 }, () => b.post('/mfa', { _csrf: csrf, code: wrong })),
        );
        assert.equal(h.emulator.callCount('RespondToAuthChallenge'), 3, 'codes that reached Cognito');
        assert.ok(
          pages.some((p) => p.location?.endsWith('notice=too-many-codes')),
          'the sign-in ended',
        );
        for (const p of pages) assert.ok(p.status === 400 || p.status === 302, String(p.status));
        // Even the right code is not sent on: this challenge has had its answers.
        const late = await b.post('/mfa', { _csrf: csrf, code });
        assert.match(late.location ?? '', /^\/login/);
        assert.equal(h.emulator.callCount('RespondToAuthChallenge'), 3);
        assert.equal((await b.get('/account')).status, 302, 'not signed in');
      });
    },
  );
}

describe('anyone can lock the owner out (medium)', () => {
  /** A harness behind one trusted proxy, so each test can speak from the addresses it needs. */
  async function harness(throttle?: Partial<LoginThrottleOptions>, env: Record<string, string> = {}) {
    const h = await startFakeHarness({
      env: { TRUST_PROXY: '1', ...env },
      loginThrottle: throttle ? createLoginThrottle(throttle) : undefined,
    });
    h.cognito.on(
      'signInWithPassword',
      cognitoError('NotAuthorizedException', 'Incorrect username or password.'),
    );
    return h;
  }
  const owner = JANE.email!;
  const acceptOwner = (h: FakeHarness) =>
    h.cognito.once('signInWithPassword', signedInWith(h.tokens.issue(JANE)));

  test('wrong passwords from one address do not keep the owner out from another', async () => {
    const h = await harness();
    try {
      const attacker = freshAddress();
      for (let i = 0; i < 5; i++) assert.equal((await signIn(h, owner, WRONG, attacker)).status, 401);
      for (let i = 0; i < 20; i++) assert.ok(locked(await signIn(h, owner, WRONG, attacker)), `try ${i + 6}`);
      acceptOwner(h);
      assert.ok(locked(await signIn(h, owner, FAKE_PASSWORD, attacker)), 'that address stays locked out');
      assert.equal(h.cognito.callCount('signInWithPassword'), 5, 'Cognito asked 5 times, then no more');
      const res = await signIn(h, owner, FAKE_PASSWORD, freshAddress());
      assert.equal(res.status, 302, `the owner from elsewhere: ${res.status}`);
      assert.equal(res.location, '/account');
    } finally {
      await h.close();
    }
  });

  test("a flood of sign-ins from one address does not spend the owner's request allowance either", async () => {
    const h = await harness(undefined, { RATE_LIMIT_PER_ACCOUNT: '3', RATE_LIMIT_PER_IP: '1000' });
    try {
      const attacker = freshAddress();
      for (let i = 0; i < 3; i++) assert.equal((await signIn(h, owner, WRONG, attacker)).status, 401);
      assert.ok(tooMany(await signIn(h, owner, WRONG, attacker)), 'RATE_LIMIT_PER_ACCOUNT still holds');
      acceptOwner(h);
      assert.equal((await signIn(h, owner, FAKE_PASSWORD, freshAddress())).location, '/account');
    } finally {
      await h.close();
    }
  });

  test('an address that keeps failing is stopped for the day, whatever names it tries', async () => {
    const WINDOW_S = 4;
    // A short window for failures in a row, so the test can wait it out (long enough that the first six attempts
    // fit in it on a busy machine); 8 failures a day per address.
    const h = await harness({
      maxFailures: 5,
      windowSeconds: WINDOW_S,
      maxFailuresPerAddress: 8,
      maxFailuresPerAccount: 80,
    });
    try {
      const attacker = freshAddress();
      for (let i = 0; i < 5; i++) assert.equal((await signIn(h, owner, WRONG, attacker)).status, 401);
      assert.ok(locked(await signIn(h, owner, WRONG, attacker)));
      await new Promise((r) => setTimeout(r, WINDOW_S * 1000 + 100));
      for (let i = 0; i < 3; i++) assert.equal((await signIn(h, owner, WRONG, attacker)).status, 401);
      assert.ok(locked(await signIn(h, owner, WRONG, attacker)), 'the address has had its 8');
      assert.ok(locked(await signIn(h, 'someone-else@example.com', WRONG, attacker)), 'for every name');
      assert.equal(h.cognito.callCount('signInWithPassword'), 8);
      acceptOwner(h);
      assert.equal((await signIn(h, owner, FAKE_PASSWORD, freshAddress())).location, '/account');
    } finally {
      await h.close();
    }
  });

  test('many addresses together meet the much higher limit of the account alone, before Cognito', async () => {
    const h = await harness({
      maxFailures: 5,
      windowSeconds: 900,
      maxFailuresPerAddress: 10,
      maxFailuresPerAccount: 12,
    });
    try {
      for (let a = 0; a < 3; a++) {
        const address = freshAddress();
        for (let i = 0; i < 4; i++) assert.equal((await signIn(h, owner, WRONG, address)).status, 401);
      }
      const refused = await signIn(h, owner, WRONG, freshAddress());
      assert.ok(locked(refused), 'the 13th failure, from a new address');
      assert.ok(Number(refused.headers.get('retry-after')) > 0, 'Retry-After');
      assert.equal(h.cognito.callCount('signInWithPassword'), 12);
    } finally {
      await h.close();
    }
  });

  test('a success clears the failures in a row, and successful sign-ins never count toward a lockout', async () => {
    const h = await harness({
      maxFailures: 5,
      windowSeconds: 900,
      maxFailuresPerAddress: 10,
      maxFailuresPerAccount: 11,
    });
    try {
      const address = freshAddress();
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 4; i++) assert.equal((await signIn(h, owner, WRONG, address)).status, 401);
        acceptOwner(h);
        assert.equal((await signIn(h, owner, FAKE_PASSWORD, address)).location, '/account', `round ${round}`);
      }
      // 8 failures and 2 successes so far: 20 more successes, and none of them counts against anyone.
      for (let i = 0; i < 20; i++) {
        acceptOwner(h);
        assert.equal((await signIn(h, owner, FAKE_PASSWORD, address)).location, '/account', `success ${i}`);
      }
      for (let i = 0; i < 2; i++) assert.equal((await signIn(h, owner, WRONG, address)).status, 401);
      assert.ok(locked(await signIn(h, owner, WRONG, address)), 'the address has had its 10 failures');
    } finally {
      await h.close();
    }
  });
});

describe('the keys a limit counts under', () => {
  let h: FakeHarness;
  before(async () => {
    h = await startFakeHarness({
      env: { TRUST_PROXY: '1', RATE_LIMIT_PER_IP: '3', RATE_LIMIT_PER_ACCOUNT: '3' },
    });
    refuseEverything(h);
  });
  after(() => h.close());

  const forgot = async (email: string, address: string) => {
    const b = h.browser();
    const csrf = csrfOf((await b.get('/forgot-password')).body);
    return b.post('/forgot-password', { _csrf: csrf, email }, { 'x-forwarded-for': address });
  };

  test('a case or space variant of an account gets no fresh allowance', async () => {
    const variants = ['Owner@Example.com', ' owner@example.com', 'OWNER@EXAMPLE.COM '];
    for (const email of variants) assert.ok(!tooMany(await forgot(email, freshAddress())), email);
    h.cognito.resetCalls();
    assert.ok(
      tooMany(await forgot('owner@example.com\t', freshAddress())),
      'the fourth, spelled a fourth way',
    );
    assert.equal(h.cognito.callCount(), 0);
  });

  test('a case or space variant of a name gets no fresh failures in a row at sign-in', async () => {
    const throttle = createLoginThrottle();
    const ip = '192.0.2.80';
    for (const name of [
      'Owner@Example.com',
      ' owner@example.com',
      'OWNER@EXAMPLE.COM ',
      'owner@example.com',
      '\towner@EXAMPLE.com',
    ]) {
      assert.equal(await throttle.begin(name, ip), 0, name);
    }
    assert.ok((await throttle.begin('  OWNER@example.COM  ', ip)) > 0, 'the sixth, spelled a sixth way');
    assert.equal(
      await throttle.begin('owner@example.com', '192.0.2.81'),
      0,
      'from another address it may try',
    );
  });

  test('every address of an IPv6 /64 shares one allowance', async () => {
    const sameNetwork = ['2001:db8:5:64::1', '2001:db8:5:64:ffff:1:2:3', '2001:db8:5:64:0:0:0:9'];
    for (const [i, address] of sameNetwork.entries()) {
      assert.ok(!tooMany(await forgot(`v6-${i}@example.com`, address)), address);
    }
    assert.ok(tooMany(await forgot('v6-3@example.com', '2001:0db8:0005:0064::4')), 'the same /64');
    assert.ok(
      !tooMany(await forgot('v6-4@example.com', '2001:db8:5:65::1')),
      'the next /64 is another client',
    );
  });
});

describe('the keys the sign-in throttle counts under', () => {
  let h: FakeHarness;
  before(async () => {
    h = await startFakeHarness({ env: { TRUST_PROXY: '1' } });
    refuseEverything(h);
  });
  after(() => h.close());

  test('every address of an IPv6 /64 shares its failures in a row at sign-in', async () => {
    h.cognito.resetCalls();
    for (let i = 1; i <= 5; i++) {
      assert.equal((await signIn(h, 'v6-owner@example.com', WRONG, `2001:db8:7:1::${i}`)).status, 401);
    }
    assert.ok(locked(await signIn(h, 'v6-owner@example.com', WRONG, '2001:db8:7:1:abcd::6')), 'the same /64');
    assert.equal(h.cognito.callCount('signInWithPassword'), 5);
    assert.equal(
      (await signIn(h, 'v6-owner@example.com', WRONG, '2001:db8:7:2::1')).status,
      401,
      'another /64',
    );
  });
});
