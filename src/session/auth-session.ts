// The typed contents of a session, and the helpers that sign a browser in and out.
import type { Context } from 'koa';
import type { TokenSet } from '../cognito/gateway.ts';
import type { VerifiedIdentity } from '../cognito/verifier.ts';

/** A signed-in user, kept server-side only. */
export interface AuthState {
  username: string;
  sub: string;
  email: string | undefined;
  name: string | undefined;
  groups: string[];
  authTime: number;
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** Access token expiry, ms since the epoch. */
  accessExpiresAt: number;
  /** When this browser signed in (ms); the absolute lifetime counts from here and rolling never extends it. */
  signedInAt: number;
}

/** Everything we keep in a session. */
export interface SessionData {
  csrf?: string;
  auth?: AuthState;
  /** A one-shot notice for the next page (a message key). */
  notice?: string;
  /** The username to prefill on the sign-in form after a failed or expired attempt. */
  lastUsername?: string;
}

/** The session of this request, typed. koa-session creates it on first access. */
export function sessionOf(ctx: Context): SessionData {
  return ctx.session as unknown as SessionData;
}

/** The signed-in user, if any. */
export function currentAuth(ctx: Context): AuthState | undefined {
  // Reading `ctx.session` loads or creates the session; `auth` decides.
  return (ctx.session as unknown as SessionData | null)?.auth;
}

/** Builds the auth state from fresh tokens and their verified claims. */
export function toAuthState(
  tokens: TokenSet,
  identity: VerifiedIdentity,
  refreshToken: string,
  signedInAt: number,
): AuthState {
  return {
    username: identity.username,
    sub: identity.sub,
    email: identity.email,
    name: identity.name,
    groups: identity.groups,
    authTime: identity.authTime,
    idToken: tokens.idToken,
    accessToken: tokens.accessToken,
    refreshToken,
    accessExpiresAt: identity.accessExpiresAt,
    signedInAt,
  };
}

/**
 * Signs this browser in: a new session id (the old one stops resolving), a new CSRF token, and the auth state.
 */
export async function startAuthenticatedSession(ctx: Context, auth: AuthState): Promise<void> {
  const session = sessionOf(ctx);
  delete session.csrf;
  delete session.lastUsername;
  delete session.notice;
  session.auth = auth;
  await ctx.session!.regenerate();
}

/** Ends the session: the store entry is destroyed and the cookie cleared. */
export function endSession(ctx: Context): void {
  ctx.session = null;
}
