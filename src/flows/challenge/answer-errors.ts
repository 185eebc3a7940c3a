// What a wrong or late answer to a challenge does: count it, say so, or end the sign-in.
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { FieldError } from '../../field-errors.ts';
import { fieldError } from '../../field-errors.ts';
import type { FlowDeps } from '../types.ts';
import { pendingChallenge } from './challenge-guard.ts';
import { restartSignIn } from './continue-sign-in.ts';

/**
 * Handles a failed answer. Returns the error to show on the page (the user may try again), or undefined when the
 * sign-in was ended and the response is already a redirect. Outages are thrown on to the error page.
 */
export function answerError(
  ctx: Context,
  deps: Pick<FlowDeps, 'config' | 'logger'>,
  err: unknown,
  field: string,
): FieldError | undefined {
  if (!(err instanceof AuthError)) throw err;
  switch (err.code) {
    case 'CODE_MISMATCH':
    case 'MFA_SETUP_CODE_MISMATCH': {
      const challenge = pendingChallenge(ctx);
      challenge.attempts += 1;
      const left = deps.config.mfa.maxAttempts - challenge.attempts;
      if (left <= 0) {
        deps.logger.info({ challenge: challenge.name }, 'too many wrong codes: sign-in ended');
        restartSignIn(ctx, 'too-many-codes');
        return undefined;
      }
      return fieldError(
        field,
        err.code === 'MFA_SETUP_CODE_MISMATCH' ? 'mfa.setupCodeWrong' : 'mfa.codeWrong',
        {
          left,
        },
      );
    }
    case 'CODE_EXPIRED':
    case 'SESSION_EXPIRED':
    case 'INVALID_CREDENTIALS':
    case 'TOKEN_REVOKED':
      restartSignIn(ctx, 'challenge-expired');
      return undefined;
    case 'TOO_MANY_ATTEMPTS':
      restartSignIn(ctx, 'too-many-codes');
      return undefined;
    default:
      throw err;
  }
}
