// Forward auth for a proxy the user already runs: /auth/check (nginx auth_request), /auth/forward (Caddy, Traefik,
// HAProxy) and the public keys of the identity assertion, against the emulator, with the access rules in a file.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importSPKI, jwtVerify } from 'jose';
import { adminClient, globalSignOut } from '../helpers/admin.ts';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { assertNo5xx, assertNoTokenLeak, countStoreWrites, JWT, within } from '../helpers/protect-checks.ts';

const HTML = { accept: 'text/html,application/xhtml+xml' };
const JSON_ACCEPT = { accept: 'application/json' };
const APP = 'app1.example.test';
const IDENTITY_HEADERS = [
  'x-auth-request-user',
  'x-auth-request-email',
  'x-auth-request-preferred-username',
  'x-auth-request-groups',
  'x-amzn-oidc-identity',
  'x-amzn-oidc-data',
  'x-amzn-oidc-accesstoken',
];

/** What Caddy, Traefik or HAProxy send about the original request. */
const forwarded = (uri: string, method = 'GET', proto = 'https', host = APP) => ({
  'x-forwarded-method': method,
  'x-forwarded-proto': proto,
  'x-forwarded-host': host,
  'x-forwarded-uri': uri,
});

const RULES = {
  public: ['/public/'],
  rules: [
    { path: '/admin', allow: { groups: { any: ['admins'] } } },
    { path: '/reports', methods: ['POST', 'DELETE'], allow: { groups: { any: ['editors'] } } },
  ],
  default: 'authenticated',
};

let rulesDir: string;
let rulesFile: string;
/** TRUST_PROXY=1: the proxy in front is believed. */
let h: Harness;
/** TRUST_PROXY=0: nothing the client says about the original request is believed. */
let untrusted: Harness;

before(async () => {
  rulesDir = mkdtempSync(path.join(os.tmpdir(), 'forward-auth-rules-'));
  rulesFile = path.join(rulesDir, 'rules.json');
  writeFileSync(rulesFile, JSON.stringify(RULES));
  const env = { ACCESS_RULES_FILE: rulesFile, ALLOWED_REDIRECT_HOSTS: APP };
  h = await startHarness({ env: { ...env, TRUST_PROXY: '1' } });
  untrusted = await startHarness({ env: { ...env, TRUST_PROXY: '0' } });
});
after(async () => {
  await h?.close();
  await untrusted?.close();
  rmSync(rulesDir, { recursive: true, force: true });
});

/** A forward-auth answer the proxy reads for its status and headers only. */
function assertBare(page: Page, status: number, what: string): void {
  assertNo5xx(page, what);
  assert.equal(page.status, status, `${what}: status (${page.body.slice(0, 200)})`);
  assert.equal(page.body, '', `${what}: no body`);
  assert.equal(page.location, undefined, `${what}: never a redirect`);
  assert.match(page.headers.get('cache-control') ?? '', /no-store/, `${what}: not cached`);
}

function assertNoIdentity(page: Page, what: string): void {
  for (const name of IDENTITY_HEADERS) assert.equal(page.headers.get(name), null, `${what}: ${name}`);
}

describe('/auth/check (nginx auth_request)', () => {
  let b: Browser;
  before(async () => {
    b = await h.signedIn();
  });

  test('a signed-in cookie: 200 with the identity headers, no body', async () => {
    const res = await b.get('/auth/check', forwarded('/dashboard?tab=1'));
    assertBare(res, 200, 'signed in');
    const user = res.headers.get('x-auth-request-user');
    assert.match(user ?? '', /^[0-9a-f-]{36}$/, 'the sub');
    assert.equal(res.headers.get('x-auth-request-email'), h.pool.demoUser.email);
    assert.equal(res.headers.get('x-auth-request-groups'), 'demo');
    assert.equal(res.headers.get('x-amzn-oidc-identity'), user);
    assert.match(res.headers.get('x-amzn-oidc-data') ?? '', JWT);
    assert.equal(res.headers.get('x-amzn-oidc-accesstoken'), null, 'only with PASS_ACCESS_TOKEN');
    assertNoTokenLeak(h, res, [], 'signed in');
  });

  test('no cookie: 401 with an empty body and no identity headers', async () => {
    const res = await h.browser().get('/auth/check', forwarded('/dashboard'));
    assertBare(res, 401, 'anonymous');
    assertNoIdentity(res, 'anonymous');
    assert.equal(res.headers.getSetCookie().length, 0, 'no cookie for a check');
  });

  test('a tampered or unknown session cookie is anonymous (401), not an error', async () => {
    const stolen = b.clone();
    for (const name of stolen.cookies.keys()) stolen.cookies.set(name, 'x'.repeat(43));
    assertBare(await stolen.get('/auth/check', forwarded('/dashboard')), 401, 'tampered');
  });

  test('refused by the rules: 403, no body, and the identity headers the client sent change nothing', async () => {
    const res = await b.get('/auth/check', {
      ...forwarded('/admin/users'),
      'x-auth-request-groups': 'admins',
      'X-Auth-Request-Email': 'boss@example.com',
      x_auth_request_groups: 'admins',
    });
    assertBare(res, 403, 'refused');
    assertNoIdentity(res, 'refused');
  });

  test('the rules read the path as an upstream might: /ADMIN, /public/../admin and %2F are refused too', async () => {
    for (const uri of ['/ADMIN', '/public/../admin/x', '/public/..%2Fadmin', '/admin;x=1', '//admin']) {
      const res = await b.get('/auth/check', forwarded(uri));
      assertBare(res, 403, uri);
    }
    // Not signed in, the public prefix is not a way in to the rest.
    const anonymous = await h.browser().get('/auth/check', forwarded('/public/..%2Fadmin'));
    assertBare(anonymous, 401, 'anonymous, dot segments');
  });

  test('a public path passes without sign-in and without identity headers', async () => {
    const res = await h.browser().get('/auth/check', {
      ...forwarded('/public/logo.png'),
      'x-auth-request-email': 'boss@example.com',
    });
    assertBare(res, 200, 'public');
    assertNoIdentity(res, 'public');
  });

  test('X-Forwarded-Method is read: a rule for POST refuses the POST and lets the GET pass', async () => {
    assertBare(await b.get('/auth/check', forwarded('/reports/q3', 'GET')), 200, 'GET');
    assertBare(await b.get('/auth/check', forwarded('/reports/q3', 'POST')), 403, 'POST');
    assertBare(await b.get('/auth/check', forwarded('/reports/q3', 'delete')), 403, 'delete, any case');
  });

  test("nginx's X-Original-URL is read when it is an absolute URL that reads back exactly", async () => {
    const absolute = await b.get('/auth/check', { 'x-original-url': `https://${APP}/admin/x?y=1` });
    assertBare(absolute, 403, 'absolute, refused by the rules');
    const allowed = await b.get('/auth/check', { 'x-original-url': `https://${APP}/dashboard` });
    assertBare(allowed, 200, 'absolute, allowed');
    const anonymous = await h.browser().get('/auth/check', { 'x-original-url': `https://${APP}/public/x` });
    assertBare(anonymous, 200, 'absolute, public');
  });

  test('an original request that cannot be read exactly is refused (403), never judged as another path', async () => {
    const unreadable: Record<string, string>[] = [
      {},
      { 'x-forwarded-method': 'GET' },
      { 'x-original-url': '/public/x' },
      { 'x-original-url': `https://${APP}?/public/x` },
      { 'x-original-url': `https://${APP}#/public/x` },
      { 'x-original-url': `https://${APP}//public/x` },
      { 'x-original-url': 'ftp://app1.example.test/public/x' },
      { 'x-forwarded-uri': 'public/x' },
      { 'x-forwarded-uri': '//public/x' },
      { 'x-forwarded-uri': `/public/${'a'.repeat(9000)}` },
      { ...forwarded('/public/x'), 'x-forwarded-method': 'G E T' },
    ];
    for (const headers of unreadable) {
      const what = JSON.stringify(headers).slice(0, 80);
      assertBare(await h.browser().get('/auth/check', headers), 403, `anonymous ${what}`);
      const forward = await h.browser().get('/auth/forward', { ...HTML, ...headers });
      assertBare(forward, 403, `forward ${what}`);
      assertBare(await b.get('/auth/check', headers), 403, `signed in ${what}`);
    }
  });

  test('X-Forwarded-Uri wins over X-Original-URL', async () => {
    const publicUri = await h.browser().get('/auth/check', {
      ...forwarded('/public/x'),
      'x-original-url': `https://${APP}/private`,
    });
    assertBare(publicUri, 200, 'X-Forwarded-Uri public');
    const privateUri = await h.browser().get('/auth/check', {
      ...forwarded('/private'),
      'x-original-url': `https://${APP}/public/x`,
    });
    assertBare(privateUri, 401, 'X-Forwarded-Uri private');
  });
});

describe('TRUST_PROXY=0: what the client says about the original request is not believed', () => {
  test('a forged X-Forwarded-Uri cannot make a path public: forward auth refuses (fails closed)', async () => {
    const anonymous = untrusted.browser();
    const forged = await anonymous.get('/auth/check', forwarded('/public/x'));
    assertBare(forged, 403, 'X-Forwarded-Uri');
    assertNoIdentity(forged, 'X-Forwarded-Uri');
    const original = await anonymous.get('/auth/check', { 'x-original-url': `https://${APP}/public/x` });
    assertBare(original, 403, 'X-Original-URL');
    // The same request with the proxy trusted: the path is public (so the header above was what mattered).
    assertBare(await h.browser().get('/auth/check', forwarded('/public/x')), 200, 'trusted');
    assert.ok(
      untrusted.logs.some((line) => line.includes('forward auth without a trusted')),
      'the misconfiguration is logged',
    );
  });

  test('a signed-in user is refused too, whatever method and path are claimed: no rule is skipped', async () => {
    const b = await untrusted.signedIn();
    for (const headers of [
      forwarded('/reports/q3', 'POST'),
      forwarded('/admin/x'),
      forwarded('/dashboard'),
      {},
    ]) {
      const res = await b.get('/auth/check', headers);
      assertBare(res, 403, JSON.stringify(headers));
      assertNoIdentity(res, JSON.stringify(headers));
    }
  });

  test('/auth/forward refuses as well, with no redirect built from untrusted headers', async () => {
    const res = await untrusted
      .browser()
      .get('/auth/forward', { ...HTML, ...forwarded('/x', 'GET', 'https') });
    assertBare(res, 403, 'forward');
  });
});

describe('/auth/forward (Caddy forward_auth, Traefik forwardAuth)', () => {
  test('signed in: 200 with the identity headers and no body', async () => {
    const b = await h.signedIn();
    const res = await b.get('/auth/forward', { ...HTML, ...forwarded('/dashboard') });
    assertBare(res, 200, 'signed in');
    assert.equal(res.headers.get('x-auth-request-email'), h.pool.demoUser.email);
    assert.equal(res.headers.get('x-auth-request-groups'), 'demo');
  });

  test('a browser not signed in goes to our absolute sign-in URL with the original URL, and comes back to it', async () => {
    const original = `https://${APP}/reports/q3?year=2026&tab=a`;
    const b = h.browser();
    const res = await b.get('/auth/forward', { ...HTML, ...forwarded('/reports/q3?year=2026&tab=a') });
    assertNo5xx(res, 'forward');
    assert.equal(res.status, 302);
    const login = new URL(res.location!);
    assert.equal(login.origin, new URL(h.baseUrl).origin, 'our origin (APP_BASE_URL), absolute');
    assert.equal(login.pathname, '/login');
    assert.equal(login.searchParams.get('returnTo'), original);
    assert.equal(res.headers.get('x-auth-request-user'), null);

    // The sign-in page keeps it (the host is on ALLOWED_REDIRECT_HOSTS) and sends the browser back to it.
    const form = await b.get(login.pathname + login.search);
    assert.equal(form.status, 200);
    const action = /<form method="post" action="([^"]+)"/.exec(form.body)![1]!.replace(/&amp;/g, '&');
    const signedIn = await b.post(action, {
      _csrf: csrfOf(form.body),
      username: h.pool.demoUser.email,
      password: h.pool.demoUser.password,
    });
    assert.equal(signedIn.status, 302);
    assert.equal(signedIn.location, original);
    // And the next check of that request passes.
    assertBare(
      await b.get('/auth/forward', { ...HTML, ...forwarded('/reports/q3?year=2026&tab=a') }),
      200,
      'back',
    );
  });

  test('an original URL on a host that is not allowed still signs in, but lands on our /account', async () => {
    const b = h.browser();
    const res = await b.get('/auth/forward', { ...HTML, ...forwarded('/x', 'GET', 'https', 'evil.example') });
    assert.equal(res.status, 302);
    const login = new URL(res.location!);
    assert.equal(login.origin, new URL(h.baseUrl).origin);
    const form = await b.get(login.pathname + login.search);
    const action = /<form method="post" action="([^"]+)"/.exec(form.body)![1]!.replace(/&amp;/g, '&');
    const signedIn = await b.post(action, {
      _csrf: csrfOf(form.body),
      username: h.pool.demoUser.email,
      password: h.pool.demoUser.password,
    });
    assert.equal(signedIn.location, '/account');
  });

  test('the redirect to sign-in stores nothing and sets no session cookie', async () => {
    const sizeBefore = h.store.size;
    const res = await h.browser().get('/auth/forward', { ...HTML, ...forwarded('/x') });
    assert.equal(res.status, 302);
    assert.ok(
      !res.headers.getSetCookie().some((c) => /^(__Host-|__Secure-)?session(\.sig)?=/.test(c)),
      'no session cookie',
    );
    assert.equal(h.store.size, sizeBefore, 'no session stored');
  });

  test('a forged X-Forwarded-Host or -Proto never becomes part of the way back', async () => {
    const forgedHosts = [
      'evil.test/app1.example.test',
      'app1.example.test@evil.test',
      'app1.example.test\\@evil.test',
      'app1.example.test?x=.evil.test',
      'app1.example.test#.evil.test',
      'evil.test:99999999',
      '',
    ];
    for (const host of forgedHosts) {
      const res = await h
        .browser()
        .get('/auth/forward', { ...HTML, ...forwarded('/x', 'GET', 'https', host) });
      assertNo5xx(res, host);
      assert.equal(res.status, 302, host);
      const back = new URL(res.location!).searchParams.get('returnTo');
      assert.equal(back, null, `${JSON.stringify(host)}: no returnTo from a host that is not a host`);
    }
    for (const proto of ['javascript', 'ftp', 'https://evil.test/', '']) {
      const res = await h.browser().get('/auth/forward', { ...HTML, ...forwarded('/x', 'GET', proto) });
      assert.equal(res.status, 302, proto);
      assert.equal(new URL(res.location!).searchParams.get('returnTo'), null, `${JSON.stringify(proto)}`);
    }
  });

  test('nginx-style X-Original-URL gives the way back too', async () => {
    const original = `https://${APP}/deep/page?q=1`;
    const res = await h.browser().get('/auth/forward', { ...HTML, 'x-original-url': original });
    assert.equal(res.status, 302);
    assert.equal(new URL(res.location!).searchParams.get('returnTo'), original);
  });

  test('an API request (JSON, or not a GET) gets 401 JSON, never a redirect', async () => {
    for (const [what, headers] of [
      ['JSON', { ...JSON_ACCEPT, ...forwarded('/api/items') }],
      ['POST from a page', { ...HTML, ...forwarded('/api/items', 'POST') }],
      ['no Accept', forwarded('/api/items')],
    ] as const) {
      const res = await h.browser().get('/auth/forward', headers);
      assertNo5xx(res, what);
      assert.equal(res.status, 401, what);
      assert.equal(res.location, undefined, `${what}: no redirect`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
      assert.equal((JSON.parse(res.body) as { error: string }).error, 'unauthorized', what);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer', what);
    }
  });

  test('refused by the rules: our 403 page for a browser, 403 JSON for an API, never a redirect', async () => {
    const b = await h.signedIn();
    const page = await b.get('/auth/forward', { ...HTML, ...forwarded('/admin/users') });
    assertNo5xx(page, 'page');
    assert.equal(page.status, 403);
    assert.equal(page.location, undefined);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.body, /You do not have access/);
    assert.ok(page.body.includes(h.pool.demoUser.email), 'says who is signed in');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assertNoIdentity(page, 'page');
    const api = await b.get('/auth/forward', { ...JSON_ACCEPT, ...forwarded('/admin/users') });
    assert.equal(api.status, 403);
    assert.equal((JSON.parse(api.body) as { error: string }).error, 'forbidden');
    assertNoTokenLeak(h, page, [], 'refused');
  });
});

describe('the common path costs no Cognito call and no session write', () => {
  test('signed in: many checks, zero Cognito calls, zero store writes', async () => {
    const b = await h.signedIn();
    h.emulator.resetCalls();
    const store = countStoreWrites(h);
    try {
      for (let i = 0; i < 10; i++) {
        assertBare(await b.get('/auth/check', forwarded(`/page/${i}`)), 200, `check ${i}`);
        assertBare(
          await b.get('/auth/forward', { ...HTML, ...forwarded(`/page/${i}`) }),
          200,
          `forward ${i}`,
        );
      }
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) =>
          assertBare(await b.get('/auth/check', forwarded(`/parallel/${i}`)), 200, `parallel ${i}`),
        ),
      );
      assert.equal(h.emulator.callCount('InitiateAuth'), 0, 'no InitiateAuth');
      assert.equal(h.emulator.callCount('GetUser'), 0, 'no GetUser');
      assert.equal(h.emulator.callCount(), 0, 'no Cognito call at all');
      assert.equal(store.writes(), 0, 'no session write');
      assert.equal(store.destroys(), 0, 'no session destroyed');
    } finally {
      store.stop();
    }
  });

  test('anonymous and refused checks cost no Cognito call, no session and no cookie', async () => {
    const b = await h.signedIn();
    h.emulator.resetCalls();
    const store = countStoreWrites(h);
    const sizeBefore = h.store.size;
    try {
      for (let i = 0; i < 5; i++) {
        const anonymous = await h.browser().get('/auth/check', forwarded('/x'));
        assertBare(anonymous, 401, 'anonymous');
        assert.equal(anonymous.headers.getSetCookie().length, 0);
        const forward = await h.browser().get('/auth/forward', { ...JSON_ACCEPT, ...forwarded('/x') });
        assert.equal(forward.status, 401);
        assert.equal(forward.headers.getSetCookie().length, 0);
        assertBare(await b.get('/auth/check', forwarded('/admin/x')), 403, 'refused');
      }
      assert.equal(h.emulator.callCount(), 0, 'no Cognito call');
      assert.equal(store.writes(), 0, 'no session write');
      assert.equal(h.store.size, sizeBefore, 'no new session');
    } finally {
      store.stop();
    }
  });
});

describe('/auth/keys', () => {
  test('a JWKS of public keys, and each key as PEM; the assertion verifies with the published key alone', async () => {
    const jwks = await h.browser().get('/auth/keys');
    assert.equal(jwks.status, 200);
    assert.match(jwks.headers.get('content-type') ?? '', /^application\/json/);
    const { keys } = JSON.parse(jwks.body) as { keys: Record<string, string>[] };
    assert.ok(keys.length >= 1);
    for (const key of keys) {
      assert.equal(key.kty, 'EC');
      assert.equal(key.crv, 'P-256');
      assert.match(key.kid ?? '', /^[0-9a-f-]{36}$/, 'a UUID, as an ALB');
      assert.equal(key.d, undefined, 'no private part');
    }

    const b = await h.signedIn();
    const data = (await b.get('/auth/check', forwarded('/x'))).headers.get('x-amzn-oidc-data')!;
    const header = JSON.parse(Buffer.from(data.split('.')[0]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    assert.equal(header.alg, 'ES256');
    assert.ok(
      keys.some((k) => k.kid === header.kid),
      'signed with a published key',
    );
    assert.match(
      String(header.signer),
      /^arn:aws:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\//,
    );
    assert.equal(header.iss, `https://cognito-idp.${h.pool.region}.amazonaws.com/${h.pool.userPoolId}`);
    assert.equal(header.client, h.pool.clientId);

    const pemPage = await h.browser().get(`/auth/keys/${String(header.kid)}`);
    assert.equal(pemPage.status, 200);
    assert.match(pemPage.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(pemPage.body, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$/);
    assert.doesNotMatch(pemPage.body, /PRIVATE/);
    const jwk = keys.find((k) => k.kid === header.kid)!;
    assert.equal(
      createPublicKey(pemPage.body).export({ format: 'der', type: 'spki' }).toString('base64'),
      createPublicKey({ key: jwk as never, format: 'jwk' })
        .export({ format: 'der', type: 'spki' })
        .toString('base64'),
      'the PEM is the JWKS key',
    );
    const { payload } = await jwtVerify(data, await importSPKI(pemPage.body, 'ES256'));
    assert.equal(payload.email, h.pool.demoUser.email);
    assert.equal(payload.iss, header.iss);
    assert.ok(
      typeof payload.exp === 'number' && payload.exp * 1000 <= Date.now() + 10 * 60_000,
      'short-lived',
    );
  });

  test('an unknown kid is a 404, not an error', async () => {
    for (const kid of ['00000000-0000-0000-0000-000000000000', 'nope', '..%2f..%2fetc']) {
      const res = await h.browser().get(`/auth/keys/${kid}`);
      assertNo5xx(res, kid);
      assert.equal(res.status, 404, kid);
      assert.doesNotMatch(res.body, /BEGIN PUBLIC KEY/);
    }
  });
});

describe('a session whose access token is due for refresh', () => {
  let r: Harness;
  before(async () => {
    r = await startHarness({ env: { TRUST_PROXY: '1' } });
  });
  after(() => r?.close());

  /** Signs in and moves the clock to 30 s before the access token's expiry (tokens live an hour). */
  async function dueForRefresh(): Promise<Browser> {
    const b = await r.signedIn();
    assertBare(await b.get('/auth/check', forwarded('/x')), 200, 'before');
    r.clock.advance(3_600_000 - 30_000);
    r.emulator.resetCalls();
    return b;
  }

  /**
   * Holds every session read until `count` requests have read the session, so all of them are in flight with the
   * old tokens at once, whatever the machine's speed (no timing involved).
   */
  function barrierOnRead(count: number): { restore: () => void; arrived: () => number } {
    const store = r.store;
    const get = store.get.bind(store);
    let arrived = 0;
    let release!: () => void;
    const all = new Promise<void>((resolve) => (release = resolve));
    // Never hold a request for ever: if fewer than `count` arrive, the count assertion below says so.
    const safety = setTimeout(release, 60_000);
    store.get = async (key) => {
      const value = await get(key);
      if (++arrived >= count) release();
      await all;
      return value;
    };
    return {
      restore: () => {
        clearTimeout(safety);
        store.get = get;
      },
      arrived: () => arrived,
    };
  }

  test('concurrent checks refresh it exactly once, and the checks after that cost nothing', async () => {
    const b = await dueForRefresh();
    const barrier = barrierOnRead(8);
    let answers: Page[];
    try {
      answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          i % 2 === 0
            ? b.get('/auth/check', forwarded(`/c/${i}`))
            : b.get('/auth/forward', { ...HTML, ...forwarded(`/f/${i}`) }),
        ),
      );
    } finally {
      barrier.restore();
    }
    assert.equal(barrier.arrived(), 8, 'all eight were in flight with the old tokens at once');
    for (const [i, res] of answers.entries()) {
      assertBare(res, 200, `concurrent ${i}`);
      assert.equal(res.headers.get('x-auth-request-email'), r.pool.demoUser.email);
    }
    assert.equal(r.emulator.callCount('InitiateAuth'), 1, 'one refresh (REFRESH_TOKEN_AUTH)');
    assert.equal(r.emulator.callCount(), 1, 'and no other Cognito call');

    // The refreshed tokens were kept: later checks are back on the common path.
    r.emulator.resetCalls();
    const store = countStoreWrites(r);
    try {
      for (let i = 0; i < 5; i++) assertBare(await b.get('/auth/check', forwarded('/y')), 200, `after ${i}`);
      assert.equal(r.emulator.callCount(), 0, 'no Cognito call after the refresh');
      assert.equal(store.writes(), 0, 'no session write after the refresh');
    } finally {
      store.stop();
    }
    assertNoTokenLeak(r, undefined, [], 'refresh');
  });

  test('a check that read the session while the first refresh was being saved does not refresh again', async () => {
    const b = await dueForRefresh();
    const store = r.store;
    const get = store.get.bind(store);
    const set = store.set.bind(store);
    // A's save of the refreshed session waits until B has read the session (still the old tokens).
    let savingA!: () => void;
    const aSaving = new Promise<void>((resolve) => (savingA = resolve));
    let bRead!: () => void;
    const bHasRead = new Promise<void>((resolve) => (bRead = resolve));
    let reads = 0;
    store.set = async (...args) => {
      savingA();
      await within(bHasRead, 60_000, 'B to read the session').catch(() => undefined);
      return set(...args);
    };
    store.get = async (key) => {
      const value = await get(key);
      if (++reads === 2) bRead();
      return value;
    };
    try {
      const a = b.get('/auth/check', forwarded('/a'));
      await within(aSaving, 60_000, "A's save of the refreshed session"); // A's refresh is done (InitiateAuth answered) and its session is about to be written.
      const second = b.get('/auth/check', forwarded('/b'));
      const [resA, resB] = await Promise.all([a, second]);
      assertBare(resA, 200, 'A');
      assertBare(resB, 200, 'B');
    } finally {
      store.get = get;
      store.set = set;
    }
    assert.equal(
      r.emulator.callCount('InitiateAuth'),
      1,
      'one REFRESH_TOKEN_AUTH for one refresh token, even for a request that overlapped the first one',
    );
  });

  test('a refused refresh ends the session: 401, sign-in with "session ended", and no call after', async () => {
    const b = await dueForRefresh();
    // Signed out everywhere (an admin, or another device): the refresh token is revoked.
    const cognito = adminClient(r.emulator.endpoint);
    try {
      await globalSignOut(cognito, r.pool.userPoolId, r.pool.demoUser.email);
    } finally {
      cognito.destroy();
    }
    r.emulator.resetCalls();
    const store = countStoreWrites(r);
    try {
      const res = await b.get('/auth/forward', { ...HTML, ...forwarded('/dashboard') });
      assertNo5xx(res, 'ended');
      assert.equal(res.status, 302);
      const login = new URL(res.location!);
      assert.equal(login.pathname, '/login');
      assert.equal(login.searchParams.get('notice'), 'session-ended');
      assert.equal(login.searchParams.get('returnTo'), `https://${APP}/dashboard`);
      assert.equal(r.emulator.callCount('InitiateAuth'), 1, 'one refresh tried');
      assert.equal(store.destroys(), 1, 'the session was destroyed');
      // The session is gone: the next checks are anonymous, without another try.
      assertBare(await b.get('/auth/check', forwarded('/dashboard')), 401, 'after');
      assertBare(await b.get('/auth/check', forwarded('/dashboard')), 401, 'after, again');
      assert.equal(r.emulator.callCount('InitiateAuth'), 1, 'no second refresh');
    } finally {
      store.stop();
    }
  });
});

describe('under BASE_PATH=/auth, as every example runs it', () => {
  let p: Harness;
  before(async () => {
    p = await startHarness({ env: { TRUST_PROXY: '1', BASE_PATH: '/auth', ALLOWED_REDIRECT_HOSTS: APP } });
  });
  after(() => p?.close());

  test('/auth/auth/forward sends a browser to /auth/login and the sign-in comes back to the app', async () => {
    const original = `https://${APP}/reports?x=1`;
    const b = p.browser();
    const res = await b.get('/auth/auth/forward', { ...HTML, ...forwarded('/reports?x=1') });
    assertNo5xx(res, 'forward');
    assert.equal(res.status, 302);
    const login = new URL(res.location!);
    assert.equal(login.origin, new URL(p.baseUrl).origin);
    assert.equal(login.pathname, '/auth/login');
    assert.equal(login.searchParams.get('returnTo'), original);
    const form = await b.get(login.pathname + login.search);
    assert.equal(form.status, 200);
    const action = /<form method="post" action="([^"]+)"/.exec(form.body)![1]!.replace(/&amp;/g, '&');
    assert.match(action, /^\/auth\/login\?/);
    const signedIn = await b.post(action, {
      _csrf: csrfOf(form.body),
      username: p.pool.demoUser.email,
      password: p.pool.demoUser.password,
    });
    assert.equal(signedIn.status, 302);
    assert.equal(signedIn.location, original);
    const check = await b.get('/auth/auth/check', forwarded('/reports?x=1'));
    assertBare(check, 200, 'check under BASE_PATH');
    assert.equal(check.headers.get('x-auth-request-email'), p.pool.demoUser.email);
    assert.equal((await b.get('/auth/auth/keys')).status, 200);
  });
});

test('no token reached the logs', () => {
  assertNoTokenLeak(h, undefined, [h.pool.demoUser.password], 'trusted');
  assertNoTokenLeak(untrusted, undefined, [untrusted.pool.demoUser.password], 'untrusted');
});
