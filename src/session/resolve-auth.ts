// Decides whether a request is signed in and who it is: the one answer for pages, forward auth, proxy and Bearer.
import type { Context } from 'koa';
import { AuthError } from '../cognito/errors.ts';
import type { Logger } from '../logger.ts';
import { currentAuth, endSession, sessionOf, type AuthState } from './auth-session.ts';
import type { TokenRefresher } from './token-refresh.ts';

/** Refresh this long before the access token expires, so the app behind never gets one that dies in flight. */
export const REFRESH_SKEW_MS = 60_000;

/** Who a signed-in request is, as every consumer of the decision needs it. */
export interface Identity {
  /** Cognito's `sub`: the stable user id. */
  userId: string;
  /** Cognito's internal username (`cognito:username`); a UUID when email is the sign-in name. */
  username: string;
  email: string | undefined;
  /** The `preferred_username` attribute, when the user has one. */
  preferredUsername?: string | undefined;
  groups: readonly string[];
  /** When the current access token expires, ms since the epoch. */
  expiresAt: number;
}

/**
 * The decision: signed in (with the session's auth state), or not; `ended` says a sign-in existed and is now over
 * (its absolute lifetime passed, or the refresh was refused), so a page can say so.
 */
export type AuthResolution =
  | {
      identity: Identity;
      auth: AuthState;
      ended?: undefined;
      /** Until when (the resolver's clock) the answer stays the same: the next refresh is due, or the sign-in ends. */
      stableUntil: number;
    }
  | { identity: undefined; auth: undefined; ended: boolean };

export interface AuthResolverDeps {
  /** A sign-in's absolute lifetime (SESSION_ABSOLUTE_HOURS), which rolling never extends. */
  absoluteTimeoutMs: number;
  refresher: TokenRefresher;
  clock: () => number;
  logger: Logger;
}

export type AuthResolver = (ctx: Context) => Promise<AuthResolution>;

const ANONYMOUS: AuthResolution = { identity: undefined, auth: undefined, ended: false };
const ENDED: AuthResolution = { identity: undefined, auth: undefined, ended: true };

/**
 * From the request's session: the identity, refreshing the access token when it is due (one Cognito call, shared
 * by concurrent requests of the session). The common path reads the loaded session only: no signature check, no
 * store write, no Cognito call. A session past its lifetime, or whose refresh Cognito refuses, is ended. Throws
 * AuthError only when Cognito cannot be asked (outage, throttling): that is a 503, not a sign-out.
 */
export function createAuthResolver(deps: AuthResolverDeps): AuthResolver {
  const { absoluteTimeoutMs, refresher, clock, logger } = deps;
  return async function resolveAuth(ctx) {
    const auth = currentAuth(ctx);
    if (!auth) return ANONYMOUS;
    const now = clock();
    if (now - auth.signedInAt >= absoluteTimeoutMs) {
      endSession(ctx);
      return ENDED;
    }
    if (auth.accessExpiresAt - REFRESH_SKEW_MS > now) return signedIn(auth);
    try {
      const fresh = await refresher.refresh(auth);
      sessionOf(ctx).auth = fresh;
      return signedIn(fresh);
    } catch (err) {
      if (err instanceof AuthError && !err.expose) throw err;
      // Refused (revoked, expired, user disabled): the session is over.
      logger.info(
        { error: err instanceof AuthError ? err.code : 'unknown' },
        'token refresh refused; session ended',
      );
      endSession(ctx);
      return ENDED;
    }
  };

  function signedIn(auth: AuthState): AuthResolution {
    return {
      identity: identityOf(auth),
      auth,
      stableUntil: Math.min(auth.accessExpiresAt - REFRESH_SKEW_MS, auth.signedInAt + absoluteTimeoutMs),
    };
  }
}

function identityOf(auth: AuthState): Identity {
  return {
    userId: auth.sub,
    username: auth.username,
    email: auth.email,
    groups: auth.groups,
    expiresAt: auth.accessExpiresAt,
  };
}
