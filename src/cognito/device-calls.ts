// The gateway's calls about a signed-in user's devices and passkeys: confirming and remembering a device, listing and
// forgetting devices (device tracking), and registering, listing and deleting passkeys (WebAuthn).
import {
  CompleteWebAuthnRegistrationCommand,
  ConfirmDeviceCommand,
  DeleteWebAuthnCredentialCommand,
  ForgetDeviceCommand,
  ListDevicesCommand,
  ListWebAuthnCredentialsCommand,
  StartWebAuthnRegistrationCommand,
  UpdateDeviceStatusCommand,
  type CompleteWebAuthnRegistrationCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { present, toTrackedDevice, type NewDevice, type Passkey, type TrackedDevice } from './mapping.ts';
import type { Send } from './sender.ts';
import { newDeviceVerifier, type DeviceSecrets } from './srp.ts';

/** The device and passkey calls of the gateway (CognitoGateway extends these). */
export interface DeviceCalls {
  /**
   * Confirms the device a sign-in handed out (NewDeviceMetadata) with a verifier of a new random device password,
   * named `name`; `confirmationNecessary`: the pool remembers it only when told (UpdateDeviceStatus).
   */
  confirmDevice(
    accessToken: string,
    device: NewDevice,
    name: string,
  ): Promise<{ secrets: DeviceSecrets; confirmationNecessary: boolean }>;
  /** Remembers the device (its sign-ins skip the second factor) or not. */
  setDeviceRemembered(accessToken: string, deviceKey: string, remembered: boolean): Promise<void>;
  /** The signed-in user's confirmed devices, most recently used first. */
  listDevices(accessToken: string): Promise<TrackedDevice[]>;
  forgetDevice(accessToken: string, deviceKey: string): Promise<void>;
  /** A new passkey: the browser's creation options (PublicKeyCredentialCreationOptionsJSON) as JSON. */
  startPasskeyRegistration(accessToken: string): Promise<string>;
  /** Completes it with the browser's answer (RegistrationResponseJSON, parsed). */
  completePasskeyRegistration(accessToken: string, credential: Record<string, unknown>): Promise<void>;
  listPasskeys(accessToken: string): Promise<Passkey[]>;
  deletePasskey(accessToken: string, credentialId: string): Promise<void>;
}

/** CompleteWebAuthnRegistration's input: the browser's credential as a JSON document. */
const completeInput = (
  credential: CompleteWebAuthnRegistrationCommandInput['Credential'],
  token: string,
) => ({
  AccessToken: token,
  Credential: credential,
});

/** The device and passkey calls over the gateway's sender. */
export function deviceCalls(send: Send): DeviceCalls {
  return {
    async confirmDevice(accessToken, device, name) {
      const made = newDeviceVerifier(device.key, device.groupKey);
      const out = await send(ConfirmDeviceCommand, {
        AccessToken: accessToken,
        DeviceKey: device.key,
        DeviceName: name,
        DeviceSecretVerifierConfig: { Salt: made.salt, PasswordVerifier: made.verifier },
      });
      return {
        secrets: { key: device.key, groupKey: device.groupKey, password: made.password },
        confirmationNecessary: out.UserConfirmationNecessary === true,
      };
    },
    async setDeviceRemembered(accessToken, deviceKey, remembered) {
      await send(UpdateDeviceStatusCommand, {
        AccessToken: accessToken,
        DeviceKey: deviceKey,
        DeviceRememberedStatus: remembered ? 'remembered' : 'not_remembered',
      });
    },
    async listDevices(accessToken) {
      const devices: TrackedDevice[] = [];
      let token: string | undefined;
      // A few pages at most: Cognito lists 60 per page, and nobody has hundreds of browsers.
      for (let page = 0; page < 5; page += 1) {
        const out = await send(ListDevicesCommand, {
          AccessToken: accessToken,
          Limit: 60,
          ...(token ? { PaginationToken: token } : {}),
        });
        for (const d of out.Devices ?? []) if (d.DeviceKey) devices.push(toTrackedDevice(d));
        token = out.PaginationToken;
        if (!token) break;
      }
      return devices;
    },
    async forgetDevice(accessToken, deviceKey) {
      await send(ForgetDeviceCommand, { AccessToken: accessToken, DeviceKey: deviceKey });
    },
    async startPasskeyRegistration(accessToken) {
      const out = await send(StartWebAuthnRegistrationCommand, { AccessToken: accessToken });
      return JSON.stringify(present(out.CredentialCreationOptions, 'StartWebAuthnRegistration'));
    },
    async completePasskeyRegistration(accessToken, credential) {
      // The browser's JSON, as the SDK's document type takes it.
      const document = credential as Parameters<typeof completeInput>[0];
      await send(CompleteWebAuthnRegistrationCommand, completeInput(document, accessToken));
    },
    async listPasskeys(accessToken) {
      const passkeys: Passkey[] = [];
      let next: string | undefined;
      for (let page = 0; page < 5; page += 1) {
        const out = await send(ListWebAuthnCredentialsCommand, {
          AccessToken: accessToken,
          MaxResults: 20,
          ...(next ? { NextToken: next } : {}),
        });
        for (const c of out.Credentials ?? []) {
          if (!c.CredentialId) continue;
          passkeys.push({
            id: c.CredentialId,
            name: c.FriendlyCredentialName ?? '',
            createdAt: c.CreatedAt ? c.CreatedAt.getTime() : undefined,
            attachment: c.AuthenticatorAttachment,
          });
        }
        next = out.NextToken;
        if (!next) break;
      }
      return passkeys;
    },
    async deletePasskey(accessToken, credentialId) {
      await send(DeleteWebAuthnCredentialCommand, { AccessToken: accessToken, CredentialId: credentialId });
    },
  };
}
