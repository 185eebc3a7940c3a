// The sign-up form: its fields from configuration, and what is wrong with what was sent before Cognito is asked.
import type { SignupField, SignupSettings } from '../../config.ts';
import type { MessageKey } from '../../i18n/index.ts';
import type { PasswordPolicy } from '../../password-policy.ts';
import { fieldError, type FieldError } from '../../field-errors.ts';
import { checkNewPassword } from '../new-password-field.ts';

/** How a Cognito attribute is asked for in HTML (the autocomplete tokens browsers and password managers know). */
const INPUTS: Record<string, { type: string; autocomplete?: string; maxlength: number }> = {
  name: { type: 'text', autocomplete: 'name', maxlength: 256 },
  given_name: { type: 'text', autocomplete: 'given-name', maxlength: 256 },
  family_name: { type: 'text', autocomplete: 'family-name', maxlength: 256 },
  middle_name: { type: 'text', autocomplete: 'additional-name', maxlength: 256 },
  nickname: { type: 'text', autocomplete: 'nickname', maxlength: 256 },
  preferred_username: { type: 'text', autocomplete: 'username', maxlength: 128 },
  phone_number: { type: 'tel', autocomplete: 'tel', maxlength: 20 },
  birthdate: { type: 'date', autocomplete: 'bday', maxlength: 10 },
  gender: { type: 'text', autocomplete: 'sex', maxlength: 64 },
  locale: { type: 'text', autocomplete: 'language', maxlength: 32 },
  zoneinfo: { type: 'text', maxlength: 64 },
  website: { type: 'url', autocomplete: 'url', maxlength: 2048 },
  address: { type: 'text', autocomplete: 'street-address', maxlength: 2048 },
  profile: { type: 'url', maxlength: 2048 },
  picture: { type: 'url', autocomplete: 'photo', maxlength: 2048 },
};

/** A form field's HTML name: `custom:company` becomes `custom_company` (a colon is awkward in ids and anchors). */
export const fieldName = (attribute: string) => attribute.replace(':', '_');
export const labelKey = (attribute: string) => `attribute.${attribute}` as MessageKey;

/** What the template needs to draw one configured field. */
export function fieldView(f: SignupField, value: string) {
  const input = INPUTS[f.attribute] ?? { type: 'text', maxlength: 2048 };
  return {
    name: fieldName(f.attribute),
    label: labelKey(f.attribute),
    type: input.type,
    autocomplete: input.autocomplete,
    maxlength: input.maxlength,
    optional: !f.required,
    value,
  };
}

export interface SignupForm {
  email: string;
  password: string;
  attributes: Record<string, string>;
  /** What to put back in the form (never the password). */
  values: Record<string, string>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+[1-9]\d{6,14}$/;

/**
 * Reads the configured attribute fields of a form (sign-up, profile): each value trimmed (a phone number's spaces,
 * dots, dashes and brackets taken out), checked for presence, length and shape, each problem against its field.
 * Empty optional fields are left out of `attributes`.
 */
export function readAttributeFields(
  form: Readonly<Record<string, string>>,
  fields: readonly SignupField[],
): { attributes: Record<string, string>; values: Record<string, string>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const f of fields) {
    const name = fieldName(f.attribute);
    const view = fieldView(f, '');
    let value = (form[name] ?? '').trim();
    if (f.attribute === 'phone_number') value = value.replace(/[\s().-]/g, '');
    values[name] = value;
    if (value === '') {
      if (f.required) errors.push({ ...fieldError(name, 'signup.fieldMissing'), label: view.label });
      continue;
    }
    if (value.length > view.maxlength) {
      errors.push({ ...fieldError(name, 'signup.fieldTooLong', { max: view.maxlength }), label: view.label });
    } else if (f.attribute === 'phone_number' && !PHONE.test(value)) {
      errors.push(fieldError(name, 'signup.phoneInvalid'));
    }
    attributes[f.attribute] = value;
  }

  return { attributes, values, errors };
}

/** Reads the sign-up form and lists every problem with it, each against its field. */
export function parseSignupForm(
  form: Readonly<Record<string, string>>,
  settings: SignupSettings,
  policy: PasswordPolicy,
  /** Passwordless sign-in is on: an empty password makes an account without one. */
  passwordOptional = false,
): { value: SignupForm; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const email = (form.email ?? '').trim();
  const password = form.password ?? '';
  const values: Record<string, string> = { email };
  const attributes: Record<string, string> = { email };

  if (email === '') errors.push(fieldError('email', 'signup.emailMissing'));
  else if (email.length > 128) errors.push(fieldError('email', 'login.usernameTooLong'));
  else if (!EMAIL.test(email)) errors.push(fieldError('email', 'signup.emailInvalid'));

  const read = readAttributeFields(form, settings.fields);
  errors.push(...read.errors);
  Object.assign(values, read.values);
  Object.assign(attributes, read.attributes);

  const passwordError =
    passwordOptional && password === '' ? undefined : checkNewPassword(password, policy, 'password');
  if (passwordError) errors.push(passwordError);
  if (settings.termsUrl && form.terms !== 'accepted') errors.push(fieldError('terms', 'signup.termsMissing'));
  return { value: { email, password, attributes, values }, errors };
}
