// Verification codes shared by sign-up and password recovery: checking an answer, the hourly send limits,
// and the simulated delivery that PreventUserExistenceErrors answers for unknown users.
import { timingSafeEqual } from 'node:crypto';
import { CognitoError } from '../errors.ts';
import type { CodeRequest, PendingCode, UserRecord } from '../state.ts';
import { maskDestination, type OpContext } from './context.ts';

/** Wrong answers a code survives: after this many it is dead and every further answer is refused. */
export const MAX_CODE_FAILURES = 5;
/** ResendConfirmationCode and ForgotPassword calls allowed per user and purpose in one hour. */
export const MAX_CODE_REQUESTS_PER_HOUR = 5;
const HOUR_MS = 60 * 60 * 1000;

export const codeMismatch = (): CognitoError =>
  new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');

export const expiredCode = (): CognitoError =>
  new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');

/**
 * Cognito's answer to too many code requests and to further answers after too many wrong codes. The API
 * reference also lists TooManyFailedAttemptsException for ConfirmSignUp / ConfirmForgotPassword, but what
 * Cognito is reported to send in both cases (amazon-cognito-identity-js#548, amplify-js#13023/#13225) is
 * LimitExceededException with this message, so the emulator sends that.
 */
export const attemptLimitExceeded = (): CognitoError =>
  new CognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');

function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks `given` against the user's pending code of `kind` and returns it (the caller consumes it):
 * none pending or wrong: CodeMismatchException (a wrong answer counts against the code); dead after
 * MAX_CODE_FAILURES wrong answers: LimitExceededException, even for the right code; right but expired:
 * ExpiredCodeException.
 */
export function checkCode(
  ctx: OpContext,
  user: UserRecord,
  kind: PendingCode['kind'],
  given: string,
): PendingCode {
  const pending = user.codes.find((c) => c.kind === kind);
  if (!pending) throw codeMismatch();
  if ((pending.failedAttempts ?? 0) >= MAX_CODE_FAILURES) throw attemptLimitExceeded();
  if (!sameCode(pending.code, given)) {
    pending.failedAttempts = (pending.failedAttempts ?? 0) + 1;
    throw codeMismatch();
  }
  if (pending.expiresAt <= ctx.clock()) throw expiredCode();
  return pending;
}

/** Removes the user's pending code of `kind` (a code works once). */
export function consumeCode(user: UserRecord, kind: PendingCode['kind']): void {
  user.codes = user.codes.filter((c) => c.kind !== kind);
}

/**
 * Counts one more code request of `purpose` for the user, or throws LimitExceededException when the user
 * already made MAX_CODE_REQUESTS_PER_HOUR of them in the last hour (the refused one does not count).
 */
export function limitCodeRequests(ctx: OpContext, user: UserRecord, purpose: CodeRequest['purpose']): void {
  const now = ctx.clock();
  const recent = (user.codeRequests ?? []).filter((r) => r.at > now - HOUR_MS);
  if (recent.filter((r) => r.purpose === purpose).length >= MAX_CODE_REQUESTS_PER_HOUR) {
    user.codeRequests = recent;
    throw attemptLimitExceeded();
  }
  recent.push({ purpose, at: now });
  user.codeRequests = recent;
}

/**
 * The CodeDeliveryDetails Cognito answers for an unknown user when PreventUserExistenceErrors is ENABLED:
 * the same shape as a real delivery, nothing sent.
 */
export function simulatedDelivery(username: string): {
  Destination: string;
  DeliveryMedium: 'EMAIL';
  AttributeName: 'email';
} {
  const to = username.includes('@') ? username : 'unknown@example.com';
  return { Destination: maskDestination(to), DeliveryMedium: 'EMAIL', AttributeName: 'email' };
}
