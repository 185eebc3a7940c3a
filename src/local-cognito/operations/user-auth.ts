// Choice-based sign-in (InitiateAuth USER_AUTH): the factors a user may start with (the pool's sign-in policy, what the
// user has, no one-time codes for users with MFA), SELECT_CHALLENGE and its answers, the preferred challenge, and
// one-time codes by email or text message as the first factor.
import { CognitoError, invalidParameter, notAuthorized } from '../errors.ts';
import type { ChallengeSession } from '../sessions.ts';
import type { ClientRecord, PoolRecord, UserRecord } from '../state.ts';
import { getAttr, maskDestination, requiredParam, type OpContext } from './context.ts';
import { sendCode, userMfaTypes, wrongCode } from './mfa-challenges.ts';
import { allowedFirstFactors } from './sign-in-policy.ts';
import { hasPasskeys, webAuthnChallenge } from './webauthn.ts';

/** The challenge names a USER_AUTH sign-in may start with, in the order Cognito lists them. */
const FIRST_FACTORS = ['WEB_AUTHN', 'EMAIL_OTP', 'SMS_OTP', 'PASSWORD', 'PASSWORD_SRP'] as const;
export type FirstFactor = (typeof FIRST_FACTORS)[number];

/**
 * What this user may start with: the pool's allowed first factors that the user can use. One-time codes need a
 * verified address and no MFA (Cognito refuses a passwordless first factor to users with MFA on); a passkey needs
 * one registered; a password, a password. A name no user has gets the factors any user could have (no passkey),
 * so the choice tells nobody whether an account exists.
 */
export function availableFactors(pool: PoolRecord, user: UserRecord | undefined): FirstFactor[] {
  const allowed = allowedFirstFactors(pool);
  const can = (factor: FirstFactor): boolean => {
    switch (factor) {
      case 'PASSWORD':
      case 'PASSWORD_SRP':
        return allowed.includes('PASSWORD') && (!user || user.passwordHash !== undefined);
      case 'EMAIL_OTP':
        return (
          allowed.includes('EMAIL_OTP') &&
          (!user || (getAttr(user, 'email_verified') === 'true' && userMfaTypes(pool, user).length === 0))
        );
      case 'SMS_OTP':
        return (
          allowed.includes('SMS_OTP') &&
          (!user ||
            (getAttr(user, 'phone_number_verified') === 'true' && userMfaTypes(pool, user).length === 0))
        );
      case 'WEB_AUTHN':
        // A user with MFA may use a passkey only where the pool counts one (with user verification) as both factors.
        return (
          allowed.includes('WEB_AUTHN') &&
          user !== undefined &&
          hasPasskeys(user) &&
          (userMfaTypes(pool, user).length === 0 ||
            pool.webAuthnConfiguration?.FactorConfiguration === 'MULTI_FACTOR_WITH_USER_VERIFICATION')
        );
    }
  };
  return FIRST_FACTORS.filter(can);
}

/** A new session of this sign-in for `name`: bound to the user (or to the typed name of nobody), client and step. */
function step(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord | undefined,
  typed: string,
  name: string,
  extra: Partial<ChallengeSession> = {},
): string {
  return ctx.sessions.create(
    {
      ...extra,
      poolId: pool.id,
      clientId: client.clientId,
      username: user?.username ?? typed,
      challengeName: name,
      ...(user ? {} : { unknownUser: true }),
    },
    ctx.clock(),
    client.authSessionValidity,
  );
}

/** SELECT_CHALLENGE: the user picks one of AvailableChallenges. */
export function selectChallenge(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord | undefined,
  typed: string,
): object {
  const available = availableFactors(pool, user);
  if (available.length === 0) throw notAuthorized('Incorrect username or password.');
  return {
    ChallengeName: 'SELECT_CHALLENGE',
    Session: step(ctx, pool, client, user, typed, 'SELECT_CHALLENGE', { mfaTypes: available }),
    ChallengeParameters: { USERNAME: user?.username ?? typed },
    AvailableChallenges: available,
  };
}

/**
 * A one-time code by email or text message as the first factor, sent now; it belongs to the session. For a name
 * no user has nothing is sent, and the step looks the same (the destination masked from what was typed).
 */
export function otpChallenge(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord | undefined,
  typed: string,
  type: 'EMAIL_OTP' | 'SMS_OTP',
): object {
  const sms = type === 'SMS_OTP';
  const to = user ? (getAttr(user, sms ? 'phone_number' : 'email') ?? '') : typed;
  const code = user ? sendCode(ctx, user, type, to) : undefined;
  const destination = user || !sms ? maskDestination(to) : '+*******0000';
  return {
    ChallengeName: type,
    Session: step(ctx, pool, client, user, typed, type, { code }),
    ChallengeParameters: {
      CODE_DELIVERY_DELIVERY_MEDIUM: sms ? 'SMS' : 'EMAIL',
      CODE_DELIVERY_DESTINATION: destination,
      USERNAME: user?.username ?? typed,
    },
  };
}

/** WEB_AUTHN: the request options for the user's passkeys; the challenge is kept with the session. */
export function passkeyChallenge(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
): object {
  const { parameters, challenge } = webAuthnChallenge(ctx, pool, user);
  return {
    ChallengeName: 'WEB_AUTHN',
    Session: step(ctx, pool, client, user, user.username, 'WEB_AUTHN', { webAuthnChallenge: challenge }),
    ChallengeParameters: { ...parameters, USERNAME: user.username },
  };
}

/** How a chosen (or preferred) factor starts: its challenge; the password ones are handed back to the caller. */
export type Started = { challenge: object } | { password: 'PASSWORD' | 'PASSWORD_SRP' };

/** Starts `factor` for the user, if it is one of theirs; undefined when it is not available to them. */
export function startFactor(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord | undefined,
  typed: string,
  factor: string,
): Started | undefined {
  if (!availableFactors(pool, user).some((f) => f === factor)) return undefined;
  switch (factor as FirstFactor) {
    case 'EMAIL_OTP':
    case 'SMS_OTP':
      return { challenge: otpChallenge(ctx, pool, client, user, typed, factor as 'EMAIL_OTP' | 'SMS_OTP') };
    case 'WEB_AUTHN':
      return { challenge: passkeyChallenge(ctx, pool, client, user!) };
    case 'PASSWORD':
    case 'PASSWORD_SRP':
      return { password: factor as 'PASSWORD' | 'PASSWORD_SRP' };
  }
}

/** A code step of a name no user has: every code is wrong, and the session ends after as many as a real one. */
export function refuseUnknown(ctx: OpContext, session: ChallengeSession): never {
  wrongCode(
    ctx,
    session,
    new CognitoError('CodeMismatchException', 'Invalid code or auth state for the user.'),
  );
}

/** The ANSWER of SELECT_CHALLENGE must be one of the AvailableChallenges it offered. */
export function chosenFactor(session: ChallengeSession, responses: Map<string, string>): string {
  const answer = requiredParam(responses, 'ANSWER');
  if (!(session.mfaTypes ?? []).includes(answer)) {
    // Guessed wording: Cognito's message for an answer it did not offer is not documented.
    throw invalidParameter(`Invalid ANSWER: ${answer.slice(0, 40)} is not one of AvailableChallenges`);
  }
  return answer;
}
