// Checks a new password against the pool's policy before Cognito is asked, naming every broken rule at once.
import type { MessageKey } from '../i18n/index.ts';
import { brokenRules, type BrokenRule, type PasswordPolicy } from '../password-policy.ts';
import type { FieldError } from '../field-errors.ts';

export const MAX_PASSWORD = 256;

/** Byte-exact: the password is never trimmed. Returns the error for `field`, if any. */
export function checkNewPassword(
  password: string,
  policy: PasswordPolicy,
  field: string,
): FieldError | undefined {
  if (password === '') return { field, message: 'password.missing' };
  if (password.length > MAX_PASSWORD) return { field, message: 'password.tooLong' };
  const broken = brokenRules(password, policy);
  return broken.length > 0 ? passwordRuleError(field, broken) : undefined;
}

/** The error naming `rules` (every one the password breaks, or the one Cognito named). */
export function passwordRuleError(field: string, rules: BrokenRule | readonly BrokenRule[]): FieldError {
  return {
    field,
    message: 'password.breaks' satisfies MessageKey,
    rules: Array.isArray(rules) ? rules : [rules as BrokenRule],
  };
}
