// Forged and misused tokens are refused by the verifier the app uses (aws-jwt-verify pinned to pool, client, use).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { importJWK, SignJWT, type JWK } from 'jose';
import { createTokenVerifier, type TokenVerifier } from '../../src/cognito/verifier.ts';
import { emulatorSettings } from '../../src/local-mode.ts';
import { startLocalCognito, type LocalCognito, type LocalPoolInfo } from '../../src/local-cognito/index.ts';

let emu: LocalCognito;
let pool: LocalPoolInfo;
let verifier: TokenVerifier;
let signWithPoolKey: (claims: Record<string, unknown>) => Promise<string>;
let publicPem: string;
let kid: string;
let dir: string;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokens-'));
  emu = await startLocalCognito({ port: 0, dataDir: dir });
  pool = await emu.ensureLocalPool();
  verifier = createTokenVerifier(emulatorSettings(emu.endpoint, pool));
  await verifier.hydrate();
  // The emulator's own signing key: forged tokens below are correctly signed unless a case breaks that on purpose.
  const stored = JSON.parse(readFileSync(path.join(dir, 'keys.json'), 'utf8')) as {
    kid: string;
    privateJwk: JWK;
  };
  kid = stored.kid;
  const key = await importJWK({ ...stored.privateJwk, alg: 'RS256' }, 'RS256');
  signWithPoolKey = (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
  const jwks = (await (await fetch(`${emu.endpoint}/${pool.userPoolId}/.well-known/jwks.json`)).json()) as {
    keys: JWK[];
  };
  const { createPublicKey } = await import('node:crypto');
  publicPem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' })
    .export({ format: 'pem', type: 'spki' })
    .toString();
});
after(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);
const issuer = () => `https://cognito-idp.us-east-1.amazonaws.com/${pool.userPoolId}`;
const idClaims = (over: Record<string, unknown> = {}) => ({
  sub: 'u-1',
  'cognito:username': 'u-1',
  email: 'a@example.com',
  iss: issuer(),
  aud: pool.clientId,
  token_use: 'id',
  auth_time: now(),
  iat: now(),
  exp: now() + 3600,
  ...over,
});
const accessClaims = (over: Record<string, unknown> = {}) => ({
  sub: 'u-1',
  username: 'u-1',
  iss: issuer(),
  client_id: pool.clientId,
  token_use: 'access',
  scope: 'aws.cognito.signin.user.admin',
  auth_time: now(),
  iat: now(),
  exp: now() + 3600,
  ...over,
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('a correctly signed, well-formed pair is accepted (the baseline the cases below break)', async () => {
  const identity = await verifier.verify(
    await signWithPoolKey(idClaims()),
    await signWithPoolKey(accessClaims()),
  );
  assert.equal(identity.username, 'u-1');
});

const refused: [string, () => Promise<[string, string]>][] = [
  [
    'alg: none',
    async () => [`${b64({ alg: 'none', kid })}.${b64(idClaims())}.`, await signWithPoolKey(accessClaims())],
  ],
  [
    'HS256 signed with the public key',
    async () => {
      const head = b64({ alg: 'HS256', kid });
      const body = b64(accessClaims());
      const sig = createHmac('sha256', publicPem).update(`${head}.${body}`).digest('base64url');
      return [await signWithPoolKey(idClaims()), `${head}.${body}.${sig}`];
    },
  ],
  [
    'a flipped signature byte',
    async () => {
      const token = await signWithPoolKey(accessClaims());
      const [h, p, s] = token.split('.') as [string, string, string];
      const bytes = Buffer.from(s, 'base64url');
      bytes[10] = bytes[10]! ^ 0xff;
      return [await signWithPoolKey(idClaims()), `${h}.${p}.${bytes.toString('base64url')}`];
    },
  ],
  [
    "another pool's issuer",
    async () => [
      await signWithPoolKey(
        idClaims({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other123' }),
      ),
      await signWithPoolKey(accessClaims()),
    ],
  ],
  [
    'the wrong audience',
    async () => [
      await signWithPoolKey(idClaims({ aud: 'another-client-id' })),
      await signWithPoolKey(accessClaims()),
    ],
  ],
  [
    'the wrong client_id',
    async () => [await signWithPoolKey(idClaims()), await signWithPoolKey(accessClaims({ client_id: 'x' }))],
  ],
  [
    'an ID token used as the access token',
    async () => [await signWithPoolKey(idClaims()), await signWithPoolKey(idClaims())],
  ],
  [
    'an access token used as the ID token',
    async () => [await signWithPoolKey(accessClaims()), await signWithPoolKey(accessClaims())],
  ],
  [
    'an expired token',
    async () => [
      await signWithPoolKey(idClaims()),
      await signWithPoolKey(accessClaims({ exp: now() - 60, iat: now() - 4000 })),
    ],
  ],
  [
    'ID and access tokens of different users',
    async () => [await signWithPoolKey(idClaims({ sub: 'u-2' })), await signWithPoolKey(accessClaims())],
  ],
  [
    'an unknown kid',
    async () => {
      const token = await signWithPoolKey(accessClaims());
      const [, p, s] = token.split('.') as [string, string, string];
      return [await signWithPoolKey(idClaims()), `${b64({ alg: 'RS256', kid: 'not-our-key' })}.${p}.${s}`];
    },
  ],
  ['garbage', () => Promise.resolve(['not.a.jwt', 'x'] as [string, string])],
];

for (const [name, make] of refused) {
  test(`refused: ${name}`, async () => {
    const [id, access] = await make();
    await assert.rejects(verifier.verify(id, access));
  });
}
