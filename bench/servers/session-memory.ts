// Memory per signed-in session: the app with a fast stand-in for Cognito, driven through the real sign-in path.
// Run with --expose-gc. Cognito-shaped RS256 tokens are minted per user here and verified by the app's own
// verifier against this process's JWKS endpoint, so each session holds what a real one holds.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createApp } from '../../src/app.ts';
import type { CognitoGateway, SignInResult } from '../../src/cognito/gateway.ts';
import { createTokenVerifier } from '../../src/cognito/verifier.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { MemorySessionStore, type SessionStore } from '../../src/session/memory-store.ts';
import { sealSessionStore } from '../../src/session/sealed-store.ts';
import { BENCH_RATE_LIMITS, serveParent } from '../lib/child.ts';

const REGION = 'us-east-1';
const POOL_ID = `${REGION}_BenchPool1`;
const CLIENT_ID = 'benchclient0123456789abcdef';
const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`;
/** Cognito's refresh tokens are JWEs of about 1,780 characters (header, key, iv, ciphertext, tag). */
const REFRESH_SEGMENTS = [58, 342, 22, 1331, 22];

const gc = globalThis.gc;
if (!gc) throw new Error('run with --expose-gc');

// The signing key and its JWKS, served where the app's verifier looks for an emulator's keys.
const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
const kid = randomBytes(16).toString('base64url');
const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] });
const jwksServer = createServer((req, res) => {
  if (req.url !== `/${POOL_ID}/.well-known/jwks.json`) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
});
await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
const jwksEndpoint = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;

const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ kid, alg: 'RS256' }).sign(privateKey);

/** Tokens as Cognito issues them for a USER_PASSWORD_AUTH sign-in of `email` (claims and sizes alike). */
async function cognitoTokens(email: string): Promise<SignInResult> {
  const now = Math.floor(Date.now() / 1000);
  const sub = randomUUID();
  const common = { sub, iss: ISSUER, origin_jti: randomUUID(), event_id: randomUUID(), auth_time: now };
  const [idToken, accessToken] = await Promise.all([
    sign({
      ...common,
      email_verified: true,
      'cognito:username': sub,
      aud: CLIENT_ID,
      token_use: 'id',
      name: 'Bench User',
      email,
      iat: now,
      exp: now + 3600,
      jti: randomUUID(),
    }),
    sign({
      ...common,
      client_id: CLIENT_ID,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      iat: now,
      exp: now + 3600,
      jti: randomUUID(),
      username: sub,
    }),
  ]);
  const refreshToken = REFRESH_SEGMENTS.map((n) =>
    randomBytes(Math.ceil((n * 3) / 4))
      .toString('base64url')
      .slice(0, n),
  ).join('.');
  return { kind: 'tokens', tokens: { idToken, accessToken, refreshToken, expiresIn: 3600 } };
}

/** Cognito as far as a password sign-in goes; nothing else is called here. */
const gateway = new Proxy({} as CognitoGateway, {
  get(_target, name) {
    if (name === 'signInWithPassword') return (username: string) => cognitoTokens(username);
    return () => Promise.reject(new Error(`the memory bench does not call ${String(name)}`));
  },
});

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const config = loadConfig({
  PORT: '0',
  APP_BASE_URL: baseUrl,
  COGNITO_USER_POOL_ID: POOL_ID,
  COGNITO_CLIENT_ID: CLIENT_ID,
  COGNITO_CLIENT_SECRET: 'bench-client-secret',
  COGNITO_ENDPOINT: jwksEndpoint,
  SESSION_KEYS: randomBytes(32).toString('base64url'),
  LOG_LEVEL: 'warn',
  ...BENCH_RATE_LIMITS,
});
const store = new MemorySessionStore({ maxEntries: config.session.maxEntries });
/** What the memory store holds of a signed-in session: its sealed envelope (encrypted at rest, as in the app). */
let serializedBytes = 0;
const measuredInner: SessionStore = {
  get: (key) => store.get(key),
  set(key, envelope, maxAgeMs, options) {
    serializedBytes = Buffer.byteLength(JSON.stringify(envelope));
    return store.set(key, envelope, maxAgeMs, options);
  },
  destroy: (key) => store.destroy(key),
  destroyOwnedBy: (owner) => store.destroyOwnedBy(owner),
  ping: () => store.ping(),
  close: () => store.close(),
};
const measuredStore = sealSessionStore(measuredInner, config.session.keys);
const verifier = createTokenVerifier(config.cognito!);
await verifier.hydrate();
const app = createApp(config, {
  cognito: gateway,
  verifier,
  sessionStore: measuredStore,
  logger: createLogger('warn', process.stderr),
});
const handle = app.callback();
server.on('request', (req, res) => void handle(req, res));

/** Memory after full collections, once the heap has settled. */
async function measure(): Promise<Record<string, unknown>> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, sessions: store.size, serializedBytes };
}

serveParent({ type: 'ready', baseUrl }, { measure });
