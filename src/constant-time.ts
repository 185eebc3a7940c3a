// Compares secrets (tokens, states, nonces) in constant time, so timing tells an attacker nothing.
import { timingSafeEqual } from 'node:crypto';

/** True when `a` and `b` are the same string; the time taken depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
