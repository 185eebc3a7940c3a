// The sign-in form: what was sent, and what is wrong with it before Cognito is asked.
import { fieldError, type FieldError } from '../../field-errors.ts';

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
