// Rules every password sign-in shares: the app client must allow the flow, and failed passwords lead to a lockout.
import { invalidParameter } from '../errors.ts';
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
