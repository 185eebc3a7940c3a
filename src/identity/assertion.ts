// Signs `x-amzn-oidc-data` as an AWS ALB does (ES256, kid, signer, iss, client, exp) and caches it per identity.
import { SignJWT, type JSONWebKeySet } from 'jose';
import type { Identity } from '../session/resolve-auth.ts';
import type { SigningKeySet } from './signing-keys.ts';

/** How the assertion is shaped and how long it lives. */
export interface AssertionSettings {
  /** The pool's region (COGNITO_REGION), for the issuer and the default signer. */
  region: string;
  /** The user pool id: the issuer is `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
  userPoolId: string;
  /** The app client id, the header's `client`. */
  clientId: string;
  /** The header's `signer`, an ALB ARN; default `defaultSignerArn(region)`. */
  signerArn?: string;
  /** Lifetime of one assertion in seconds (default 120); never past the access token's own expiry. */
  ttlSeconds?: number;
  /** Most identities whose assertion is kept (default 5000); least recently used go first. */
  cacheSize?: number;
  /** Milliseconds since the epoch (default Date.now); tests inject their own. */
  clock?: () => number;
}

/** What is known of a request beside its Identity. */
export interface AssertionExtras {
  /** The `preferred_username` attribute, when known. */
  preferredUsername?: string | undefined;
}

/** A signed assertion and until when it is handed out again (ms since the epoch, the asserter's clock). */
export interface SignedAssertion {
  jwt: string;
  /** Half its life: from then on a fresh one is signed. */
  refreshAt: number;
}

/** Signs and publishes the identity assertion. */
export interface IdentityAsserter {
  /** The signed `x-amzn-oidc-data` for this identity: cached, re-signed once less than half its life is left. */
  assertionFor(identity: Identity, extras?: AssertionExtras): Promise<string>;
  /** The same, with the time it stops being handed out (for a caller that keeps it itself). */
  signedAssertion(identity: Identity, extras?: AssertionExtras): Promise<SignedAssertion>;
  /** Every published public key (newest first) as a JWKS, for `GET /auth/keys`. */
  publicJwks(): JSONWebKeySet;
  /** The SPKI PEM of the key `kid`, as an ALB's key endpoint serves it (`GET /auth/keys/<kid>`), or undefined. */
  publicPem(kid: string): string | undefined;
  /** The header's `signer`: what an app gives AlbJwtVerifier as `albArn`. */
  readonly signer: string;
  /** The header's and payload's `iss`: what an app gives AlbJwtVerifier as `issuer`. */
  readonly issuer: string;
}

/** Default assertion lifetime, seconds. */
export const DEFAULT_ASSERTION_TTL_SECONDS = 120;
/** Default number of identities whose assertion is cached. */
export const DEFAULT_ASSERTION_CACHE_SIZE = 5000;

const SIGNER_ARN =
  /^arn:aws(?:-cn|-us-gov)?:elasticloadbalancing:[a-z]{2}-(?:gov-)?[a-z]+-\d:\d{12}:loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[A-Za-z0-9]{1,32}$/;

/**
 * The signer used when none is configured:
 * `arn:aws:elasticloadbalancing:<region>:000000000000:loadbalancer/app/cognito-login/0000000000000000`
 * (partition `aws-cn` or `aws-us-gov` for those regions), the shape AlbJwtVerifier accepts.
 */
export function defaultSignerArn(region: string): string {
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:elasticloadbalancing:${region}:000000000000:loadbalancer/app/cognito-login/0000000000000000`;
}

/** The Cognito issuer of a pool. */
export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

interface CachedAssertion {
  jwt: Promise<string>;
  /** Re-sign from this moment (ms): half the assertion's life has passed. */
  refreshAt: number;
}

/**
 * The asserter over `keys` (the newest signs, all are published). Throws when `signerArn` is not shaped as an ALB
 * ARN or the lifetime is not a positive number. The payload holds what an ALB passes from Cognito's userinfo
 * (`sub`, `username`, `email` when known, `preferred_username` when known) plus `cognito:groups` when the user is in
 * any group (Cognito's own claim name, as its ID tokens carry it), and repeats `exp` and `iss` as an ALB's does.
 */
export function createIdentityAsserter(keys: SigningKeySet, settings: AssertionSettings): IdentityAsserter {
  const signer = settings.signerArn ?? defaultSignerArn(settings.region);
  if (!SIGNER_ARN.test(signer)) {
    throw new Error(
      `identity assertion signer "${signer}" is not an ALB ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)`,
    );
  }
  const ttlMs = (settings.ttlSeconds ?? DEFAULT_ASSERTION_TTL_SECONDS) * 1000;
  if (!Number.isFinite(ttlMs) || ttlMs < 1000) {
    throw new Error('identity assertion lifetime (ttlSeconds) must be at least 1 s');
  }
  const issuer = cognitoIssuer(settings.region, settings.userPoolId);
  const clock = settings.clock ?? Date.now;
  const cacheSize = Math.max(1, settings.cacheSize ?? DEFAULT_ASSERTION_CACHE_SIZE);
  /** Insertion order is recency order: a hit moves its entry to the end, the first entry is evicted. */
  const cache = new Map<string, CachedAssertion>();
  const jwks: JSONWebKeySet = { keys: keys.keys.map((k) => ({ ...k.publicJwk })) };
  const pems = new Map(keys.keys.map((k) => [k.kid, k.publicPem]));

  function sign(identity: Identity, extras: AssertionExtras, now: number): CachedAssertion {
    // Whole seconds, rounded down, and never past the access token's own expiry.
    const exp = Math.floor(Math.min(now + ttlMs, identity.expiresAt) / 1000);
    const payload: Record<string, unknown> = { sub: identity.userId, username: identity.username };
    if (identity.email !== undefined) payload.email = identity.email;
    if (extras.preferredUsername !== undefined) payload.preferred_username = extras.preferredUsername;
    if (identity.groups.length > 0) payload['cognito:groups'] = [...identity.groups];
    const jwt = new SignJWT(payload)
      .setProtectedHeader({
        alg: 'ES256',
        kid: keys.signing.kid,
        typ: 'JWT',
        signer,
        iss: issuer,
        client: settings.clientId,
        exp,
      })
      .setIssuer(issuer)
      .setExpirationTime(exp)
      .sign(keys.signing.privateKey);
    return { jwt, refreshAt: now + (exp * 1000 - now) / 2 };
  }

  function current(identity: Identity, extras: AssertionExtras): CachedAssertion {
    const now = clock();
    // Everything the assertion says is in the key, so two identities that differ in anything never share one.
    const key = JSON.stringify([
      identity.userId,
      identity.username,
      identity.email ?? null,
      identity.groups,
      extras.preferredUsername ?? null,
      identity.expiresAt,
    ]);
    const hit = cache.get(key);
    if (hit) cache.delete(key);
    let entry = hit && now < hit.refreshAt ? hit : undefined;
    if (!entry) {
      const fresh = sign(identity, extras, now);
      // A failed signature is not kept: the next request tries again.
      fresh.jwt.catch(() => cache.get(key) === fresh && cache.delete(key));
      entry = fresh;
    }
    cache.set(key, entry);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    return entry;
  }

  return {
    signer,
    issuer,
    assertionFor: (identity, extras = {}) => current(identity, extras).jwt,
    async signedAssertion(identity, extras = {}) {
      const entry = current(identity, extras);
      return { jwt: await entry.jwt, refreshAt: entry.refreshAt };
    },
    publicJwks: () => ({ keys: jwks.keys.map((k) => ({ ...k })) }),
    publicPem: (kid) => pems.get(kid),
  };
}
