// Device tracking's operations: ConfirmDevice, UpdateDeviceStatus, GetDevice, ListDevices, ForgetDevice (the user's
// access token) and their admin twins (AdminGetDevice, AdminListDevices, AdminUpdateDeviceStatus, AdminForgetDevice).
import { CognitoError, invalidParameter } from '../errors.ts';
import { parseHex } from '../srp.ts';
import type { DeviceRecord, PoolRecord, UserRecord } from '../state.ts';
import {
  getPool,
  optNumber,
  optObject,
  optString,
  reqString,
  requireUser,
  type Input,
  type OpContext,
} from './context.ts';
import { confirmedDevice, deviceConfiguration, deviceType, findDevice } from './device-records.ts';
import { authenticateAccessToken } from './user-tokens.ts';

const deviceNotFound = () => new CognitoError('ResourceNotFoundException', 'Device does not exist.');

/** The user's confirmed device with this key, or ResourceNotFoundException (unconfirmed ones are not listed). */
function requireDevice(user: UserRecord, key: string): DeviceRecord {
  const device = confirmedDevice(user, key);
  if (!device) throw deviceNotFound();
  return device;
}

const signedInUser = (ctx: OpContext, input: Input) =>
  authenticateAccessToken(ctx, reqString(input, 'AccessToken'));

function adminUser(ctx: OpContext, input: Input): { pool: PoolRecord; user: UserRecord } {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  return { pool, user: requireUser(pool, reqString(input, 'Username')) };
}

/** A base64 member of DeviceSecretVerifierConfig as hex (the form the SRP maths takes); InvalidParameter if not. */
function base64Member(config: Input, member: string): string {
  const value = config[member];
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]{4,1400}={0,2}$/.test(value)) {
    throw invalidParameter(`DeviceSecretVerifierConfig.${member} is missing or not base64.`);
  }
  const hex = Buffer.from(value, 'base64').toString('hex');
  if (parseHex(hex) === undefined) throw invalidParameter(`DeviceSecretVerifierConfig.${member} is invalid.`);
  return hex;
}

/**
 * Confirms a device NewDeviceMetadata handed out: its verifier (from a random device password, over the device
 * group key and device key) is kept for DEVICE_SRP_AUTH. Remembered at once unless the pool remembers devices
 * only on the user's word (DeviceOnlyRememberedOnUserPrompt): then UserConfirmationNecessary asks the app to ask.
 */
export async function confirmDevice(ctx: OpContext, input: Input): Promise<object> {
  const { pool, user } = await signedInUser(ctx, input);
  const config = deviceConfiguration(pool);
  if (!config) throw invalidParameter('Device tracking is not enabled for this user pool.'); // guessed wording
  const device = findDevice(user, reqString(input, 'DeviceKey'));
  // Cognito's answer for a key it did not hand this user (as reported from real pools, boto/boto3#4059).
  if (!device) throw invalidParameter('Invalid device key given.');
  const verifierConfig = optObject(input, 'DeviceSecretVerifierConfig');
  if (!verifierConfig) throw invalidParameter('DeviceSecretVerifierConfig is required.');
  const salt = base64Member(verifierConfig, 'Salt');
  const verifier = base64Member(verifierConfig, 'PasswordVerifier');
  const name = optString(input, 'DeviceName');
  if (name !== undefined && name.length > 1024) {
    throw invalidParameter('DeviceName must have length less than or equal to 1024.');
  }
  if (device.verifier !== undefined) throw notAuthorizedDevice();
  const now = ctx.clock();
  Object.assign(device, {
    salt,
    verifier,
    name,
    status: config.DeviceOnlyRememberedOnUserPrompt ? 'not_remembered' : 'remembered',
    modifiedAt: now,
  });
  return { UserConfirmationNecessary: config.DeviceOnlyRememberedOnUserPrompt };
}

/** Guessed wording: a device confirmed already cannot be given another verifier. */
const notAuthorizedDevice = () => new CognitoError('NotAuthorizedException', 'Device is already confirmed.');

function setStatus(ctx: OpContext, user: UserRecord, input: Input): object {
  const device = requireDevice(user, reqString(input, 'DeviceKey'));
  const status = optString(input, 'DeviceRememberedStatus');
  if (status !== undefined && status !== 'remembered' && status !== 'not_remembered') {
    throw invalidParameter(
      `1 validation error detected: Value '${status.slice(0, 40)}' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]`,
    );
  }
  device.status = status ?? 'not_remembered';
  device.modifiedAt = ctx.clock();
  return {};
}

/** A page of the user's confirmed devices, most recently used first; Limit 1-60 (default 60). */
function listPage(user: UserRecord, input: Input): object {
  const limit = optNumber(input, 'Limit') ?? 60;
  if (!Number.isInteger(limit) || limit < 0 || limit > 60) {
    throw invalidParameter(
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60`,
    );
  }
  const devices = (user.devices ?? [])
    .filter((d) => d.verifier !== undefined)
    .sort((a, b) => b.lastAuthenticatedAt - a.lastAuthenticatedAt || a.key.localeCompare(b.key));
  const token = optString(input, 'PaginationToken');
  const start = token === undefined ? 0 : devices.findIndex((d) => d.key === token);
  if (start < 0) throw invalidParameter('Invalid pagination token.');
  const page = devices.slice(start, start + (limit || 60));
  const next = devices[start + page.length];
  return { Devices: page.map(deviceType), ...(next ? { PaginationToken: next.key } : {}) };
}

function forget(user: UserRecord, key: string): object {
  const device = findDevice(user, key);
  if (!device) throw deviceNotFound();
  user.devices = (user.devices ?? []).filter((d) => d !== device);
  return {};
}

export async function updateDeviceStatus(ctx: OpContext, input: Input): Promise<object> {
  const { user } = await signedInUser(ctx, input);
  return setStatus(ctx, user, input);
}

export async function getDevice(ctx: OpContext, input: Input): Promise<object> {
  const { user } = await signedInUser(ctx, input);
  return { Device: deviceType(requireDevice(user, reqString(input, 'DeviceKey'))) };
}

export async function listDevices(ctx: OpContext, input: Input): Promise<object> {
  const { user } = await signedInUser(ctx, input);
  return listPage(user, input);
}

export async function forgetDevice(ctx: OpContext, input: Input): Promise<object> {
  const { user } = await signedInUser(ctx, input);
  return forget(user, reqString(input, 'DeviceKey'));
}

export function adminGetDevice(ctx: OpContext, input: Input): object {
  const { user } = adminUser(ctx, input);
  return { Device: deviceType(requireDevice(user, reqString(input, 'DeviceKey'))) };
}

export function adminListDevices(ctx: OpContext, input: Input): object {
  return listPage(adminUser(ctx, input).user, input);
}

export function adminUpdateDeviceStatus(ctx: OpContext, input: Input): object {
  return setStatus(ctx, adminUser(ctx, input).user, input);
}

export function adminForgetDevice(ctx: OpContext, input: Input): object {
  return forget(adminUser(ctx, input).user, reqString(input, 'DeviceKey'));
}
