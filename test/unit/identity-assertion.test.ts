// The ALB-shaped assertion verifies with aws-jwt-verify's AlbJwtVerifier, is refused when wrong, rotates, and caches.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { AlbJwtVerifier } from 'aws-jwt-verify';
import { AlbJwksCache } from 'aws-jwt-verify/alb-cache';
import {
  AlbJwtInvalidSignerError,
  FetchError,
  JwtExpiredError,
  JwtInvalidSignatureError,
  NonRetryableFetchError,
} from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { createIdentityAsserter, type IdentityAsserter } from '../../src/identity/assertion.ts';
import { loadSigningKeys, type SigningKeySet } from '../../src/identity/signing-keys.ts';
import type { Identity } from '../../src/session/resolve-auth.ts';

const NOW = Date.now();
const POOL = {
  region: 'eu-west-2',
  userPoolId: 'eu-west-2_AbC123xyz',
  clientId: 'abcdefghijklmnopqrstuvwxyz',
};
const ISSUER = `https://cognito-idp.eu-west-2.amazonaws.com/${POOL.userPoolId}`;
const SIGNER =
  'arn:aws:elasticloadbalancing:eu-west-2:000000000000:loadbalancer/app/cognito-login/0000000000000000';

const newPem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
const [NEW_PEM, OLD_PEM] = [newPem(), newPem()];

const ada: Identity = {
  userId: '5f1c8d2e-0000-4000-8000-000000000001',
  username: '5f1c8d2e-0000-4000-8000-000000000001',
  email: 'ada@example.com',
  groups: ['admins', 'staff'],
  expiresAt: NOW + 3_600_000,
};

/** The keys a tiny JWKS server publishes, as the app's `/auth/keys` route would; swapped per test. */
let published: IdentityAsserter;
let server: Server;
let jwksUri: string;
const fetched: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    fetched.push(req.url!);
    const kid = /^\/auth\/keys\/([^/]+)$/.exec(req.url!)?.[1];
    const pem = kid === undefined ? undefined : published.publicPem(decodeURIComponent(kid));
    if (req.url === '/auth/keys')
      res.setHeader('content-type', 'application/json').end(JSON.stringify(published.publicJwks()));
    else if (pem) res.setHeader('content-type', 'application/x-pem-file').end(pem);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/keys`;
});
after(() => server.close());

/** aws-jwt-verify's own fetcher uses node:https only; this one allows the loopback http server, failing as it does. */
const httpFetcher: Fetcher = {
  async fetch(uri) {
    const res = await fetch(uri);
    if (res.status !== 200)
      throw new NonRetryableFetchError(uri, `Status code is ${res.status}, expected 200`);
    return res.arrayBuffer();
  },
};

function verifier(albArn = SIGNER) {
  return AlbJwtVerifier.create(
    { albArn, issuer: ISSUER, clientId: POOL.clientId, jwksUri },
    { jwksCache: new AlbJwksCache({ fetcher: httpFetcher }) },
  );
}

async function asserter(pems: string[], clock: () => number = () => NOW): Promise<IdentityAsserter> {
  const keys: SigningKeySet = await loadSigningKeys({ privateKeysPem: pems }, 'IDENTITY_SIGNING_KEYS');
  return createIdentityAsserter(keys, { ...POOL, clock });
}

test('the assertion verifies with AlbJwtVerifier, which fetches <jwksUri>/<kid> as a PEM', async () => {
  published = await asserter([NEW_PEM]);
  fetched.length = 0;
  const jwt = await published.assertionFor(ada, { preferredUsername: 'ada' });
  const payload = await verifier().verify(jwt);
  const kid = published.publicJwks().keys[0]!.kid!;
  assert.deepEqual(fetched, [`/auth/keys/${kid}`]);
  assert.equal(payload.sub, ada.userId);
  assert.equal(payload.email, 'ada@example.com');
  assert.equal(payload.username, ada.username);
  assert.equal(payload.preferred_username, 'ada');
  assert.deepEqual(payload['cognito:groups'], ['admins', 'staff']);
  assert.equal(payload.iss, ISSUER);
  assert.equal(payload.exp, Math.floor(NOW / 1000) + 120);
  const header = decodeProtectedHeader(jwt);
  assert.match(kid, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(header, {
    alg: 'ES256',
    kid,
    typ: 'JWT',
    signer: SIGNER,
    iss: ISSUER,
    client: POOL.clientId,
    exp: payload.exp,
  });
});

test('publicJwks lists every key as an ES256 signing key; publicPem knows only published kids', async () => {
  const set = await asserter([NEW_PEM, OLD_PEM]);
  const { keys } = set.publicJwks();
  assert.equal(keys.length, 2);
  for (const key of keys) {
    assert.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    assert.equal(key.alg, 'ES256');
    assert.match(set.publicPem(key.kid!)!, /^-----BEGIN PUBLIC KEY-----\n/);
  }
  assert.equal(set.publicPem('00000000-0000-8000-8000-000000000000'), undefined);
});

test('a tampered assertion is refused', async () => {
  published = await asserter([NEW_PEM]);
  const [header, payload, signature] = (await published.assertionFor(ada)).split('.');
  const forged = Buffer.from(JSON.stringify({ ...decodeJwt(`${header}.${payload}.`), sub: 'someone-else' }));
  await assert.rejects(
    verifier().verify(`${header}.${forged.toString('base64url')}.${signature}`),
    JwtInvalidSignatureError,
  );
});

test('an assertion named by another signer is refused', async () => {
  published = await asserter([NEW_PEM]);
  const other = SIGNER.replace('cognito-login', 'another-alb');
  await assert.rejects(verifier(other).verify(await published.assertionFor(ada)), AlbJwtInvalidSignerError);
});

test('a key that is not published is refused, even when it claims a published kid', async () => {
  published = await asserter([NEW_PEM]);
  const impostor = await loadSigningKeys({ privateKeysPem: [newPem()] }, 'K');
  const header = decodeProtectedHeader(await published.assertionFor(ada));
  const forged = await new SignJWT({ sub: ada.userId, username: ada.username })
    .setProtectedHeader({ ...header, alg: 'ES256' })
    .setIssuer(ISSUER)
    .setExpirationTime(header.exp as number)
    .sign(impostor.signing.privateKey);
  await assert.rejects(verifier().verify(forged), JwtInvalidSignatureError);
  const ownKid = await createIdentityAsserter(impostor, { ...POOL, clock: () => NOW }).assertionFor(ada);
  await assert.rejects(verifier().verify(ownKid), FetchError);
});

test('an expired assertion is refused', async () => {
  const tenMinutesAgo = NOW - 600_000;
  published = await asserter([NEW_PEM], () => tenMinutesAgo);
  await assert.rejects(verifier().verify(await published.assertionFor(ada)), JwtExpiredError);
});

test('the assertion never outlives the access token it stands for', async () => {
  const soon = { ...ada, expiresAt: NOW + 30_000 };
  const jwt = await (await asserter([NEW_PEM])).assertionFor(soon);
  assert.equal(decodeJwt(jwt).exp, Math.floor((NOW + 30_000) / 1000));
});

test('rotation: the newest key signs, both are published, the old key’s assertion still verifies', async () => {
  const before = await asserter([OLD_PEM]);
  const fromOld = await before.assertionFor(ada);
  published = await asserter([NEW_PEM, OLD_PEM]);
  const fromNew = await published.assertionFor(ada);
  const [newKid, oldKid] = published.publicJwks().keys.map((k) => k.kid);
  assert.equal(decodeProtectedHeader(fromNew).kid, newKid);
  assert.equal(decodeProtectedHeader(fromOld).kid, oldKid);
  const v = verifier();
  assert.equal((await v.verify(fromNew)).sub, ada.userId);
  assert.equal((await v.verify(fromOld)).sub, ada.userId);
});

test('an assertion is reused for half its life, then re-signed', async () => {
  let now = NOW;
  const set = await asserter([NEW_PEM], () => now);
  const first = await set.assertionFor(ada);
  now += 59_000;
  assert.equal(await set.assertionFor(ada), first);
  now += 1_000;
  const second = await set.assertionFor(ada);
  assert.notEqual(second, first);
  assert.equal(decodeJwt(second).exp, Math.floor(now / 1000) + 120);
  now += 30_000;
  assert.equal(await set.assertionFor(ada), second);
});

test('two identities never share an assertion, whatever field tells them apart', async () => {
  const set = await asserter([NEW_PEM]);
  const variants: [Identity, string | undefined][] = [
    [ada, undefined],
    [{ ...ada, userId: 'other-sub' }, undefined],
    [{ ...ada, username: 'other' }, undefined],
    [{ ...ada, email: undefined }, undefined],
    [{ ...ada, groups: ['admins'] }, undefined],
    [{ ...ada, groups: ['admins,staff'] }, undefined],
    [ada, 'ada'],
  ];
  const jwts = await Promise.all(
    variants.map(([id, preferredUsername]) => set.assertionFor(id, { preferredUsername })),
  );
  assert.equal(new Set(jwts).size, variants.length);
  assert.equal(decodeJwt(jwts[3]!).email, undefined);
});

test('the cache is bounded: the least recently used identity is signed again', async () => {
  const set = createIdentityAsserter(await loadSigningKeys({ privateKeysPem: [NEW_PEM] }, 'K'), {
    ...POOL,
    cacheSize: 2,
    clock: () => NOW,
  });
  const user = (n: number): Identity => ({ ...ada, userId: `sub-${n}` });
  const one = await set.assertionFor(user(1));
  await set.assertionFor(user(2));
  assert.equal(await set.assertionFor(user(1)), one); // 1 is now the most recent
  await set.assertionFor(user(3)); // evicts 2
  assert.equal(await set.assertionFor(user(1)), one);
  const two = await set.assertionFor(user(2));
  assert.equal(await set.assertionFor(user(2)), two);
  assert.notEqual(await set.assertionFor(user(3)), undefined);
});

test('concurrent requests of one identity share one signature', async () => {
  const set = await asserter([NEW_PEM]);
  const jwts = await Promise.all(Array.from({ length: 20 }, () => set.assertionFor(ada)));
  assert.equal(new Set(jwts).size, 1);
});

test('the signer is configurable and must be shaped as an ALB ARN; the default follows the partition', async () => {
  const keys = await loadSigningKeys({ privateKeysPem: [NEW_PEM] }, 'K');
  const arn = 'arn:aws:elasticloadbalancing:eu-west-2:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188';
  assert.equal(createIdentityAsserter(keys, { ...POOL, signerArn: arn }).signer, arn);
  assert.throws(() => createIdentityAsserter(keys, { ...POOL, signerArn: 'my-alb' }), /not an ALB ARN/);
  assert.equal(createIdentityAsserter(keys, POOL).issuer, ISSUER);
  assert.match(
    createIdentityAsserter(keys, { ...POOL, region: 'cn-north-1' }).signer,
    /^arn:aws-cn:elasticloadbalancing:cn-north-1:000000000000:/,
  );
  assert.throws(() => createIdentityAsserter(keys, { ...POOL, ttlSeconds: 0 }), /lifetime/);
});
