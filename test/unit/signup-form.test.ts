import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { parseSignupForm } from '../../src/flows/signup/signup-form.ts';
import { DEFAULT_PASSWORD_POLICY } from '../../src/password-policy.ts';

const settings = loadConfig({
  SIGNUP_FIELDS: 'given_name, family_name?, phone_number?, custom:company',
  SIGNUP_TERMS_URL: 'https://example.com/terms',
}).signup;

test('configured fields keep their order and optional marks', () => {
  assert.deepEqual(
    settings.fields.map((f) => [f.attribute, f.required]),
    [
      ['given_name', true],
      ['family_name', false],
      ['phone_number', false],
      ['custom:company', true],
    ],
  );
});

test('a complete form becomes Cognito attributes; empty optional fields are left out', () => {
  const { value, errors } = parseSignupForm(
    {
      email: ' jane@example.com ',
      given_name: 'Jane',
      family_name: '',
      phone_number: '+44 7700 900123',
      custom_company: 'Acme',
      password: ' Sunny-day-42 ',
      terms: 'accepted',
    },
    settings,
    DEFAULT_PASSWORD_POLICY,
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(value.attributes, {
    email: 'jane@example.com',
    given_name: 'Jane',
    phone_number: '+447700900123',
    'custom:company': 'Acme',
  });
  assert.equal(value.password, ' Sunny-day-42 ', 'the password is kept byte-exact');
});

test('every problem is reported against its field', () => {
  const { errors } = parseSignupForm(
    { email: 'nope', phone_number: '0770', password: 'weak' },
    settings,
    DEFAULT_PASSWORD_POLICY,
  );
  assert.deepEqual(
    errors.map((e) => e.field),
    ['email', 'given_name', 'phone_number', 'custom_company', 'password', 'terms'],
  );
});

test('unknown sign-up attributes and email itself are configuration errors', () => {
  assert.throws(() => loadConfig({ SIGNUP_FIELDS: 'name,shoe_size' }), /SIGNUP_FIELDS: shoe_size/);
  assert.throws(() => loadConfig({ SIGNUP_FIELDS: 'email' }), /email is always asked/);
  assert.throws(() => loadConfig({ SIGNUP_FIELDS: 'name,name' }), /listed twice/);
});
