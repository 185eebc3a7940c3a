// The sign-in form: what was sent, and what is wrong with it before Cognito is asked.
import type { Passwordless } from '../../config.ts';
import { fieldError, type FieldError } from '../../field-errors.ts';
import type { MessageKey } from '../../i18n/index.ts';

export interface LoginForm {
  username: string;
  /** Byte-exact: never trimmed or normalised. */
  password: string;
}

export const MAX_USERNAME = 128;
export const MAX_PASSWORD = 256;

/** Reads and checks the form; returns errors for missing or oversized fields. */
export function parseLoginForm(form: Readonly<Record<string, string>>): {
  value: LoginForm;
  errors: FieldError[];
} {
  const username = (form.username ?? '').trim();
  const password = form.password ?? '';
  const errors: FieldError[] = [];
  if (username === '') errors.push(fieldError('username', 'login.usernameMissing'));
  else if (username.length > MAX_USERNAME) errors.push(fieldError('username', 'login.usernameTooLong'));
  if (password === '') errors.push(fieldError('password', 'login.passwordMissing'));
  else if (password.length > MAX_PASSWORD) errors.push(fieldError('password', 'login.passwordTooLong'));
  return { value: { username, password }, errors };
}

/** The email-first form: the username alone (choice-based sign-in asks for the way in next). */
export function parseUsername(form: Readonly<Record<string, string>>): {
  value: string;
  errors: FieldError[];
} {
  const username = (form.username ?? '').trim();
  const errors: FieldError[] = [];
  if (username === '') errors.push(fieldError('username', 'login.usernameMissing'));
  else if (username.length > MAX_USERNAME) errors.push(fieldError('username', 'login.usernameTooLong'));
  return { value: username, errors };
}

/** The one-page form's buttons for each passwordless way configured: Cognito's factor and its label. */
export function passwordlessMethods(
  passwordless: readonly Passwordless[],
): { factor: string; label: MessageKey }[] {
  const all = [
    { way: 'email', factor: 'EMAIL_OTP', label: 'choose.emailCode' },
    { way: 'sms', factor: 'SMS_OTP', label: 'choose.smsCode' },
    { way: 'passkey', factor: 'WEB_AUTHN', label: 'choose.passkey' },
  ] as const;
  return all.filter((m) => passwordless.includes(m.way)).map(({ factor, label }) => ({ factor, label }));
}
