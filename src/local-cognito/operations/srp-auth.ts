// USER_SRP_AUTH: InitiateAuth with SRP_A, answered by PASSWORD_VERIFIER (the password never sent); and the device
// SRP that a remembered device answers in place of MFA (DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CognitoError, invalidParameter, notAuthorized, userNotFound } from '../errors.ts';
import { checkSecretHash } from '../secret-hash.ts';
import type { ChallengeSession } from '../sessions.ts';
import {
  expectedSignature,
  fakeVerifier,
  srpPoolName,
  startExchange,
  TIMESTAMP_FORMAT,
  type ServerExchange,
} from '../srp.ts';
import type { ClientRecord, PoolRecord, UserRecord } from '../state.ts';
import { findUser, requiredParam, type OpContext } from './context.ts';
import { confirmedDevice, deviceConfiguration, findDevice, tracksDevices } from './device-records.ts';
import { afterFirstFactor } from './mfa-challenges.ts';
import { afterPassword } from './password-step.ts';
import { recordFailure, requireFlow } from './sign-in-rules.ts';
import { signedIn } from './sign-in.ts';

/** A key per emulator process for the stand-in salts of names no user has (stable, so they tell nothing). */
const FAKE_SALT_KEY = randomBytes(32);

const wrongPassword = () => notAuthorized('Incorrect username or password.');

/** One exchange for `aHex` against `verifier`, or InvalidParameter when A is 0 mod N or not a number. */
function exchangeFor(verifier: string, aHex: string): ServerExchange {
  const exchange = startExchange(verifier, aHex);
  if (!exchange) throw invalidParameter('SRP_A is invalid.'); // guessed wording
  return exchange;
}

/**
 * InitiateAuth USER_SRP_AUTH: the SALT, SRP_B and SECRET_BLOCK of a PASSWORD_VERIFIER challenge, bound to the user
 * and client. A name no user has gets the same kind of answer (with PreventUserExistenceErrors) and fails at
 * the verifier step exactly as a wrong password does.
 */
export function userSrpAuth(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  params: Map<string, string>,
): object {
  requireFlow(client, 'USER_SRP_AUTH');
  const username = requiredParam(params, 'USERNAME');
  checkSecretHash(client, username, params.get('SECRET_HASH'));
  return srpChallenge(ctx, pool, client, username, requiredParam(params, 'SRP_A'), params.get('DEVICE_KEY'));
}

/**
 * The PASSWORD_VERIFIER challenge for `username` and the client's SRP_A: USER_SRP_AUTH's answer, and choice-based
 * sign-in's for PASSWORD_SRP.
 */
export function srpChallenge(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  username: string,
  aHex: string,
  deviceKey: string | undefined,
): object {
  const user = findUser(pool, username);
  if (!user && client.preventUserExistenceErrors !== 'ENABLED') throw userNotFound();
  // A user whose password predates the emulator's SRP has no verifier: refused like a wrong password.
  const stored =
    user?.srp ?? fakeVerifier(createHmac('sha256', FAKE_SALT_KEY).update(`${pool.id}/${username}`).digest());
  const exchange = exchangeFor(stored.verifier, aHex);
  const secretBlock = randomBytes(96).toString('base64');
  const userId = user?.username ?? username;
  const session = ctx.sessions.create(
    {
      poolId: pool.id,
      clientId: client.clientId,
      username: userId,
      challengeName: 'PASSWORD_VERIFIER',
      srp: { ...exchange, secretBlock },
      deviceKey,
      unknownUser: !user?.srp,
    },
    ctx.clock(),
    client.authSessionValidity,
  );
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    Session: session,
    ChallengeParameters: {
      SALT: stored.salt,
      SRP_B: exchange.B,
      SECRET_BLOCK: secretBlock,
      USERNAME: userId,
      USER_ID_FOR_SRP: userId,
    },
  };
}

/** Whether the claim (signature, secret block, timestamp) proves the secret behind `verifier`. */
function claimHolds(
  session: ChallengeSession,
  responses: Map<string, string>,
  verifier: string,
  prefix: string,
  id: string,
): boolean {
  const timestamp = requiredParam(responses, 'TIMESTAMP');
  const signature = requiredParam(responses, 'PASSWORD_CLAIM_SIGNATURE');
  const block = requiredParam(responses, 'PASSWORD_CLAIM_SECRET_BLOCK');
  if (!TIMESTAMP_FORMAT.test(timestamp)) throw invalidParameter('TIMESTAMP format is invalid.'); // guessed
  const srp = session.srp;
  if (!srp || block !== srp.secretBlock) return false;
  const expected = expectedSignature(srp, verifier, prefix, id, srp.secretBlock, timestamp);
  const given = Buffer.from(signature);
  return (
    expected !== undefined &&
    given.length === expected.length &&
    timingSafeEqual(given, Buffer.from(expected))
  );
}

/**
 * PASSWORD_VERIFIER: the client's proof of the password. The session works once, right or wrong; a wrong proof
 * counts towards the lockout as a wrong password does; then the same checks and next steps as a password sign-in.
 */
export async function answerPasswordVerifier(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  session: ChallengeSession,
  responses: Map<string, string>,
): Promise<object> {
  ctx.sessions.consume(session);
  const user = findUser(pool, requiredParam(responses, 'USERNAME'));
  if (session.unknownUser || !user?.srp) throw wrongPassword();
  if (user.username !== session.username || session.poolId !== pool.id) {
    throw notAuthorized('Invalid session for the user.');
  }
  if (!user.enabled) throw notAuthorized('User is disabled.');
  const now = ctx.clock();
  if (user.lockedUntil > now) throw notAuthorized('Password attempts exceeded');
  if (!claimHolds(session, responses, user.srp.verifier, srpPoolName(pool.id), user.username)) {
    recordFailure(user, now);
    throw wrongPassword();
  }
  user.failedAttempts = 0;
  user.lockedUntil = 0;
  if (user.status === 'UNCONFIRMED')
    throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
  if (user.status === 'RESET_REQUIRED') {
    throw new CognitoError('PasswordResetRequiredException', 'Password reset required for the user');
  }
  const deviceKey = responses.get('DEVICE_KEY') ?? session.deviceKey;
  if (deviceKey !== undefined && tracksDevices(pool) && !findDevice(user, deviceKey)) {
    // A device the user no longer has (forgotten): Cognito says so and keeps the session, and clients answer
    // again without DEVICE_KEY (amazon-cognito-identity-js does exactly that).
    ctx.sessions.release(session);
    throw new CognitoError('ResourceNotFoundException', 'Device does not exist.');
  }
  return afterPassword(ctx, pool, client, user, deviceKey);
}

/** DEVICE_SRP_AUTH: the remembered device's SRP_A, answered with its salt and a new exchange. */
export function answerDeviceSrpAuth(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  session: ChallengeSession,
  responses: Map<string, string>,
): object {
  const device = confirmedDevice(user, requiredParam(responses, 'DEVICE_KEY'));
  if (!device?.verifier || !device.salt || device.key !== session.deviceKey) {
    throw new CognitoError('ResourceNotFoundException', 'Device does not exist.');
  }
  const exchange = exchangeFor(device.verifier, requiredParam(responses, 'SRP_A'));
  ctx.sessions.consume(session);
  const secretBlock = randomBytes(96).toString('base64');
  const next = ctx.sessions.create(
    {
      poolId: pool.id,
      clientId: client.clientId,
      username: user.username,
      challengeName: 'DEVICE_PASSWORD_VERIFIER',
      srp: { ...exchange, secretBlock },
      deviceKey: device.key,
    },
    ctx.clock(),
    client.authSessionValidity,
  );
  return {
    ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
    Session: next,
    ChallengeParameters: {
      SALT: device.salt,
      SRP_B: exchange.B,
      SECRET_BLOCK: secretBlock,
      USERNAME: user.username,
      DEVICE_KEY: device.key,
    },
  };
}

/**
 * DEVICE_PASSWORD_VERIFIER: the device's proof of its secret. A right one signs in without MFA when the pool says a
 * remembered device may stand in for it (ChallengeRequiredOnNewDevice), else MFA follows as usual.
 */
export async function answerDevicePasswordVerifier(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  session: ChallengeSession,
  responses: Map<string, string>,
): Promise<object> {
  ctx.sessions.consume(session);
  const device = confirmedDevice(user, session.deviceKey);
  if (!device?.verifier || device.status !== 'remembered') {
    throw new CognitoError('ResourceNotFoundException', 'Device does not exist.');
  }
  if (!claimHolds(session, responses, device.verifier, device.groupKey, device.key)) {
    throw notAuthorized('Incorrect username or password.');
  }
  if (deviceConfiguration(pool)?.ChallengeRequiredOnNewDevice)
    return signedIn(ctx, pool, client, user, device.key);
  return afterFirstFactor(ctx, pool, client, user, device.key);
}
