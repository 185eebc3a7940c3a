// Answers to one sign-in challenge (MFA codes), counted atomically before Cognito is asked: not in the session,
// where parallel requests would each read the same count and write back their own.
import { createHash } from 'node:crypto';
import type { PendingChallenge } from '../session/auth-session.ts';
import { createLimiter, limitedOrUnavailable, type LimiterBackend } from './limiter-backend.ts';

export interface AnswerLimit {
  /**
   * Spends one of the challenge's answers before it goes to Cognito: how many are left after this one, or -1 when
   * none was (then Cognito must not be asked).
   */
  spend(challenge: PendingChallenge): Promise<number>;
}

export interface AnswerLimitOptions {
  /** Answers per challenge (MFA_MAX_ATTEMPTS). */
  maxAnswers: number;
  /** How long a count is kept: at least a challenge's lifetime. */
  windowSeconds: number;
}

export function createAnswerLimit(backend: LimiterBackend, options: AnswerLimitOptions): AnswerLimit {
  const limiter = createLimiter(backend, 'rl:challenge-answers', options.maxAnswers, options.windowSeconds);
  return {
    async spend(challenge) {
      try {
        return (await limiter.consume(challengeKey(challenge))).remainingPoints;
      } catch (err) {
        limitedOrUnavailable(err);
        return -1;
      }
    },
  };
}

/** One challenge, whatever Cognito's session string becomes on the way: whose it is, which, and when it began. */
function challengeKey(challenge: PendingChallenge): string {
  return createHash('sha256')
    .update(`${challenge.username}\n${challenge.name}\n${challenge.startedAt}`)
    .digest('base64url')
    .slice(0, 32);
}
