// A sign-up whose address was taken must look like a new one afterwards too: at sign-in with the password just
// chosen (from any browser), and when its code is tried. What sign-in needs for that: the password's hash, kept by
// address (recent-sign-ups.ts), and a stand-in answer.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AuthError } from '../../cognito/errors.ts';
import type { CognitoGateway, DeviceChoice, SignInResult } from '../../cognito/gateway.ts';
import { createTimingEqualizer, type TimingEqualizer } from '../timing-equalizer.ts';
import type { RecentSignUps } from './recent-sign-ups.ts';

/** scrypt's cost: about 50 ms, spent once per sign-up and once per sign-in that could be a pending one's. */
const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$<salt>$<hash>`, both base64url: what is kept of a sign-up's password (never the password). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${(await derive(password, salt)).toString('base64url')}`;
}

/** True when `password` is the one `stored` was made from; false for anything malformed. */
export async function passwordMatches(stored: string, password: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** How long a password sign-in takes at Cognito, per gateway (one per app), so a stand-in answer takes as long. */
const signInTimes = new WeakMap<CognitoGateway, TimingEqualizer>();

/**
 * The sign-in form's call to Cognito. After a recent sign-up whose address was taken (shown as success), that address
 * with the password submitted then gets what a new, unconfirmed account gets, in any browser: Cognito's
 * UserNotConfirmedException, here thrown without asking Cognito (which would check the owner's password, count a
 * failure against the owner, and answer "incorrect"), after about as long as Cognito takes. The caller treats it
 * exactly as Cognito's own: the same throttle settling, a code sent, /confirm. Any other password goes to Cognito.
 */
export async function signInWithPassword(
  deps: { cognito: CognitoGateway; recentSignUps: RecentSignUps },
  username: string,
  password: string,
  devices?: DeviceChoice,
): Promise<SignInResult> {
  const { cognito } = deps;
  let times = signInTimes.get(cognito);
  if (!times) signInTimes.set(cognito, (times = createTimingEqualizer()));
  const recent = await deps.recentSignUps.find(username);
  // Checked for a new account's sign-up as for a taken one's, so both spend the same time on it.
  const chosen = recent !== undefined && (await passwordMatches(recent.passwordHash, password));
  const started = performance.now();
  if (chosen && recent.taken) {
    await times.pad(started);
    throw new AuthError('USER_NOT_CONFIRMED', 'UserNotConfirmedException');
  }
  try {
    return await cognito.signInWithPassword(username, password, devices);
  } catch (err) {
    // Cognito's verdict on a password, right or wrong, is what the stand-in answer must take as long as.
    if (
      err instanceof AuthError &&
      (err.code === 'USER_NOT_CONFIRMED' || err.code === 'INVALID_CREDENTIALS')
    ) {
      times.record(performance.now() - started);
    }
    throw err;
  }
}
