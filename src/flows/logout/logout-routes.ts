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
    // Signed in through the hosted UI: its own session cookie must end too, or the next visit is signed in again.
    if (deps.hostedUi && (auth?.via === 'hosted' || effectiveLoginMode(deps.config) === 'hosted')) {
      return ctx.redirect(deps.hostedUi.logoutUrl(new URL(paths.signedOut, deps.config.appBaseUrl).href));
    }
    const returnTo = afterSignOut(ctx.state.form?.returnTo);
    if (returnTo) return redirectPublic(ctx, returnTo);
    ctx.redirect(loginUrl(undefined, 'signed-out'));
  });
}
