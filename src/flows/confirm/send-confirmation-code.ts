// Sends a new sign-up confirmation code and remembers it in the session; used by resend and by sign-in.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import { sessionOf } from '../../session/auth-session.ts';
import type { CodeRefusal } from '../code-limits.ts';
import { maskEmail } from '../mask.ts';
import type { FlowDeps } from '../types.ts';

/**
 * An account that is already confirmed, or does not exist, gets the same answer as one that was sent a code,
 * so resend tells nobody who has an account. Throttling and delivery failures are thrown for the caller.
 *
 * The code is first claimed from the limits per destination and client address (code-limits.ts): refused, nothing
 * is sent and the refusal is returned, for the caller to show or (a sign-in of an unconfirmed account) pass over:
 * the code sent a moment ago still works. Either way the sign-up is pending in this session, with what it had.
 */
export async function sendConfirmationCode(
  ctx: Context,
  deps: Pick<FlowDeps, 'cognito' | 'logger' | 'clock' | 'codeLimits'>,
  username: string,
  /** The password was accepted (a sign-in of an unconfirmed account): the account is known, say what happened. */
  afterSignIn = false,
): Promise<CodeRefusal | undefined> {
  const { refused, release } = await deps.codeLimits.claimSend(ctx.ip, 'sign-up', username);
  if (refused) {
    deps.logger.info(
      { reason: refused.reason },
      'confirmation code not sent: limit per destination or address',
    );
  } else {
    try {
      await deps.cognito.resendConfirmationCode(username);
    } catch (err) {
      // Cognito's limit per user and a failed delivery only ever happen to a real account: answered as sent,
      // as an unknown or confirmed one always is, unless a sign-in has already shown the account exists.
      const asSent =
        err instanceof AuthError &&
        (err.code === 'INVALID_PARAMETER' ||
          err.code === 'INVALID_CREDENTIALS' ||
          (!afterSignIn && (err.code === 'TOO_MANY_ATTEMPTS' || err.code === 'CODE_DELIVERY_FAILED')));
      if (!asSent) {
        // Nothing was sent (throttled, an outage): the claim goes back.
        await release();
        throw err;
      }
      deps.logger.info({ error: err.code }, 'resend for an account that cannot be confirmed: shown as sent');
    }
    // A new code: its answers start again (as Cognito's do), for a taken address as for a new one.
    await deps.codeLimits.newCode('sign-up', username);
  }
  const session = sessionOf(ctx);
  const pending = session.pendingSignUp;
  // The same sign-up, in whatever case it is typed now (Cognito compares names so).
  const same = pending?.username.toLowerCase() === username.toLowerCase() ? pending : undefined;
  session.pendingSignUp = {
    username,
    destination: maskEmail(username),
    cognitoSession: same?.cognitoSession,
    sentAt: refused && same ? same.sentAt : deps.clock(),
  };
  return refused;
}
