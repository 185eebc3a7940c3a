import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AUTH_ERROR_CODES,
  AuthError,
  COGNITO_ERROR_TABLE,
  OPERATION_OVERRIDES,
  toAuthError,
} from '../../src/cognito/errors.ts';
import { isMessageKey } from '../../src/i18n/index.ts';

const sdkError = (name: string, message = '', status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

// Every exception of COGNITO.md's table, with what the page must do.
const EXPECTED: [string, string, string][] = [
  ['NotAuthorizedException', 'Incorrect username or password.', 'INVALID_CREDENTIALS'],
  ['UserNotFoundException', 'User does not exist.', 'INVALID_CREDENTIALS'],
  ['NotAuthorizedException', 'Password attempts exceeded', 'ACCOUNT_LOCKED'],
  ['NotAuthorizedException', 'User is disabled.', 'ACCOUNT_DISABLED'],
  ['NotAuthorizedException', 'Invalid session for the user, session is expired.', 'SESSION_EXPIRED'],
  ['NotAuthorizedException', 'Unable to verify secret hash for client 1abc', 'MISCONFIGURED'],
  [
    'NotAuthorizedException',
    'Client 1abc is configured with secret but SECRET_HASH was not received',
    'MISCONFIGURED',
  ],
  ['NotAuthorizedException', 'Refresh Token has been revoked', 'TOKEN_REVOKED'],
  ['NotAuthorizedException', 'Invalid Refresh Token', 'TOKEN_REVOKED'],
  ['UserNotConfirmedException', 'User is not confirmed.', 'USER_NOT_CONFIRMED'],
  ['PasswordResetRequiredException', 'Password reset required for the user', 'PASSWORD_RESET_REQUIRED'],
  ['UsernameExistsException', 'An account with the given email already exists.', 'USERNAME_EXISTS'],
  ['AliasExistsException', 'An account with the email already exists.', 'ALIAS_EXISTS'],
  ['InvalidPasswordException', 'Password did not conform with policy', 'INVALID_PASSWORD'],
  ['PasswordHistoryPolicyViolationException', '', 'PASSWORD_REUSED'],
  ['CodeMismatchException', 'Invalid verification code provided', 'CODE_MISMATCH'],
  ['ExpiredCodeException', 'Invalid code provided, please request a code again.', 'CODE_EXPIRED'],
  ['TooManyFailedAttemptsException', '', 'TOO_MANY_ATTEMPTS'],
  ['LimitExceededException', 'Attempt limit exceeded, please try after some time.', 'TOO_MANY_ATTEMPTS'],
  ['TooManyRequestsException', 'Too many requests', 'THROTTLED'],
  ['CodeDeliveryFailureException', '', 'CODE_DELIVERY_FAILED'],
  ['InvalidParameterException', '', 'INVALID_PARAMETER'],
  ['UserLambdaValidationException', 'PreSignUp failed with error Domain not allowed.', 'LAMBDA_VALIDATION'],
  ['EnableSoftwareTokenMFAException', 'Code mismatch', 'MFA_SETUP_CODE_MISMATCH'],
  ['InternalErrorException', '', 'SERVICE_UNAVAILABLE'],
];

for (const [name, message, code] of EXPECTED) {
  test(`${name} "${message}" maps to ${code}`, () => {
    assert.equal(toAuthError(sdkError(name, message)).code, code);
  });
}

test('every exception in the table maps to a known code', () => {
  for (const [name, entry] of Object.entries(COGNITO_ERROR_TABLE)) {
    const code = typeof entry === 'function' ? entry('') : entry;
    assert.ok(AUTH_ERROR_CODES.includes(code), `${name} -> ${code}`);
  }
});

test('every error code has a message in the catalogue', () => {
  for (const code of AUTH_ERROR_CODES) assert.ok(isMessageKey(`errors.${code}`), `errors.${code} missing`);
});

test('timeouts, network errors, 5xx and unknown exceptions mean the service is unavailable', () => {
  assert.equal(toAuthError(sdkError('TimeoutError')).code, 'SERVICE_UNAVAILABLE');
  assert.equal(
    toAuthError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).code,
    'SERVICE_UNAVAILABLE',
  );
  assert.equal(toAuthError(sdkError('SomethingNew', '', 502)).code, 'SERVICE_UNAVAILABLE');
  assert.equal(toAuthError('a string').code, 'SERVICE_UNAVAILABLE');
});

test('a Lambda trigger message loses its prefix and is kept for the page', () => {
  const err = toAuthError(
    sdkError('UserLambdaValidationException', 'PreSignUp failed with error Domain not allowed.'),
  );
  assert.equal(err.userText, 'Domain not allowed.');
});

test('an AuthError passes through unchanged', () => {
  const err = new AuthError('THROTTLED');
  assert.equal(toAuthError(err), err);
});

test('sign-in maps InvalidPasswordException and UserNotFoundException to the generic wrong-credentials outcome', () => {
  // A safety net for pools whose settings leak them: sign-in says "wrong email or password", whichever it was.
  const invalidPassword = sdkError('InvalidPasswordException', 'Password does not conform to policy');
  const userNotFound = sdkError('UserNotFoundException', 'User does not exist.');
  for (const err of [invalidPassword, userNotFound]) {
    const mapped = toAuthError(err, 'InitiateAuth');
    assert.equal(mapped.code, 'INVALID_CREDENTIALS', err.name);
    assert.equal(mapped.cognitoName, err.name, 'the exception name is kept for the logs');
    assert.equal(mapped.status, toAuthError(sdkError('NotAuthorizedException'), 'InitiateAuth').status);
  }
  // Where a new password is being set, INVALID_PASSWORD still means "this password breaks a rule" (shown as such).
  for (const operation of ['SignUp', 'ConfirmForgotPassword', 'RespondToAuthChallenge', undefined]) {
    assert.equal(toAuthError(invalidPassword, operation).code, 'INVALID_PASSWORD', String(operation));
  }
});

test('per-operation overrides name only known codes, and no name finds an inherited property', () => {
  for (const [operation, table] of Object.entries(OPERATION_OVERRIDES)) {
    for (const [name, code] of Object.entries(table)) {
      assert.ok(AUTH_ERROR_CODES.includes(code), `${operation}: ${name} -> ${code}`);
    }
  }
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.equal(toAuthError(sdkError(name), 'InitiateAuth').code, 'SERVICE_UNAVAILABLE', name);
    assert.equal(toAuthError(sdkError(name), name).code, 'SERVICE_UNAVAILABLE', `${name} as the operation`);
  }
});
