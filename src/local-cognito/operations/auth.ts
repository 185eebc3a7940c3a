// Sign-in: InitiateAuth (USER_PASSWORD_AUTH, USER_AUTH, REFRESH_TOKEN_AUTH) and RespondToAuthChallenge
// (NEW_PASSWORD_REQUIRED, and the MFA challenges of mfa-challenges.ts).
import { CognitoError, invalidParameter, notAuthorized, userNotFound } from '../errors.ts';
import { checkPassword, verifyPassword } from '../password.ts';
import { passwordFields } from '../user-password.ts';
import { makeVerifier, srpPoolName } from '../srp.ts';
import { checkSecretHash } from '../secret-hash.ts';
import { CONFIRMED_SIGN_UP_SESSION } from '../sessions.ts';
import { mintTokens } from '../tokens.ts';
import { userKey, type ClientRecord, type PoolRecord, type UserRecord } from '../state.ts';
import {
  checkAttributeName,
  findUser,
  getAttr,
  getClient,
  optString,
  reqString,
  requiredParam,
  setAttr,
  stringMap,
  type Input,
  type OpContext,
} from './context.ts';
import { afterFirstFactor, answerMfaChallenge } from './mfa-challenges.ts';
import { afterPassword, requiredPoolAttributes } from './password-step.ts';
import { checkUserPassword, requireFlow } from './sign-in-rules.ts';
import { confirmedDevice } from './device-records.ts';
import {
  answerDevicePasswordVerifier,
  answerDeviceSrpAuth,
  answerPasswordVerifier,
  srpChallenge,
  userSrpAuth,
} from './srp-auth.ts';
import { chosenFactor, refuseUnknown, selectChallenge, startFactor } from './user-auth.ts';
import { verifyWebAuthnAnswer } from './webauthn.ts';
import type { ChallengeSession } from '../sessions.ts';
import { findRefreshToken } from './refresh-tokens.ts';
import { signedIn } from './sign-in.ts';

const AUTH_FLOWS = [
  'USER_SRP_AUTH',
  'REFRESH_TOKEN_AUTH',
  'REFRESH_TOKEN',
  'CUSTOM_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'USER_AUTH',
];

/** The challenge names of the API (ChallengeNameType); anything else fails request validation. */
const CHALLENGE_NAMES = [
  'SMS_MFA',
  'EMAIL_OTP',
  'SOFTWARE_TOKEN_MFA',
  'SELECT_MFA_TYPE',
  'MFA_SETUP',
  'PASSWORD_VERIFIER',
  'CUSTOM_CHALLENGE',
  'SELECT_CHALLENGE',
  'DEVICE_SRP_AUTH',
  'DEVICE_PASSWORD_VERIFIER',
  'ADMIN_NO_SRP_AUTH',
  'NEW_PASSWORD_REQUIRED',
  'SMS_OTP',
  'PASSWORD',
  'WEB_AUTHN',
  'PASSWORD_SRP',
];

async function userPasswordAuth(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  params: Map<string, string>,
): Promise<object> {
  requireFlow(client, 'USER_PASSWORD_AUTH');
  const username = requiredParam(params, 'USERNAME');
  checkSecretHash(client, username, params.get('SECRET_HASH'));
  const password = requiredParam(params, 'PASSWORD');
  return passwordSignIn(ctx, pool, client, username, password, params.get('DEVICE_KEY'));
}

/**
 * The password check of every password sign-in (the JSON API and the hosted UI's form): unknown users as
 * PreventUserExistenceErrors says, disabled, lockout, wrong password, unconfirmed, reset required. Returns
 * the user, whose status may still be FORCE_CHANGE_PASSWORD.
 */
export async function checkFirstFactor(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  username: string,
  password: string,
): Promise<UserRecord> {
  const user = findUser(pool, username);
  if (!user) {
    await verifyPassword(password, undefined); // same work as a real check, so timing does not tell
    if (client.preventUserExistenceErrors === 'ENABLED')
      throw notAuthorized('Incorrect username or password.');
    throw userNotFound();
  }
  await checkUserPassword(ctx, user, password);
  // Passwords set before the emulator spoke SRP get their verifier at their next password sign-in.
  user.srp ??= makeVerifier(srpPoolName(pool.id), user.username, password);
  if (user.status === 'UNCONFIRMED')
    throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
  if (user.status === 'RESET_REQUIRED') {
    throw new CognitoError('PasswordResetRequiredException', 'Password reset required for the user');
  }
  return user;
}

/** Sign-in with username and password (USER_PASSWORD_AUTH, and USER_AUTH with PREFERRED_CHALLENGE PASSWORD). */
async function passwordSignIn(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  username: string,
  password: string,
  deviceKey?: string,
): Promise<object> {
  const user = await checkFirstFactor(ctx, pool, client, username, password);
  return afterPassword(ctx, pool, client, user, deviceKey);
}

/**
 * Choice-based sign-in. With the Session ConfirmSignUp returned: the just-confirmed user is signed in with
 * no further factor (the code was it); the session is bound to user and client and works once. Without one: the
 * PREFERRED_CHALLENGE when it is one of the user's factors (PASSWORD and PASSWORD_SRP answered at once), else
 * SELECT_CHALLENGE with the factors the user may choose from (user-auth.ts).
 */
async function userAuth(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  params: Map<string, string>,
  sessionId: string | undefined,
): Promise<object> {
  requireFlow(client, 'USER_AUTH');
  const username = requiredParam(params, 'USERNAME');
  checkSecretHash(client, username, params.get('SECRET_HASH'));
  if (sessionId !== undefined) {
    const session = ctx.sessions.get(sessionId, client.clientId, CONFIRMED_SIGN_UP_SESSION, ctx.clock());
    const user = findUser(pool, username);
    if (!user || user.username !== session.username || session.poolId !== pool.id) {
      throw notAuthorized('Invalid session for the user.');
    }
    if (!user.enabled) throw notAuthorized('User is disabled.');
    if (user.status !== 'CONFIRMED') throw notAuthorized('Invalid session for the user.');
    ctx.sessions.consume(session); // before the await in signedIn: a concurrent use must fail
    return signedIn(ctx, pool, client, user);
  }
  const user = findUser(pool, username);
  if (!user && client.preventUserExistenceErrors !== 'ENABLED') throw userNotFound();
  if (user && !user.enabled) throw notAuthorized('User is disabled.');
  const preferred = params.get('PREFERRED_CHALLENGE');
  const started = preferred ? startFactor(ctx, pool, client, user, username, preferred) : undefined;
  if (started && 'challenge' in started) return started.challenge;
  if (started?.password === 'PASSWORD') {
    const password = requiredParam(params, 'PASSWORD');
    return passwordSignIn(ctx, pool, client, username, password, params.get('DEVICE_KEY'));
  }
  if (started?.password === 'PASSWORD_SRP') {
    const aHex = requiredParam(params, 'SRP_A');
    return srpChallenge(ctx, pool, client, username, aHex, params.get('DEVICE_KEY'));
  }
  return selectChallenge(ctx, pool, client, user, username);
}

/** SELECT_CHALLENGE answered: the chosen factor starts (a password is checked at once, with the answer). */
async function answerSelectChallenge(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord | undefined,
  session: ChallengeSession,
  responses: Map<string, string>,
): Promise<object> {
  const answer = chosenFactor(session, responses);
  ctx.sessions.consume(session);
  const typed = session.username;
  if (answer === 'PASSWORD') {
    const password = requiredParam(responses, 'PASSWORD');
    if (!user) {
      await verifyPassword(password, undefined); // the same work as a real check
      throw notAuthorized('Incorrect username or password.');
    }
    return passwordSignIn(ctx, pool, client, user.username, password, responses.get('DEVICE_KEY'));
  }
  if (answer === 'PASSWORD_SRP') {
    const aHex = requiredParam(responses, 'SRP_A');
    return srpChallenge(ctx, pool, client, user?.username ?? typed, aHex, responses.get('DEVICE_KEY'));
  }
  const started = startFactor(ctx, pool, client, user, typed, answer);
  if (!started || !('challenge' in started)) throw notAuthorized('Invalid session for the user.');
  return started.challenge;
}

/** New ID and access tokens for a refresh token; the SECRET_HASH is over the internal username. */
async function refreshTokenAuth(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  params: Map<string, string>,
): Promise<object> {
  requireFlow(client, 'REFRESH_TOKEN_AUTH');
  const token = requiredParam(params, 'REFRESH_TOKEN');
  const hash = params.get('SECRET_HASH');
  if (client.clientSecret && !hash) {
    throw notAuthorized(
      `Client ${client.clientId} is configured with secret but SECRET_HASH was not received`,
    );
  }
  const record = findRefreshToken(ctx, token);
  if (!record || record.poolId !== pool.id || record.clientId !== client.clientId) {
    throw notAuthorized('Invalid Refresh Token');
  }
  checkSecretHash(client, record.username, hash);
  if (record.revoked) throw notAuthorized('Refresh Token has been revoked');
  const now = ctx.clock();
  if (record.expiresAt <= now) throw notAuthorized('Refresh Token has expired');
  const user = pool.users.get(userKey(pool, record.username));
  if (!user) throw notAuthorized('Invalid Refresh Token');
  if (!user.enabled) throw notAuthorized('User is disabled.');
  // A sign-in from a confirmed device refreshes only with that device's key (as on Cognito).
  if (confirmedDevice(user, record.deviceKey) && params.get('DEVICE_KEY') !== record.deviceKey) {
    throw notAuthorized('Invalid Refresh Token');
  }
  const minted = await mintTokens(
    ctx.keys,
    pool,
    client,
    user,
    record,
    now,
    record.scope === undefined ? undefined : { scope: record.scope },
  );
  return {
    ChallengeParameters: {},
    AuthenticationResult: {
      AccessToken: minted.accessToken,
      ExpiresIn: minted.expiresIn,
      TokenType: 'Bearer',
      IdToken: minted.idToken,
    },
  };
}

export async function initiateAuth(ctx: OpContext, input: Input): Promise<object> {
  const flow = reqString(input, 'AuthFlow');
  const clientId = reqString(input, 'ClientId');
  if (!AUTH_FLOWS.includes(flow)) {
    throw invalidParameter(
      `1 validation error detected: Value '${flow}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [${AUTH_FLOWS.join(', ')}]`,
    );
  }
  const { pool, client } = getClient(ctx, clientId);
  const params = stringMap(input, 'AuthParameters');
  switch (flow) {
    case 'USER_PASSWORD_AUTH':
      return userPasswordAuth(ctx, pool, client, params);
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      return refreshTokenAuth(ctx, pool, client, params);
    case 'USER_SRP_AUTH':
      return userSrpAuth(ctx, pool, client, params);
    case 'USER_AUTH':
      return userAuth(ctx, pool, client, params, optString(input, 'Session'));
    case 'ADMIN_NO_SRP_AUTH':
    case 'ADMIN_USER_PASSWORD_AUTH':
      throw invalidParameter('Initiate Auth method not supported.');
    default:
      requireFlow(client, flow);
      throw invalidParameter(`${flow} is not supported by the local Cognito emulator yet`);
  }
}

async function newPasswordRequired(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  responses: Map<string, string>,
  deviceKey: string | undefined,
): Promise<object> {
  const newPassword = requiredParam(responses, 'NEW_PASSWORD');
  checkPassword(pool.passwordPolicy, newPassword);
  const given = new Map<string, string>();
  for (const [key, value] of responses) {
    if (!key.startsWith('userAttributes.')) continue;
    const name = key.slice('userAttributes.'.length);
    checkAttributeName(name);
    if (name === 'sub') throw invalidParameter(`Cannot modify an immutable attribute: ${name}`);
    given.set(name, value);
  }
  // Every required attribute still without a value must be answered (checked before anything changes).
  for (const name of requiredPoolAttributes(pool)) {
    if (getAttr(user, name) === undefined && !given.get(name)) {
      throw invalidParameter(`Invalid attributes given, ${name} is missing`); // as reported from Cognito
    }
  }
  const stored = await passwordFields(pool, user, newPassword);
  for (const [name, value] of given) setAttr(user, name, value);
  Object.assign(user, stored);
  user.status = 'CONFIRMED';
  user.tempPasswordExpiresAt = undefined;
  user.modifiedAt = ctx.clock();
  // MFA follows a new password just as it follows a password.
  return afterFirstFactor(ctx, pool, client, user, deviceKey);
}

/**
 * Answers a challenge. The Session must be the one the previous step returned: bound to user, client and
 * challenge name, single use, valid the client's AuthSessionValidity (3 minutes by default). SECRET_HASH
 * is checked on every answer, over the USERNAME given.
 */
export async function respondToAuthChallenge(ctx: OpContext, input: Input): Promise<object> {
  const clientId = reqString(input, 'ClientId');
  const challengeName = reqString(input, 'ChallengeName');
  if (!CHALLENGE_NAMES.includes(challengeName)) {
    throw invalidParameter(
      `1 validation error detected: Value '${challengeName.slice(0, 64)}' at 'challengeName' failed to satisfy constraint: Member must satisfy enum value set: [${CHALLENGE_NAMES.join(', ')}]`,
    );
  }
  const { pool, client } = getClient(ctx, clientId);
  const responses = stringMap(input, 'ChallengeResponses');
  const username = requiredParam(responses, 'USERNAME');
  checkSecretHash(client, username, responses.get('SECRET_HASH'));
  const sessionId = optString(input, 'Session');
  // Sign-up sessions (`local:` names, refused by the enum check above) never answer a challenge.
  if (!sessionId) throw notAuthorized('Invalid session for the user.');
  const session = ctx.sessions.get(sessionId, client.clientId, challengeName, ctx.clock());
  // The password's proof comes first: it answers for names no user has exactly as for a wrong password.
  if (challengeName === 'PASSWORD_VERIFIER') {
    return answerPasswordVerifier(ctx, pool, client, session, responses);
  }
  // Choice-based steps of a name no user has (PreventUserExistenceErrors): they look alike and end in failure.
  if (session.unknownUser) {
    if (session.poolId !== pool.id) throw notAuthorized('Invalid session for the user.');
    if (challengeName === 'SELECT_CHALLENGE') {
      return answerSelectChallenge(ctx, pool, client, undefined, session, responses);
    }
    return refuseUnknown(ctx, session);
  }
  const user = findUser(pool, username);
  if (!user || user.username !== session.username || session.poolId !== pool.id) {
    throw notAuthorized('Invalid session for the user.');
  }
  if (!user.enabled) throw notAuthorized('User is disabled.');
  switch (challengeName) {
    case 'NEW_PASSWORD_REQUIRED': {
      ctx.sessions.consume(session); // before any await: a concurrent answer with it must fail
      try {
        return await newPasswordRequired(ctx, pool, client, user, responses, session.deviceKey);
      } catch (err) {
        ctx.sessions.release(session); // a rejected new password may be retried in the same session
        throw err;
      }
    }
    case 'SELECT_CHALLENGE':
      return answerSelectChallenge(ctx, pool, client, user, session, responses);
    case 'WEB_AUTHN': {
      ctx.sessions.consume(session); // one answer, right or wrong
      const credential = requiredParam(responses, 'CREDENTIAL');
      await verifyWebAuthnAnswer(ctx, pool, user, session.webAuthnChallenge ?? '', credential);
      return signedIn(ctx, pool, client, user);
    }
    case 'DEVICE_SRP_AUTH':
      return answerDeviceSrpAuth(ctx, pool, client, user, session, responses);
    case 'DEVICE_PASSWORD_VERIFIER':
      return answerDevicePasswordVerifier(ctx, pool, client, user, session, responses);
    default:
      return answerMfaChallenge(ctx, pool, client, user, session, responses);
  }
}
