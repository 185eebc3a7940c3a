// Bearer access tokens for APIs behind us, on /auth/check, /auth/forward and the built-in proxy: real tokens from
// the emulator (this pool and client, another client, another pool, expired, ID and refresh tokens) and forged ones.
import assert from 'node:assert/strict';
import { createHmac, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  CreateGroupCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import type { Page } from '../helpers/browser.ts';
import {
  createAppClient,
  createOtherPool,
  flippedSignature,
  jwtPart,
  signedWithAnotherKey,
  signInWithSdk,
  unsignedCopy,
  type AppClient,
  type Tokens,
} from '../helpers/cognito-tokens.ts';
import { startEchoUpstream, type EchoUpstream } from '../helpers/echo-upstream.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { assertNo5xx, assertNoTokenLeak } from '../helpers/protect-checks.ts';

const HTML = { accept: 'text/html,application/xhtml+xml' };
const PASSWORD = 'Correct-horse-1';
const INVALID = 'Bearer error="invalid_token"';

let upstream: EchoUpstream;
let h: Harness;
let admin: CognitoIdentityProviderClient;
let ours: AppClient;
let rulesDir: string;
/** The demo user's tokens from our own app client. */
let demo: Tokens;
/** Every token a test got, for the final check of the logs. */
const allTokens: string[] = [];

/** A Bearer token, on a request whose original (for forward auth) is `GET /api/items` through a trusted proxy. */
const bearer = (token: string) => ({ authorization: `Bearer ${token}`, ...forwardedTo('/api/items') });

async function tokensFor(client: AppClient, username: string, password: string): Promise<Tokens> {
  const tokens = await signInWithSdk(admin, client, username, password);
  allTokens.push(tokens.accessToken, tokens.idToken, tokens.refreshToken);
  return tokens;
}

before(async () => {
  upstream = await startEchoUpstream();
  rulesDir = mkdtempSync(path.join(os.tmpdir(), 'bearer-rules-'));
  writeFileSync(
    path.join(rulesDir, 'rules.json'),
    JSON.stringify({ rules: [{ path: '/admin', allow: { groups: { any: ['admins'] } } }] }),
  );
  h = await startHarness({
    env: {
      UPSTREAM_URL: upstream.url,
      TRUST_PROXY: '1',
      ACCESS_RULES_FILE: path.join(rulesDir, 'rules.json'),
    },
  });
  admin = adminClient(h.emulator.endpoint);
  ours = { userPoolId: h.pool.userPoolId, clientId: h.pool.clientId, clientSecret: h.pool.clientSecret };
  demo = await tokensFor(ours, h.pool.demoUser.email, h.pool.demoUser.password);
  h.emulator.resetCalls();
});
after(async () => {
  admin?.destroy();
  await h?.close();
  await upstream?.close();
  rmSync(rulesDir, { recursive: true, force: true });
});

/** A refused token, on each of the three doors: 401 invalid_token, never a redirect, never the app. */
async function assertRefusedEverywhere(authorization: string, what: string, leaked: readonly string[]) {
  const reached = upstream.received.length;
  const check = await h.browser().get('/auth/check', { authorization, ...forwardedTo('/api/items') });
  assertNo5xx(check, `${what} /auth/check`);
  assert.equal(check.status, 401, `${what} /auth/check`);
  assert.equal(check.headers.get('www-authenticate'), INVALID, `${what} /auth/check`);
  assert.equal(check.body, '', `${what} /auth/check: no body to read`);
  assert.equal(check.headers.get('x-auth-request-user'), null, `${what} /auth/check`);

  for (const [door, url] of [
    ['/auth/forward', '/auth/forward'],
    ['the proxy', '/api/items?x=1'],
  ] as const) {
    const res = await h.browser().get(url, { authorization, ...HTML, ...forwardedTo('/api/items') });
    assertJsonRefusal(res, `${what} ${door}`);
    assertNoTokenLeak(h, res, leaked, `${what} ${door}`);
  }
  assertNoTokenLeak(h, check, leaked, `${what} /auth/check`);
  assert.equal(upstream.received.length, reached, `${what}: nothing reached the app`);
}

function forwardedTo(uri: string) {
  return {
    'x-forwarded-method': 'GET',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'api.example.test',
    'x-forwarded-uri': uri,
  };
}

function assertJsonRefusal(res: Page, what: string): void {
  assertNo5xx(res, what);
  assert.equal(res.status, 401, `${what}: status (${res.body.slice(0, 200)})`);
  assert.equal(res.location, undefined, `${what}: never a redirect, even for a page`);
  assert.equal(res.headers.get('www-authenticate'), INVALID, `${what}: WWW-Authenticate`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${what}: JSON`);
  assert.equal((JSON.parse(res.body) as { error: string }).error, 'invalid_token', what);
}

describe('a valid access token of this pool and client', () => {
  test('passes /auth/check with its sub, groups and email', async () => {
    const res = await h.browser().get('/auth/check', bearer(demo.accessToken));
    assertNo5xx(res);
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    const claims = jwtPart(demo.accessToken, 1);
    assert.equal(res.headers.get('x-auth-request-user'), claims.sub);
    assert.equal(res.headers.get('x-amzn-oidc-identity'), claims.sub);
    assert.equal(res.headers.get('x-auth-request-email'), h.pool.demoUser.email, 'the email, from GetUser');
    assert.equal(res.headers.get('x-auth-request-groups'), 'demo');
    assert.equal(res.headers.get('x-amzn-oidc-accesstoken'), null, 'only with PASS_ACCESS_TOKEN');
    assert.equal(res.headers.getSetCookie().length, 0, 'no session for a Bearer request');
    assertNoTokenLeak(h, res, [demo.accessToken, demo.idToken, demo.refreshToken]);
  });

  test('passes the proxy and /auth/forward; the app gets the identity headers, not the forged copies', async () => {
    const res = await h.browser().get('/api/items', {
      ...bearer(demo.accessToken),
      accept: 'application/json',
      'x-auth-request-email': 'boss@example.com',
      X_Auth_Request_Groups: 'admins',
    });
    assert.equal(res.status, 200);
    const got = (JSON.parse(res.body) as { headers: Record<string, string> }).headers;
    assert.equal(got['x-auth-request-user'], jwtPart(demo.accessToken, 1).sub);
    assert.equal(got['x-auth-request-email'], h.pool.demoUser.email);
    assert.equal(got['x-auth-request-groups'], 'demo');
    assert.equal(got.x_auth_request_groups, undefined);
    assert.equal(got['x-amzn-oidc-accesstoken'], undefined);
    const forward = await h.browser().get('/auth/forward', { ...bearer(demo.accessToken), ...HTML });
    assert.equal(forward.status, 200);
    assert.equal(forward.headers.get('x-auth-request-email'), h.pool.demoUser.email);
  });

  test("a user's several groups are all passed on, and the rules see them", async () => {
    const email = `bearer-admin-${Date.now()}@example.com`;
    await createConfirmedUser(admin, h.pool.userPoolId, email, PASSWORD);
    for (const group of ['admins', 'editors']) {
      await admin.send(new CreateGroupCommand({ UserPoolId: h.pool.userPoolId, GroupName: group }));
      await admin.send(
        new AdminAddUserToGroupCommand({ UserPoolId: h.pool.userPoolId, Username: email, GroupName: group }),
      );
    }
    const tokens = await tokensFor(ours, email, PASSWORD);
    const headers = { ...bearer(tokens.accessToken), ...forwardedTo('/admin/users') };
    const res = await h.browser().get('/auth/check', headers);
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.get('x-auth-request-groups')?.split(',').sort(), ['admins', 'editors']);
    assert.equal(res.headers.get('x-auth-request-email'), email);
    // The demo user (not in admins) is refused the same path: 403, not 401.
    const refused = await h
      .browser()
      .get('/auth/check', { ...bearer(demo.accessToken), ...forwardedTo('/admin/users') });
    assert.equal(refused.status, 403);
    const proxied = await h.browser().get('/admin/users', { ...bearer(demo.accessToken), ...HTML });
    assert.equal(proxied.status, 403);
    assert.equal(proxied.location, undefined);
  });

  test('the scheme name is case-insensitive (RFC 7235): "bearer" works as "Bearer" does', async () => {
    const res = await h.browser().get('/auth/check', {
      authorization: `bearer ${demo.accessToken}`,
      ...forwardedTo('/api/items'),
    });
    assertNo5xx(res);
    assert.equal(res.status, 200, `lower-case scheme: ${res.headers.get('www-authenticate') ?? ''}`);
  });
});

describe('the same token again costs no second verification', () => {
  test('repeated, one GetUser per token; a new token, one more; concurrent first uses share one', async () => {
    const tokens = await tokensFor(ours, h.pool.demoUser.email, h.pool.demoUser.password);
    h.emulator.resetCalls();
    for (let i = 0; i < 5; i++) {
      assert.equal((await h.browser().get('/auth/check', bearer(tokens.accessToken))).status, 200);
      const proxied = await h.browser().get(`/api/items/${i}`, bearer(tokens.accessToken));
      assert.equal(proxied.status, 200);
    }
    assert.equal(h.emulator.callCount('GetUser'), 1, 'one GetUser for ten requests with one token');
    assert.equal(h.emulator.callCount(), 1, 'and no other Cognito call');

    const fresh = await tokensFor(ours, h.pool.demoUser.email, h.pool.demoUser.password);
    h.emulator.resetCalls();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => h.browser().get('/auth/check', bearer(fresh.accessToken))),
    );
    for (const res of answers) assert.equal(res.status, 200);
    assert.equal(h.emulator.callCount('GetUser'), 1, 'concurrent first uses of a token share one GetUser');
    for (let i = 0; i < 3; i++) {
      assert.equal((await h.browser().get('/auth/check', bearer(tokens.accessToken))).status, 200);
    }
    assert.equal(h.emulator.callCount('GetUser'), 1, 'the first token is still remembered');
    assert.equal(h.emulator.callCount('InitiateAuth'), 0);
  });
});

describe('anything but a valid access token of this pool and client: 401 invalid_token', () => {
  let other: AppClient;
  let otherPool: AppClient;
  before(async () => {
    other = await createAppClient(admin, h.pool.userPoolId);
    otherPool = await createOtherPool(admin, 'someone@example.com', PASSWORD);
  });

  const cases: [string, () => Promise<{ token: string; leaked: string[] }>][] = [
    [
      'an expired access token',
      async () => {
        // Minted two hours ago by the emulator's clock: it expired an hour ago.
        h.clock.advance(-2 * 3_600_000);
        try {
          const t = await tokensFor(ours, h.pool.demoUser.email, h.pool.demoUser.password);
          return { token: t.accessToken, leaked: [t.accessToken] };
        } finally {
          h.clock.advance(2 * 3_600_000);
        }
      },
    ],
    [
      "another app client's access token (same pool)",
      async () => {
        const t = await tokensFor(other, h.pool.demoUser.email, h.pool.demoUser.password);
        return { token: t.accessToken, leaked: [t.accessToken] };
      },
    ],
    [
      "another pool's access token",
      async () => {
        const t = await tokensFor(otherPool, 'someone@example.com', PASSWORD);
        return { token: t.accessToken, leaked: [t.accessToken] };
      },
    ],
    [
      'an ID token instead of an access token',
      () => Promise.resolve({ token: demo.idToken, leaked: [demo.idToken] }),
    ],
    ['a refresh token', () => Promise.resolve({ token: demo.refreshToken, leaked: [demo.refreshToken] })],
    ['alg: none, no signature', () => Promise.resolve({ token: unsignedCopy(demo.accessToken), leaked: [] })],
    [
      'alg: none, with a signature part',
      () => Promise.resolve({ token: unsignedCopy(demo.accessToken, 'c2lnbmF0dXJl'), leaked: [] }),
    ],
    [
      "signed with another key under the pool key's kid",
      async () => ({ token: await signedWithAnotherKey(demo.accessToken), leaked: [] }),
    ],
    [
      'signed with another key under an unknown kid',
      async () => ({ token: await signedWithAnotherKey(demo.accessToken, 'not-a-pool-key'), leaked: [] }),
    ],
    [
      'HS256, signed with the public key as the secret',
      async () => {
        const jwks = (await (
          await fetch(`${h.emulator.endpoint}/${h.pool.userPoolId}/.well-known/jwks.json`)
        ).json()) as { keys: object[] };
        const pem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' })
          .export({ format: 'pem', type: 'spki' })
          .toString();
        const head = Buffer.from(JSON.stringify({ ...jwtPart(demo.accessToken, 0), alg: 'HS256' })).toString(
          'base64url',
        );
        const body = demo.accessToken.split('.')[1]!;
        const sig = createHmac('sha256', pem).update(`${head}.${body}`).digest('base64url');
        return { token: `${head}.${body}.${sig}`, leaked: [] };
      },
    ],
    [
      'a flipped signature byte',
      () => Promise.resolve({ token: flippedSignature(demo.accessToken), leaked: [] }),
    ],
    ['garbage', () => Promise.resolve({ token: 'garbage', leaked: [] })],
    ['three dots of garbage', () => Promise.resolve({ token: 'a.b.c', leaked: [] })],
    ['a very long token', () => Promise.resolve({ token: `${'a'.repeat(9000)}.b.c`, leaked: [] })],
  ];

  for (const [what, make] of cases) {
    test(what, async () => {
      const { token, leaked } = await make();
      h.emulator.resetCalls();
      await assertRefusedEverywhere(`Bearer ${token}`, what, leaked);
      assert.equal(h.emulator.callCount('GetUser'), 0, `${what}: refused before any GetUser`);
      assert.equal(h.emulator.callCount('InitiateAuth'), 0, `${what}: no InitiateAuth`);
    });
  }

  test('an Authorization header that is not a Bearer token is refused the same way', async () => {
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      `Bearer ${demo.accessToken} extra`,
    ]) {
      await assertRefusedEverywhere(authorization, JSON.stringify(authorization.slice(0, 20)), [
        demo.accessToken,
      ]);
    }
  });

  test('a bad token is refused even with a signed-in session cookie: the session never stands in for it', async () => {
    const signedIn = await h.signedIn();
    assert.equal(
      (await signedIn.get('/auth/check', forwardedTo('/api/items'))).status,
      200,
      'the cookie alone passes',
    );
    const res = await signedIn.get('/auth/check', bearer('garbage'));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), INVALID);
    const proxied = await signedIn.get('/api/items', { ...bearer(unsignedCopy(demo.accessToken)), ...HTML });
    assertJsonRefusal(proxied, 'proxy with a cookie');
  });
});

test('no token reached the logs', () => {
  assertNoTokenLeak(h, undefined, allTokens);
});

describe('a remembered token stops passing at its expiry', () => {
  let e: Harness;
  before(async () => {
    e = await startHarness({ env: { TRUST_PROXY: '1' } });
  });
  after(() => e?.close());

  test('valid and remembered, then the clock passes its exp: 401 invalid_token', async () => {
    const cognito = adminClient(e.emulator.endpoint);
    try {
      const client = {
        userPoolId: e.pool.userPoolId,
        clientId: e.pool.clientId,
        clientSecret: e.pool.clientSecret,
      };
      const t = await signInWithSdk(cognito, client, e.pool.demoUser.email, e.pool.demoUser.password);
      assert.equal((await e.browser().get('/auth/check', bearer(t.accessToken))).status, 200);
      assert.equal((await e.browser().get('/auth/check', bearer(t.accessToken))).status, 200);
      e.clock.advance(3_600_000 + 1_000);
      const res = await e.browser().get('/auth/check', bearer(t.accessToken));
      assertNo5xx(res);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), INVALID);
      assertNoTokenLeak(e, res, [t.accessToken, t.idToken, t.refreshToken]);
    } finally {
      cognito.destroy();
    }
  });
});
