// Remembered devices at sign-in: which device this browser may prove itself with, and, after the tokens, confirming the
// device Cognito handed out and remembering it as the user (or the configuration) says.
import type { Context } from 'koa';
import Bowser from 'bowser';
import { AuthError } from '../../cognito/errors.ts';
import type { DeviceChoice, TokenSet } from '../../cognito/gateway.ts';
import type { VerifiedIdentity } from '../../cognito/verifier.ts';
import type { FlowDeps } from '../types.ts';

type DeviceDeps = Pick<FlowDeps, 'config' | 'cognito' | 'devices' | 'logger'>;

/** The devices this browser holds for the sign-in, or none when remembered devices are off. */
export async function deviceChoiceFor(ctx: Context, deps: DeviceDeps): Promise<DeviceChoice | undefined> {
  if (deps.config.signIn.rememberDevices === 'off') return undefined;
  const entries = await deps.devices.read(ctx);
  if (entries.length === 0) return undefined;
  return {
    forUser: (userId) => entries.find((e) => e.username === userId),
    refused: async (userId, device) => {
      deps.logger.info(
        { user: userId },
        'a remembered device was refused by Cognito: dropped, second factor asked',
      );
      await deps.devices.drop(ctx, (e) => e.key === device.key);
    },
  };
}

/** The name a device gets in Cognito and on the account page: browser and system, from the User-Agent. */
export function deviceName(userAgent: string | undefined): string {
  const parsed = Bowser.parse(userAgent ?? '');
  const browser = parsed.browser.name ?? '';
  const os = parsed.os.name ?? '';
  const name = browser && os ? `${browser} · ${os}` : browser || os || 'Browser';
  return name.slice(0, 200);
}

/**
 * After a sign-in's tokens: a new device (NewDeviceMetadata) is confirmed and kept on this browser, remembered only
 * when `remember` says so: the user's word on the code page, or REMEMBER_DEVICES=always there, so a browser is never
 * trusted without having passed a second factor. A known device the user now trusts is remembered. Best effort: a
 * refusal is logged and the sign-in goes on, only without a remembered device.
 */
export async function settleDevice(
  ctx: Context,
  deps: DeviceDeps,
  tokens: TokenSet,
  identity: VerifiedIdentity,
  remember: boolean | undefined,
): Promise<void> {
  if (deps.config.signIn.rememberDevices === 'off') return;
  const wanted = remember === true;
  try {
    if (tokens.newDevice) {
      const name = deviceName(ctx.get('user-agent'));
      const confirmed = await deps.cognito.confirmDevice(tokens.accessToken, tokens.newDevice, name);
      // Pools that remember every device say so (no confirmation needed); the user's word still counts here.
      if (confirmed.confirmationNecessary ? wanted : !wanted) {
        await deps.cognito.setDeviceRemembered(tokens.accessToken, tokens.newDevice.key, wanted);
      }
      // Its entry here, its trust run out or not: the Cognito device behind it is replaced by the new one.
      const earlier = (await deps.devices.read(ctx, { expired: true })).find(
        (e) => e.username === identity.username,
      );
      await deps.devices.keep(ctx, { ...confirmed.secrets, username: identity.username, remembered: wanted });
      // The device this browser had before (its trust ran out) is of no use to anyone now.
      if (earlier && earlier.key !== tokens.newDevice.key) {
        await deps.cognito.forgetDevice(tokens.accessToken, earlier.key).catch(() => undefined);
      }
      return;
    }
    if (!wanted || identity.deviceKey === undefined) return;
    const entry = (await deps.devices.read(ctx)).find((e) => e.key === identity.deviceKey);
    if (!entry || entry.remembered) return;
    await deps.cognito.setDeviceRemembered(tokens.accessToken, entry.key, true);
    await deps.devices.keep(ctx, { ...entry, remembered: true });
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    deps.logger.warn({ error: err.code, cognito: err.cognitoName }, 'could not remember this device');
  }
}

/**
 * Withdraws the trust of every browser of the user (UpdateDeviceStatus not_remembered): after a change of password or
 * second factor, a browser trusted before asks for the code again (a stolen laptop does not outlive the owner's
 * reaction). The devices stay known, so their sessions still refresh. Best effort, as every device call here.
 */
export async function distrustDevices(ctx: Context, deps: DeviceDeps, accessToken: string): Promise<void> {
  if (deps.config.signIn.rememberDevices === 'off') return;
  try {
    for (const device of await deps.cognito.listDevices(accessToken)) {
      if (device.remembered) await deps.cognito.setDeviceRemembered(accessToken, device.key, false);
    }
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    deps.logger.warn(
      { error: err.code, cognito: err.cognitoName },
      'could not withdraw the trust of devices',
    );
  }
}
