// Checks a new password against the pool's policy before Cognito is asked, naming every broken rule at once.
import type { MessageKey } from '../i18n/index.ts';
import type { AuthError } from '../cognito/errors.ts';
import {
  brokenRules,
  ruleFromCognitoMessage,
  type BrokenRule,
  type PasswordPolicy,
} from '../password-policy.ts';
import { fieldError, type FieldError } from '../field-errors.ts';

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

/**
 * Cognito's refusal of a new password, said on `field`: the rule its message names (or that the policy refused it),
 * or that it was used before. Undefined for any other error.
 */
export function newPasswordRefusal(
  err: AuthError,
  field: string,
  policy: PasswordPolicy,
): FieldError | undefined {
  if (err.code === 'INVALID_PASSWORD') {
    const rule = ruleFromCognitoMessage(err.cognitoMessage ?? '', policy);
    return rule ? passwordRuleError(field, rule) : fieldError(field, 'errors.INVALID_PASSWORD');
  }
  if (err.code === 'PASSWORD_REUSED') return fieldError(field, 'errors.PASSWORD_REUSED');
  return undefined;
}
