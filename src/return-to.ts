// Validates `returnTo`: same-origin paths only, anything else becomes the fallback.
import { paths } from './paths.ts';

const MAX_LENGTH = 2048;
// Control characters, backslashes and whitespace (Unicode's too: NBSP, U+2028, U+3000) never belong in a path we
// redirect to.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0020\u007f-\u009f\\\s]/;

/**
 * Returns `input` when it is a same-origin path such as `/account?tab=1`, else `fallback`.
 * Refuses `//host`, `/\host`, schemes, userinfo, control characters, whitespace and their percent-encoded forms.
 */
export function safeReturnTo(input: unknown, fallback: string = paths.account): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_LENGTH) return fallback;
  if (!isSafePath(input)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(input);
  } catch {
    return fallback;
  }
  // An encoded `//` or `\` could turn into one after a later decoding step by a proxy or the browser.
  if (decoded !== input && !isSafePath(decoded)) return fallback;
  const base = 'http://return-to.invalid';
  const url = new URL(input, base);
  if (url.origin !== base) return fallback;
  const path = url.pathname + url.search + url.hash;
  // Dot segments collapse in the parser: `/..//evil.com` and `/.//evil.com` come out as `//evil.com`.
  if (!isSafePath(path)) return fallback;
  // Never send someone back to the page that signs them in or out.
  if (url.pathname === paths.login || url.pathname === paths.logout) return fallback;
  return path;
}

function isSafePath(value: string): boolean {
  return value.startsWith('/') && value[1] !== '/' && value[1] !== '\\' && !FORBIDDEN.test(value);
}
