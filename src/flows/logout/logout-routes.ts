// Sign-out: GET asks for confirmation, POST revokes the refresh token and destroys the session.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import { effectiveLoginMode } from '../../config.ts';
import { paths } from '../../paths.ts';
import { currentAuth, endSession } from '../../session/auth-session.ts';
import { loginUrl } from '../../notices.ts';
import { redirectPublic } from '../../middleware/base-path.ts';
import type { FlowDeps } from '../types.ts';

/** Where to go once the hosted UI's sign-out comes back to /signed-out: a checked `returnTo`, for a few minutes. */
export const AFTER_SIGN_OUT_COOKIE = 'after_sign_out';
export const AFTER_SIGN_OUT_OPTIONS = {
  signed: true,
  httpOnly: true,
  sameSite: 'lax',
  maxAge: 5 * 60_000,
  overwrite: true,
} as const;

export function logoutRoutes(router: Router, deps: FlowDeps): void {
  const { cognito, renderer, logger } = deps;

  /** Where to go after signing out: `returnTo` when it is ours or on ALLOWED_REDIRECT_HOSTS (an app of ours). */
  const afterSignOut = (returnTo: unknown): string | undefined => {
    const none = '';
    const target = deps.returnTo(returnTo, none);
    return target === none ? undefined : target;
  };

  router.get(paths.logout, function logoutGet(ctx: Context) {
    const returnTo = afterSignOut(ctx.query.returnTo);
    if (!currentAuth(ctx)) {
      if (returnTo) return redirectPublic(ctx, returnTo);
      ctx.redirect(paths.home);
      return;
    }
    renderer.render(ctx, 'pages/logout.njk', { returnTo });
  });

  router.post(paths.logout, async function logoutPost(ctx: Context) {
    const auth = currentAuth(ctx);
    // Our session is the source of truth: it ends even when Cognito cannot be told.
    endSession(ctx);
    if (auth) {
      try {
        await cognito.revokeRefreshToken(auth.refreshToken);
      } catch (err) {
        const code = err instanceof AuthError ? err.code : 'unknown';
        logger.warn({ error: code }, 'refresh token revocation failed; the session was ended anyway');
      }
    }
    const returnTo = afterSignOut(ctx.state.form?.returnTo);
    // Signed in through the hosted UI: its own session cookie must end too, or the next visit is signed in again.
    if (deps.hostedUi && (auth?.via === 'hosted' || effectiveLoginMode(deps.config) === 'hosted')) {
      // Cognito comes back only to the registered sign-out URL: where to go from there waits in a signed cookie.
      if (returnTo) ctx.cookies.set(AFTER_SIGN_OUT_COOKIE, returnTo, AFTER_SIGN_OUT_OPTIONS);
      return ctx.redirect(deps.hostedUi.logoutUrl(new URL(paths.signedOut, deps.config.appBaseUrl).href));
    }
    if (returnTo) return redirectPublic(ctx, returnTo);
    ctx.redirect(loginUrl(undefined, 'signed-out'));
  });
}
