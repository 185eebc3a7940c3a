// A user's stored password: the scrypt hash the password sign-ins check, and the SRP verifier USER_SRP_AUTH checks.
import { hashPassword } from './password.ts';
import { makeVerifier, srpPoolName } from './srp.ts';
import type { PoolRecord, UserRecord } from './state.ts';

/**
 * What storing `password` for the user sets (assign it to the user record): its hash and its SRP salt and
 * verifier over the internal username. Computed first, so callers can check everything before changing the user.
 */
export async function passwordFields(
  pool: Pick<PoolRecord, 'id'>,
  user: Pick<UserRecord, 'username'>,
  password: string,
): Promise<Pick<UserRecord, 'passwordHash' | 'srp'>> {
  return {
    passwordHash: await hashPassword(password),
    srp: makeVerifier(srpPoolName(pool.id), user.username, password),
  };
}
