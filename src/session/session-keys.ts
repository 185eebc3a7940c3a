// Keys derived from SESSION_KEYS, one per purpose: each secret gives a separate key with HKDF, never itself.
import { hkdfSync } from 'node:crypto';

/** What a derived key is for; each purpose gets keys of its own from the same secrets. */
export type KeyPurpose =
  'session-values' | 'session-owners' | 'csrf-double-submit' | 'hosted-authorization' | 'recent-sign-ups';

const SALT = 'cognito-login/session-keys/v1';
const cache = new Map<string, Buffer>();

/**
 * One 256-bit key per secret, in the order given (newest first: the first key is the one that seals or signs,
 * every key opens or verifies, so a rotation with the same list keeps what the old secret made readable).
 */
export function deriveKeys(secrets: readonly string[], purpose: KeyPurpose): Buffer[] {
  return secrets.map((secret) => {
    const id = `${purpose}\0${secret}`;
    let key = cache.get(id);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', secret, SALT, purpose, 32));
      cache.set(id, key);
    }
    return key;
  });
}
