// Bearer access tokens for APIs behind us: verified once with aws-jwt-verify, then remembered until they expire.
import { hash } from 'node:crypto';
import type { CognitoGateway } from '../cognito/gateway.ts';
import type { TokenVerifier } from '../cognito/verifier.ts';
import type { Identity } from './resolve-auth.ts';

/** The outcome of an `Authorization` header: none sent, a valid access token, or one we refuse (401). */
export type BearerResult =
  | { kind: 'none' }
  /** `key`: the token's SHA-256 (bearerKey), under which what was decided about it may be kept. */
  | { kind: 'valid'; identity: Identity; accessToken: string; key: string }
  | { kind: 'invalid' };

export interface BearerAuth {
  /** Reads `Authorization: Bearer <token>`; anything else than a verified access token is `invalid`. */
  check(authorization: string | undefined): Promise<BearerResult>;
}

export interface BearerAuthDeps {
  verifier: Pick<TokenVerifier, 'verifyAccessToken'>;
  /** Reads the email (which access tokens do not carry) once per token with GetUser; failures leave it unknown. */
  cognito: Pick<CognitoGateway, 'getUser'>;
  clock: () => number;
  /** Verified tokens remembered at once (oldest forgotten first). */
  maxEntries?: number;
}

// The scheme name is case-insensitive (RFC 7235); the token is a JWT's three base64url parts.
const BEARER = /^Bearer +([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)\s*$/i;
/** Longer than any Cognito access token: a header this size is refused before any work. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * The key a token in an `Authorization` header is known by (its SHA-256, never the token itself), or undefined when
 * the header holds no well-formed Bearer token.
 */
export function bearerKey(authorization: string): string | undefined {
  if (authorization.length > MAX_TOKEN_LENGTH) return undefined;
  const token = BEARER.exec(authorization)?.[1];
  return token ? hash('sha256', token, 'base64url') : undefined;
}

/**
 * A verified token is kept by its SHA-256 (never the token itself as a key) until its `exp`, so a busy API pays one
 * RSA check and one GetUser per token, not per request. Refused tokens are not remembered: each costs a check.
 */
export function createBearerAuth(deps: BearerAuthDeps): BearerAuth {
  const { verifier, cognito, clock } = deps;
  const maxEntries = deps.maxEntries ?? 10_000;
  const cache = new Map<string, Promise<Identity | undefined>>();

  async function verify(token: string): Promise<Identity | undefined> {
    let access;
    try {
      access = await verifier.verifyAccessToken(token);
    } catch {
      return undefined;
    }
    const attributes: Readonly<Record<string, string | undefined>> = await cognito.getUser(token).then(
      (user) => user.attributes,
      () => ({}),
    );
    return {
      userId: access.sub,
      username: access.username,
      email: attributes.email,
      preferredUsername: attributes.preferred_username,
      groups: access.groups,
      expiresAt: access.expiresAt,
    };
  }

  return {
    async check(authorization) {
      if (authorization === undefined || authorization === '') return { kind: 'none' };
      const key = bearerKey(authorization);
      const token = key && BEARER.exec(authorization)?.[1];
      if (!key || !token) return { kind: 'invalid' };
      let pending = cache.get(key);
      if (!pending) {
        pending = verify(token);
        cache.set(key, pending);
        if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      }
      const identity = await pending;
      if (!identity || identity.expiresAt <= clock()) {
        cache.delete(key);
        return { kind: 'invalid' };
      }
      return { kind: 'valid', identity, accessToken: token, key };
    },
  };
}
