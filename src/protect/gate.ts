// The one code path in front of a protected app: who is asking (Bearer token or session), then the access rules.
import type { Context } from 'koa';
import { decide, type AccessRules } from '../access/access-rules.ts';
import type { IdentityAsserter } from '../identity/assertion.ts';
import { identityHeaders } from '../identity/identity-headers.ts';
import type { BearerAuth } from '../session/bearer-auth.ts';
import type { AuthResolver, Identity } from '../session/resolve-auth.ts';
import type { SessionCopies } from '../session/session-copies.ts';
import type { Lru } from '../lru.ts';

/** The request as the app will see it: for forward auth, what the proxy in front says it was. */
export interface GuardedRequest {
  method: string;
  /** Path and query, as sent (not decoded). */
  url: string;
}

/**
 * What to do with the request: pass it on with identity headers (`pass`; `identity` undefined on a public path
 * with nobody signed in), send the visitor to sign in, refuse a bad Bearer token (401), or refuse (403).
 */
export type GateOutcome =
  | { kind: 'pass'; identity: Identity | undefined; headers: Record<string, string> }
  | { kind: 'sign-in'; ended: boolean }
  | { kind: 'invalid-token' }
  | { kind: 'deny'; identity: Identity };

/**
 * What later requests of the same signed-in session reuse (protect/fast-path.ts) instead of reading the session:
 * who it is, and the identity headers that say so (also as `[name, value, ...]`, as `writeHead` takes them).
 */
export interface SessionPass {
  identity: Identity;
  headers: Readonly<Record<string, string>>;
  rawHeaders: readonly string[];
}

export interface GateDeps {
  resolveAuth: AuthResolver;
  bearer: BearerAuth;
  /** The access rules in force (reloaded when the file changes). */
  rules: () => AccessRules;
  asserter: IdentityAsserter;
  passAccessToken: boolean;
  /** Where a signed-in session's pass is kept for its next requests (none: every request reads the session). */
  copies?: SessionCopies<SessionPass> | undefined;
  /** Where a Bearer token's pass is kept, by the token's key (bearerKey), until the token or its assertion is due. */
  tokenPasses?: Lru<KeptPass> | undefined;
}

/** A pass kept for a Bearer token, good until `until` (the gate's clock). */
export interface KeptPass {
  pass: SessionPass;
  until: number;
}

export type Gate = (ctx: Context, request: GuardedRequest) => Promise<GateOutcome>;

/**
 * A Bearer token, when sent, decides alone (a bad one is refused, never replaced by the session). Otherwise the
 * session: no Cognito call, no signature check and no store write unless the access token is due for refresh.
 */
export function createGate(deps: GateDeps): Gate {
  return async function gate(ctx, request) {
    const path = request.url.split('?')[0]!;
    let identity: Identity | undefined;
    let accessToken: string | undefined;
    let ended = false;
    /** Until when a session's answer holds (the resolver's clock); undefined for a Bearer token. */
    let stableUntil: number | undefined;
    let tokenKey: string | undefined;
    const bearer = await deps.bearer.check(ctx.get('authorization') || undefined);
    if (bearer.kind === 'invalid') return { kind: 'invalid-token' };
    if (bearer.kind === 'valid') {
      identity = bearer.identity;
      accessToken = bearer.accessToken;
      tokenKey = bearer.key;
    } else {
      const resolved = await deps.resolveAuth(ctx);
      identity = resolved.identity;
      accessToken = resolved.auth?.accessToken;
      ended = resolved.ended === true;
      if (resolved.identity) stableUntil = resolved.stableUntil;
    }
    const decision = decide(deps.rules(), { identity, method: request.method, path });
    if (decision.kind === 'sign-in') return { kind: 'sign-in', ended };
    if (decision.kind === 'deny') {
      // Only a signed-in user can be denied by a rule; an unreadable path is refused for everyone.
      return identity ? { kind: 'deny', identity } : { kind: 'sign-in', ended };
    }
    if (!identity) return { kind: 'pass', identity: undefined, headers: {} };
    const assertion = await deps.asserter.signedAssertion(identity, {
      preferredUsername: identity.preferredUsername,
    });
    const headers = identityHeaders(identity, {
      assertion: assertion.jwt,
      passAccessToken: deps.passAccessToken,
      preferredUsername: identity.preferredUsername,
      accessToken,
    });
    const pass: SessionPass = { identity, headers, rawHeaders: Object.entries(headers).flat() };
    if (stableUntil !== undefined) deps.copies?.keep(ctx, pass, Math.min(stableUntil, assertion.refreshAt));
    if (tokenKey !== undefined) {
      deps.tokenPasses?.set(tokenKey, { pass, until: Math.min(identity.expiresAt, assertion.refreshAt) });
    }
    return { kind: 'pass', identity, headers };
  };
}
