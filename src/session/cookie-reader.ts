// Reads one cookie's value out of a Cookie header on Node's own request, before Koa and its cookies module.
import type { CookieKeys } from './cookie-keys.ts';

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
 */
export function signedSessionIdReader(
  cookieName: string,
  keys: CookieKeys,
): (header: string) => string | undefined {
  const cookie = cookieReader(cookieName);
  const signature = cookieReader(`${cookieName}.sig`);
  return (header) => {
    const id = cookie(header);
    if (id === undefined) return undefined;
    const digest = signature(header);
    return digest !== undefined && keys.index(`${cookieName}=${id}`, digest) === 0 ? id : undefined;
  };
}
