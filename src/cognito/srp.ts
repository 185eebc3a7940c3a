// The client side of Cognito's SRP (USER_SRP_AUTH, device SRP, device verifiers) over the shared maths
// (src/srp-math.ts): SRP_A to send, then the claim answering the challenge; checked against cognito-srp-helper's
// signatures for the same secrets in test/unit/srp.test.ts, and against the emulator and real clients end to end.
import { randomBytes } from 'node:crypto';
import {
  claimSignature,
  fromHex,
  G,
  K,
  modPow,
  N,
  padHex,
  parseHex,
  passwordX,
  scrambler,
  sessionKey,
  srpPoolName,
  srpTimestamp,
} from '../srp-math.ts';
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

/** For tests: the client's secret `a` and the clock, so a proof can be compared with another client's. */
export interface ExchangeOptions {
  a?: bigint;
  now?: () => Date;
}

/** A challenge value that is not one SRP can use: not Cognito's answer, so the sign-in stops. */
const unexpected = (what: string) => new AuthError('UNEXPECTED_RESPONSE', `SRP: ${what}`);

/** A fresh secret `a` and A = g^a, A not 0 mod N. */
function clientKeys(a?: bigint): { a: bigint; A: bigint } {
  for (;;) {
    const secret = a ?? fromHex(randomBytes(32).toString('hex'));
    const A = modPow(G, secret, N);
    if (A % N !== 0n) return { a: secret, A };
  }
}

/**
 * The exchange for the secret `<prefix><id>:<password>`: the password's (pool name, USER_ID_FOR_SRP) or a device's
 * (group key, device key). `id` undefined: the challenge's USER_ID_FOR_SRP.
 */
function exchange(
  prefix: string,
  id: string | undefined,
  password: string,
  options: ExchangeOptions,
): SrpExchange {
  const { a, A } = clientKeys(options.a);
  return {
    srpA: padHex(A),
    prove(parameters) {
      const B = parseHex(parameters.SRP_B ?? '');
      const salt = parameters.SALT ?? '';
      const block = parameters.SECRET_BLOCK ?? '';
      const userId = id ?? parameters.USER_ID_FOR_SRP ?? parameters.USERNAME ?? '';
      if (B === undefined || B % N === 0n) throw unexpected('SRP_B');
      if (parseHex(salt) === undefined) throw unexpected('SALT');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(block)) throw unexpected('SECRET_BLOCK');
      if (userId === '') throw unexpected('USER_ID_FOR_SRP');
      const u = scrambler(A, B);
      if (u === 0n) throw unexpected('u');
      const x = passwordX(salt, prefix, userId, password);
      const base = (((B - K * modPow(G, x, N)) % N) + N) % N;
      const S = modPow(base, a + u * x, N);
      const timestamp = srpTimestamp((options.now ?? (() => new Date()))());
      return {
        PASSWORD_CLAIM_SIGNATURE: claimSignature(sessionKey(S, u), prefix, userId, block, timestamp),
        PASSWORD_CLAIM_SECRET_BLOCK: block,
        TIMESTAMP: timestamp,
      };
    },
  };
}

/** USER_SRP_AUTH with `password`: SRP_A now, PASSWORD_VERIFIER's answer over USER_ID_FOR_SRP later. */
export function passwordExchange(
  password: string,
  userPoolId: string,
  options: ExchangeOptions = {},
): SrpExchange {
  return exchange(srpPoolName(userPoolId), undefined, password, options);
}

/** DEVICE_SRP_AUTH for a remembered device: SRP_A now, DEVICE_PASSWORD_VERIFIER's answer later. */
export function deviceExchange(device: DeviceSecrets, options: ExchangeOptions = {}): SrpExchange {
  return exchange(device.groupKey, device.key, device.password, options);
}

/** A new random device password and the verifier ConfirmDevice takes for it (salt and verifier, base64). */
export function newDeviceVerifier(
  key: string,
  groupKey: string,
): { password: string; salt: string; verifier: string } {
  const password = randomBytes(40).toString('base64');
  const salt = padHex(fromHex(randomBytes(16).toString('hex')));
  const verifier = padHex(modPow(G, passwordX(salt, groupKey, key, password), N));
  return {
    password,
    salt: Buffer.from(salt, 'hex').toString('base64'),
    verifier: Buffer.from(verifier, 'hex').toString('base64'),
  };
}
