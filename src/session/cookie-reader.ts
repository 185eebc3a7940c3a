// Reads one cookie's value out of a Cookie header on Node's own request, before Koa and its cookies module.
import { constantTimeEqual } from '../constant-time.ts';
import { createLru } from '../lru.ts';
import type { CookieKeys } from './cookie-keys.ts';

/** How many sessions' verified signatures are remembered (the most recently used). */
const VERIFIED_SIGNATURES = 10_000;

const SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** A cookie's value as the `cookies` module reads it (the first `name=` of the header, quotes taken off). */
export function cookieReader(name: string): (header: string) => string | undefined {
  const pattern = new RegExp(`(?:^|;) *${name.replace(SPECIAL, '\\$&')}=([^;]*)`);
  return (header) => {
    const value = pattern.exec(header)?.[1];
    if (value === undefined) return undefined;
    return value[0] === '"' ? value.slice(1, -1) : value;
  };
}

/**
 * The session id of a Cookie header whose session cookie is signed with the newest key, as the answers given before
 * Koa need it: a cookie signed by an older key is Koa's to re-sign, and a missing or wrong signature is nobody's.
 * A signature found right is remembered for its id (the most recently used 10,000), so a session's next requests
 * compare the signature they carry with it, in constant time, instead of computing an HMAC again: the same answer,
 * as the signature of an id under a key never changes, for a fifth of the work.
 */
export function signedSessionIdReader(
  cookieName: string,
  keys: CookieKeys,
): (header: string) => string | undefined {
  const cookie = cookieReader(cookieName);
  const signature = cookieReader(`${cookieName}.sig`);
  const verified = createLru<string>(VERIFIED_SIGNATURES);
  return (header) => {
    const id = cookie(header);
    if (id === undefined) return undefined;
    const digest = signature(header);
    if (digest === undefined) return undefined;
    const known = verified.get(id);
    if (known !== undefined) return constantTimeEqual(known, digest) ? id : undefined;
    if (keys.index(`${cookieName}=${id}`, digest) !== 0) return undefined;
    verified.set(id, digest);
    return id;
  };
}
