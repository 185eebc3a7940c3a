// Sends a new sign-up confirmation code and remembers it in the session; used by resend and by sign-in.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import { sessionOf } from '../../session/auth-session.ts';
import { maskEmail } from '../mask.ts';
import type { FlowDeps } from '../types.ts';

/**
 * An account that is already confirmed, or does not exist, gets the same answer as one that was sent a code,
 * so resend tells nobody who has an account. Throttling and delivery failures are thrown for the caller.
 */
export async function sendConfirmationCode(
  ctx: Context,
  deps: Pick<FlowDeps, 'cognito' | 'logger' | 'clock'>,
  username: string,
): Promise<void> {
  try {
    await deps.cognito.resendConfirmationCode(username);
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    if (err.code !== 'INVALID_PARAMETER' && err.code !== 'INVALID_CREDENTIALS') throw err;
    deps.logger.info({ error: err.code }, 'resend for an account that cannot be confirmed: shown as sent');
  }
  const session = sessionOf(ctx);
  session.pendingSignUp = {
    username,
    destination: maskEmail(username),
    cognitoSession:
      session.pendingSignUp?.username === username ? session.pendingSignUp.cognitoSession : undefined,
    sentAt: deps.clock(),
  };
}
