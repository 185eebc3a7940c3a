// Self-service registration: SignUp, ConfirmSignUp, ResendConfirmationCode (codes emailed to the inbox).
import { timingSafeEqual } from 'node:crypto';
import { CognitoError, invalidParameter, userNotFound } from '../errors.ts';
import { checkPassword, hashPassword } from '../password.ts';
import { checkSecretHash } from '../secret-hash.ts';
import { userKey, type ClientRecord, type PoolRecord, type UserRecord } from '../state.ts';
import {
  attributeList,
  findUser,
  getAttr,
  getClient,
  maskDestination,
  optString,
  reqString,
  sendEmailCode,
  type Input,
  type OpContext,
} from './context.ts';
import { confirmUser, newUserRecord, usernameExists } from './users.ts';

/** Whether the pool verifies email and the user has one to send a code to. */
const verifiesEmail = (pool: PoolRecord, user: UserRecord): boolean =>
  pool.autoVerifiedAttributes.includes('email') && getAttr(user, 'email') !== undefined;

export async function signUp(ctx: OpContext, input: Input): Promise<object> {
  const { pool, client } = getClient(ctx, reqString(input, 'ClientId'));
  const username = reqString(input, 'Username');
  checkSecretHash(client, username, optString(input, 'SecretHash'));
  const password = reqString(input, 'Password');
  const attributes = attributeList(input, 'UserAttributes');
  checkPassword(pool.passwordPolicy, password);
  const user = newUserRecord(ctx, pool, username, attributes, 'UNCONFIRMED');
  user.passwordHash = await hashPassword(password);
  // The name was free before the await; make sure no concurrent sign-up took it meanwhile.
  if (findUser(pool, username) || pool.users.has(userKey(pool, user.username))) throw usernameExists(pool);
  pool.users.set(userKey(pool, user.username), user);
  const delivery = verifiesEmail(pool, user) ? sendEmailCode(ctx, user, 'SIGN_UP') : undefined;
  return {
    UserConfirmed: false,
    UserSub: user.sub,
    ...(delivery ? { CodeDeliveryDetails: delivery } : {}),
  };
}

function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const codeMismatch = () =>
  new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');

/** Finds the user named in a public (client) call, or the error PreventUserExistenceErrors asks for. */
function userForClient(pool: PoolRecord, client: ClientRecord, username: string, hidden: () => CognitoError) {
  const user = findUser(pool, username);
  if (user) return user;
  throw client.preventUserExistenceErrors === 'ENABLED' ? hidden() : userNotFound();
}

export function confirmSignUp(ctx: OpContext, input: Input): object {
  const { pool, client } = getClient(ctx, reqString(input, 'ClientId'));
  const username = reqString(input, 'Username');
  checkSecretHash(client, username, optString(input, 'SecretHash'));
  const code = reqString(input, 'ConfirmationCode');
  const user = userForClient(pool, client, username, codeMismatch);
  if (user.status !== 'UNCONFIRMED') confirmUser(ctx, pool, user); // throws Cognito's NotAuthorizedException
  const pending = user.codes.find((c) => c.kind === 'SIGN_UP');
  if (!pending || !sameCode(pending.code, code)) throw codeMismatch();
  if (pending.expiresAt <= ctx.clock()) {
    throw new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
  }
  confirmUser(ctx, pool, user);
  return {};
}

export function resendConfirmationCode(ctx: OpContext, input: Input): object {
  const { pool, client } = getClient(ctx, reqString(input, 'ClientId'));
  const username = reqString(input, 'Username');
  checkSecretHash(client, username, optString(input, 'SecretHash'));
  const user = findUser(pool, username);
  if (!user) {
    if (client.preventUserExistenceErrors !== 'ENABLED') throw userNotFound();
    // A simulated delivery, as Cognito answers for unknown users with PreventUserExistenceErrors.
    const to = username.includes('@') ? username : 'unknown@example.com';
    return {
      CodeDeliveryDetails: {
        Destination: maskDestination(to),
        DeliveryMedium: 'EMAIL',
        AttributeName: 'email',
      },
    };
  }
  if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
  if (!getAttr(user, 'email')) throw invalidParameter('No email to send the code to.');
  return { CodeDeliveryDetails: sendEmailCode(ctx, user, 'SIGN_UP') };
}
