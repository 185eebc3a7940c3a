// Validates `returnTo`: same-origin paths, or absolute URLs on the hosts ALLOWED_REDIRECT_HOSTS lists; else the fallback.
import { paths } from './paths.ts';

const MAX_LENGTH = 2048;
// Control characters, backslashes and whitespace (Unicode's too: NBSP, U+2028, U+3000) never belong in a path we
// redirect to.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0020\u007f-\u009f\\\s]/;
/** Control characters alone (a decoded path may hold spaces, never these). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Returns `input` when it is a same-origin path such as `/account?tab=1`, else `fallback`.
 * Refuses `//host`, `/\host`, schemes, userinfo, control characters, whitespace and their percent-encoded forms.
 */
export function safeReturnTo(input: unknown, fallback: string = paths.account): string {
  // The fallback itself is what any answer here would be (a sign-in's checked target, checked again, usually is).
  if (input === fallback) return fallback;
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_LENGTH) return fallback;
  if (!isSafePath(input)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(input);
  } catch {
    return fallback;
  }
  // An encoded `//` or `\` could turn into one after a later decoding step by a proxy or the browser, and some
  // drop whitespace: the decoded form, with its whitespace gone, must still be a safe path. An encoded space
  // inside a path (`/files/my%20report.pdf`) is fine: we redirect to the encoded form.
  if (decoded !== input && (CONTROL.test(decoded) || !isSafePath(decoded.replace(/\s/g, ''))))
    return fallback;
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

/** Where besides our own paths a browser may be sent back to (after sign-in, or sign-out). */
export interface RedirectPolicy {
  /** Our public origin (APP_BASE_URL): an absolute URL on it comes back as a path. */
  ownOrigin: string;
  /** ALLOWED_REDIRECT_HOSTS, lower case: `app.example.com`, `app.example.com:8443` or `*.example.com`. */
  allowedHosts: readonly string[];
  /** Plain http allowed too (local mode only); otherwise https alone. */
  allowHttp: boolean;
  /** Where to go when `returnTo` is missing or refused: a public path (default `/account`). */
  fallback?: string;
}

/** Checks a `returnTo`: a safe path as `safeReturnTo` says, or an absolute URL the policy allows; else `fallback`. */
export type ReturnToCheck = (input: unknown, fallback?: string) => string;

/**
 * A `returnTo` check for `policy`. Absolute URLs are parsed with the WHATWG URL parser and must be https (http only
 * when allowed), without userinfo, on a host listed exactly or under a `*.` entry (one or more labels below it),
 * with the port the entry names (none: the scheme's default). IDN look-alikes arrive as punycode and match nothing.
 * The URL returned is the parser's normalised form, the one that was checked.
 */
export function createReturnTo(policy: RedirectPolicy): ReturnToCheck {
  const own = new URL(policy.ownOrigin);
  const defaultTarget = policy.fallback ?? paths.account;
  return function returnTo(input, fallback = defaultTarget) {
    if (typeof input !== 'string' || !/^https?:\/\//i.test(input)) return safeReturnTo(input, fallback);
    if (input.length > MAX_LENGTH || FORBIDDEN.test(input)) return fallback;
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      return fallback;
    }
    if (url.username !== '' || url.password !== '') return fallback;
    if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) return fallback;
    if (url.origin === own.origin) return safeReturnTo(url.pathname + url.search + url.hash, fallback);
    return hostAllowed(url, policy.allowedHosts) ? url.href : fallback;
  };
}

function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  return allowed.some((entry) => {
    const colon = entry.lastIndexOf(':');
    const [name, port] = colon > 0 ? [entry.slice(0, colon), entry.slice(colon + 1)] : [entry, ''];
    if (url.port !== port) return false;
    if (name.startsWith('*.')) {
      const suffix = name.slice(1);
      return host.endsWith(suffix) && host.length > suffix.length;
    }
    return host === name;
  });
}
