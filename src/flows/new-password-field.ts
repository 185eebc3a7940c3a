// Checks a new password against the pool's policy before Cognito is asked, naming the first broken rule.
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
  const [first] = brokenRules(password, policy);
  return first ? passwordRuleError(field, first) : undefined;
}

export function passwordRuleError(field: string, rule: BrokenRule): FieldError {
  return { field, message: 'password.breaks' satisfies MessageKey, rule };
}
