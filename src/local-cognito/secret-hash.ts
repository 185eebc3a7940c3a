// SECRET_HASH: Base64(HMAC_SHA256(client secret, username + client id)), checked in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { notAuthorized } from './errors.ts';

/** The SECRET_HASH a caller must send for `username` on a client with a secret. */
export function secretHash(clientSecret: string, username: string, clientId: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');
}

/**
 * Throws Cognito's NotAuthorizedException unless `given` is the SECRET_HASH of `username` for the client.
 * Clients without a secret accept anything (Cognito ignores the parameter then).
 */
export function checkSecretHash(
  client: { clientId: string; clientSecret?: string | undefined },
  username: string,
  given: string | undefined,
): void {
  if (!client.clientSecret) return;
  if (given === undefined || given === '') {
    throw notAuthorized(
      `Client ${client.clientId} is configured with secret but SECRET_HASH was not received`,
    );
  }
  const expected = Buffer.from(secretHash(client.clientSecret, username, client.clientId));
  const actual = Buffer.from(given);
  const same = expected.length === actual.length && timingSafeEqual(expected, actual);
  if (!same) throw notAuthorized(`Unable to verify secret hash for client ${client.clientId}`);
}
