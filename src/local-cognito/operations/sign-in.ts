// The end of every successful sign-in: a new refresh token and the ID and access tokens minted from it, and, while
// the pool tracks devices, the device the sign-in came from (a known one, or a new one in NewDeviceMetadata).
import { mintTokens } from '../tokens.ts';
import type { ClientRecord, PoolRecord, UserRecord } from '../state.ts';
import type { OpContext } from './context.ts';
import { findDevice, newDevice, tracksDevices } from './device-records.ts';
import { issueRefreshToken } from './refresh-tokens.ts';

/**
 * A full sign-in: a new refresh token and the ID and access tokens minted from it. `deviceKey`: a device of the
 * user's that this sign-in proved or named; without one, a pool that tracks devices hands out a new one.
 */
export async function signedIn(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  deviceKey?: string,
) {
  const now = ctx.clock();
  let device = tracksDevices(pool) && deviceKey !== undefined ? findDevice(user, deviceKey) : undefined;
  const fresh = tracksDevices(pool) && device === undefined;
  if (fresh) device = newDevice(pool, user, now);
  if (device) device.lastAuthenticatedAt = now;
  const { origin, refreshToken } = issueRefreshToken(ctx, pool, client, user, device?.key);
  const minted = await mintTokens(ctx.keys, pool, client, user, origin, now);
  return {
    ChallengeParameters: {},
    AuthenticationResult: {
      AccessToken: minted.accessToken,
      ExpiresIn: minted.expiresIn,
      TokenType: 'Bearer',
      IdToken: minted.idToken,
      RefreshToken: refreshToken,
      ...(fresh && device
        ? { NewDeviceMetadata: { DeviceKey: device.key, DeviceGroupKey: device.groupKey } }
        : {}),
    },
  };
}
