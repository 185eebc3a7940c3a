// What a wrong or late answer to a challenge does: count it, say so, or end the sign-in.
import type { Router } from '@koa/router';
import type { Context, Next } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import type { FieldError } from '../../field-errors.ts';
import { fieldError } from '../../field-errors.ts';
import { paths } from '../../paths.ts';
import type { AnswerLimit } from '../../rate-limit/answer-limit.ts';
import { sessionOf } from '../../session/auth-session.ts';
import { parseCode } from '../code-field.ts';
import type { FlowDeps } from '../types.ts';
import { pendingChallenge } from './challenge-guard.ts';
import { pageForChallenge } from './challenge-table.ts';
import { restartSignIn } from './continue-sign-in.ts';

/** The pages that send Cognito a code typed for a pending challenge. */
const CODE_PAGES = [paths.mfa, paths.mfaSetup] as const;

/** Answers left after this request's one, as counted before it went to Cognito. */
const ANSWERS_LEFT = Symbol('answers left');
type Answering = Context & { [ANSWERS_LEFT]?: number };

/**
 * Counts every code answered to a challenge before its page sends it to Cognito: registered on `router` ahead of
 * those pages' own routes. None left (MFA_MAX_ATTEMPTS, parallel requests included): the sign-in ends and Cognito
 * is not asked. What the page refuses by itself (no live challenge of its kind, a malformed code) is not counted.
 */
export function countCodeAnswers(
  router: Router,
  limit: AnswerLimit,
  deps: Pick<FlowDeps, 'clock' | 'logger'>,
): void {
  for (const page of CODE_PAGES) {
    router.post(page, async function countCodeAnswer(ctx: Context, next: Next) {
      const challenge = sessionOf(ctx).challenge;
      const live =
        challenge !== undefined &&
        deps.clock() < challenge.expiresAt &&
        pageForChallenge(challenge.name) === page;
      if (live && !parseCode(ctx.state.form?.code).error) {
        const left = await limit.spend(challenge);
        if (left < 0) {
          deps.logger.info({ challenge: challenge.name }, 'too many wrong codes: sign-in ended');
          return restartSignIn(ctx, 'too-many-codes');
        }
        (ctx as Answering)[ANSWERS_LEFT] = left;
      }
      await next();
    });
  }
}

/**
 * Handles a failed answer. Returns the error to show on the page (the user may try again), or undefined when the
 * sign-in was ended and the response is already a redirect. Outages are thrown on to the error page.
 */
export function answerError(
  ctx: Context,
  deps: Pick<FlowDeps, 'logger'>,
  err: unknown,
  field: string,
): FieldError | undefined {
  if (!(err instanceof AuthError)) throw err;
  switch (err.code) {
    case 'CODE_MISMATCH':
    case 'MFA_SETUP_CODE_MISMATCH': {
      const challenge = pendingChallenge(ctx);
      // Counted before Cognito was asked (countCodeAnswers); an answer that was not counted ends the sign-in.
      const left = (ctx as Answering)[ANSWERS_LEFT] ?? 0;
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
