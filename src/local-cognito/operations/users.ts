// Admin user operations: create, get, delete, passwords, MFA preferences, confirm, enable/disable, sign-out.
import { CognitoError, invalidParameter, notAuthorized } from '../errors.ts';
import { newUuid } from '../ids.ts';
import { checkPassword, generatePassword } from '../password.ts';
import { passwordFields } from '../user-password.ts';
import {
  userKey,
  type Attribute,
  type MfaPreferences,
  type PoolRecord,
  type UserRecord,
  type UserStatus,
} from '../state.ts';
import {
  attributeList,
  epochSeconds,
  findUser,
  getAttr,
  getPool,
  optBoolean,
  optObject,
  optString,
  reqString,
  requireUser,
  setAttr,
  usesEmailAsUsername,
  type Input,
  type OpContext,
} from './context.ts';
import { canDeliver, type MfaType } from './mfa-challenges.ts';
import { forgetUser, revokeAllForUser } from './refresh-tokens.ts';

const DAY_MS = 86_400_000;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

/** "An account with the given email already exists." (email pools) or "User account already exists". */
export function usernameExists(pool: PoolRecord): CognitoError {
  return new CognitoError(
    'UsernameExistsException',
    usesEmailAsUsername(pool)
      ? 'An account with the given email already exists.'
      : 'User account already exists',
  );
}

/**
 * A new user record for `username` as typed (an email in email pools, where the internal username
 * becomes a UUID equal to `sub`). Throws when the name is malformed or taken; does not store it.
 */
export function newUserRecord(
  ctx: OpContext,
  pool: PoolRecord,
  typedUsername: string,
  attributes: Attribute[],
  status: UserStatus,
): UserRecord {
  const emailPool = usesEmailAsUsername(pool);
  if (emailPool && !EMAIL_PATTERN.test(typedUsername)) throw invalidParameter('Username should be an email.');
  if (!emailPool && EMAIL_PATTERN.test(typedUsername) && pool.aliasAttributes.includes('email')) {
    throw invalidParameter(
      'Username cannot be of email format, since user pool is configured for email alias.',
    );
  }
  if (typedUsername.length < 1 || typedUsername.length > 128 || /\s/.test(typedUsername.trim())) {
    throw invalidParameter('Username is invalid.');
  }
  if (findUser(pool, typedUsername)) throw usernameExists(pool);
  const sub = newUuid();
  const now = ctx.clock();
  const user: UserRecord = {
    username: emailPool ? sub : typedUsername,
    sub,
    attributes: [{ Name: 'sub', Value: sub }],
    status,
    enabled: true,
    createdAt: now,
    modifiedAt: now,
    failedAttempts: 0,
    lockedUntil: 0,
    mfa: {
      smsEnabled: false,
      smsPreferred: false,
      totpEnabled: false,
      totpPreferred: false,
      emailEnabled: false,
      emailPreferred: false,
    },
    codes: [],
    groups: [],
  };
  for (const a of attributes) if (a.Name !== 'sub') setAttr(user, a.Name, a.Value);
  if (emailPool) setAttr(user, 'email', typedUsername);
  if (pool.users.has(userKey(pool, user.username))) throw usernameExists(pool);
  return user;
}

/** The MFA members of AdminGetUser / GetUser. */
export function mfaFields(user: UserRecord): object {
  const list: string[] = [];
  if (user.mfa.smsEnabled) list.push('SMS_MFA');
  if (user.mfa.totpEnabled) list.push('SOFTWARE_TOKEN_MFA');
  if (user.mfa.emailEnabled) list.push('EMAIL_OTP');
  const preferred = user.mfa.totpPreferred
    ? 'SOFTWARE_TOKEN_MFA'
    : user.mfa.smsPreferred
      ? 'SMS_MFA'
      : user.mfa.emailPreferred
        ? 'EMAIL_OTP'
        : undefined;
  return {
    ...(preferred ? { PreferredMfaSetting: preferred } : {}),
    ...(list.length ? { UserMFASettingList: list } : {}),
  };
}

/** Cognito's UserType (AdminCreateUser, ListUsers). */
function userType(user: UserRecord): object {
  return {
    Username: user.username,
    Attributes: user.attributes,
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.modifiedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

async function setTemporaryPassword(ctx: OpContext, pool: PoolRecord, user: UserRecord, password: string) {
  Object.assign(user, await passwordFields(pool, user, password));
  user.status = 'FORCE_CHANGE_PASSWORD';
  user.tempPasswordExpiresAt = ctx.clock() + pool.passwordPolicy.TemporaryPasswordValidityDays * DAY_MS;
  user.failedAttempts = 0;
  user.lockedUntil = 0;
  user.modifiedAt = ctx.clock();
}

export async function adminCreateUser(ctx: OpContext, input: Input): Promise<object> {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const username = reqString(input, 'Username');
  const action = optString(input, 'MessageAction');
  if (action !== undefined && action !== 'SUPPRESS' && action !== 'RESEND') {
    throw invalidParameter(
      `1 validation error detected: Value '${action}' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]`,
    );
  }
  const given = optString(input, 'TemporaryPassword');
  if (given !== undefined) checkPassword(pool.passwordPolicy, given, 'temporaryPassword');
  const password = given ?? generatePassword(pool.passwordPolicy);
  if (action === 'RESEND') {
    const existing = requireUser(pool, username);
    if (existing.status !== 'FORCE_CHANGE_PASSWORD') {
      throw new CognitoError(
        'UnsupportedUserStateException',
        'Resend not possible. User status is not FORCE_CHANGE_PASSWORD',
      );
    }
    await setTemporaryPassword(ctx, pool, existing, password);
    return { User: userType(existing) };
  }
  const user = newUserRecord(
    ctx,
    pool,
    username,
    attributeList(input, 'UserAttributes'),
    'FORCE_CHANGE_PASSWORD',
  );
  await setTemporaryPassword(ctx, pool, user, password);
  // The check above ran before the await: a concurrent create may have taken the name meanwhile.
  if (findUser(pool, username) || pool.users.has(userKey(pool, user.username))) throw usernameExists(pool);
  pool.users.set(userKey(pool, user.username), user);
  if (action !== 'SUPPRESS')
    ctx.logger?.info('local-cognito: invitation not delivered (no inbox kind for it)', { username });
  return { User: userType(user) };
}

export async function adminSetUserPassword(ctx: OpContext, input: Input): Promise<object> {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  const password = reqString(input, 'Password');
  checkPassword(pool.passwordPolicy, password);
  if (optBoolean(input, 'Permanent')) {
    Object.assign(user, await passwordFields(pool, user, password));
    user.status = 'CONFIRMED';
    user.tempPasswordExpiresAt = undefined;
    user.failedAttempts = 0;
    user.lockedUntil = 0;
    user.modifiedAt = ctx.clock();
  } else {
    await setTemporaryPassword(ctx, pool, user, password);
  }
  return {};
}

export function adminGetUser(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  return {
    Username: user.username,
    UserAttributes: user.attributes,
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.modifiedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
    ...mfaFields(user),
  };
}

export function adminDeleteUser(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  pool.users.delete(userKey(pool, user.username));
  forgetUser(ctx, pool, user);
  return {};
}

function mfaSetting(input: Input, member: string): { enabled?: boolean; preferred?: boolean } | undefined {
  const settings = optObject(input, member);
  if (!settings) return undefined;
  return { enabled: optBoolean(settings, 'Enabled'), preferred: optBoolean(settings, 'PreferredMfa') };
}

/**
 * Applies SMSMfaSettings / SoftwareTokenMfaSettings / EmailMfaSettings (shared with SetUserMFAPreference).
 * A type can be enabled only when it can reach the user: SMS needs a phone_number, email an email, TOTP a
 * verified software token (else Cognito's InvalidParameterException "User does not have delivery config set
 * to turn on SOFTWARE_TOKEN_MFA", as reported from real pools; the SMS and EMAIL wordings follow it).
 * Nothing changes when any part is refused. PreferredMfa true makes that type enabled and the only preferred.
 */
export function applyMfaPreference(pool: PoolRecord, user: UserRecord, input: Input): void {
  const kinds: [string, MfaType, keyof MfaPreferences, keyof MfaPreferences][] = [
    ['SMSMfaSettings', 'SMS_MFA', 'smsEnabled', 'smsPreferred'],
    ['SoftwareTokenMfaSettings', 'SOFTWARE_TOKEN_MFA', 'totpEnabled', 'totpPreferred'],
    ['EmailMfaSettings', 'EMAIL_OTP', 'emailEnabled', 'emailPreferred'],
  ];
  const given = kinds.map(([member]) => mfaSetting(input, member));
  kinds.forEach(([, type], i) => {
    const s = given[i];
    if ((s?.enabled === true || s?.preferred === true) && !canDeliver(user, type)) {
      throw invalidParameter(`User does not have delivery config set to turn on ${type}`);
    }
    if (s?.enabled === true && type === 'EMAIL_OTP' && pool.emailMfaConfiguration === undefined) {
      throw invalidParameter('Email MFA is not enabled for this user pool.'); // guessed wording
    }
  });
  kinds.forEach(([, , enabledKey, preferredKey], i) => {
    const s = given[i];
    if (!s) return;
    if (s.enabled !== undefined) user.mfa[enabledKey] = s.enabled;
    if (s.preferred === true) {
      for (const [, , , other] of kinds) user.mfa[other] = false;
      user.mfa[preferredKey] = true;
      user.mfa[enabledKey] = true;
    } else if (s.preferred === false || !user.mfa[enabledKey]) {
      user.mfa[preferredKey] = false;
    }
  });
}

export function adminSetUserMfaPreference(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  applyMfaPreference(pool, user, input);
  user.modifiedAt = ctx.clock();
  return {};
}

export function adminUserGlobalSignOut(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  revokeAllForUser(ctx, pool, requireUser(pool, reqString(input, 'Username')));
  return {};
}

/** Confirms an UNCONFIRMED user; email becomes verified when it is what the pool verifies. */
export function confirmUser(ctx: OpContext, pool: PoolRecord, user: UserRecord): void {
  if (user.status !== 'UNCONFIRMED') {
    throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
  }
  user.status = 'CONFIRMED';
  if (pool.autoVerifiedAttributes.includes('email') && getAttr(user, 'email') !== undefined) {
    setAttr(user, 'email_verified', 'true');
  }
  user.codes = user.codes.filter((c) => c.kind !== 'SIGN_UP');
  user.modifiedAt = ctx.clock();
}

export function adminConfirmSignUp(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  confirmUser(ctx, pool, requireUser(pool, reqString(input, 'Username')));
  return {};
}

export function adminDisableUser(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  user.enabled = false;
  user.modifiedAt = ctx.clock();
  // Cognito revokes the user's tokens when it disables the account.
  revokeAllForUser(ctx, pool, user);
  return {};
}

export function adminEnableUser(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  user.enabled = true;
  user.modifiedAt = ctx.clock();
  return {};
}

export function adminUpdateUserAttributes(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  for (const a of attributeList(input, 'UserAttributes')) {
    if (a.Name === 'sub') throw invalidParameter('Cannot modify an immutable attribute: sub');
    if (a.Name === 'email' && usesEmailAsUsername(pool)) {
      const other = findUser(pool, a.Value);
      if (other && other !== user) {
        throw new CognitoError('AliasExistsException', 'An account with the given email already exists.');
      }
    }
    setAttr(user, a.Name, a.Value);
  }
  user.modifiedAt = ctx.clock();
  return {};
}
