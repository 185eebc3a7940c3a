// The walk every forward-auth proxy example must pass (nginx, Caddy): the real proxy with the shipped config in
// front of the echo app, our server behind it at /auth; sign-in round trip to a deep URL, identity headers
// verified and never spoofable, 401 for APIs, 403 by the rules, public paths anonymous, the judged path the real one.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AlbJwtVerifier } from 'aws-jwt-verify';
import { AlbJwksCache } from 'aws-jwt-verify/alb-cache';
import { NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { isIdentityHeaderName } from '../../src/identity/identity-headers.ts';
import { Browser, csrfOf } from './browser.ts';
import { startEchoUpstream, type EchoUpstream } from './echo-upstream.ts';
import { startHarness, type Harness } from './harness.ts';
import { onFreePort } from './service-process.ts';

export const HTML = { accept: 'text/html,application/xhtml+xml' };
export const JSON_ONLY = { accept: 'application/json' };
/** A deep URL with a query that a naive `?returnTo=$request_uri` would cut at its first `&`. */
export const DEEP_URL = '/reports/q3?year=2026&tab=a%26b&q=caf%C3%A9+au+lait';

/** aws-jwt-verify's own fetcher is https-only; this one reads the keys over loopback http. */
export const httpFetcher: Fetcher = {
  async fetch(uri) {
    const res = await fetch(uri);
    if (res.status !== 200) throw new NonRetryableFetchError(uri, `status ${res.status}`);
    return res.arrayBuffer();
  },
};

/** A running proxy: its origin and its stop. */
export interface RunningProxy {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

export type ProxyStarter = (ports: {
  port: number;
  loginPort: number;
  appPort: number;
}) => Promise<RunningProxy>;

export interface ForwardAuthStack {
  /** The proxy's origin: where the browser goes, and APP_BASE_URL. */
  proxyUrl: string;
  proxy: RunningProxy;
  h: Harness;
  upstream: EchoUpstream;
  /** Headers of every request the app received under `pathPrefix`. */
  reached(pathPrefix: string): EchoUpstream['received'];
  /** Signs the demo user in through the proxy, from a 302 to our sign-in page; returns the redirect after it. */
  signIn(b: Browser, loginLocation: string): Promise<{ status: number; location: string | undefined }>;
  /** A browser on the proxy with the demo user signed in. */
  signedIn(): Promise<Browser>;
  /** Stops the proxy, our server and the app, and removes the rules' temp dir. */
  stop(): Promise<void>;
}

/**
 * Starts the echo app, our server (local mode, BASE_PATH=/auth, TRUST_PROXY=1, APP_BASE_URL the proxy's origin,
 * ALLOWED_REDIRECT_HOSTS the proxy's host, rules: `/public/` public, `/admin` for the admins group) and the proxy
 * on a free port (another one, our server included, when a concurrent suite took it first).
 */
export async function startForwardAuthStack(startProxy: ProxyStarter): Promise<ForwardAuthStack> {
  const upstream = await startEchoUpstream();
  const rulesDir = mkdtempSync(path.join(os.tmpdir(), 'forward-auth-rules-'));
  const rulesFile = path.join(rulesDir, 'rules.json');
  writeFileSync(
    rulesFile,
    JSON.stringify({
      public: ['/public/'],
      rules: [{ path: '/admin', allow: { groups: { any: ['admins'] } } }],
      default: 'authenticated',
    }),
  );
  const appPort = Number(new URL(upstream.url).port);
  let started: { h: Harness; proxy: RunningProxy; proxyUrl: string };
  try {
    started = await onFreePort(async (port) => {
      const proxyUrl = `http://127.0.0.1:${port}`;
      const h = await startHarness({
        env: {
          APP_BASE_URL: proxyUrl,
          BASE_PATH: '/auth',
          TRUST_PROXY: '1',
          ALLOWED_REDIRECT_HOSTS: `127.0.0.1:${port}`,
          ACCESS_RULES_FILE: rulesFile,
        },
      });
      try {
        const loginPort = Number(new URL(h.baseUrl).port);
        return { h, proxyUrl, proxy: await startProxy({ port, loginPort, appPort }) };
      } catch (err) {
        await h.close();
        throw err;
      }
    });
  } catch (err) {
    await upstream.close();
    rmSync(rulesDir, { recursive: true, force: true });
    throw err;
  }
  const { h, proxy, proxyUrl } = started;
  const stack: ForwardAuthStack = {
    proxyUrl,
    proxy,
    h,
    upstream,
    reached: (prefix) => upstream.received.filter((r) => r.url.startsWith(prefix)),
    async signIn(b, loginLocation) {
      const login = new URL(loginLocation, proxyUrl);
      assert.equal(login.origin, proxyUrl, 'our sign-in page is on the proxy');
      const form = await b.get(login.pathname + login.search, HTML);
      assert.equal(form.status, 200, `sign-in page through the proxy: ${form.status}`);
      const res = await b.post(login.pathname + login.search, {
        _csrf: csrfOf(form.body),
        username: h.pool.demoUser.email,
        password: h.pool.demoUser.password,
      });
      return { status: res.status, location: res.location };
    },
    async signedIn() {
      const b = new Browser(proxyUrl);
      const res = await stack.signIn(b, '/auth/login');
      assert.equal(res.status, 302, 'signed in');
      return b;
    },
    async stop() {
      await proxy.stop();
      await h.close();
      await upstream.close();
      rmSync(rulesDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** The identity headers (any spelling) an app request carried, by lower-case name. */
export function identityHeadersOf(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => isIdentityHeaderName(name)));
}

/** Verifies `x-amzn-oidc-data` as an app would: aws-jwt-verify's ALB verifier, keys fetched from `jwksUri`. */
export async function verifyOidcData(h: Harness, token: string, jwksUri: string) {
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { signer: string };
  const verifier = AlbJwtVerifier.create(
    {
      albArn: header.signer,
      issuer: `https://cognito-idp.${h.pool.region}.amazonaws.com/${h.pool.userPoolId}`,
      clientId: h.pool.clientId,
      jwksUri,
    },
    { jwksCache: new AlbJwksCache({ fetcher: httpFetcher }) },
  );
  return verifier.verify(token);
}

/** The demo user's Cognito access token, straight from the emulator (InitiateAuth USER_PASSWORD_AUTH). */
export async function demoAccessToken(h: Harness): Promise<string> {
  const { email, password } = h.pool.demoUser;
  const secretHash = createHmac('sha256', h.pool.clientSecret)
    .update(email + h.pool.clientId)
    .digest('base64');
  const res = await fetch(h.emulator.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
    },
    body: JSON.stringify({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: h.pool.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password, SECRET_HASH: secretHash },
    }),
  });
  const body = (await res.json()) as { AuthenticationResult?: { AccessToken?: string } };
  const token = body.AuthenticationResult?.AccessToken;
  if (!token) throw new Error(`InitiateAuth gave no access token: ${JSON.stringify(body)}`);
  return token;
}

/** Client-sent copies of identity headers, in every spelling an app might read as the real one. */
export const SPOOFED: Record<string, string> = {
  'X-Auth-Request-Email': 'boss@example.com',
  'x-auth-request-user': 'someone-else',
  'X-AUTH-REQUEST-GROUPS': 'admins',
  'X-Auth-Request-Preferred-Username': 'boss',
  'X-Auth-Request-Access-Token': 'forged',
  X_Auth_Request_Email: 'boss@example.com',
  'X-Auth_Request-Groups': 'admins',
  'x-amzn-oidc-identity': 'someone-else',
  'X-Amzn-Oidc-Data': 'forged.forged.forged',
  x_amzn_oidc_data: 'forged.forged.forged',
  'x-amzn-oidc-accesstoken': 'forged',
  'X-Forwarded-User': 'boss',
  'X-Forwarded-Email': 'boss@example.com',
  'X-Forwarded-Groups': 'admins',
  X_Forwarded_Email: 'boss@example.com',
};

/**
 * Registers the walk for one proxy (`skip`: why its tool is missing here, from its `...Missing()`).
 */
export function forwardAuthSuite(name: string, skip: string | undefined, startProxy: ProxyStarter): void {
  describe(`${name} forward auth with the shipped example`, { skip }, () => {
    let s: ForwardAuthStack;
    before(async () => {
      s = await startForwardAuthStack(startProxy);
    });
    after(async () => {
      await s?.stop();
    });

    test('not signed in: our sign-in page, then back at the deep URL with its query, through the proxy', async () => {
      const b = new Browser(s.proxyUrl);
      const first = await b.get(DEEP_URL, HTML);
      assert.equal(first.status, 302, `a browser is sent to sign in: ${first.status} ${first.body}`);
      const login = new URL(first.location!, s.proxyUrl);
      assert.equal(login.origin, s.proxyUrl);
      assert.equal(login.pathname, '/auth/login');
      // The way back is the full original URL, query intact (its own `&` and escapes included).
      assert.equal(login.searchParams.get('returnTo'), `${s.proxyUrl}${DEEP_URL}`);
      assert.equal(s.reached('/reports').length, 0, 'nothing reached the app before sign-in');

      const signedIn = await s.signIn(b, first.location!);
      assert.equal(signedIn.status, 302);
      assert.equal(new URL(signedIn.location!, s.proxyUrl).href, `${s.proxyUrl}${DEEP_URL}`);

      const page = await b.get(signedIn.location!, HTML);
      assert.equal(page.status, 200, `the app answers after sign-in: ${page.body}`);
      const got = JSON.parse(page.body) as { url: string; headers: Record<string, string> };
      assert.equal(got.url, DEEP_URL, 'the app got the very URL, query included');
      assert.equal(got.headers['x-auth-request-email'], s.h.pool.demoUser.email);
    });

    test('a deep URL with an encoded space (%20) comes back after sign-in too', async () => {
      const b = new Browser(s.proxyUrl);
      const first = await b.get('/files/my%20report.pdf?q=a%20b', HTML);
      assert.equal(first.status, 302);
      const signedIn = await s.signIn(b, first.location!);
      assert.equal(
        new URL(signedIn.location!, s.proxyUrl).href,
        `${s.proxyUrl}/files/my%20report.pdf?q=a%20b`,
      );
    });

    test('the app gets our identity headers, and never a copy the client sent', async () => {
      const b = await s.signedIn();
      const res = await b.get('/whoami?x=1', { ...HTML, ...SPOOFED });
      assert.equal(res.status, 200, res.body);
      const got = JSON.parse(res.body) as { headers: Record<string, string> };
      const identity = identityHeadersOf(got.headers);
      // Exactly ours: the demo user has no preferred username, and PASS_ACCESS_TOKEN is off.
      assert.deepEqual(Object.keys(identity).sort(), [
        'x-amzn-oidc-data',
        'x-amzn-oidc-identity',
        'x-auth-request-email',
        'x-auth-request-groups',
        'x-auth-request-user',
      ]);
      assert.match(got.headers['x-auth-request-user']!, /^[0-9a-f-]{36}$/);
      assert.equal(got.headers['x-amzn-oidc-identity'], got.headers['x-auth-request-user']);
      assert.equal(got.headers['x-auth-request-email'], s.h.pool.demoUser.email);
      assert.equal(got.headers['x-auth-request-groups'], 'demo', "the user's own groups, not the client's");
      assert.notEqual(got.headers['x-amzn-oidc-data'], SPOOFED['X-Amzn-Oidc-Data']);
    });

    test('x-amzn-oidc-data verifies with AlbJwtVerifier, keys fetched through the proxy', async () => {
      const b = await s.signedIn();
      const res = await b.get('/whoami', HTML);
      const got = JSON.parse(res.body) as { headers: Record<string, string> };
      const payload = await verifyOidcData(
        s.h,
        got.headers['x-amzn-oidc-data']!,
        `${s.proxyUrl}/auth/auth/keys`,
      );
      assert.equal(payload.sub, got.headers['x-auth-request-user']);
      assert.equal(payload.email, s.h.pool.demoUser.email);
      await assert.rejects(
        verifyOidcData(
          s.h,
          `${got.headers['x-amzn-oidc-data']!.slice(0, -4)}AAAA`,
          `${s.proxyUrl}/auth/auth/keys`,
        ),
        'a changed signature is refused',
      );
    });

    test('an API request without a session gets 401 JSON (GET and POST), and the app is not called', async () => {
      const b = new Browser(s.proxyUrl);
      const get = await b.get('/api/items', JSON_ONLY);
      assert.equal(get.status, 401);
      assert.equal(get.headers.get('www-authenticate'), 'Bearer');
      assert.equal((JSON.parse(get.body) as { error: string }).error, 'unauthorized');
      const post = await b.request('POST', '/api/items', JSON.stringify({ a: 1 }), {
        ...JSON_ONLY,
        'content-type': 'application/json',
      });
      assert.equal(post.status, 401);
      assert.equal((JSON.parse(post.body) as { error: string }).error, 'unauthorized');
      assert.equal(s.reached('/api/').length, 0);
    });

    test('an API client with a Bearer access token passes without a session; a bad token gets 401 invalid_token', async () => {
      const token = await demoAccessToken(s.h);
      const ok = await new Browser(s.proxyUrl).get('/api/bearer', {
        ...JSON_ONLY,
        authorization: `Bearer ${token}`,
        'X-Auth-Request-User': 'someone-else',
      });
      assert.equal(ok.status, 200, ok.body);
      const got = JSON.parse(ok.body) as { headers: Record<string, string> };
      const sub = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string })
        .sub;
      assert.equal(got.headers['x-auth-request-user'], sub);
      assert.equal(got.headers['x-amzn-oidc-identity'], sub);

      const bad = await new Browser(s.proxyUrl).get('/api/bearer-bad', {
        ...JSON_ONLY,
        authorization: `Bearer ${token.slice(0, -4)}AAAA`,
      });
      assert.equal(bad.status, 401);
      // nginx repeats the challenge: auth_request copies the check's, and the answer of /auth/auth/forward adds its own.
      assert.match(
        bad.headers.get('www-authenticate') ?? '',
        /^Bearer error="invalid_token"(, Bearer error="invalid_token")?$/,
      );
      assert.equal((JSON.parse(bad.body) as { error: string }).error, 'invalid_token');
      assert.equal(s.reached('/api/bearer-bad').length, 0);
    });

    test('the access rules refuse with our 403 page or 403 JSON, and the app is not called', async () => {
      const b = await s.signedIn();
      const page = await b.get('/admin/users', HTML);
      assert.equal(page.status, 403);
      assert.match(page.body, /You do not have access/);
      const api = await b.get('/admin/users', JSON_ONLY);
      assert.equal(api.status, 403);
      assert.equal((JSON.parse(api.body) as { error: string }).error, 'forbidden');
      assert.equal(s.reached('/admin').length, 0);
    });

    test('a client cannot choose the path the rules judge (X-Original-URL, X-Forwarded-Uri, -Method)', async () => {
      const b = await s.signedIn();
      const res = await b.get('/admin/users', {
        ...JSON_ONLY,
        'X-Original-URL': `${s.proxyUrl}/public/x`,
        'X-Original-Method': 'OPTIONS',
        'X-Forwarded-Uri': '/public/x',
        'X-Forwarded-Method': 'OPTIONS',
        'X-Forwarded-Host': 'elsewhere.example',
      });
      assert.equal(res.status, 403);
      assert.equal(s.reached('/admin').length, 0);
    });

    test('a URL too long for the login server to read never reaches a path the rules refuse', async () => {
      const b = await s.signedIn();
      const res = await b.get(`/admin/users?pad=${'a'.repeat(8300)}`, JSON_ONLY);
      assert.notEqual(res.status, 200);
      assert.equal(s.reached('/admin').length, 0);
    });

    test('a public path reaches the app without sign-in, with no identity header at all', async () => {
      const res = await new Browser(s.proxyUrl).get('/public/logo.png', { ...HTML, ...SPOOFED });
      assert.equal(res.status, 200, res.body);
      const got = JSON.parse(res.body) as { headers: Record<string, string> };
      assert.deepEqual(identityHeadersOf(got.headers), {});
    });
  });
}
