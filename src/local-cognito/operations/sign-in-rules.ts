// Rules every password sign-in shares: the app client must allow the flow, and failed passwords lead to a lockout.
import { invalidParameter, notAuthorized } from '../errors.ts';
import { verifyPassword } from '../password.ts';
import type { OpContext } from './context.ts';
import type { ClientRecord, UserRecord } from '../state.ts';

const LOCKOUT_AFTER = 5;
const LOCKOUT_MAX_MS = 15 * 60 * 1000;

/** InvalidParameterException unless the client's ExplicitAuthFlows allow `flow`. */
export function requireFlow(client: ClientRecord, flow: string): void {
  const flows = client.explicitAuthFlows;
  if (!flows.includes(`ALLOW_${flow}`) && !flows.includes(flow)) {
    throw invalidParameter(`${flow} flow not enabled for this client`);
  }
}

/** One more failed password: after LOCKOUT_AFTER in a row, a lock of 1 s doubling per failure up to 15 min. */
export function recordFailure(user: UserRecord, now: number): void {
  user.failedAttempts += 1;
  if (user.failedAttempts >= LOCKOUT_AFTER) {
    const ms = Math.min(1000 * 2 ** (user.failedAttempts - LOCKOUT_AFTER), LOCKOUT_MAX_MS);
    user.lockedUntil = now + ms;
  }
}

/**
 * Checks a known user's password with Cognito's lockout: disabled and locked users are refused even with the right
 * password, a wrong one counts towards the lock, a right one clears it.
 */
export async function checkUserPassword(ctx: OpContext, user: UserRecord, password: string): Promise<void> {
  if (!user.enabled) throw notAuthorized('User is disabled.');
  if (user.lockedUntil > ctx.clock()) throw notAuthorized('Password attempts exceeded');
  const ok = await verifyPassword(password, user.passwordHash);
  const now = ctx.clock();
  // Parallel guesses: failures recorded while this one was hashing may have locked the account.
  if (user.lockedUntil > now) throw notAuthorized('Password attempts exceeded');
  if (!ok) {
    recordFailure(user, now);
    throw notAuthorized('Incorrect username or password.');
  }
  user.failedAttempts = 0;
  user.lockedUntil = 0;
}
