// Verifies Cognito ID and access tokens with aws-jwt-verify, pinned to the pool, the client and the token use.
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { JwksNotAvailableInCacheError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { CognitoSettings } from './settings.ts';
import { EndpointJwksFetcher } from './endpoint-jwks-fetcher.ts';

/** The claims the app relies on, from a verified ID and access token pair. */
export interface VerifiedIdentity {
  /** Cognito's internal username: what REFRESH_TOKEN_AUTH's SECRET_HASH is computed over. */
  username: string;
  sub: string;
  email: string | undefined;
  /** The ID token's `email_verified`: false when the address is known to be unverified, else undefined or true. */
  emailVerified?: boolean | undefined;
  name: string | undefined;
  groups: string[];
  authTime: number;
  /** The access token's `exp`, in milliseconds since the epoch. */
  accessExpiresAt: number;
  /** The ID token's `nonce` (hosted-UI sign-ins): the caller compares it with the one it sent. */
  nonce: string | undefined;
  /** The access token's `device_key`: the tracked device this sign-in came from (refreshing needs it). */
  deviceKey?: string | undefined;
}

/** What a verified access token says (a Bearer request): no email, which only the ID token or GetUser carries. */
export interface VerifiedAccessToken {
  sub: string;
  username: string;
  groups: string[];
  /** `exp`, in milliseconds since the epoch. */
  expiresAt: number;
}

export interface TokenVerifier {
  /** Verifies both tokens and checks they belong to the same user; throws on any failure. */
  verify(idToken: string, accessToken: string): Promise<VerifiedIdentity>;
  /**
   * Verifies an access token of this pool and this app client (a Bearer request): signature, `exp`, `iss`,
   * `token_use: access`, `client_id`. Throws on any failure; ID and refresh tokens are refused.
   */
  verifyAccessToken(accessToken: string): Promise<VerifiedAccessToken>;
  /** Loads the signing keys; call at start so the first sign-in does not wait for them. */
  hydrate(): Promise<void>;
  /** True once signing keys have been loaded. */
  ready(): boolean;
}

/**
 * Builds the verifier. With `settings.endpoint` (local mode or an emulator, never in production, see config.ts)
 * the keys come from the endpoint over http; otherwise from Cognito's https JWKS URI, as aws-jwt-verify does itself.
 */
export function createTokenVerifier(settings: CognitoSettings): TokenVerifier {
  const jwksCache = settings.endpoint
    ? new SimpleJwksCache({ fetcher: new EndpointJwksFetcher(settings.endpoint, settings.timeoutMs) })
    : new SimpleJwksCache();
  const base = { userPoolId: settings.userPoolId, clientId: settings.clientId };
  const idVerifier = CognitoJwtVerifier.create({ ...base, tokenUse: 'id' }, { jwksCache });
  const accessVerifier = CognitoJwtVerifier.create({ ...base, tokenUse: 'access' }, { jwksCache });
  let hydrated = false;

  return {
    async verify(idToken, accessToken) {
      const id = await verifyWithKeys(idVerifier, idToken);
      const access = await verifyWithKeys(accessVerifier, accessToken);
      if (id.sub !== access.sub) throw new Error('ID and access token belong to different users');
      hydrated = true;
      return {
        username: access.username,
        sub: access.sub,
        email: typeof id.email === 'string' ? id.email : undefined,
        emailVerified: verifiedClaim(id.email_verified),
        name: typeof id.name === 'string' ? id.name : undefined,
        groups: groupsOf(access['cognito:groups']),
        authTime: access.auth_time,
        accessExpiresAt: access.exp * 1000,
        nonce: typeof id.nonce === 'string' ? id.nonce : undefined,
        ...(typeof access.device_key === 'string' ? { deviceKey: access.device_key } : {}),
      };
    },
    async verifyAccessToken(accessToken) {
      const access = await verifyWithKeys(accessVerifier, accessToken);
      hydrated = true;
      return {
        sub: access.sub,
        username: access.username,
        groups: groupsOf(access['cognito:groups']),
        expiresAt: access.exp * 1000,
      };
    },
    async hydrate() {
      await idVerifier.hydrate();
      hydrated = true;
    },
    ready: () => hydrated,
  };
}

function groupsOf(claim: unknown): string[] {
  return Array.isArray(claim) ? claim.filter((g): g is string => typeof g === 'string') : [];
}

/** Cognito's `email_verified`: a boolean, or the strings "true" and "false" in some pools' tokens. */
function verifiedClaim(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

/**
 * The same checks as `verify`, without its promise and key lookup when the pool's keys are cached (they are from
 * the first sign-in on): `verifySync`. A token whose key is not cached (none fetched yet, or a `kid` the pool has
 * rotated in) goes to `verify`, which fetches the keys as before.
 */
function verifyWithKeys<P>(
  verifier: { verifySync(jwt: string): P; verify(jwt: string): Promise<P> },
  jwt: string,
): P | Promise<P> {
  try {
    return verifier.verifySync(jwt);
  } catch (err) {
    if (err instanceof JwksNotAvailableInCacheError || err instanceof KidNotFoundInJwksError) {
      return verifier.verify(jwt);
    }
    throw err;
  }
}
