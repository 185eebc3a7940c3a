// Sends a password-reset code and remembers the reset in the session; used by /forgot-password and sign-in.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import { sessionOf } from '../../session/auth-session.ts';
import { maskEmail } from '../mask.ts';
import type { FlowDeps } from '../types.ts';

/**
 * Unknown accounts get the same answer: with PreventUserExistenceErrors Cognito pretends to send, and without it
 * we pretend ourselves. Throttling and delivery failures are thrown for the caller to show.
 */
export async function sendResetCode(
  ctx: Context,
  deps: Pick<FlowDeps, 'cognito' | 'logger' | 'clock'>,
  username: string,
  required: boolean,
): Promise<void> {
  try {
    await deps.cognito.forgotPassword(username);
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    if (err.code !== 'INVALID_CREDENTIALS' && err.code !== 'INVALID_PARAMETER') throw err;
    deps.logger.info({ error: err.code }, 'reset code for an account that cannot reset: shown as sent');
  }
  sessionOf(ctx).pendingReset = {
    username,
    destination: maskEmail(username),
    sentAt: deps.clock(),
    required,
  };
}
