// Random identifiers in Cognito's shapes: pool ids, client ids and secrets, opaque tokens, codes.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters drawn uniformly from `alphabet` with a CSPRNG. */
export function randomString(length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet.charAt(randomInt(alphabet.length));
  return out;
}

/** `us-east-1_AbC123xyz`: the region, an underscore and 9 alphanumerics. */
export const newUserPoolId = (region: string): string => `${region}_${randomString(9, ALNUM)}`;

/** 26 lowercase alphanumerics, like Cognito's app client ids. */
export const newClientId = (): string => randomString(26, LOWER_ALNUM);

/** 51 lowercase alphanumerics, like Cognito's generated client secrets. */
export const newClientSecret = (): string => randomString(51, LOWER_ALNUM);

/** A v4 UUID (user `sub`, `jti`, `origin_jti`, `event_id`). */
export const newUuid = (): string => randomUUID();

/** An opaque, URL-safe random string carrying `bytes` random bytes. */
export const newOpaqueToken = (bytes = 48): string => randomBytes(bytes).toString('base64url');

/** A 6-digit verification code. */
export const newNumericCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');
