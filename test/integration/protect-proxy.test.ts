// The built-in reverse proxy in front of an app: sign-in first, identity headers it can trust, WebSocket, failures.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AlbJwtVerifier } from 'aws-jwt-verify';
import { AlbJwksCache } from 'aws-jwt-verify/alb-cache';
import { NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import WebSocket from 'ws';
import type { Browser } from '../helpers/browser.ts';
import { csrfOf } from '../helpers/browser.ts';
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

const HTML = { accept: 'text/html,application/xhtml+xml' };

/** aws-jwt-verify's own fetcher is https-only; this one reads our loopback http key endpoint. */
const httpFetcher: Fetcher = {
  async fetch(uri) {
    const res = await fetch(uri);
    if (res.status !== 200) throw new NonRetryableFetchError(uri, `status ${res.status}`);
    return res.arrayBuffer();
  },
};

/** The proxy's deadline for the app's response headers. */
const UPSTREAM_TIMEOUT_MS = 2000;

let upstream: EchoUpstream;
let h: Harness;
let rulesDir: string;

/** Signs the demo user in through /auth/login, coming back to `returnTo`. */
async function signIn(b: Browser, returnTo: string) {
  const form = `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
  const page = await b.get(form);
  return b.post(form, {
    _csrf: csrfOf(page.body),
    username: h.pool.demoUser.email,
    password: h.pool.demoUser.password,
  });
}

before(async () => {
  upstream = await startEchoUpstream();
  rulesDir = mkdtempSync(path.join(os.tmpdir(), 'rules-'));
  writeFileSync(
    path.join(rulesDir, 'rules.json'),
    JSON.stringify({
      public: ['/public/'],
      rules: [{ path: '/admin', allow: { groups: { any: ['admins'] } } }],
      default: 'authenticated',
    }),
  );
  h = await startHarness({
    env: {
      UPSTREAM_URL: upstream.url,
      BASE_PATH: '/auth',
      ACCESS_RULES_FILE: path.join(rulesDir, 'rules.json'),
      // Roomy enough for a 50 MB upload on a busy machine; the slow app below takes far longer.
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    },
  });
});
after(async () => {
  await h.close();
  await upstream.close();
  rmSync(rulesDir, { recursive: true, force: true });
});

describe('not signed in', () => {
  test('a browser going to a deep URL is sent to our sign-in, and comes back to it after', async () => {
    const b = h.browser();
    const first = await b.get('/reports/q3?year=2026&tab=a', HTML);
    assert.equal(first.status, 302);
    const login = new URL(first.location!, h.baseUrl);
    assert.equal(login.pathname, '/auth/login');
    assert.equal(login.searchParams.get('returnTo'), '/reports/q3?year=2026&tab=a');
    assert.equal(
      upstream.received.filter((r) => r.url.startsWith('/reports')).length,
      0,
      'nothing reached the app',
    );
    const signedIn = await signIn(b, login.searchParams.get('returnTo')!);
    assert.equal(signedIn.status, 302);
    assert.equal(signedIn.location, '/reports/q3?year=2026&tab=a');
    const page = await b.get(signedIn.location, HTML);
    assert.equal(page.status, 200);
    assert.equal((JSON.parse(page.body) as { url: string }).url, '/reports/q3?year=2026&tab=a');
  });

  test('an API request gets 401 JSON, never a redirect', async () => {
    const res = await h.browser().get('/api/items', { accept: 'application/json' });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.equal((JSON.parse(res.body) as { error: string }).error, 'unauthorized');
  });

  test('a public path reaches the app without signing in, and without identity headers', async () => {
    const res = await h.browser().get('/public/logo.png', { 'x-auth-request-email': 'boss@example.com' });
    assert.equal(res.status, 200);
    const headers = (JSON.parse(res.body) as { headers: Record<string, string> }).headers;
    assert.equal(headers['x-auth-request-email'], undefined);
  });

  test('our own pages live under BASE_PATH and link there', async () => {
    const page = await h.browser().get('/auth/login');
    assert.equal(page.status, 200);
    assert.match(page.body, /action="\/auth\/login\?returnTo=%2Fauth%2Faccount"/);
    assert.match(page.body, /href="\/auth\/assets\/app\.css/);
    assert.equal((await h.browser().get('/auth/assets/app.css')).status, 200);
  });
});

describe('signed in', () => {
  let b: Browser;
  before(async () => {
    b = h.browser();
    await signIn(b, '/');
  });

  test('the app gets the identity headers, and never a copy the client sent', async () => {
    const res = await b.get('/whoami', {
      'X-Auth-Request-Email': 'boss@example.com',
      'x-auth-request-groups': 'admins',
      X_Auth_Request_User: 'someone-else',
      'x-amzn-oidc-identity': 'someone-else',
      'x-amzn-oidc-data': 'forged',
    });
    assert.equal(res.status, 200);
    const got = JSON.parse(res.body) as { headers: Record<string, string> };
    assert.equal(got.headers['x-auth-request-email'], h.pool.demoUser.email);
    assert.match(got.headers['x-auth-request-user']!, /^[0-9a-f-]{36}$/);
    assert.equal(got.headers['x-amzn-oidc-identity'], got.headers['x-auth-request-user']);
    assert.equal(
      got.headers['x-auth-request-groups'],
      'demo',
      "the demo user's own groups, not the client's",
    );
    assert.equal(got.headers.x_auth_request_user, undefined);
    assert.equal(got.headers['x-amzn-oidc-accesstoken'], undefined, 'only with PASS_ACCESS_TOKEN');

    // The assertion verifies with aws-jwt-verify's ALB verifier against our published keys.
    const jwks = await b.get('/auth/auth/keys'); // BASE_PATH + /auth/keys
    assert.equal(jwks.status, 200);
    const data = got.headers['x-amzn-oidc-data']!;
    const header = JSON.parse(Buffer.from(data.split('.')[0]!, 'base64url').toString()) as Record<
      string,
      string
    >;
    const verifier = AlbJwtVerifier.create(
      {
        albArn: header.signer!,
        issuer: `https://cognito-idp.${h.pool.region}.amazonaws.com/${h.pool.userPoolId}`,
        clientId: h.pool.clientId,
        jwksUri: `${h.baseUrl}/auth/auth/keys`,
      },
      { jwksCache: new AlbJwksCache({ fetcher: httpFetcher }) },
    );
    const payload = await verifier.verify(data);
    assert.equal(payload.sub, got.headers['x-auth-request-user']);
    assert.equal(payload.email, h.pool.demoUser.email);
  });

  test("the app's cookies and redirects pass through; our CSP and no-store are not added", async () => {
    const res = await b.get('/anything');
    assert.match(res.headers.getSetCookie().join('\n'), /app_cookie=from-app/);
    assert.equal(res.headers.get('content-security-policy'), null);
    assert.equal(res.headers.get('cache-control'), null);
    const redirect = await b.get('/redirect');
    assert.equal(redirect.status, 302);
    assert.equal(redirect.location, '/landed');
  });

  test('the access rules refuse with our 403 page (HTML) or 403 JSON, and never call the app', async () => {
    const before = upstream.received.length;
    const page = await b.get('/admin/users', HTML);
    assert.equal(page.status, 403);
    assert.match(page.body, /You do not have access/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const api = await b.get('/admin/users', { accept: 'application/json' });
    assert.equal(api.status, 403);
    assert.equal(upstream.received.length, before);
  });

  test('a POST with a body streams to the app without our CSRF check (the app keeps its own defences)', async () => {
    const res = await b.request('POST', '/api/items', JSON.stringify({ a: 1 }), {
      'content-type': 'application/json',
    });
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { bodyBytes: number }).bodyBytes, 7);
  });

  test('a 50 MB upload streams through without the server holding it', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const upload = async (size: number) => {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= size) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const res = await fetch(`${h.baseUrl}/upload`, {
        method: 'POST',
        body,
        duplex: 'half',
        // The app answers at once and counts the bytes as they stream in: only the streaming is tested here,
        // not how long a busy machine takes to move 50 MB (the header deadline is tested below).
        headers: {
          cookie: b.cookieHeader(),
          'content-type': 'application/octet-stream',
          'x-echo-early': '1',
        },
      });
      assert.equal(res.status, 200);
      return ((await res.json()) as { bodyBytes: number }).bodyBytes;
    };
    // A first upload warms up the client's and the server's buffers, which the process keeps anyway.
    assert.equal(await upload(8 * 1024 * 1024), 8 * 1024 * 1024);
    const size = 50 * 1024 * 1024;
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    try {
      assert.equal(await upload(size), size);
    } finally {
      // A failed upload must not leave the sampler holding the process open.
      clearInterval(sampler);
    }
    // The client, our proxy and the app share this process: together they stay below the upload's size, which
    // holding the body would take. RSS also holds garbage not yet collected (more of it on a busy machine, where
    // collection lags): hence the margin, not a tight bound.
    assert.ok(peak - rssBefore < size * 0.8, `memory grew by ${Math.round((peak - rssBefore) / 1e6)} MB`);
  });

  test('server-sent events stream through, event by event, past the header deadline', async () => {
    // Three events 0.8 s apart: the stream lasts past the deadline, which holds only for the headers.
    const res = await fetch(`${h.baseUrl}/events?every=800`, { headers: { cookie: b.cookieHeader() } });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.equal(text, 'data: 0\n\ndata: 1\n\ndata: 2\n\n');
  });

  test('an app slower than UPSTREAM_TIMEOUT_MS gets a 504 page, without hanging', async () => {
    const started = performance.now();
    const res = await b.get('/slow?ms=20000', HTML);
    assert.equal(res.status, 504);
    assert.match(res.body, /taking too long/);
    const ms = performance.now() - started;
    assert.ok(ms >= UPSTREAM_TIMEOUT_MS - 50, `answered after ${Math.round(ms)} ms, before the deadline`);
    assert.ok(ms < 15_000, `answered after ${Math.round(ms)} ms: the deadline, not the app`);
  });

  test('a WebSocket is refused before sign-in and from another site, and echoed after sign-in', async () => {
    const wsUrl = `${h.baseUrl.replace('http', 'ws')}/socket`;
    const refused = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(wsUrl, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error('opened')));
        ws.on('error', () => undefined);
      });
    assert.equal(await refused({}), 401);
    assert.equal(await refused({ cookie: b.cookieHeader(), origin: 'https://evil.example' }), 403);
    const ws = new WebSocket(wsUrl, { headers: { cookie: b.cookieHeader(), origin: h.baseUrl } });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (data: Buffer) => resolve(data.toString()));
      ws.on('error', reject);
    });
    ws.close();
    assert.equal(reply, 'echo:hello');
    assert.equal(upstream.upgrades.at(-1)?.['x-auth-request-email'], h.pool.demoUser.email);
  });
});

describe('the app is down', () => {
  test('a friendly 502 page, not a hang', async () => {
    const down = await startHarness({ env: { UPSTREAM_URL: 'http://127.0.0.1:9', BASE_PATH: '/auth' } });
    try {
      const b = down.browser();
      await (async () => {
        const form = '/auth/login';
        const page = await b.get(form);
        await b.post(form, {
          _csrf: csrfOf(page.body),
          username: down.pool.demoUser.email,
          password: down.pool.demoUser.password,
        });
      })();
      const res = await b.get('/dashboard', HTML);
      assert.equal(res.status, 502);
      assert.match(res.body, /not reachable/);
    } finally {
      await down.close();
    }
  });
});
