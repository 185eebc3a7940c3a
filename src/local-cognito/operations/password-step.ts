// What follows a proved password (USER_PASSWORD_AUTH, USER_SRP_AUTH's PASSWORD_VERIFIER): NEW_PASSWORD_REQUIRED for a
// temporary password; DEVICE_SRP_AUTH for a remembered device; else the MFA step of mfa-challenges.ts.
import { notAuthorized } from '../errors.ts';
import type { ClientRecord, PoolRecord, UserRecord } from '../state.ts';
import { getAttr, type OpContext } from './context.ts';
import { confirmedDevice } from './device-records.ts';
import { afterFirstFactor } from './mfa-challenges.ts';

/** The attributes the pool's schema (CreateUserPool's Schema) marks Required. */
export function requiredPoolAttributes(pool: PoolRecord): string[] {
  const schema = pool.extra.Schema;
  if (!Array.isArray(schema)) return [];
  return schema
    .filter((a: unknown): a is { Name: string; Required: true } => {
      const attr = a as { Name?: unknown; Required?: unknown } | null;
      return typeof attr?.Name === 'string' && attr.Required === true;
    })
    .map((a) => a.Name);
}

/** Required attributes the user has no value for, as NEW_PASSWORD_REQUIRED's `requiredAttributes` names them. */
function missingRequiredAttributes(pool: PoolRecord, user: UserRecord): string[] {
  return requiredPoolAttributes(pool)
    .filter((name) => getAttr(user, name) === undefined)
    .map((name) => `userAttributes.${name}`);
}

/** The attributes Cognito lists in NEW_PASSWORD_REQUIRED's `userAttributes`. */
function challengeAttributes(user: UserRecord): string {
  const out: Record<string, string> = {};
  for (const a of user.attributes) if (a.Name !== 'sub') out[a.Name] = a.Value;
  return JSON.stringify(out);
}

/**
 * After the password: a temporary one must be changed first (NEW_PASSWORD_REQUIRED); a remembered device of the
 * user's proves itself next (DEVICE_SRP_AUTH), in place of MFA; a device tracked but not remembered is carried to
 * the tokens; an unknown device key is ignored (the pool hands out a new device).
 */
export async function afterPassword(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  deviceKey: string | undefined,
): Promise<object> {
  const now = ctx.clock();
  const device = confirmedDevice(user, deviceKey);
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    if (user.tempPasswordExpiresAt !== undefined && now > user.tempPasswordExpiresAt) {
      throw notAuthorized('Temporary password has expired and must be reset by an administrator.');
    }
    const session = ctx.sessions.create(
      {
        poolId: pool.id,
        clientId: client.clientId,
        username: user.username,
        challengeName: 'NEW_PASSWORD_REQUIRED',
        deviceKey: device?.key,
      },
      now,
      client.authSessionValidity,
    );
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: session,
      ChallengeParameters: {
        USER_ID_FOR_SRP: user.username,
        requiredAttributes: JSON.stringify(missingRequiredAttributes(pool, user)),
        userAttributes: challengeAttributes(user),
      },
    };
  }
  if (device?.status === 'remembered') {
    const session = ctx.sessions.create(
      {
        poolId: pool.id,
        clientId: client.clientId,
        username: user.username,
        challengeName: 'DEVICE_SRP_AUTH',
        deviceKey: device.key,
      },
      now,
      client.authSessionValidity,
    );
    return {
      ChallengeName: 'DEVICE_SRP_AUTH',
      Session: session,
      ChallengeParameters: { USERNAME: user.username, USER_ID_FOR_SRP: user.username },
    };
  }
  return afterFirstFactor(ctx, pool, client, user, device?.key);
}
