// A user's tracked devices: whether the pool tracks them, handing out a new one, finding one, and Cognito's DeviceType.
import { newUuid, randomString } from '../ids.ts';
import type { DeviceRecord, PoolRecord, UserRecord } from '../state.ts';
import { epochSeconds } from './context.ts';

/** The pool's DeviceConfiguration; any value of it turns device tracking on, as on Cognito. */
export function deviceConfiguration(
  pool: PoolRecord,
): { ChallengeRequiredOnNewDevice: boolean; DeviceOnlyRememberedOnUserPrompt: boolean } | undefined {
  const config = pool.extra.DeviceConfiguration as
    { ChallengeRequiredOnNewDevice?: unknown; DeviceOnlyRememberedOnUserPrompt?: unknown } | null | undefined;
  if (config === null || typeof config !== 'object') return undefined;
  return {
    ChallengeRequiredOnNewDevice: config.ChallengeRequiredOnNewDevice === true,
    DeviceOnlyRememberedOnUserPrompt: config.DeviceOnlyRememberedOnUserPrompt === true,
  };
}

export const tracksDevices = (pool: PoolRecord): boolean => deviceConfiguration(pool) !== undefined;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new device for the user, in Cognito's shapes (`<region>_<uuid>`, `-<9 characters>`): unconfirmed. */
export function newDevice(pool: PoolRecord, user: UserRecord, now: number): DeviceRecord {
  const device: DeviceRecord = {
    key: `${pool.region}_${newUuid()}`,
    groupKey: `-${randomString(9, ALNUM)}`,
    status: 'not_remembered',
    createdAt: now,
    modifiedAt: now,
    lastAuthenticatedAt: now,
  };
  // Devices never confirmed are dropped first when a user collects too many (Cognito keeps a bounded list too).
  const devices = (user.devices ??= []);
  devices.push(device);
  if (devices.length > 100) {
    const stale = devices.findIndex((d) => d.verifier === undefined);
    devices.splice(stale >= 0 ? stale : 0, 1);
  }
  return device;
}

/** The user's device with this key, any status. */
export const findDevice = (user: UserRecord, key: string): DeviceRecord | undefined =>
  user.devices?.find((d) => d.key === key);

/** A confirmed device (ConfirmDevice gave its verifier): the only kind device SRP can prove. */
export function confirmedDevice(user: UserRecord, key: string | undefined): DeviceRecord | undefined {
  const device = key === undefined ? undefined : findDevice(user, key);
  return device?.verifier === undefined ? undefined : device;
}

/** Cognito's DeviceType. */
export function deviceType(device: DeviceRecord): object {
  const attributes: { Name: string; Value: string }[] = [{ Name: 'device_status', Value: device.status }];
  if (device.name !== undefined) attributes.push({ Name: 'device_name', Value: device.name });
  if (device.lastIp !== undefined) attributes.push({ Name: 'last_ip_used', Value: device.lastIp });
  return {
    DeviceKey: device.key,
    DeviceAttributes: attributes,
    DeviceCreateDate: epochSeconds(device.createdAt),
    DeviceLastModifiedDate: epochSeconds(device.modifiedAt),
    DeviceLastAuthenticatedDate: epochSeconds(device.lastAuthenticatedAt),
  };
}
