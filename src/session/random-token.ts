// Random tokens (session ids, CSRF tokens and their cookie bindings): 256 bits from the CSPRNG each, drawn from a
// pool filled 128 tokens at a time, since each synchronous call into the CSPRNG costs about as much as a small fill
// (a first visit made two: a tenth of its whole cost). The bytes are the CSPRNG's, each handed out once.
import { randomFillSync } from 'node:crypto';

const TOKEN_BYTES = 32;
const POOL_BYTES = TOKEN_BYTES * 128;

const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** 256 random bits, base64url (43 characters). */
export function randomToken(): string {
  if (offset + TOKEN_BYTES > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const token = pool.toString('base64url', offset, offset + TOKEN_BYTES);
  // Handed out bytes are wiped at once: nothing later can read a token back from the pool.
  pool.fill(0, offset, offset + TOKEN_BYTES);
  offset += TOKEN_BYTES;
  return token;
}
