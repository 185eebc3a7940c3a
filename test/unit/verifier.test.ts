// The token verifier on its own: aws-jwt-verify pinned to the pool, the client and the token use, keys fetched from
// an endpoint (a loopback JWKS server here), and the claims the app keeps from a verified pair.
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, SignJWT } from 'jose';
import { createTokenVerifier, type TokenVerifier } from '../../src/cognito/verifier.ts';

const POOL = 'us-east-1_Unit12345';
const CLIENT = 'unitclient0000000000000000';
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
const KID = 'unit-key-1';

let server: Server;
let endpoint: string;
let privateKey: KeyObject;
/** What the JWKS endpoint serves (a test may add a key, as a pool rotating one in), and how often it was asked. */
const served: Record<string, unknown>[] = [];
let fetches = 0;

before(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey;
  served.push({ ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' });
  server = createServer((req, res) => {
    if (req.url === `/${POOL}/.well-known/jwks.json`) {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: served }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise((resolve) => server.close(resolve)));

function verifierFor(endpointUrl = endpoint): TokenVerifier {
  return createTokenVerifier({
    region: 'us-east-1',
    userPoolId: POOL,
    clientId: CLIENT,
    clientSecret: 'unused',
    endpoint: endpointUrl,
    domain: undefined,
    hostedUiUrl: undefined,
    timeoutMs: 2000,
    authFlow: 'USER_PASSWORD_AUTH',
  });
}

const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>, key = privateKey, kid = KID) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);

const idToken = (over: Record<string, unknown> = {}) =>
  sign({
    sub: 'sub-1',
    'cognito:username': 'internal-1',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    iss: ISSUER,
    aud: CLIENT,
    token_use: 'id',
    auth_time: now() - 30,
    iat: now(),
    exp: now() + 3600,
    ...over,
  });

const accessToken = (over: Record<string, unknown> = {}) =>
  sign({
    sub: 'sub-1',
    username: 'internal-1',
    'cognito:groups': ['staff', 'admins'],
    client_id: CLIENT,
    iss: ISSUER,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: now() - 30,
    iat: now(),
    exp: now() + 3600,
    ...over,
  });

describe('a pair of tokens', () => {
  test('is accepted, and gives the claims the app keeps', async () => {
    const exp = now() + 1800;
    const authTime = now() - 99;
    const identity = await verifierFor().verify(
      await idToken({ nonce: 'n-1' }),
      await accessToken({ exp, auth_time: authTime }),
    );
    assert.deepEqual(identity, {
      username: 'internal-1',
      sub: 'sub-1',
      email: 'ada@example.com',
      emailVerified: undefined,
      name: 'Ada Lovelace',
      groups: ['staff', 'admins'],
      authTime,
      accessExpiresAt: exp * 1000,
      nonce: 'n-1',
    });
  });

  test('email_verified is read as Cognito writes it (a boolean, or "true"/"false"), else left unknown', async () => {
    for (const [claim, read] of [
      [true, true],
      ['true', true],
      [false, false],
      ['false', false],
      ['yes', undefined],
      [1, undefined],
    ] as const) {
      const identity = await verifierFor().verify(
        await idToken({ email_verified: claim }),
        await accessToken(),
      );
      assert.equal(identity.emailVerified, read, String(claim));
    }
  });

  test('claims of the wrong type are left out: no email, name or nonce; only string groups', async () => {
    const identity = await verifierFor().verify(
      await idToken({ email: 42, name: ['x'], nonce: 7 }),
      await accessToken({ 'cognito:groups': ['staff', 3, null, 'ops'] }),
    );
    assert.equal(identity.email, undefined);
    assert.equal(identity.name, undefined);
    assert.equal(identity.nonce, undefined);
    assert.deepEqual(identity.groups, ['staff', 'ops']);
  });

  test('without groups, the user is in none', async () => {
    for (const groups of [undefined, 'staff', { staff: true }]) {
      const identity = await verifierFor().verify(
        await idToken(),
        await accessToken({ 'cognito:groups': groups }),
      );
      assert.deepEqual(identity.groups, [], JSON.stringify(groups));
    }
  });

  test('of two different users is refused', async () => {
    await assert.rejects(
      verifierFor().verify(await idToken({ sub: 'sub-2' }), await accessToken()),
      /different users/,
    );
  });

  const refusals: [string, () => Promise<[string, string]>][] = [
    ['an ID token of another app client', async () => [await idToken({ aud: 'other' }), await accessToken()]],
    [
      'an access token of another app client',
      async () => [await idToken(), await accessToken({ client_id: 'x' })],
    ],
    ['another pool', async () => [await idToken({ iss: `${ISSUER}x` }), await accessToken()]],
    ['an access token as the ID token', async () => [await accessToken(), await accessToken()]],
    ['an ID token as the access token', async () => [await idToken(), await idToken()]],
    ['an expired access token', async () => [await idToken(), await accessToken({ exp: now() - 60 })]],
    ['an expired ID token', async () => [await idToken({ exp: now() - 60 }), await accessToken()]],
  ];
  for (const [what, pair] of refusals) {
    test(`is refused: ${what}`, async () => {
      const verifier = verifierFor();
      await assert.rejects(verifier.verify(...(await pair())));
      assert.equal(verifier.ready(), false, 'a refused pair proves nothing about the keys');
    });
  }
});

describe('an access token alone (Bearer)', () => {
  test('is accepted, with who it is and when it expires', async () => {
    const exp = now() + 600;
    const verified = await verifierFor().verifyAccessToken(await accessToken({ exp }));
    assert.deepEqual(verified, {
      sub: 'sub-1',
      username: 'internal-1',
      groups: ['staff', 'admins'],
      expiresAt: exp * 1000,
    });
  });

  test('only string groups count', async () => {
    const verified = await verifierFor().verifyAccessToken(
      await accessToken({ 'cognito:groups': [1, 'ops'] }),
    );
    assert.deepEqual(verified.groups, ['ops']);
    const none = await verifierFor().verifyAccessToken(await accessToken({ 'cognito:groups': 'ops' }));
    assert.deepEqual(none.groups, []);
  });

  test('an ID token, another client’s token or an expired one is refused', async () => {
    const verifier = verifierFor();
    for (const token of [
      await idToken(),
      await accessToken({ client_id: 'other' }),
      await accessToken({ exp: now() - 60 }),
    ]) {
      await assert.rejects(verifier.verifyAccessToken(token));
    }
    assert.equal(verifier.ready(), false);
  });
});

describe('signing keys', () => {
  test('not ready until keys are loaded: by hydrate, or by a first verified token', async () => {
    const hydrated = verifierFor();
    assert.equal(hydrated.ready(), false);
    await hydrated.hydrate();
    assert.equal(hydrated.ready(), true);

    const byPair = verifierFor();
    await byPair.verify(await idToken(), await accessToken());
    assert.equal(byPair.ready(), true);

    const byBearer = verifierFor();
    await byBearer.verifyAccessToken(await accessToken());
    assert.equal(byBearer.ready(), true);
  });

  test('a key the pool rotates in after the keys were loaded is fetched, once; its tokens verify', async () => {
    const verifier = verifierFor();
    await verifier.hydrate();
    const before = fetches;
    await verifier.verify(await idToken(), await accessToken());
    assert.equal(fetches, before, 'tokens of a loaded key need no fetch');

    const rotated = generateKeyPairSync('rsa', { modulusLength: 2048 });
    served.push({ ...(await exportJWK(rotated.publicKey)), kid: 'unit-key-2', alg: 'RS256', use: 'sig' });
    try {
      const claims = { sub: 'sub-1', iss: ISSUER, iat: now(), exp: now() + 3600, auth_time: now() };
      const newId = await sign({ ...claims, aud: CLIENT, token_use: 'id' }, rotated.privateKey, 'unit-key-2');
      const newAccess = await sign(
        { ...claims, username: 'internal-1', client_id: CLIENT, token_use: 'access' },
        rotated.privateKey,
        'unit-key-2',
      );
      assert.equal((await verifier.verify(newId, newAccess)).sub, 'sub-1');
      assert.equal((await verifier.verifyAccessToken(newAccess)).sub, 'sub-1');
      assert.equal(fetches, before + 1, 'the keys were fetched again once for the new kid');
      await verifier.verify(await idToken(), await accessToken());
      assert.equal(fetches, before + 1, 'the old key still verifies without a fetch');
    } finally {
      served.pop();
    }
  });

  test('an endpoint that does not answer: hydrate fails and the verifier is not ready', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const verifier = verifierFor(`http://127.0.0.1:${port}`);
    await assert.rejects(verifier.hydrate());
    assert.equal(verifier.ready(), false);
  });
});
