// A FastAPI app written as co-cddo's cognito-auth users write theirs (it trusts x-amzn-oidc-data and
// x-amzn-oidc-accesstoken, verified with their keys) behind our built-in proxy: sign-in round trip, the user it
// reads, spoofed headers, 401, 403, public paths. Without a Python that has FastAPI: fails in CI, skips elsewhere.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from '../helpers/browser.ts';
import { csrfOf } from '../helpers/browser.ts';
import { fastapiMissing, startFastApi, type FastApiApp } from '../helpers/fastapi.ts';
import { DEEP_URL, HTML, JSON_ONLY, SPOOFED } from '../helpers/forward-auth-suite.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { onFreePort } from '../helpers/service-process.ts';

interface AppAnswer {
  path: string;
  query: string;
  method: string;
  /** Identity headers as the app received them, raw names, every value. */
  identityHeaders: Record<string, string[]>;
  user?: { sub: string; email: string; username: string; groups: string[] };
  error?: string;
  reason?: string;
}

const skip = fastapiMissing();

describe(
  'a FastAPI app reading the identity as cognito-auth apps do, behind the built-in proxy',
  { skip },
  () => {
    let h: Harness;
    let app: FastApiApp;
    let rulesDir: string;

    before(async () => {
      rulesDir = mkdtempSync(path.join(os.tmpdir(), 'fastapi-rules-'));
      const rulesFile = path.join(rulesDir, 'rules.json');
      writeFileSync(
        rulesFile,
        JSON.stringify({
          public: ['/public/'],
          rules: [{ path: '/admin', allow: { groups: { any: ['admins'] } } }],
          default: 'authenticated',
        }),
      );
      // The app's port is in our UPSTREAM_URL and our key URL in the app's settings: both start per attempt.
      ({ h, app } = await onFreePort(async (port) => {
        const harness = await startHarness({
          env: {
            UPSTREAM_URL: `http://127.0.0.1:${port}`,
            BASE_PATH: '/auth',
            PASS_ACCESS_TOKEN: 'true',
            ACCESS_RULES_FILE: rulesFile,
          },
        });
        try {
          const fastapi = await startFastApi(port, {
            albKeysUrl: `${harness.baseUrl}/auth/auth/keys`,
            cognitoJwksUrl: `${harness.emulator.endpoint}/${harness.pool.userPoolId}/.well-known/jwks.json`,
          });
          return { h: harness, app: fastapi };
        } catch (err) {
          await harness.close();
          throw err;
        }
      }));
    });
    after(async () => {
      await app?.stop();
      await h?.close();
      rmSync(rulesDir, { recursive: true, force: true });
    });

    async function signIn(b: Browser, returnTo: string) {
      const form = `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
      const page = await b.get(form, HTML);
      return b.post(form, {
        _csrf: csrfOf(page.body),
        username: h.pool.demoUser.email,
        password: h.pool.demoUser.password,
      });
    }

    test('not signed in: our sign-in, then back at the deep URL, where the app knows who it is', async () => {
      const b = h.browser();
      const first = await b.get(DEEP_URL, HTML);
      assert.equal(first.status, 302);
      const login = new URL(first.location!, h.baseUrl);
      assert.equal(login.pathname, '/auth/login');
      assert.equal(login.searchParams.get('returnTo'), DEEP_URL);

      const signedIn = await signIn(b, login.searchParams.get('returnTo')!);
      assert.equal(signedIn.status, 302);
      assert.equal(signedIn.location, DEEP_URL);

      const page = await b.get(signedIn.location, HTML);
      assert.equal(page.status, 200, page.body);
      const got = JSON.parse(page.body) as AppAnswer;
      assert.equal(`${got.path}?${got.query}`, DEEP_URL);
      assert.equal(got.user?.email, h.pool.demoUser.email);
      assert.deepEqual(got.user?.groups, ['demo']);
      assert.match(got.user?.sub ?? '', /^[0-9a-f-]{36}$/);
    });

    test('the app reads our verified identity, and never a copy the client sent', async () => {
      const b = h.browser();
      await signIn(b, '/');
      const res = await b.get('/whoami', { ...HTML, ...SPOOFED });
      assert.equal(res.status, 200, res.body);
      const got = JSON.parse(res.body) as AppAnswer;
      assert.equal(got.user?.email, h.pool.demoUser.email, 'from x-amzn-oidc-data, signature verified');
      assert.deepEqual(got.user?.groups, ['demo'], 'from the access token, signature verified');
      // Starlette keeps every header as received (underscores too): only ours arrived, once each.
      assert.deepEqual(Object.keys(got.identityHeaders).sort(), [
        'x-amzn-oidc-accesstoken',
        'x-amzn-oidc-data',
        'x-amzn-oidc-identity',
        'x-auth-request-email',
        'x-auth-request-groups',
        'x-auth-request-user',
      ]);
      for (const [name, values] of Object.entries(got.identityHeaders)) assert.equal(values.length, 1, name);
      assert.deepEqual(got.identityHeaders['x-auth-request-email'], [h.pool.demoUser.email]);
      assert.deepEqual(got.identityHeaders['x-auth-request-user'], [got.user?.sub]);
    });

    test('the app refuses forged tokens itself (what it verifies, it verifies)', async () => {
      const direct = await fetch(`${app.url}/whoami`, {
        headers: { 'x-amzn-oidc-data': SPOOFED['X-Amzn-Oidc-Data']!, 'x-amzn-oidc-accesstoken': 'forged' },
      });
      assert.equal(direct.status, 401);
      const b = h.browser();
      await signIn(b, '/');
      const real = JSON.parse((await b.get('/whoami', HTML)).body) as AppAnswer;
      assert.ok(real.user, 'signed in through us');
      // Our real assertion with the payload of another user, signature kept: refused.
      const [head, , sig] = (real.identityHeaders['x-amzn-oidc-data']![0] ?? '').split('.');
      const payload = Buffer.from(
        JSON.stringify({ sub: 'someone-else', email: 'boss@example.com' }),
      ).toString('base64url');
      const tampered = await fetch(`${app.url}/whoami`, {
        headers: {
          'x-amzn-oidc-data': `${head}.${payload}.${sig}`,
          'x-amzn-oidc-accesstoken': real.identityHeaders['x-amzn-oidc-accesstoken']![0]!,
        },
      });
      assert.equal(tampered.status, 401);
      assert.match(((await tampered.json()) as AppAnswer).reason ?? '', /Signature/i);
    });

    test("an API request without a session gets our 401 JSON, not the app's", async () => {
      const res = await h.browser().get('/api/items', JSON_ONLY);
      assert.equal(res.status, 401);
      assert.equal((JSON.parse(res.body) as { error: string }).error, 'unauthorized');
    });

    test('the access rules refuse /admin with our 403 page or 403 JSON', async () => {
      const b = h.browser();
      await signIn(b, '/');
      const page = await b.get('/admin/users', HTML);
      assert.equal(page.status, 403);
      assert.match(page.body, /You do not have access/);
      const api = await b.get('/admin/users', JSON_ONLY);
      assert.equal(api.status, 403);
      assert.equal((JSON.parse(api.body) as { error: string }).error, 'forbidden');
    });

    test('a public path reaches the app with no identity header, whatever the client sent', async () => {
      const res = await h.browser().get('/public/page', { ...JSON_ONLY, ...SPOOFED });
      // The app itself asks for sign-in (cognito-auth answers 401 without tokens): nobody is signed in.
      assert.equal(res.status, 401);
      const got = JSON.parse(res.body) as AppAnswer;
      assert.equal(got.path, '/public/page', 'the app answered, not us');
      assert.deepEqual(got.identityHeaders, {});
    });
  },
);
