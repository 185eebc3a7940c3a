// CSRF tokens: synchronizer tokens kept in a session, and for a visitor without one, signed double-submit tokens
// (OWASP's HMAC variant) bound to a random cookie, so showing a form stores nothing on the server.
import { createHmac } from 'node:crypto';
import { appSecrets } from './cookie-keys.ts';
import type Koa from 'koa';
import type { Context } from 'koa';
import { constantTimeEqual } from '../constant-time.ts';
import { randomToken } from './random-token.ts';
import { deriveKeys } from './session-keys.ts';

/** A synchronizer token: 256 random bits. */
export function newCsrfToken(): string {
  return randomToken();
}

/**
 * The cookie a double-submit token is bound to: 256 random bits, HttpOnly, `__Host-` prefixed whenever cookies are
 * Secure (host-only even when the session cookie is shared with subdomains, so no sibling can plant one).
 */
export function csrfCookieName(secure: boolean): string {
  return secure ? '__Host-csrf' : 'csrf';
}

/** Marks a double-submit token (a synchronizer token never has a dot). */
const ANONYMOUS_PREFIX = 'b.';

/** The requests that showed a double-submit token (they rely on the store to submit to). */
const issued = new WeakSet<Context>();
/**
 * The binding made in a request (the cookie goes out with its response), so its forms share one: a property of the
 * context, as the session middleware keeps its notes (a WeakMap would keep it past the request).
 */
const MADE_BINDING = Symbol('csrf binding made');
type Binder = Context & { [MADE_BINDING]?: string | undefined };

function cookieSecure(ctx: Context): boolean {
  return (ctx.cookies as unknown as { secure?: boolean }).secure === true;
}

function cookieOptions(ctx: Context) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: cookieSecure(ctx),
    path: '/',
    signed: false,
    overwrite: true,
  };
}

/** The binding this browser sent, if well-formed. */
function bindingOf(ctx: Context): string | undefined {
  const value = ctx.cookies.get(csrfCookieName(cookieSecure(ctx)), { signed: false });
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

/**
 * The token of a binding under `key`: HMAC-SHA256 over `len(binding) "!" binding`, as OWASP's signed double-submit
 * cookie binds its token to the session id (here the random cookie stands for the session a visitor does not have
 * yet). The same for a browser until its binding ends, as a synchronizer token is for its session, so a page shown
 * twice is the same page.
 */
function tokenFor(key: Buffer, binding: string): string {
  return `${ANONYMOUS_PREFIX}${createHmac('sha256', key).update(`csrf!${binding.length}!${binding}`).digest('base64url')}`;
}

/** Keys derived from the app's keys (SESSION_KEYS, newest first): the newest signs, every one verifies. */
function keysOf(ctx: Pick<Context, 'app'>): Buffer[] {
  const secrets = appSecrets(ctx.app);
  if (secrets.length === 0) throw new Error('CSRF tokens need app.keys');
  return deriveKeys(secrets, 'csrf-double-submit');
}

/**
 * A double-submit token for a visitor without a session, bound to this browser's random CSRF cookie (set now if
 * it has none) and signed with the newest key derived from SESSION_KEYS. Nothing is stored server-side.
 */
export function anonymousCsrfToken(ctx: Context): string {
  let binding = bindingOf(ctx) ?? (ctx as Binder)[MADE_BINDING];
  if (!binding) {
    binding = randomToken();
    (ctx as Binder)[MADE_BINDING] = binding;
    ctx.cookies.set(csrfCookieName(cookieSecure(ctx)), binding, cookieOptions(ctx));
  }
  issued.add(ctx);
  return tokenFor(keysOf(ctx)[0]!, binding);
}

/**
 * The double-submit token of `binding` under the app's newest key: what anonymousCsrfToken shows a browser whose
 * binding cookie is `binding` (first-visit.ts puts it into a kept page for a new binding of its own).
 */
export function doubleSubmitToken(app: Koa, binding: string): string {
  return tokenFor(keysOf({ app })[0]!, binding);
}

/** True when this request showed a form with a double-submit token (it then relies on a store to submit to). */
export function issuedAnonymousCsrfToken(ctx: Context): boolean {
  return issued.has(ctx);
}

/** True when `sent` is the double-submit token of the binding cookie this browser sent, under any listed key. */
export function verifyAnonymousCsrfToken(ctx: Context, sent: string): boolean {
  const binding = bindingOf(ctx);
  if (!binding || !sent.startsWith(ANONYMOUS_PREFIX)) return false;
  let valid = false;
  for (const key of keysOf(ctx)) valid = constantTimeEqual(tokenFor(key, binding), sent) || valid;
  return valid;
}

/**
 * Ends the binding at sign-in: double-submit tokens shown before it no longer work, and the signed-in session's
 * own token takes over.
 */
export function forgetCsrfBinding(ctx: Context): void {
  (ctx as Binder)[MADE_BINDING] = undefined;
  if (bindingOf(ctx) === undefined) return;
  ctx.cookies.set(csrfCookieName(cookieSecure(ctx)), null, cookieOptions(ctx));
}
