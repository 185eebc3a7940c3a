// Password recovery: ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword (codes emailed to the inbox).
import { invalidParameter, notAuthorized, userNotFound } from '../errors.ts';
import { checkPassword } from '../password.ts';
import { passwordFields } from '../user-password.ts';
import { checkSecretHash } from '../secret-hash.ts';
import type { UserRecord } from '../state.ts';
import {
  getAttr,
  getClient,
  getPool,
  optString,
  reqString,
  requireUser,
  findUser,
  sendEmailCode,
  type Input,
  type OpContext,
} from './context.ts';
import { checkCode, codeMismatch, consumeCode, limitCodeRequests, simulatedDelivery } from './codes.ts';
import { userForClient } from './sign-up.ts';

/** A password-reset code works for one hour. */
export const RESET_CODE_VALIDITY_MS = 60 * 60 * 1000;

/**
 * Throws what Cognito answers when a user's password cannot be reset by code: still on a temporary
 * password, or without a verified email to send the code to (which includes UNCONFIRMED users).
 */
function checkResettable(user: UserRecord): void {
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    throw notAuthorized('User password cannot be reset in the current state.');
  }
  if (getAttr(user, 'email') === undefined || getAttr(user, 'email_verified') !== 'true') {
    throw invalidParameter(
      'Cannot reset password for the user as there is no registered/verified email or phone_number',
    );
  }
}

/**
 * Emails a FORGOT_PASSWORD code (valid one hour) to a CONFIRMED or RESET_REQUIRED user, at most
 * MAX_CODE_REQUESTS_PER_HOUR times an hour. Unknown users: a simulated delivery with
 * PreventUserExistenceErrors ENABLED (nothing sent), else UserNotFoundException.
 */
export function forgotPassword(ctx: OpContext, input: Input): object {
  const { pool, client } = getClient(ctx, reqString(input, 'ClientId'));
  const username = reqString(input, 'Username');
  checkSecretHash(client, username, optString(input, 'SecretHash'));
  const user = findUser(pool, username);
  if (!user) {
    if (client.preventUserExistenceErrors !== 'ENABLED') throw userNotFound();
    return { CodeDeliveryDetails: simulatedDelivery(username) };
  }
  if (!user.enabled) throw notAuthorized('User is disabled.');
  checkResettable(user);
  limitCodeRequests(ctx, user, 'FORGOT_PASSWORD');
  return { CodeDeliveryDetails: sendEmailCode(ctx, user, 'FORGOT_PASSWORD', RESET_CODE_VALIDITY_MS) };
}

/**
 * Sets a new password with a FORGOT_PASSWORD code. The policy is checked first (a refused password does not
 * use up the code or count as a wrong code); then the code (see checkCode); then the code is consumed, the
 * user becomes CONFIRMED and failed sign-ins and any lockout are cleared.
 */
export async function confirmForgotPassword(ctx: OpContext, input: Input): Promise<object> {
  const { pool, client } = getClient(ctx, reqString(input, 'ClientId'));
  const username = reqString(input, 'Username');
  checkSecretHash(client, username, optString(input, 'SecretHash'));
  const code = reqString(input, 'ConfirmationCode');
  const password = reqString(input, 'Password');
  checkPassword(pool.passwordPolicy, password);
  const user = userForClient(pool, client, username, codeMismatch);
  if (!user.enabled) throw notAuthorized('User is disabled.');
  checkCode(ctx, user, 'FORGOT_PASSWORD', code);
  // Consumed before the await: a concurrent answer with the same code must fail.
  consumeCode(user, 'FORGOT_PASSWORD');
  Object.assign(user, await passwordFields(pool, user, password));
  user.status = 'CONFIRMED';
  user.tempPasswordExpiresAt = undefined;
  user.failedAttempts = 0;
  user.lockedUntil = 0;
  user.modifiedAt = ctx.clock();
  return {};
}

/**
 * Marks the user RESET_REQUIRED (sign-in then answers PasswordResetRequiredException) and emails a
 * FORGOT_PASSWORD code for ConfirmForgotPassword. The admin call is not subject to the hourly limit.
 */
export function adminResetUserPassword(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  checkResettable(user);
  user.status = 'RESET_REQUIRED';
  user.tempPasswordExpiresAt = undefined;
  user.modifiedAt = ctx.clock();
  sendEmailCode(ctx, user, 'FORGOT_PASSWORD', RESET_CODE_VALIDITY_MS);
  return {};
}
