// CSRF defence: a synchronizer token in the session once there is one, a signed double-submit token bound to a
// random cookie for a visitor without one (so showing a form stores nothing), and refusal of cross-site POSTs by
// Origin/Sec-Fetch-Site.
import type { Context, Middleware } from 'koa';
import { constantTimeEqual } from '../constant-time.ts';
import type { SessionData } from '../session/auth-session.ts';
import {
  anonymousCsrfToken,
  issuedAnonymousCsrfToken,
  newCsrfToken,
  verifyAnonymousCsrfToken,
} from '../session/csrf-token.ts';
import { sessionStoreReady } from '../session/session-middleware.ts';
import { HttpError } from '../http-error.ts';

/**
 * The session this request has in the store: one it loaded, or a new one that will be saved because something was
 * put in it. Undefined for a visitor without a session (or when the session could not be loaded: an error page).
 */
function storedSession(ctx: Context): SessionData | undefined {
  let session: (SessionData & { isNew?: boolean; populated?: boolean }) | null;
  try {
    session = ctx.session;
  } catch {
    return undefined;
  }
  if (!session || (session.isNew && !session.populated)) return undefined;
  return session;
}

/**
 * The token for this request's forms: the session's synchronizer token when there is a session; otherwise a
 * double-submit token, which needs no session, so a visitor who only looks at a form costs no stored session.
 */
export function csrfToken(ctx: Context): string {
  const session = storedSession(ctx);
  if (!session) return anonymousCsrfToken(ctx);
  session.csrf ??= newCsrfToken();
  return session.csrf;
}

const unavailable = () => new HttpError(503, 'session store unavailable', 5);

/**
 * Refuses a state-changing request unless it comes from our own origin and carries a valid token: the session's
 * token, or (unless the session is signed in) the double-submit token of this browser's binding cookie, which a
 * form shown before there was a session carries. Runs after the form parser and before any handler, so a refused
 * request never reaches Cognito.
 */
export function verifyCsrf(appOrigin: string): Middleware {
  return async function verifyCsrf(ctx, next) {
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'OPTIONS') {
      await next();
      // A form shown without a session is only worth showing if its submit can be kept: with the store down,
      // fail closed as every page that needs the store does.
      if (issuedAnonymousCsrfToken(ctx) && !(await sessionStoreReady(ctx))) throw unavailable();
      return;
    }
    const fetchSite = ctx.get('sec-fetch-site');
    if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      throw new HttpError(403, `cross-site request (Sec-Fetch-Site: ${fetchSite})`);
    }
    const origin = ctx.get('origin');
    // `Origin: null` is what browsers send from our own no-referrer pages (those that take codes); it proves
    // nothing either way, so Sec-Fetch-Site (above) and the token decide.
    if (origin && origin !== 'null' && origin !== appOrigin) throw new HttpError(403, 'cross-origin request');
    const sent = ctx.state.form?._csrf;
    if (typeof sent !== 'string' || sent === '') throw new HttpError(403, 'missing CSRF token');
    const session = storedSession(ctx);
    const expected = session?.csrf;
    if (typeof expected === 'string' && constantTimeEqual(expected, sent)) {
      await next();
      return;
    }
    if (!session?.auth && verifyAnonymousCsrfToken(ctx, sent)) {
      // What the handler starts (a session) must be kept: no Cognito call while the store is down.
      if (!(await sessionStoreReady(ctx))) throw unavailable();
      await next();
      return;
    }
    throw new HttpError(403, 'missing or wrong CSRF token');
  };
}
