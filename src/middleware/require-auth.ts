// Lets only signed-in users through: ends sessions past their absolute lifetime, refreshes expired access tokens.
import type { Middleware } from 'koa';
import { AuthError } from '../cognito/errors.ts';
import { loginUrl } from '../notices.ts';
import type { FlowDeps } from '../flows/types.ts';
import { currentAuth, endSession, sessionOf } from '../session/auth-session.ts';

/** Refresh this long before the access token expires, so the app behind never gets one that dies in flight. */
const REFRESH_SKEW_MS = 60_000;

/** Requires a signed-in session; anonymous visitors go to `/login?returnTo=<this page>`. */
export function requireAuth(deps: Pick<FlowDeps, 'config' | 'refresher' | 'clock' | 'logger'>): Middleware {
  const { config, refresher, clock, logger } = deps;
  return async function requireAuth(ctx, next) {
    const auth = currentAuth(ctx);
    const here = ctx.path + ctx.search;
    if (!auth) return ctx.redirect(loginUrl(here, 'sign-in-required'));
    const now = clock();
    if (now - auth.signedInAt >= config.session.absoluteTimeoutMs) {
      endSession(ctx);
      return ctx.redirect(loginUrl(here, 'session-ended'));
    }
    if (auth.accessExpiresAt - REFRESH_SKEW_MS <= now) {
      try {
        sessionOf(ctx).auth = await refresher.refresh(auth);
      } catch (err) {
        if (err instanceof AuthError && (err.code === 'SERVICE_UNAVAILABLE' || err.code === 'THROTTLED'))
          throw err;
        // Refused (revoked, expired, user disabled) or unusable: the session is over.
        logger.info(
          { code: err instanceof AuthError ? err.code : 'unknown' },
          'token refresh refused; session ended',
        );
        endSession(ctx);
        return ctx.redirect(loginUrl(here, 'session-ended'));
      }
    }
    await next();
  };
}
