// The status of a form shown again with errors: the error table's, for the Cognito outcome the form reports.
import { AUTH_ERROR_OUTCOMES, type AuthErrorCode } from '../cognito/errors.ts';
import type { FieldError } from '../field-errors.ts';

const PREFIX = 'errors.';

/**
 * The first error that reports a Cognito outcome (`errors.<CODE>`) decides, as AUTH_ERROR_OUTCOMES says (a wrong
 * password 401, a lockout 429); a form whose errors are all our own checks is a 400.
 */
export function formStatus(errors: readonly FieldError[]): number {
  for (const { message } of errors) {
    if (!message.startsWith(PREFIX)) continue;
    const outcome = AUTH_ERROR_OUTCOMES[message.slice(PREFIX.length) as AuthErrorCode];
    if (outcome) return outcome.status;
  }
  return 400;
}
