// Cognito's SECRET_HASH: Base64(HMAC-SHA256(key = client secret, message = username + client id)).
import { createHmac } from 'node:crypto';

/** The SECRET_HASH for `username` (Cognito's internal username after sign-in, see COGNITO.md). */
export function secretHash(username: string, clientId: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId, 'utf8')
    .digest('base64');
}
