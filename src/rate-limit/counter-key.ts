// Counter keys never name a person: a sign-in name, an address or a destination is counted under its hash.
import { hash } from 'node:crypto';

/** SHA-256 of `value`, base64url, 32 characters (192 bits): one-shot, with no hash object made per key. */
export function counterKey(value: string): string {
  return hash('sha256', value, 'base64url').slice(0, 32);
}
