// A signed-in session's pass, kept for its next requests in front of the app (forward auth, the built-in proxy) and
// answered without reading the session: exactly the same answers, and every way a session ends still ends it at once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { adminClient } from '../helpers/admin.ts';
import { flippedSignature, signInWithSdk } from '../helpers/cognito-tokens.ts';
import { countStoreReads, JWT } from '../helpers/protect-checks.ts';

const APP = 'app.example.test';
const forwarded = (uri: string, method = 'GET') => ({
  'x-forwarded-method': method,
  'x-forwarded-proto': 'https',
  'x-forwarded-host': APP,
  'x-forwarded-uri': uri,
});
const RULES = {
  public: ['/public/'],
  rules: [{ path: '/admin', allow: { groups: { any: ['admins'] } } }],
  default: 'authenticated',
};

let rulesDir: string;
let rulesFile: string;
before(() => {
  rulesDir = mkdtempSync(path.join(os.tmpdir(), 'kept-pass-'));
  rulesFile = path.join(rulesDir, 'rules.json');
  writeFileSync(rulesFile, JSON.stringify(RULES));
});
after(() => rmSync(rulesDir, { recursive: true, force: true }));

/** The headers of an answer that say anything (not the date or the connection's). */
function meaningful(res: Page): [string, string][] {
  return [...res.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name));
}

/** The session id in a browser's cookie jar. */
const sessionIdOf = (b: Browser) => b.cookies.get('session')!;

describe('forward auth from a kept pass', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { TRUST_PROXY: '1', ACCESS_RULES_FILE: rulesFile } });
  });
  after(() => h?.close());

  /** Signed in, with one check made (the one that keeps the pass). */
  async function kept(): Promise<{ b: Browser; first: Page }> {
    const b = await h.signedIn();
    const first = await b.get('/auth/check', forwarded('/dashboard'));
    assert.equal(first.status, 200);
    return { b, first };
  }

  test('later checks read no session and answer exactly as the first did, /auth/forward too', async () => {
    const { b, first } = await kept();
    const reads = countStoreReads(h.store);
    try {
      for (let i = 0; i < 20; i++) {
        const res = await b.get('/auth/check', forwarded(`/dashboard?i=${i}`));
        assert.deepEqual(meaningful(res), meaningful(first), `check ${i}`);
        assert.equal(res.body, '');
      }
      const forward = await b.get('/auth/forward', forwarded('/reports'));
      assert.deepEqual(meaningful(forward), meaningful(first), 'forward');
      assert.equal(reads.reads(), 0, 'no session read');
    } finally {
      reads.stop();
    }
    assert.match(first.headers.get('x-amzn-oidc-data') ?? '', JWT);
    assert.equal(first.headers.get('x-auth-request-email'), h.pool.demoUser.email);
    assert.equal(first.headers.get('cache-control'), 'no-store');
  });

  test('signed out: the same cookie is refused at once', async () => {
    const { b } = await kept();
    const stolen = b.clone();
    const confirm = await b.get('/logout');
    assert.equal((await b.post('/logout', { _csrf: csrfOf(confirm.body) })).status, 302);
    assert.equal((await stolen.get('/auth/check', forwarded('/dashboard'))).status, 401);
    const page = await stolen.get('/auth/forward', { ...forwarded('/dashboard'), accept: 'text/html' });
    assert.equal(page.status, 302, 'a browser is sent to sign in');
  });

  test('a session ended in the store by anything else (a reset, an eviction) is refused at once', async () => {
    const { b } = await kept();
    await h.store.destroy(sessionIdOf(b));
    assert.equal((await b.get('/auth/check', forwarded('/dashboard'))).status, 401);
  });

  test('the rules still judge every request: a kept pass never opens what they refuse', async () => {
    const { b } = await kept();
    assert.equal((await b.get('/auth/check', forwarded('/admin/users'))).status, 403);
    assert.equal((await b.get('/auth/check', forwarded('/ADMIN/users'))).status, 403);
    assert.equal((await b.get('/auth/check', forwarded('/public/../admin'))).status, 403);
    assert.equal((await b.get('/auth/check', forwarded('/dashboard'))).status, 200);
  });

  test('the original request must still be readable: an unreadable one is refused', async () => {
    const { b } = await kept();
    assert.equal((await b.get('/auth/check', { 'x-forwarded-uri': 'dashboard' })).status, 403);
    assert.equal((await b.get('/auth/check', {})).status, 403);
  });

  test('a cookie with a forged signature, or a Bearer token beside the cookie, is not answered from the pass', async () => {
    const { b } = await kept();
    const forged = b.clone();
    forged.cookies.set('session.sig', 'A'.repeat(27));
    assert.equal((await forged.get('/auth/check', forwarded('/dashboard'))).status, 401);
    const bearer = await b.get('/auth/check', {
      ...forwarded('/dashboard'),
      authorization: 'Bearer not-a-token',
    });
    assert.equal(bearer.status, 401, 'the Bearer token decides alone');
    assert.equal(bearer.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  });

  test('past the absolute lifetime the kept pass is not used: 401', async () => {
    const { b } = await kept();
    const offset = h.clock.offsetMs;
    try {
      h.clock.advance(h.config.session.absoluteTimeoutMs);
      assert.equal((await b.get('/auth/check', forwarded('/dashboard'))).status, 401);
    } finally {
      h.clock.offsetMs = offset;
    }
  });

  test('a Bearer token seen before: answered again alike, the rules still judge, and never past its exp', async () => {
    const admin = adminClient(h.emulator.endpoint);
    const { accessToken } = await signInWithSdk(
      admin,
      { userPoolId: h.pool.userPoolId, clientId: h.pool.clientId, clientSecret: h.pool.clientSecret },
      h.pool.demoUser.email,
      h.pool.demoUser.password,
    ).finally(() => admin.destroy());
    const bearer = (uri: string, token = accessToken) => ({
      ...forwarded(uri),
      authorization: `Bearer ${token}`,
    });
    const first = await h.browser().get('/auth/check', bearer('/api'));
    assert.equal(first.status, 200);
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(meaningful(await h.browser().get('/auth/check', bearer('/api'))), meaningful(first));
    }
    assert.equal((await h.browser().get('/auth/check', bearer('/admin'))).status, 403);
    const forged = await h.browser().get('/auth/check', bearer('/api', flippedSignature(accessToken)));
    assert.equal(forged.status, 401, 'another signature is another token');
    const offset = h.clock.offsetMs;
    try {
      h.clock.advance(3_600_000);
      const expired = await h.browser().get('/auth/check', bearer('/api'));
      assert.equal(expired.status, 401);
      assert.equal(expired.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    } finally {
      h.clock.offsetMs = offset;
    }
  });

  test('the answers from the kept pass are counted in the metrics like any other', async () => {
    const { b } = await kept();
    const count = async () => {
      const text = (await h.browser().get('/metrics')).body;
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('login_http_requests_total{') &&
            /route="\/auth\/check"/.test(l) &&
            /status="200"/.test(l),
        );
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await count();
    for (let i = 0; i < 5; i++) await b.get('/auth/check', forwarded('/dashboard'));
    assert.equal((await count()) - before, 5);
  });
});

describe('the built-in proxy from a kept pass', () => {
  let h: Harness;
  let upstream: EchoUpstream;
  before(async () => {
    upstream = await startEchoUpstream();
    h = await startHarness({
      env: {
        UPSTREAM_URL: upstream.url,
        BASE_PATH: '/auth',
        ACCESS_RULES_FILE: rulesFile,
        UPSTREAM_TIMEOUT_MS: '1000',
      },
    });
  });
  after(async () => {
    await h?.close();
    await upstream?.close();
  });

  async function signedIn(): Promise<Browser> {
    const b = h.browser();
    const form = await b.get('/auth/login');
    const res = await b.post('/auth/login', {
      _csrf: csrfOf(form.body),
      username: h.pool.demoUser.email,
      password: h.pool.demoUser.password,
    });
    assert.equal(res.status, 302);
    assert.equal((await b.get('/first')).status, 200, 'the request that keeps the pass');
    return b;
  }

  test('requests read no session, reach the app with our identity headers only, and the app answers as itself', async () => {
    const b = await signedIn();
    const reads = countStoreReads(h.store);
    try {
      const res = await b.get('/reports?x=1', {
        'x-auth-request-email': 'boss@example.com',
        'X-Amzn-Oidc-Identity': 'someone-else',
        x_auth_request_groups: 'admins',
      });
      assert.equal(res.status, 200);
      const got = upstream.received.at(-1)!;
      assert.equal(got.url, '/reports?x=1');
      assert.equal(got.headers['x-auth-request-email'], h.pool.demoUser.email);
      assert.notEqual(got.headers['x-amzn-oidc-identity'], 'someone-else');
      assert.equal(got.headers.x_auth_request_groups, undefined, 'the underscore spelling is gone too');
      assert.match(String(got.headers['x-amzn-oidc-data']), JWT);
      assert.ok(
        res.headers.getSetCookie().some((c) => c.startsWith('app_cookie=')),
        "the app's own cookie",
      );
      const post = await b.post('/form', { a: '1' });
      assert.equal(post.status, 200);
      assert.equal(upstream.received.at(-1)!.method, 'POST');
      assert.ok(upstream.received.at(-1)!.bodyBytes > 0, 'the body streamed through');
      assert.equal(reads.reads(), 0, 'no session read');
    } finally {
      reads.stop();
    }
  });

  test('our own pages are never proxied, and a path the rules refuse gets our 403', async () => {
    const b = await signedIn();
    const before = upstream.received.length;
    assert.equal((await b.get('/auth/account')).status, 200);
    assert.equal((await b.get('/admin', { accept: 'text/html' })).status, 403);
    assert.equal(upstream.received.length, before);
  });

  test('signed out: the next request is sent to sign in, not proxied', async () => {
    const b = await signedIn();
    const stolen = b.clone();
    const confirm = await b.get('/auth/logout');
    assert.equal((await b.post('/auth/logout', { _csrf: csrfOf(confirm.body) })).status, 302);
    const before = upstream.received.length;
    const res = await stolen.get('/reports', { accept: 'text/html' });
    assert.equal(res.status, 302);
    assert.match(res.location!, /^\/auth\/login\?/);
    assert.equal(upstream.received.length, before);
  });

  test('the app failing on a request proxied from a kept pass gets our 502 page', async () => {
    const b = await signedIn();
    const res = await b.get('/slow?ms=100000', { accept: 'text/html' });
    assert.equal(res.status, 504);
    assert.match(res.body, /<html/i);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });
});
