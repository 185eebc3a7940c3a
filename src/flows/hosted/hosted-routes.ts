// The hosted-UI round trip: start (/login/hosted), the OAuth callback, and the page after hosted sign-out.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { AuthError } from '../../cognito/errors.ts';
import { constantTimeEqual } from '../../constant-time.ts';
import { paths } from '../../paths.ts';
import { completeSignIn } from '../complete-sign-in.ts';
import { redirectPublic } from '../../middleware/base-path.ts';
import { AFTER_SIGN_OUT_COOKIE, AFTER_SIGN_OUT_OPTIONS } from '../logout/logout-routes.ts';
import type { FlowDeps } from '../types.ts';
import { callbackUrl, startAuthorization } from './start-authorization.ts';

/** An authorization not finished within this time is stale (Cognito's codes live 5 minutes). */
const MAX_AGE_MS = 10 * 60_000;

export function hostedRoutes(router: Router, deps: FlowDeps): void {
  const { config, hostedUi, renderer, logger, clock, cognito } = deps;

  function showError(ctx: Context, status: number, cancelled = false): void {
    ctx.status = status;
    renderer.render(ctx, 'pages/hosted-error.njk', { cancelled });
  }

  router.get(paths.hostedStart, function hostedStart(ctx: Context) {
    const provider = typeof ctx.query.provider === 'string' ? ctx.query.provider : undefined;
    // Only providers we offer: a crafted link cannot pick another one.
    if (provider !== undefined && !config.oauth.identityProviders.includes(provider)) return ctx.throw(404);
    if (!startAuthorization(ctx, deps, { returnTo: ctx.query.returnTo, provider })) ctx.throw(404);
  });

  router.get(paths.callback, async function callback(ctx: Context) {
    if (!hostedUi) return ctx.throw(404);
    // Single use: whatever happens next, this authorization is spent.
    const pending = deps.pendingAuthorizations.take(ctx);
    const query = ctx.query;
    const state = typeof query.state === 'string' ? query.state : '';
    if (!pending || !constantTimeEqual(state, pending.state) || clock() - pending.startedAt > MAX_AGE_MS) {
      logger.warn(
        { hasPending: Boolean(pending) },
        'OAuth callback with a missing, wrong or stale state: refused',
      );
      return showError(ctx, 400);
    }
    if (typeof query.error === 'string') {
      logger.info({ error: query.error }, 'hosted UI returned an error');
      return showError(ctx, query.error === 'access_denied' ? 200 : 400, query.error === 'access_denied');
    }
    const code = typeof query.code === 'string' ? query.code : '';
    if (code === '' || code.length > 2048) return showError(ctx, 400);
    let tokens;
    try {
      tokens = await hostedUi.exchangeCode(code, callbackUrl(deps), pending.verifier);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      logger.warn({ error: err.code, cognito: err.cognitoName }, 'code exchange failed');
      // Outages end on the error page; a refused code (or our own misconfiguration) on the hosted-UI error page.
      if (!err.expose && err.code !== 'MISCONFIGURED') throw err;
      return showError(ctx, err.status);
    }
    try {
      await completeSignIn(ctx, deps, tokens, pending.returnTo, { nonce: pending.nonce });
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      // Refused tokens must not stay usable: revoke the refresh token we were given.
      if (tokens.refreshToken) await cognito.revokeRefreshToken(tokens.refreshToken).catch(() => undefined);
      return showError(ctx, 400);
    }
  });

  router.get(paths.signedOut, function signedOut(ctx: Context) {
    const after = ctx.cookies.get(AFTER_SIGN_OUT_COOKIE, { signed: true });
    if (after !== undefined) {
      ctx.cookies.set(AFTER_SIGN_OUT_COOKIE, null, AFTER_SIGN_OUT_OPTIONS);
      // Checked again: the cookie is ours (signed), but the rules may have changed since.
      const target = deps.returnTo(after, '');
      if (target) return redirectPublic(ctx, target);
    }
    renderer.render(ctx, 'pages/signed-out.njk');
  });
}
