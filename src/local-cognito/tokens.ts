// The RS256 signing key (kept in dataDir/keys.json), minting ID/access tokens, and verifying our own access tokens.
import { readFile, writeFile, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { errors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { newOpaqueToken, newUuid } from './ids.ts';
import { notAuthorized } from './errors.ts';
import type { ClientRecord, PoolRecord, UserRecord } from './state.ts';

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

/** The public half as published in the JWKS. */
export interface PublicJwk {
  kid: string;
  kty: 'RSA';
  alg: 'RS256';
  use: 'sig';
  n: string;
  e: string;
}

interface StoredKeys {
  kid: string;
  privateJwk: JWK;
}

/** The emulator's signing key pair. */
export class SigningKeys {
  private constructor(
    readonly kid: string,
    private readonly privateKey: SigningKey,
    private readonly publicKey: SigningKey,
    readonly publicJwk: PublicJwk,
  ) {}

  /** Loads `dataDir/keys.json`, or generates a key (and saves it when there is a `dataDir`). */
  static async load(dataDir: string | undefined): Promise<SigningKeys> {
    const file = dataDir === undefined ? undefined : join(dataDir, 'keys.json');
    let stored: StoredKeys | undefined;
    if (file) {
      try {
        stored = JSON.parse(await readFile(file, 'utf8')) as StoredKeys;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    if (!stored) {
      const pair = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
      stored = { kid: newOpaqueToken(24), privateJwk: await exportJWK(pair.privateKey) };
      if (file && dataDir !== undefined) {
        await mkdir(dataDir, { recursive: true });
        const tmp = `${file}.${newOpaqueToken(6)}.tmp`;
        await writeFile(tmp, JSON.stringify(stored), { mode: 0o600 });
        await rename(tmp, file);
      }
    }
    const { n, e } = stored.privateJwk;
    if (typeof n !== 'string' || typeof e !== 'string') throw new Error('keys.json holds no RSA key');
    const publicJwk: PublicJwk = { kid: stored.kid, kty: 'RSA', alg: 'RS256', use: 'sig', n, e };
    const privateKey = await importJWK({ ...stored.privateJwk, alg: 'RS256' }, 'RS256');
    const publicKey = await importJWK({ kty: 'RSA', n, e }, 'RS256');
    return new SigningKeys(stored.kid, privateKey, publicKey, publicJwk);
  }

  /** Signs `claims` as an RS256 JWT with our `kid`. */
  sign(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: this.kid }).sign(this.privateKey);
  }

  /** Verifies signature and expiry at `now`; Cognito's messages for invalid and expired access tokens. */
  async verify(token: string, now: number): Promise<Record<string, unknown>> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: ['RS256'],
        currentDate: new Date(now),
      });
      return payload;
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw notAuthorized('Access Token has expired');
      throw notAuthorized('Invalid Access Token');
    }
  }
}

/** `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
export const issuerOf = (pool: PoolRecord): string =>
  `https://cognito-idp.${pool.region}.amazonaws.com/${pool.id}`;

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** A client's token lifetimes in seconds (Cognito's defaults: 1 h, 1 h, 30 days). */
export function tokenLifetimes(client: ClientRecord): { access: number; id: number; refresh: number } {
  const units = client.tokenValidityUnits ?? {};
  const seconds = (
    value: number | undefined,
    unit: string | undefined,
    fallbackUnit: string,
    dflt: number,
  ) => (value === undefined ? dflt : value * (UNIT_SECONDS[unit ?? fallbackUnit] ?? 1));
  return {
    access: seconds(client.accessTokenValidity, units.AccessToken, 'hours', 3600),
    id: seconds(client.idTokenValidity, units.IdToken, 'hours', 3600),
    refresh: seconds(client.refreshTokenValidity, units.RefreshToken, 'days', 30 * 86400),
  };
}

/** What a sign-in (or a refresh of it) carries into every token minted from it. */
export interface Origin {
  originJti: string;
  eventId: string;
  authTime: number;
  /** The tracked device the sign-in came from: the access token's `device_key`. */
  deviceKey?: string | undefined;
}

const attr = (user: UserRecord, name: string): string | undefined =>
  user.attributes.find((a) => a.Name === name)?.Value;

/** Mints an ID token and an access token for `user`, as Cognito shapes them. */
export async function mintTokens(
  keys: SigningKeys,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  origin: Origin,
  nowMs: number,
  oauth?: OAuthGrant,
): Promise<{ idToken: string; accessToken: string; expiresIn: number }> {
  const iat = Math.floor(nowMs / 1000);
  const life = tokenLifetimes(client);
  const groups = sortedGroups(pool, user);
  const common = {
    sub: user.sub,
    ...(groups.length > 0 ? { 'cognito:groups': groups } : {}),
    iss: issuerOf(pool),
    origin_jti: origin.originJti,
    event_id: origin.eventId,
    auth_time: origin.authTime,
  };
  const idClaims: Record<string, unknown> = {
    ...common,
    'cognito:username': user.username,
    aud: client.clientId,
    token_use: 'id',
    iat,
    exp: iat + life.id,
    jti: newUuid(),
  };
  for (const a of user.attributes) {
    if (a.Name === 'sub') continue;
    idClaims[a.Name] = a.Name.endsWith('_verified') ? a.Value === 'true' : a.Value;
  }
  const email = attr(user, 'email');
  if (email !== undefined) idClaims.email = email;
  const accessClaims = {
    ...common,
    client_id: client.clientId,
    token_use: 'access',
    scope: oauth?.scope ?? 'aws.cognito.signin.user.admin',
    iat,
    exp: iat + life.access,
    jti: newUuid(),
    username: user.username,
    ...(origin.deviceKey === undefined ? {} : { device_key: origin.deviceKey }),
  };
  if (!oauth) {
    const [idToken, accessToken] = await Promise.all([keys.sign(idClaims), keys.sign(accessClaims)]);
    return { idToken, accessToken, expiresIn: life.access };
  }
  // Hosted UI: the ID token carries the authorize request's nonce and the access token's hash.
  const accessToken = await keys.sign(accessClaims);
  idClaims.at_hash = atHash(accessToken);
  if (oauth.nonce !== undefined) idClaims.nonce = oauth.nonce;
  const idToken = await keys.sign(idClaims);
  return { idToken, accessToken, expiresIn: life.access };
}

/** What an OAuth grant (hosted UI) puts into tokens instead of the JSON API's defaults. */
export interface OAuthGrant {
  /** The granted scopes, space-separated, for the access token's `scope`. */
  scope: string;
  /** The authorize request's `nonce`, for the ID token (code grant only). */
  nonce?: string | undefined;
}

/** OIDC `at_hash`: base64url of the left half of SHA-256 of the access token. */
export const atHash = (accessToken: string): string =>
  createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

/** The user's group names, by precedence (lowest first), then name. */
export function sortedGroups(pool: PoolRecord, user: UserRecord): string[] {
  const rank = (name: string) => pool.groups.get(name)?.precedence ?? Number.MAX_SAFE_INTEGER;
  return user.groups
    .filter((g) => pool.groups.has(g))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
