// The typed contents of a session, and the helpers that sign a browser in and out.
import type { Context } from 'koa';
import type { MfaMethod, TokenSet } from '../cognito/gateway.ts';
import { forgetCsrfBinding, newCsrfToken } from './csrf-token.ts';
import { renewSessionId } from './session-middleware.ts';
import type { VerifiedIdentity } from '../cognito/verifier.ts';

/**
 * A signed-in user, kept server-side only. The ID token is verified at sign-in and not kept: nothing reads it
 * afterwards, and every request would carry its ~1 KB through the session's parse, hash and save.
 */
export interface AuthState {
  username: string;
  sub: string;
  email: string | undefined;
  name: string | undefined;
  groups: string[];
  authTime: number;
  accessToken: string;
  refreshToken: string;
  /** Access token expiry, ms since the epoch. */
  accessExpiresAt: number;
  /** When this browser signed in (ms); the absolute lifetime counts from here and rolling never extends it. */
  signedInAt: number;
  /** How: our forms, or the hosted UI (whose own session sign-out must also end). */
  via: 'forms' | 'hosted';
  /** The tracked device of this sign-in (the access token's `device_key`): Cognito refreshes only with it. */
  deviceKey?: string;
}

/** A hosted-UI authorization under way: single-use, checked by the callback; sealed (AES-GCM) in a cookie until then. */
export interface PendingAuthorization {
  state: string;
  verifier: string;
  nonce: string;
  returnTo: string;
  startedAt: number;
}

/** A sign-up waiting for its emailed code. `cognitoSession` signs the user in once confirmed. */
export interface PendingSignUp {
  username: string;
  /** Where the code went, masked (`j***@e***.com`). */
  destination: string;
  cognitoSession: string | undefined;
  /** When the last code was asked for (ms), for the resend cooldown. */
  sentAt: number;
}

/** A password reset waiting for its emailed code. */
export interface PendingReset {
  username: string;
  destination: string;
  sentAt: number;
  /** Cognito demanded the reset at sign-in (PasswordResetRequiredException). */
  required: boolean;
}

/**
 * A sign-in waiting for the answer to a Cognito challenge. It lives only here, bound to this browser's session,
 * never in a form field or URL; Cognito's `session` string expires after a few minutes.
 */
export interface PendingChallenge {
  name: string;
  /** Cognito's challenge Session, replaced by each answer. */
  session: string;
  /** The USERNAME Cognito expects in answers (USER_ID_FOR_SRP: the internal username). */
  username: string;
  /** What the user typed, to fill the sign-in form again if the challenge ends. */
  typedUsername: string;
  parameters: Record<string, string>;
  /** Wrong answers so far. */
  attempts: number;
  startedAt: number;
  expiresAt: number;
  returnTo: string;
  /** The user chose this step's method among several (SELECT_MFA_TYPE came first): another can be chosen. */
  chosen?: boolean;
  /** MFA_SETUP: the TOTP secret being set up (shown as a QR code, never sent to the browser otherwise). */
  totpSecret?: string;
  /** SELECT_CHALLENGE: the first factors Cognito offers this user (AvailableChallenges). */
  available?: string[];
  /** A code or passkey of choice-based sign-in: the first factor, not a second one (no "trust this browser"). */
  firstFactor?: boolean;
  /**
   * A way Cognito does not offer this user (or nobody has the email): the same pages as a real one, nothing sent,
   * Cognito never asked, and every answer wrong; so the choice tells nobody whether, or how, an account exists.
   */
  decoy?: boolean;
}

/** Everything we keep in a session. */
export interface SessionData {
  csrf?: string;
  auth?: AuthState;
  /** Who this session belongs to (`sub:..`, `email:..`), so a password reset can end all of them. */
  owners?: string[];
  /** When the password was last checked again on the passkeys page (ms): adding or removing one needs it fresh. */
  passkeyCheckedAt?: number;
  /** A passkey is offered once after sign-in: where to go on once it is added or declined. */
  passkeyOffer?: { then: string };
  /** Signed in with an unverified email address: verifying it was offered, and where to go after (or on skip). */
  verifyContact?: { then: string };
  /** A changed email address or phone number waiting for its code, and where the code went (masked). */
  verifyingAttribute?: { attribute: 'email' | 'phone_number'; destination: string };
  /** The username to prefill on the sign-in form (after confirming, or a reset). */
  lastUsername?: string;
  pendingSignUp?: PendingSignUp;
  pendingReset?: PendingReset;
  challenge?: PendingChallenge;
  /** When the signed-in user last proved their password again (ms), for sensitive changes such as MFA. */
  reauthenticatedAt?: number;
  /** A TOTP secret being added from the account page, until verified. */
  totpSetupSecret?: string;
  /**
   * The second factor the last re-authentication (reauthenticatedAt) proved: the MFA challenge answered in that
   * sign-in, or `none` when Cognito asked for no second step.
   */
  reauthFactor?: MfaMethod | 'none';
  /** A re-authentication waiting for its second step: Cognito's challenge, answered on /account/mfa/verify. */
  reauthChallenge?: PendingReauthChallenge;
}

/** The MFA challenge of a re-authentication on the account page; like PendingChallenge, it never leaves the server. */
export interface PendingReauthChallenge {
  name: string;
  session: string;
  /** USER_ID_FOR_SRP / USERNAME from the challenge. */
  username: string;
  parameters: Record<string, string>;
  startedAt: number;
  expiresAt: number;
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
  via: AuthState['via'] = 'forms',
): AuthState {
  return {
    username: identity.username,
    sub: identity.sub,
    email: identity.email,
    name: identity.name,
    groups: identity.groups,
    authTime: identity.authTime,
    accessToken: tokens.accessToken,
    refreshToken,
    accessExpiresAt: identity.accessExpiresAt,
    signedInAt,
    via,
    ...(identity.deviceKey === undefined ? {} : { deviceKey: identity.deviceKey }),
  };
}

/**
 * Signs this browser in: a session id no one else knows (a new one, and the old one stops resolving, unless it
 * was made in this request: renewSessionId), a new CSRF token (and no more double-submit binding), and the auth
 * state.
 */
export async function startAuthenticatedSession(ctx: Context, auth: AuthState): Promise<void> {
  const session = sessionOf(ctx);
  // A new token with the new id (the old one must not work), made now so the next page need not save again.
  session.csrf = newCsrfToken();
  delete session.lastUsername;
  delete session.pendingSignUp;
  delete session.pendingReset;
  delete session.challenge;
  delete session.reauthenticatedAt;
  delete session.totpSetupSecret;
  delete session.reauthFactor;
  delete session.reauthChallenge;
  session.auth = auth;
  session.owners = ownerKeys(auth.sub, auth.email, auth.username);
  // Double-submit tokens shown before the sign-in (bound to this browser's CSRF cookie) stop working too.
  forgetCsrfBinding(ctx);
  await renewSessionId(ctx);
}

/**
 * The owner keys of a user's sessions: by `sub`, by email and by Cognito's internal username, so that whichever of
 * them a password reset was typed as finds every session (ownersNamedBy).
 */
export function ownerKeys(sub: string, email: string | undefined, username?: string): string[] {
  return [
    `sub:${sub}`,
    ...(email ? [emailOwner(email)] : []),
    ...(username ? [usernameOwner(username)] : []),
  ];
}

export function emailOwner(email: string): string {
  return `email:${email.trim().toLowerCase()}`;
}

export function usernameOwner(username: string): string {
  return `username:${username.trim().toLowerCase()}`;
}

/**
 * Every owner key a sign-in name may stand for: a name typed into a form (a reset) can be the email, the internal
 * username or, where the two are the same (pools that sign in by email), the `sub`.
 */
export function ownersNamedBy(name: string): string[] {
  return [`sub:${name.trim().toLowerCase()}`, emailOwner(name), usernameOwner(name)];
}

/** Ends the session: the store entry is destroyed and the cookie cleared. */
export function endSession(ctx: Context): void {
  ctx.session = null;
}
