// The pool's password policy: checked before Cognito is asked, and described as a hint next to the field.
import type { MessageKey } from './i18n/index.ts';

/** The pool's password rules, as DescribeUserPool reports them. */
export interface PasswordPolicy {
  minimumLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
}

/** Cognito's default policy, used when the pool's own cannot be read. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = Object.freeze({
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
});

/** The characters Cognito counts as symbols (its documentation lists them; a space counts too). */
const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- '.split(''));

/** One broken rule, named by its message key and the parameter it needs. */
export interface BrokenRule {
  message: MessageKey;
  params?: Record<string, number>;
}

/** The rules `password` breaks, in the order the hint lists them; empty when it passes. */
export function brokenRules(password: string, policy: PasswordPolicy): BrokenRule[] {
  const chars = [...password];
  const broken: BrokenRule[] = [];
  if (chars.length < policy.minimumLength) {
    broken.push({ message: 'password.rule.minLength', params: { min: policy.minimumLength } });
  }
  if (policy.requireLowercase && !chars.some((c) => c !== c.toUpperCase())) {
    broken.push({ message: 'password.rule.lowercase' });
  }
  if (policy.requireUppercase && !chars.some((c) => c !== c.toLowerCase())) {
    broken.push({ message: 'password.rule.uppercase' });
  }
  if (policy.requireNumbers && !chars.some((c) => c >= '0' && c <= '9')) {
    broken.push({ message: 'password.rule.number' });
  }
  if (policy.requireSymbols && !chars.some((c) => SYMBOLS.has(c))) {
    broken.push({ message: 'password.rule.symbol' });
  }
  return broken;
}

/** Every rule of the policy, for the hint under a new-password field. */
export function policyRules(policy: PasswordPolicy): BrokenRule[] {
  return brokenRules('', { ...policy, minimumLength: Math.max(policy.minimumLength, 1) });
}

/** Which rule Cognito's InvalidPasswordException message names ("Password must have uppercase characters"). */
export function ruleFromCognitoMessage(message: string, policy: PasswordPolicy): BrokenRule | undefined {
  if (/not long enough/i.test(message)) {
    return { message: 'password.rule.minLength', params: { min: policy.minimumLength } };
  }
  if (/uppercase/i.test(message)) return { message: 'password.rule.uppercase' };
  if (/lowercase/i.test(message)) return { message: 'password.rule.lowercase' };
  if (/numeric/i.test(message)) return { message: 'password.rule.number' };
  if (/symbol/i.test(message)) return { message: 'password.rule.symbol' };
  return undefined;
}
