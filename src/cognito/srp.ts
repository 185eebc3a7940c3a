// The client side of Cognito's SRP (USER_SRP_AUTH, device SRP, device verifiers), through cognito-srp-helper: the
// maths lives there; this module only turns its sessions into the challenge answers the gateway sends.
import {
  createDeviceVerifier,
  createSrpSession,
  signSrpSession,
  signSrpSessionWithDevice,
} from 'cognito-srp-helper';
import { AuthError } from './errors.ts';

/** A device this browser was trusted as: what proves it to Cognito (the password never leaves the server). */
export interface DeviceSecrets {
  key: string;
  groupKey: string;
  password: string;
}

/** What a password (or device) proof answers: the claim over the challenge's secret block, at its timestamp. */
export type ClaimAnswer = {
  PASSWORD_CLAIM_SIGNATURE: string;
  PASSWORD_CLAIM_SECRET_BLOCK: string;
  TIMESTAMP: string;
};

/** One SRP exchange under way: the public value A to send, and the proof for the challenge that answers it. */
export interface SrpExchange {
  srpA: string;
  prove(challengeParameters: Record<string, string>): ClaimAnswer;
}

/**
 * The helper throws only when the challenge lacks a parameter or carries a value SRP must abort on (B or u zero):
 * either way not an answer to trust, so the sign-in stops as on any unexpected answer.
 */
function signed<T>(sign: () => T): T {
  try {
    return sign();
  } catch (err) {
    throw new AuthError('UNEXPECTED_RESPONSE', `SRP: ${(err as Error).name}`);
  }
}

const claim = (signature: string, parameters: Record<string, string>, timestamp: string): ClaimAnswer => ({
  PASSWORD_CLAIM_SIGNATURE: signature,
  PASSWORD_CLAIM_SECRET_BLOCK: parameters.SECRET_BLOCK ?? '',
  TIMESTAMP: timestamp,
});

/** USER_SRP_AUTH for `username` (as typed) and `password`: SRP_A now, PASSWORD_VERIFIER's answer later. */
export function passwordExchange(username: string, password: string, userPoolId: string): SrpExchange {
  const session = createSrpSession(username, password, userPoolId, false);
  return {
    srpA: session.largeA,
    prove(parameters) {
      const done = signed(() => signSrpSession(session, { ChallengeParameters: parameters }));
      return claim(done.passwordSignature, parameters, done.timestamp);
    },
  };
}

/** DEVICE_SRP_AUTH for a remembered device: SRP_A now, DEVICE_PASSWORD_VERIFIER's answer later. */
export function deviceExchange(device: DeviceSecrets, userPoolId: string): SrpExchange {
  const session = createSrpSession(device.key, device.password, userPoolId, false);
  return {
    srpA: session.largeA,
    prove(parameters) {
      const done = signed(() =>
        signSrpSessionWithDevice(
          session,
          { ChallengeParameters: parameters },
          device.groupKey,
          device.password,
        ),
      );
      return claim(done.passwordSignature, parameters, done.timestamp);
    },
  };
}

/** A new random device password and the verifier ConfirmDevice takes for it (salt and verifier, base64). */
export function newDeviceVerifier(
  key: string,
  groupKey: string,
): { password: string; salt: string; verifier: string } {
  const made = createDeviceVerifier(key, groupKey);
  const config = made.DeviceSecretVerifierConfig;
  if (!config.Salt || !config.PasswordVerifier) throw new AuthError('UNEXPECTED_RESPONSE', 'device verifier');
  return { password: made.DeviceRandomPassword, salt: config.Salt, verifier: config.PasswordVerifier };
}
