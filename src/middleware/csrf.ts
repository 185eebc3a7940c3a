// CSRF defence: a synchronizer token kept in the session, plus refusal of cross-site POSTs by Origin/Sec-Fetch-Site.
import type { Context, Middleware } from 'koa';
import { constantTimeEqual } from '../constant-time.ts';
import { sessionOf } from '../session/auth-session.ts';
import { newCsrfToken } from '../session/csrf-token.ts';
import { HttpError } from '../http-error.ts';

/** The session's CSRF token, created on first use (this is what starts a pre-sign-in session). */
export function csrfToken(ctx: Context): string {
  const session = sessionOf(ctx);
  session.csrf ??= newCsrfToken();
  return session.csrf;
}

/**
 * Refuses a state-changing request unless it comes from our own origin and carries the session's token.
 * Runs after the form parser and before any handler, so a refused request never reaches Cognito.
 */
export function verifyCsrf(appOrigin: string): Middleware {
  return async function verifyCsrf(ctx, next) {
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'OPTIONS') {
      await next();
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
    const expected = (ctx.session as { csrf?: unknown } | null)?.csrf;
    const sent = ctx.state.form?._csrf;
    if (typeof expected !== 'string' || typeof sent !== 'string' || !constantTimeEqual(expected, sent)) {
      throw new HttpError(403, 'missing or wrong CSRF token');
    }
    await next();
  };
}
