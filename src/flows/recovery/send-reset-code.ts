// Sends a password-reset code and remembers the reset in the session; used by /forgot-password and sign-in.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import { sessionOf } from '../../session/auth-session.ts';
import type { CodeRefusal } from '../code-limits.ts';
import { maskEmail } from '../mask.ts';
import type { FlowDeps } from '../types.ts';

/**
 * Unknown accounts get the same answer: with PreventUserExistenceErrors Cognito pretends to send, and without it
 * we pretend ourselves. Throttling and delivery failures are thrown for the caller to show.
 *
 * The code is first claimed from the limits per destination and client address (code-limits.ts), for known and
 * unknown accounts alike: refused, nothing is sent and the refusal is returned for the caller to show (or, when
 * Cognito demanded the reset at sign-in, to pass over: the code sent a moment ago still works).
 */
export async function sendResetCode(
  ctx: Context,
  deps: Pick<FlowDeps, 'cognito' | 'logger' | 'clock' | 'codeLimits'>,
  username: string,
  required: boolean,
): Promise<CodeRefusal | undefined> {
  const { refused, release } = await deps.codeLimits.claimSend(ctx.ip, 'recovery', username);
  if (refused) {
    deps.logger.info({ reason: refused.reason }, 'reset code not sent: limit per destination or address');
  } else {
    try {
      await deps.cognito.forgotPassword(username);
    } catch (err) {
      if (!(err instanceof AuthError) || !answersAsSent(err, required)) {
        // Nothing was sent (throttled, an outage): the claim goes back.
        await release();
        throw err;
      }
      deps.logger.info({ error: err.code }, 'reset code for an account that cannot reset: shown as sent');
    }
  }
  const session = sessionOf(ctx);
  const same = session.pendingReset?.username === username ? session.pendingReset : undefined;
  session.pendingReset = {
    username,
    destination: maskEmail(username),
    sentAt: refused && same ? same.sentAt : deps.clock(),
    required,
  };
  return refused;
}

/**
 * Refusals only an existing account can get are answered as if a code went out: Cognito's own limit per user
 * (LimitExceededException after a few codes an hour) and a failed delivery would otherwise tell that the account
 * exists, since an unknown one is always "sent" a code. After a password was accepted (`required`), the account is
 * known anyway and the real reason is shown.
 */
function answersAsSent(err: AuthError, required: boolean): boolean {
  if (err.code === 'INVALID_CREDENTIALS' || err.code === 'INVALID_PARAMETER') return true;
  return !required && (err.code === 'TOO_MANY_ATTEMPTS' || err.code === 'CODE_DELIVERY_FAILED');
}
