// The last step of every sign-in: verify Cognito's tokens, start a fresh session, go where the user was going.
import type { Context } from 'koa';
import { AuthError } from '../cognito/errors.ts';
import { constantTimeEqual } from '../constant-time.ts';
import type { TokenSet } from '../cognito/gateway.ts';
import { redirectPublic } from '../middleware/base-path.ts';
import { paths } from '../paths.ts';
import { sessionOf, startAuthenticatedSession, toAuthState } from '../session/auth-session.ts';
import type { FlowDeps } from './types.ts';
import { settleDevice } from './devices/remembered-devices.ts';
import { declinedBy, offerCookieName } from './account/account-passkeys.ts';

/** How the sign-in ended: through the hosted UI (with the nonce sent), or our forms (maybe trusting this browser). */
export type SignInEnd = { nonce: string } | { rememberDevice: boolean | undefined };

/**
 * Tokens are verified before anything is kept; a device Cognito handed out is confirmed (and remembered when
 * asked); then the browser gets a new session id and is redirected.
 */
export async function completeSignIn(
  ctx: Context,
  deps: Pick<FlowDeps, 'verifier' | 'logger' | 'clock' | 'returnTo' | 'config' | 'cognito' | 'devices'>,
  tokens: TokenSet,
  returnTo: unknown,
  end: SignInEnd = { rememberDevice: undefined },
): Promise<void> {
  const hosted = 'nonce' in end ? end : undefined;
  if (!tokens.refreshToken) throw new AuthError('UNEXPECTED_RESPONSE', 'no refresh token');
  let identity;
  try {
    identity = await deps.verifier.verify(tokens.idToken, tokens.accessToken);
  } catch (err) {
    deps.logger.error({ reason: (err as Error).message }, 'tokens from Cognito failed verification');
    throw new AuthError('UNEXPECTED_RESPONSE', 'token verification');
  }
  // aws-jwt-verify does not check the nonce: an ID token from the hosted UI must carry the one we sent.
  if (hosted && !constantTimeEqual(identity.nonce ?? '', hosted.nonce)) {
    deps.logger.warn('hosted-UI ID token with a wrong or missing nonce: refused');
    throw new AuthError('OAUTH_REFUSED', 'nonce mismatch');
  }
  const via = hosted ? 'hosted' : 'forms';
  if (!('nonce' in end)) await settleDevice(ctx, deps, tokens, identity, end.rememberDevice);
  await startAuthenticatedSession(ctx, toAuthState(tokens, identity, tokens.refreshToken, deps.clock(), via));
  const target = deps.returnTo(returnTo);
  if (identity.email !== undefined && identity.emailVerified === false) {
    // Recovery codes go to a verified address only: offer to verify it now (with "skip"), as Amplify's verifyUser.
    sessionOf(ctx).verifyContact = { then: target };
    return ctx.redirect(`${paths.accountVerify}?attribute=email`);
  }
  if (!('nonce' in end) && (await offersPasskey(ctx, deps, tokens.accessToken, identity.sub))) {
    sessionOf(ctx).passkeyOffer = { then: target };
    return ctx.redirect(paths.accountPasskeys);
  }
  redirectPublic(ctx, target);
}

/**
 * A passkey is offered once after a sign-in of ours, when passkeys are on, this browser has not declined, and the
 * user has none yet (one ListWebAuthnCredentials; a refusal offers nothing).
 */
async function offersPasskey(
  ctx: Context,
  deps: Pick<FlowDeps, 'config' | 'cognito'>,
  accessToken: string,
  sub: string,
): Promise<boolean> {
  if (!deps.config.signIn.passwordless.includes('passkey')) return false;
  if (ctx.cookies.get(offerCookieName(deps.config.secureCookies)) === declinedBy(sub)) return false;
  try {
    return (await deps.cognito.listPasskeys(accessToken)).length === 0;
  } catch (err) {
    if (err instanceof AuthError) return false;
    throw err;
  }
}
