// Sign-ups remembered by address for every browser and instance, so that a taken address looks like a new one at
// sign-in from anywhere, not only from the browser that signed up (finding 8 of the second security round).
import { createHmac } from 'node:crypto';
import type { SessionStore } from '../../session/memory-store.ts';
import { deriveKeys } from '../../session/session-keys.ts';

/** What is kept of a sign-up: a salted hash of the password submitted (never the password) and whether it was taken. */
export interface RecentSignUp {
  passwordHash: string;
  /** The address was taken: Cognito created nothing, the pages said otherwise. */
  taken: boolean;
}

export interface RecentSignUps {
  /** Keeps `username`'s latest sign-up for RECENT_SIGN_UP_MS; a later sign-up of the same address replaces it. */
  remember(username: string, signUp: RecentSignUp): Promise<void>;
  /** The latest sign-up of `username` (in any case, trimmed), if one was made within RECENT_SIGN_UP_MS. */
  find(username: string): Promise<RecentSignUp | undefined>;
  /** The account was confirmed: its sign-up needs no stand-in any more. */
  forget(username: string): Promise<void>;
}

/**
 * How long a sign-up is remembered: a week. A taken address looks new for that long from any browser; after it, a
 * sign-in with the password chosen then is checked by Cognito (and refused) like any other wrong password.
 */
export const RECENT_SIGN_UP_MS = 7 * 24 * 3_600_000;

const KEY_PREFIX = 'sign-up:';

/**
 * Kept in the session store (sealed there like every session, so the store holds no address and no hash in clear),
 * under a keyed hash of the address: `sign-up:<HMAC>`, never a valid session id (those are 43 characters of
 * base64url), so no cookie can load one as a session. Keys come from SESSION_KEYS (newest first; every one is looked
 * up, so a rotation keeps what was remembered).
 */
export function createRecentSignUps(store: SessionStore, secrets: readonly string[]): RecentSignUps {
  const keys = deriveKeys(secrets, 'recent-sign-ups');
  const idsOf = (username: string) =>
    keys.map(
      (key) =>
        KEY_PREFIX + createHmac('sha256', key).update(username.trim().toLowerCase()).digest('base64url'),
    );
  return {
    async remember(username, signUp) {
      await store.set(idsOf(username)[0]!, { ...signUp }, RECENT_SIGN_UP_MS);
    },
    async find(username) {
      for (const id of idsOf(username)) {
        const found = read(await store.get(id));
        if (found) return found;
      }
      return undefined;
    },
    async forget(username) {
      // Overwritten with nothing rather than destroyed: a destroyed id is never written again (the stores keep a
      // tombstone against stolen cookies), and a later sign-up of the address must be remembered.
      await Promise.all(idsOf(username).map((id) => store.set(id, {}, 1000)));
    },
  };
}

function read(value: Record<string, unknown> | undefined): RecentSignUp | undefined {
  if (!value || typeof value.passwordHash !== 'string' || typeof value.taken !== 'boolean') return undefined;
  return { passwordHash: value.passwordHash, taken: value.taken };
}
