// MFA at sign-in: which challenge follows a correct password (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP,
// SELECT_MFA_TYPE, MFA_SETUP), the codes sent for SMS_MFA and EMAIL_OTP, and the answers to all five.
import { timingSafeEqual } from 'node:crypto';
import { CognitoError, invalidParameter } from '../errors.ts';
import { newNumericCode } from '../ids.ts';
import type { ChallengeSession, NewChallengeSession } from '../sessions.ts';
import type { ClientRecord, MfaPreferences, PoolRecord, SentMessage, UserRecord } from '../state.ts';
import { matchTotp } from '../totp.ts';
import { findUser, getAttr, maskDestination, requiredParam, setAttr, type OpContext } from './context.ts';
import { signedIn } from './sign-in.ts';

export const MFA_TYPES = ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'] as const;
export type MfaType = (typeof MFA_TYPES)[number];

/** Wrong codes one challenge session takes; the last of them ends the session (sign in again). */
export const MAX_MFA_FAILURES = 5;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

const PREFS: Record<MfaType, [keyof MfaPreferences, keyof MfaPreferences]> = {
  SMS_MFA: ['smsEnabled', 'smsPreferred'],
  SOFTWARE_TOKEN_MFA: ['totpEnabled', 'totpPreferred'],
  EMAIL_OTP: ['emailEnabled', 'emailPreferred'],
};

/** The MFA types the pool offers (none while MfaConfiguration is OFF), in Cognito's order. */
export function poolMfaTypes(pool: PoolRecord): MfaType[] {
  if (pool.mfaConfiguration === 'OFF') return [];
  return MFA_TYPES.filter((t) =>
    t === 'SMS_MFA'
      ? pool.smsMfaConfiguration !== undefined
      : t === 'SOFTWARE_TOKEN_MFA'
        ? pool.softwareTokenMfaEnabled
        : pool.emailMfaConfiguration !== undefined,
  );
}

/** Whether the user has what `type` needs: a phone number, an email address, a verified software token. */
export function canDeliver(user: UserRecord, type: MfaType): boolean {
  if (type === 'SMS_MFA') return getAttr(user, 'phone_number') !== undefined;
  if (type === 'EMAIL_OTP') return getAttr(user, 'email') !== undefined;
  return user.totpSecret !== undefined;
}

/** The types the user has enabled that the pool offers and that can reach the user. */
export function userMfaTypes(pool: PoolRecord, user: UserRecord): MfaType[] {
  return poolMfaTypes(pool).filter((t) => user.mfa[PREFS[t][0]] && canDeliver(user, t));
}

const preferredType = (user: UserRecord): MfaType | undefined => MFA_TYPES.find((t) => user.mfa[PREFS[t][1]]);

/** Enables `type` for the user, and makes it the preferred one when none is. */
function enableMfa(user: UserRecord, type: MfaType): void {
  const [enabled, preferred] = PREFS[type];
  user.mfa[enabled] = true;
  if (preferredType(user) === undefined) user.mfa[preferred] = true;
}

/** A challenge answer: a new session (bound to user, client and challenge) and the parameters. */
function challenge(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  name: string,
  parameters: Record<string, string>,
  extra: Partial<NewChallengeSession> = {},
): object {
  const session = ctx.sessions.create(
    { ...extra, poolId: pool.id, clientId: client.clientId, username: user.username, challengeName: name },
    ctx.clock(),
    client.authSessionValidity,
  );
  return {
    ChallengeName: name,
    Session: session,
    ChallengeParameters: { ...parameters, USER_ID_FOR_SRP: user.username },
  };
}

/** Records a code as sent (SMS or email) to `to`, readable at /_local/messages. */
export function sendCode(ctx: OpContext, user: UserRecord, kind: SentMessage['kind'], to: string): string {
  const code = newNumericCode();
  const message: SentMessage = {
    to,
    username: user.username,
    kind,
    code,
    sentAt: new Date(ctx.clock()).toISOString(),
  };
  ctx.store.state.messages.push(message);
  ctx.logger?.info('local-cognito: message sent', { to, kind });
  ctx.onMessage?.(message);
  return code;
}

/**
 * The challenge for one MFA type. SMS_MFA and EMAIL_OTP send a code now; it belongs to the session (so it
 * works once, and only until the session expires). `setupEmail`: EMAIL_OTP while setting up email MFA.
 */
export function mfaChallenge(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  type: MfaType,
  deviceKey: string | undefined,
  setupEmail?: string,
): object {
  if (type === 'SOFTWARE_TOKEN_MFA') return challenge(ctx, pool, client, user, type, {}, { deviceKey });
  const sms = type === 'SMS_MFA';
  const to = (sms ? getAttr(user, 'phone_number') : (setupEmail ?? getAttr(user, 'email'))) ?? '';
  const code = sendCode(ctx, user, type, to);
  return challenge(
    ctx,
    pool,
    client,
    user,
    type,
    {
      CODE_DELIVERY_DELIVERY_MEDIUM: sms ? 'SMS' : 'EMAIL',
      CODE_DELIVERY_DESTINATION: maskDestination(to),
    },
    { code, setupEmail, deviceKey },
  );
}

/**
 * What follows a correct first factor (password, or a new password): tokens when no MFA applies; the one
 * enabled (or the preferred) type's challenge; SELECT_MFA_TYPE when several are enabled and none is
 * preferred; MFA_SETUP when the pool requires MFA and the user has none set up. `deviceKey`: the tracked
 * device the sign-in names, carried through every step to the tokens.
 */
export async function afterFirstFactor(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  deviceKey?: string,
): Promise<object> {
  const enabled = userMfaTypes(pool, user);
  if (enabled.length === 0) {
    const canSetUp = poolMfaTypes(pool);
    if (pool.mfaConfiguration === 'ON' && canSetUp.length > 0) {
      return challenge(
        ctx,
        pool,
        client,
        user,
        'MFA_SETUP',
        { MFAS_CAN_SETUP: JSON.stringify(canSetUp) },
        { mfaTypes: canSetUp, deviceKey },
      );
    }
    return signedIn(ctx, pool, client, user, deviceKey);
  }
  const preferred = preferredType(user);
  const only = enabled.length === 1 ? enabled[0] : undefined;
  const chosen = preferred !== undefined && enabled.includes(preferred) ? preferred : only;
  if (chosen !== undefined) return mfaChallenge(ctx, pool, client, user, chosen, deviceKey);
  return challenge(
    ctx,
    pool,
    client,
    user,
    'SELECT_MFA_TYPE',
    { MFAS_CAN_CHOOSE: JSON.stringify(enabled) },
    { mfaTypes: enabled, deviceKey },
  );
}

/**
 * A wrong code. As on Cognito, the session stays usable for another try (the app keeps the Session and
 * asks again; there is no way to resend a code), up to MAX_MFA_FAILURES wrong codes: the last one ends
 * the session, and further answers with it get NotAuthorizedException ("Invalid session for the user.").
 */
export function wrongCode(ctx: OpContext, session: ChallengeSession, error: CognitoError): never {
  session.failures = (session.failures ?? 0) + 1;
  if (session.failures >= MAX_MFA_FAILURES) ctx.sessions.consume(session);
  throw error;
}

/**
 * Cognito's messages: "Invalid code received for user" for a wrong TOTP code, "Invalid code or auth state
 * for the user." for a wrong SMS or email code (both as reported from real pools).
 */
const totpMismatch = () => new CognitoError('CodeMismatchException', 'Invalid code received for user');
const otpMismatch = () =>
  new CognitoError('CodeMismatchException', 'Invalid code or auth state for the user.');

function sameCode(expected: string | undefined, given: string): boolean {
  const a = Buffer.from(expected ?? '');
  const b = Buffer.from(given);
  return expected !== undefined && a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a TOTP code of the user's verified token (current step ±1) and records its step as used:
 * Cognito refuses a code used once already ("Your software token has already been used once.").
 * Returns false for a wrong code (the caller decides the error).
 */
export function acceptTotp(ctx: OpContext, user: UserRecord, secret: string, code: string): boolean {
  const step = matchTotp(secret, code, ctx.clock());
  if (step === undefined) return false;
  if (user.totpLastStep !== undefined && step <= user.totpLastStep) {
    throw new CognitoError('ExpiredCodeException', 'Your software token has already been used once.');
  }
  user.totpLastStep = step;
  return true;
}

/** The answers to the MFA challenges; the session is checked (user, client, name, expiry) by the caller. */
export async function answerMfaChallenge(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  session: ChallengeSession,
  responses: Map<string, string>,
): Promise<object> {
  switch (session.challengeName) {
    case 'SOFTWARE_TOKEN_MFA': {
      const code = requiredParam(responses, 'SOFTWARE_TOKEN_MFA_CODE');
      const secret = user.totpSecret;
      if (secret === undefined) wrongCode(ctx, session, totpMismatch());
      if (!acceptTotp(ctx, user, secret, code)) wrongCode(ctx, session, totpMismatch());
      ctx.sessions.consume(session);
      return signedIn(ctx, pool, client, user, session.deviceKey);
    }
    case 'SMS_MFA':
    case 'SMS_OTP':
    case 'EMAIL_OTP': {
      const name = `${session.challengeName}_CODE`;
      const code = requiredParam(responses, name);
      if (!sameCode(session.code, code)) wrongCode(ctx, session, otpMismatch());
      ctx.sessions.consume(session);
      if (session.setupEmail !== undefined) {
        // Email MFA set up during sign-in: the address the code reached is now the user's, verified.
        if (getAttr(user, 'email') !== session.setupEmail) setAttr(user, 'email', session.setupEmail);
        setAttr(user, 'email_verified', 'true');
        enableMfa(user, 'EMAIL_OTP');
        user.modifiedAt = ctx.clock();
      }
      return signedIn(ctx, pool, client, user, session.deviceKey);
    }
    case 'SELECT_MFA_TYPE': {
      const answer = requiredParam(responses, 'ANSWER');
      const choices = session.mfaTypes ?? [];
      const type = MFA_TYPES.find((t) => t === answer && choices.includes(t));
      if (type === undefined) {
        // Guessed wording: Cognito's own message for an answer it did not offer is not documented.
        throw invalidParameter(`Invalid ANSWER: ${answer.slice(0, 40)} is not one of MFAS_CAN_CHOOSE`);
      }
      ctx.sessions.consume(session);
      return mfaChallenge(ctx, pool, client, user, type, session.deviceKey);
    }
    case 'MFA_SETUP': {
      const email = responses.get('EMAIL');
      if (email !== undefined) {
        if (!(session.mfaTypes ?? []).includes('EMAIL_OTP')) {
          throw invalidParameter('Email MFA is not enabled for this user pool.'); // guessed wording
        }
        if (!EMAIL_PATTERN.test(email)) throw invalidParameter('Invalid email address format.');
        const other = findUser(pool, email);
        if (other && other !== user) {
          throw new CognitoError('AliasExistsException', 'An account with the given email already exists.');
        }
        ctx.sessions.consume(session);
        return mfaChallenge(ctx, pool, client, user, 'EMAIL_OTP', session.deviceKey, email);
      }
      if (!session.totpVerified) {
        // Guessed wording: the MFA_SETUP answer came before VerifySoftwareToken accepted a code.
        throw new CognitoError(
          'SoftwareTokenMFANotFoundException',
          'User has not verified software token mfa',
        );
      }
      ctx.sessions.consume(session);
      enableMfa(user, 'SOFTWARE_TOKEN_MFA');
      user.modifiedAt = ctx.clock();
      return signedIn(ctx, pool, client, user, session.deviceKey);
    }
    default:
      throw invalidParameter(`${session.challengeName} is not supported by the local Cognito emulator yet`);
  }
}
