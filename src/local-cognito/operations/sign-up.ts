// Self-service registration: SignUp, ConfirmSignUp, ResendConfirmationCode (codes emailed to the inbox), and
// the sign-up Sessions that let a just-confirmed user sign in with USER_AUTH.
import { invalidParameter, notAuthorized, userNotFound, type CognitoError } from '../errors.ts';
import { checkPassword } from '../password.ts';
import { passwordFields } from '../user-password.ts';
import { checkSecretHash } from '../secret-hash.ts';
import { CONFIRMED_SIGN_UP_SESSION, SIGN_UP_SESSION } from '../sessions.ts';
import { userKey, type ClientRecord, type PoolRecord, type UserRecord } from '../state.ts';
import {
  attributeList,
  findUser,
  getAttr,
  getClient,
  CODE_VALIDITY_MS,
  optString,
  reqString,
  sendEmailCode,
  type Input,
  type OpContext,
} from './context.ts';
import { checkCode, codeMismatch, limitCodeRequests, simulatedDelivery } from './codes.ts';
import { confirmUser, newUserRecord, usernameExists } from './users.ts';
import { allowedFirstFactors } from './sign-in-policy.ts';

/** Whether the pool verifies email and the user has one to send a code to. */
const verifiesEmail = (pool: PoolRecord, user: UserRecord): boolean =>
  pool.autoVerifiedAttributes.includes('email') && getAttr(user, 'email') !== undefined;

export async function signUp(ctx: OpContext, input: Input): Promise<object> {
  const { pool, client } = getClient(ctx, reqString(input, 'ClientId'));
  const username = reqString(input, 'Username');
  checkSecretHash(client, username, optString(input, 'SecretHash'));
  // Passwordless sign-up: a pool whose sign-in policy allows a first factor besides the password takes none.
  const password = optString(input, 'Password');
  if (password === undefined && !allowedFirstFactors(pool).some((f) => f !== 'PASSWORD')) {
    throw invalidParameter('Password is required for this user pool.'); // guessed wording
  }
  const attributes = attributeList(input, 'UserAttributes');
  if (password !== undefined) checkPassword(pool.passwordPolicy, password);
  const user = newUserRecord(ctx, pool, username, attributes, 'UNCONFIRMED');
  if (password !== undefined) Object.assign(user, await passwordFields(pool, user, password));
  // The name was free before the await; make sure no concurrent sign-up took it meanwhile.
  if (findUser(pool, username) || pool.users.has(userKey(pool, user.username))) throw usernameExists(pool);
  pool.users.set(userKey(pool, user.username), user);
  const delivery = verifiesEmail(pool, user) ? sendEmailCode(ctx, user, 'SIGN_UP') : undefined;
  // The Session for ConfirmSignUp (sign-in right after confirmation). Cognito does not document how long
  // it lives; here as long as the sign-up code, so a user who takes hours to read the email can still use it.
  const session = ctx.sessions.create(
    { poolId: pool.id, clientId: client.clientId, username: user.username, challengeName: SIGN_UP_SESSION },
    ctx.clock(),
    CODE_VALIDITY_MS / 60_000,
  );
  return {
    UserConfirmed: false,
    UserSub: user.sub,
    ...(delivery ? { CodeDeliveryDetails: delivery } : {}),
    Session: session,
  };
}

/** Finds the user named in a public (client) call, or the error PreventUserExistenceErrors asks for. */
export function userForClient(
  pool: PoolRecord,
  client: ClientRecord,
  username: string,
  hidden: () => CognitoError,
): UserRecord {
  const user = findUser(pool, username);
  if (user) return user;
  throw client.preventUserExistenceErrors === 'ENABLED' ? hidden() : userNotFound();
}

/** The sign-up Session given to ConfirmSignUp, checked to be this user's and this client's. */
function signUpSession(ctx: OpContext, pool: PoolRecord, client: ClientRecord, user: UserRecord, id: string) {
  const session = ctx.sessions.get(id, client.clientId, SIGN_UP_SESSION, ctx.clock());
  if (session.poolId !== pool.id || session.username !== user.username) {
    throw notAuthorized('Invalid session for the user.');
  }
  return session;
}

/**
 * Confirms with the emailed code. With the Session SignUp returned, the answer carries a new Session
 * (single use, valid the client's AuthSessionValidity minutes) that InitiateAuth USER_AUTH signs in with.
 */
export function confirmSignUp(ctx: OpContext, input: Input): object {
  const { pool, client } = getClient(ctx, reqString(input, 'ClientId'));
  const username = reqString(input, 'Username');
  checkSecretHash(client, username, optString(input, 'SecretHash'));
  const code = reqString(input, 'ConfirmationCode');
  const sessionId = optString(input, 'Session');
  const user = userForClient(pool, client, username, codeMismatch);
  if (user.status !== 'UNCONFIRMED') confirmUser(ctx, pool, user); // throws Cognito's NotAuthorizedException
  const session = sessionId === undefined ? undefined : signUpSession(ctx, pool, client, user, sessionId);
  checkCode(ctx, user, 'SIGN_UP', code);
  confirmUser(ctx, pool, user); // also drops the code
  if (!session) return {};
  ctx.sessions.consume(session);
  const next = ctx.sessions.create(
    {
      poolId: pool.id,
      clientId: client.clientId,
      username: user.username,
      challengeName: CONFIRMED_SIGN_UP_SESSION,
    },
    ctx.clock(),
    client.authSessionValidity,
  );
  return { Session: next };
}

export function resendConfirmationCode(ctx: OpContext, input: Input): object {
  const { pool, client } = getClient(ctx, reqString(input, 'ClientId'));
  const username = reqString(input, 'Username');
  checkSecretHash(client, username, optString(input, 'SecretHash'));
  const user = findUser(pool, username);
  if (!user) {
    if (client.preventUserExistenceErrors !== 'ENABLED') throw userNotFound();
    return { CodeDeliveryDetails: simulatedDelivery(username) };
  }
  if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
  if (!getAttr(user, 'email')) throw invalidParameter('No email to send the code to.');
  limitCodeRequests(ctx, user, 'RESEND_CONFIRMATION');
  return { CodeDeliveryDetails: sendEmailCode(ctx, user, 'SIGN_UP') };
}
