// The last step of every sign-in: verify Cognito's tokens, start a fresh session, go where the user was going.
import type { Context } from 'koa';
import { AuthError } from '../cognito/errors.ts';
import type { TokenSet } from '../cognito/gateway.ts';
import { safeReturnTo } from '../return-to.ts';
import { startAuthenticatedSession, toAuthState } from '../session/auth-session.ts';
import type { FlowDeps } from './types.ts';

/** Tokens are verified before anything is kept; then the browser gets a new session id and is redirected. */
export async function completeSignIn(
  ctx: Context,
  deps: Pick<FlowDeps, 'verifier' | 'logger' | 'clock'>,
  tokens: TokenSet,
  returnTo: unknown,
): Promise<void> {
  if (!tokens.refreshToken) throw new AuthError('UNEXPECTED_RESPONSE', 'no refresh token');
  let identity;
  try {
    identity = await deps.verifier.verify(tokens.idToken, tokens.accessToken);
  } catch (err) {
    deps.logger.error({ reason: (err as Error).message }, 'tokens from Cognito failed verification');
    throw new AuthError('UNEXPECTED_RESPONSE', 'token verification');
  }
  await startAuthenticatedSession(ctx, toAuthState(tokens, identity, tokens.refreshToken, deps.clock()));
  ctx.redirect(safeReturnTo(returnTo));
}
