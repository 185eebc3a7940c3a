// TOTP set-up and MFA preferences: AssociateSoftwareToken, VerifySoftwareToken (with the signed-in user's
// AccessToken, or with the Session of an MFA_SETUP challenge), SetUserMFAPreference.
import { CognitoError, invalidParameter } from '../errors.ts';
import type { ChallengeSession } from '../sessions.ts';
import { userKey, type PoolRecord, type UserRecord } from '../state.ts';
import { newTotpSecret } from '../totp.ts';
import { optString, reqString, type Input, type OpContext } from './context.ts';
import { acceptTotp, wrongCode } from './mfa-challenges.ts';
import { authenticateAccessToken } from './user-tokens.ts';
import { applyMfaPreference } from './users.ts';

interface Caller {
  pool: PoolRecord;
  user: UserRecord;
  /** The MFA_SETUP session the call came with (absent with an AccessToken). */
  session?: ChallengeSession;
}

/** The user of an AccessToken or of an MFA_SETUP Session: exactly one of the two. */
async function caller(ctx: OpContext, input: Input): Promise<Caller> {
  const accessToken = optString(input, 'AccessToken');
  const sessionId = optString(input, 'Session');
  if ((accessToken === undefined) === (sessionId === undefined)) {
    // Guessed wording; the API reference says the request takes an access token or a session, not both.
    throw invalidParameter('Exactly one of AccessToken or Session must be given.');
  }
  if (accessToken !== undefined) return authenticateAccessToken(ctx, accessToken);
  const session = ctx.sessions.get(sessionId ?? '', undefined, 'MFA_SETUP', ctx.clock());
  const pool = ctx.store.state.pools.get(session.poolId);
  const user = pool?.users.get(userKey(pool, session.username));
  if (!pool || !user) throw new CognitoError('NotAuthorizedException', 'Invalid session for the user.');
  if (!user.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
  return { pool, user, session };
}

/** The next MFA_SETUP session of a set-up chain; the one given is used up. */
function nextSetupSession(ctx: OpContext, session: ChallengeSession, totpVerified: boolean): string {
  ctx.sessions.consume(session);
  const clientValidity = ctx.store.state.pools.get(session.poolId)?.clients.get(session.clientId);
  return ctx.sessions.create(
    {
      poolId: session.poolId,
      clientId: session.clientId,
      username: session.username,
      challengeName: 'MFA_SETUP',
      mfaTypes: session.mfaTypes,
      totpVerified,
      deviceKey: session.deviceKey,
    },
    ctx.clock(),
    clientValidity?.authSessionValidity ?? 3,
  );
}

/**
 * A new TOTP secret for the user (20 random bytes, base32 without padding). It replaces any earlier
 * unverified one; a verified token keeps working until VerifySoftwareToken accepts a code of the new one.
 * With a Session the answer carries a new Session (the one given is used up).
 */
export async function associateSoftwareToken(ctx: OpContext, input: Input): Promise<object> {
  const { user, session } = await caller(ctx, input);
  if (session && !(session.mfaTypes ?? []).includes('SOFTWARE_TOKEN_MFA')) {
    throw invalidParameter('Software token MFA is not enabled for this user pool.'); // guessed wording
  }
  const secret = newTotpSecret();
  user.pendingTotpSecret = secret;
  user.modifiedAt = ctx.clock();
  if (!session) return { SecretCode: secret };
  return { SecretCode: secret, Session: nextSetupSession(ctx, session, false) };
}

/**
 * Checks a code of the secret AssociateSoftwareToken handed out: wrong -> EnableSoftwareTokenMFAException;
 * right -> the token is verified (SetUserMFAPreference may now enable TOTP MFA) and `Status: 'SUCCESS'`,
 * with a new Session when called with one (for RespondToAuthChallenge MFA_SETUP).
 */
export async function verifySoftwareToken(ctx: OpContext, input: Input): Promise<object> {
  const code = reqString(input, 'UserCode');
  if (!/^[0-9]{6}$/.test(code)) {
    throw invalidParameter(
      "1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+",
    );
  }
  const { user, session } = await caller(ctx, input);
  const pending = user.pendingTotpSecret;
  if (pending === undefined) {
    // Guessed wording: no AssociateSoftwareToken before.
    throw new CognitoError(
      'SoftwareTokenMFANotFoundException',
      'Software Token MFA has not been associated.',
    );
  }
  // The new secret's steps start afresh.
  const previousLastStep = user.totpLastStep;
  user.totpLastStep = undefined;
  let ok: boolean;
  try {
    ok = acceptTotp(ctx, user, pending, code);
  } finally {
    if (user.totpLastStep === undefined) user.totpLastStep = previousLastStep;
  }
  if (!ok) {
    // Cognito's message, as reported from real pools (aws-samples/aws-amplify-auth-starters#15).
    const mismatch = new CognitoError(
      'EnableSoftwareTokenMFAException',
      'Code mismatch and fail enable Software Token MFA',
    );
    if (session) wrongCode(ctx, session, mismatch);
    throw mismatch;
  }
  user.totpSecret = pending;
  user.pendingTotpSecret = undefined;
  user.modifiedAt = ctx.clock();
  if (!session) return { Status: 'SUCCESS' };
  return { Status: 'SUCCESS', Session: nextSetupSession(ctx, session, true) };
}

/** The signed-in user's own MFA settings (see applyMfaPreference). */
export async function setUserMfaPreference(ctx: OpContext, input: Input): Promise<object> {
  const { pool, user } = await authenticateAccessToken(ctx, reqString(input, 'AccessToken'));
  applyMfaPreference(pool, user, input);
  user.modifiedAt = ctx.clock();
  return {};
}
