// The identity headers an app behind us trusts: removing every client-sent copy, and building ours, injection-safe.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Identity } from '../session/resolve-auth.ts';

/** `sub`, as oauth2-proxy names it. */
export const HEADER_USER = 'X-Auth-Request-User';
/** The email, when known. */
export const HEADER_EMAIL = 'X-Auth-Request-Email';
/** The `preferred_username` attribute, when known. */
export const HEADER_PREFERRED_USERNAME = 'X-Auth-Request-Preferred-Username';
/** The groups, comma-separated (each one percent-encoded, so a comma inside a name is `%2C`). */
export const HEADER_GROUPS = 'X-Auth-Request-Groups';
/** `sub`, as an ALB names it. */
export const HEADER_AMZN_IDENTITY = 'x-amzn-oidc-identity';
/** The signed ALB-shaped assertion (ES256 JWT). */
export const HEADER_AMZN_DATA = 'x-amzn-oidc-data';
/** The access token, only with `passAccessToken` (PASS_ACCESS_TOKEN=true). */
export const HEADER_AMZN_ACCESS_TOKEN = 'x-amzn-oidc-accesstoken';

/** Every header `identityHeaders` may set, e.g. for Traefik's `authResponseHeaders` or Caddy's `copy_headers`. */
export const IDENTITY_HEADER_NAMES: readonly string[] = [
  HEADER_USER,
  HEADER_EMAIL,
  HEADER_PREFERRED_USERNAME,
  HEADER_GROUPS,
  HEADER_AMZN_IDENTITY,
  HEADER_AMZN_DATA,
  HEADER_AMZN_ACCESS_TOKEN,
];

/** Whole families we own: oauth2-proxy's `X-Auth-Request-*` (its `-Access-Token` too) and the ALB's `x-amzn-oidc-*`. */
const STRIPPED_PREFIXES = ['x-auth-request-', 'x-amzn-oidc-'];
/** oauth2-proxy's upstream names: we never set them, but an app written for it would trust a client's copy. */
const STRIPPED_NAMES = new Set([
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
  'x-forwarded-access-token',
]);

/**
 * True when a request header named `name` claims an identity and must not come from a client: any case, with
 * underscores for dashes (WSGI and CGI apps read `X_Auth_Request_Email` as `X-Auth-Request-Email`). Covers every
 * `X-Auth-Request-*` and `x-amzn-oidc-*` name and oauth2-proxy's `X-Forwarded-User`/`-Email`/`-Groups`/
 * `-Preferred-Username`/`-Access-Token`.
 */
export function isIdentityHeaderName(name: string): boolean {
  const canonical = name.toLowerCase().replaceAll('_', '-');
  return STRIPPED_PREFIXES.some((p) => canonical.startsWith(p)) || STRIPPED_NAMES.has(canonical);
}

/**
 * Removes, in place, every client-sent identity header (see `isIdentityHeaderName`) and returns how many entries
 * went. Takes a headers object (`req.headers`, `req.headersDistinct`, or any record whatever its keys' case) or a
 * raw `[name, value, name, value, ...]` array (`req.rawHeaders`), so it fits whichever a proxy library forwards.
 * Call it before the request is checked or proxied, on every form the proxy reads.
 */
export function stripIdentityHeaders(
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined> | string[],
): number {
  let removed = 0;
  if (Array.isArray(headers)) {
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      if (isIdentityHeaderName(headers[i]!)) {
        headers.splice(i, 2);
        removed += 1;
      }
    }
    return removed;
  }
  for (const name of Object.keys(headers)) {
    if (isIdentityHeaderName(name)) {
      delete (headers as Record<string, unknown>)[name];
      removed += 1;
    }
  }
  return removed;
}

/**
 * Every client-sent copy of an identity header gone from a request, in every form Node keeps its headers in: to call
 * before anything reads or forwards it.
 */
export function scrubIdentityHeaders(req: IncomingMessage): void {
  // Every form is built from `rawHeaders`: a request whose raw names claim no identity (nearly all) has nothing to
  // remove anywhere, and Node need not build `headersDistinct` for it.
  if (!claimsIdentity(req.rawHeaders)) return;
  // Node builds `headersDistinct` from `rawHeaders` on first read: read it before either changes.
  const distinct = req.headersDistinct as Record<string, unknown>;
  stripIdentityHeaders(req.headers);
  stripIdentityHeaders(req.rawHeaders);
  for (const name of Object.keys(distinct)) if (!(name in req.headers)) delete distinct[name];
}

/** True when a raw header array names an identity header; every such name starts with an x, of either case. */
function claimsIdentity(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if ((name.charCodeAt(0) | 0x20) === 0x78 && isIdentityHeaderName(name)) return true;
  }
  return false;
}

/** What the headers need beside the Identity. */
export interface IdentityHeaderExtras {
  /** The `preferred_username` attribute, when known. */
  preferredUsername?: string | undefined;
  /** The signed assertion for `x-amzn-oidc-data` (`IdentityAsserter.assertionFor`). */
  assertion: string;
  /** The request's access token, sent as `x-amzn-oidc-accesstoken` only when `passAccessToken` is true. */
  accessToken?: string | undefined;
  /** PASS_ACCESS_TOKEN. */
  passAccessToken: boolean;
}

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
/** Visible ASCII but `%`: the common case, returned without a copy. */
const PLAIN = /^[\x21-\x24\x26-\x7e]*$/;

/**
 * A value safe for any header and for Node's `setHeader`: visible ASCII (0x21-0x7E) stays as it is, except `%`
 * and the characters of `alsoEncode`; every other character (space, control characters such as CR and LF,
 * anything non-ASCII) is percent-encoded as UTF-8, as `encodeURIComponent` would. An app reverses it with
 * `decodeURIComponent` or Python's `urllib.parse.unquote` (not `unquote_plus`: `+` is a literal plus). Plain
 * ASCII values (every `sub`, nearly every email) come out unchanged; the result never holds CR, LF or a control
 * character, so no value can start a header of its own.
 */
export function encodeHeaderValue(value: string, alsoEncode = ''): string {
  if (PLAIN.test(value) && ![...alsoEncode].some((c) => value.includes(c))) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    const plain = byte >= 0x21 && byte <= 0x7e && char !== '%' && !alsoEncode.includes(char);
    out += plain ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The identity headers to set on the proxied request or the forward-auth answer (names as the constants above
 * spell them; `setHeader` ignores case). Values go through `encodeHeaderValue`; groups are each encoded (commas
 * too) and joined with `,`; headers with nothing to say (no email, no groups, no preferred username) are left
 * out. The access token and the assertion are sent only when they are visible ASCII, as every JWT is.
 */
export function identityHeaders(identity: Identity, extras: IdentityHeaderExtras): Record<string, string> {
  const headers: Record<string, string> = {
    [HEADER_USER]: encodeHeaderValue(identity.userId),
    [HEADER_AMZN_IDENTITY]: encodeHeaderValue(identity.userId),
  };
  if (identity.email) headers[HEADER_EMAIL] = encodeHeaderValue(identity.email);
  if (extras.preferredUsername) {
    headers[HEADER_PREFERRED_USERNAME] = encodeHeaderValue(extras.preferredUsername);
  }
  const groups = identity.groups.filter((g) => g !== '').map((g) => encodeHeaderValue(g, ','));
  if (groups.length > 0) headers[HEADER_GROUPS] = groups.join(',');
  if (VISIBLE_ASCII.test(extras.assertion)) headers[HEADER_AMZN_DATA] = extras.assertion;
  if (extras.passAccessToken && extras.accessToken && VISIBLE_ASCII.test(extras.accessToken)) {
    headers[HEADER_AMZN_ACCESS_TOKEN] = extras.accessToken;
  }
  return headers;
}
