// Sends the browser to the hosted UI, keeping state, PKCE verifier, nonce and returnTo in the server session.
import type { Context } from 'koa';
import { paths } from '../../paths.ts';
import type { FlowDeps } from '../types.ts';

export interface StartOptions {
  returnTo: unknown;
  /** A configured identity provider name ("Continue with Google"). */
  provider?: string | undefined;
  loginHint?: string | undefined;
}

/** The redirect URI, always from APP_BASE_URL (never the Host header). */
export const callbackUrl = (deps: Pick<FlowDeps, 'config'>) =>
  new URL(paths.callback, deps.config.appBaseUrl).href;

/** Starts an authorization; `returnTo` stays here, never inside `state`. Returns false when there is no hosted UI. */
export function startAuthorization(
  ctx: Context,
  deps: Pick<FlowDeps, 'config' | 'hostedUi' | 'clock' | 'returnTo' | 'pendingAuthorizations'>,
  options: StartOptions,
): boolean {
  if (!deps.hostedUi) return false;
  const request = deps.hostedUi.authorize({
    redirectUri: callbackUrl(deps),
    scopes: deps.config.oauth.scopes,
    loginHint: options.loginHint,
    // The hosted UI speaks the language the visitor chose here.
    lang: ctx.state.lang,
    identityProvider: options.provider,
  });
  deps.pendingAuthorizations.save(ctx, {
    state: request.state,
    verifier: request.verifier,
    nonce: request.nonce,
    returnTo: deps.returnTo(options.returnTo),
    startedAt: deps.clock(),
  });
  ctx.redirect(request.url);
  return true;
}
