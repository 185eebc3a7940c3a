// One place decides what a client sees for each error code: the status, and form message or error page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH_ERROR_CODES, AUTH_ERROR_OUTCOMES, AuthError } from '../../src/cognito/errors.ts';
import { formError, fieldError } from '../../src/field-errors.ts';
import { formStatus } from '../../src/flows/form-status.ts';

test('every error code has exactly one outcome', () => {
  assert.deepEqual(Object.keys(AUTH_ERROR_OUTCOMES).sort(), [...AUTH_ERROR_CODES].sort());
});

test('what a user can act on is shown on the form with its status; outages and misconfiguration are not', () => {
  const seen = (code: (typeof AUTH_ERROR_CODES)[number]) => {
    const err = new AuthError(code);
    return [err.status, err.expose, err.retryAfterSeconds];
  };
  assert.deepEqual(seen('INVALID_CREDENTIALS'), [401, true, undefined]);
  assert.deepEqual(seen('ACCOUNT_LOCKED'), [429, true, undefined]);
  assert.deepEqual(seen('ACCOUNT_DISABLED'), [403, true, undefined]);
  assert.deepEqual(seen('CODE_MISMATCH'), [400, true, undefined]);
  assert.deepEqual(seen('TOO_MANY_ATTEMPTS'), [429, true, undefined]);
  assert.deepEqual(seen('MISCONFIGURED'), [500, false, undefined]);
  assert.deepEqual(seen('THROTTLED'), [429, false, 5]);
  assert.deepEqual(seen('SERVICE_UNAVAILABLE'), [503, false, 5]);
  assert.deepEqual(seen('UNEXPECTED_RESPONSE'), [503, false, 5]);
});

test('every outcome that ends on the error page has a page of its own', () => {
  for (const code of AUTH_ERROR_CODES) {
    const { status, expose } = AUTH_ERROR_OUTCOMES[code];
    if (!expose) assert.ok([429, 500, 503].includes(status), `${code}: ${status}`);
  }
});

test('a form shown again takes the status of the Cognito outcome it reports, else 400', () => {
  assert.equal(formStatus([fieldError('password', 'errors.INVALID_CREDENTIALS')]), 401);
  assert.equal(formStatus([formError('errors.ACCOUNT_LOCKED')]), 429);
  assert.equal(formStatus([formError('errors.TOO_MANY_ATTEMPTS')]), 429);
  assert.equal(formStatus([fieldError('code', 'errors.CODE_MISMATCH')]), 400);
  assert.equal(formStatus([fieldError('email', 'signup.emailInvalid')]), 400);
  assert.equal(
    formStatus([fieldError('email', 'signup.emailInvalid'), formError('errors.ACCOUNT_DISABLED')]),
    403,
  );
});
