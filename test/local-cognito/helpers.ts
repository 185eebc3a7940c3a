// Shared test helpers: an SDK client for the emulator, SECRET_HASH, a settable clock, error capture.
import { createHmac } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { startLocalCognito, type LocalCognito, type LocalPoolInfo } from '../../src/local-cognito/index.ts';

/** The unchanged AWS SDK client, pointed at the emulator. */
export function sdkClient(emu: LocalCognito): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** Base64(HMAC_SHA256(secret, username + clientId)), computed independently of the emulator. */
export const hashFor = (secret: string, username: string, clientId: string): string =>
  createHmac('sha256', secret)
    .update(username + clientId)
    .digest('base64');

/** A clock the test moves by hand. */
export function fakeClock(start = Date.now()) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** The rejection of `promise` as `{ name, message }` (fails when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error;
    return { name: e.name, message: e.message };
  }
  throw new Error('expected the call to fail');
}

/** Decodes a JWT's payload without verifying it. */
export function claimsOf(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** An emulator on a free port with the local pool seeded, and an SDK client for it. */
export interface SeededEmulator {
  emu: LocalCognito;
  cognito: CognitoIdentityProviderClient;
  pool: LocalPoolInfo;
}

/** Starts the emulator (on `clock`) with its seeded pool; `stopSeededEmulator` ends both. */
export async function startSeededEmulator(clock: { now: () => number }): Promise<SeededEmulator> {
  const emu = await startLocalCognito({ port: 0, clock: clock.now });
  return { emu, cognito: sdkClient(emu), pool: await emu.ensureLocalPool() };
}

export async function stopSeededEmulator(seeded: SeededEmulator): Promise<void> {
  seeded.cognito.destroy();
  await seeded.emu.close();
}
