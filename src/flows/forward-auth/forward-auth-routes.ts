// Forward auth for a proxy the user already runs (nginx auth_request, Caddy, Traefik, HAProxy), and our public keys.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { loginQuery } from '../../notices.ts';
import { paths } from '../../paths.ts';
import { forwardedRequest } from '../../protect/forwarded-request.ts';
import type { GateOutcome } from '../../protect/gate.ts';
import type { FlowDeps } from '../types.ts';

/** An answer the proxy reads only for its status and headers. */
function bare(ctx: Context, status: number): void {
  ctx.status = status;
  ctx.body = '';
  ctx.set('Cache-Control', 'no-store');
}

export function forwardAuthRoutes(router: Router, deps: FlowDeps): void {
  const { gate, answers, config, logger } = deps;
  const trusted = config.trustProxy > 0;
  let warned = false;
  /** The original request, or a refusal when the proxy is not trusted or did not say what it was. */
  const original = (ctx: Context) => {
    const request = forwardedRequest(ctx.headers, trusted);
    if (!request && !warned) {
      warned = true;
      logger.warn(
        { trustProxy: config.trustProxy },
        'forward auth without a trusted, readable original request (set TRUST_PROXY and X-Forwarded-Uri): refused',
      );
    }
    return request;
  };
  const identityHeaders = (ctx: Context, outcome: GateOutcome & { kind: 'pass' }) => {
    for (const [name, value] of Object.entries(outcome.headers)) ctx.set(name, value);
  };

  /** nginx `auth_request`: 200 with identity headers, 401 not signed in, 403 refused; never a body to read. */
  router.get(paths.authCheck, async function authCheck(ctx) {
    const request = original(ctx);
    if (!request) return bare(ctx, 403);
    const outcome = await gate(ctx, request);
    switch (outcome.kind) {
      case 'pass':
        identityHeaders(ctx, outcome);
        return bare(ctx, 200);
      case 'invalid-token':
        ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
        return bare(ctx, 401);
      case 'sign-in':
        return bare(ctx, 401);
      case 'deny':
        return bare(ctx, 403);
    }
  });

  /**
   * Caddy `forward_auth`, Traefik `forwardAuth`, HAProxy: 200 with identity headers; not signed in, a browser goes
   * to our sign-in with the original URL as `returnTo` (kept only when ALLOWED_REDIRECT_HOSTS lists its host) and
   * an API client gets 401 JSON; a refusal is our 403 page (or JSON).
   */
  router.get(paths.authForward, async function authForward(ctx) {
    const request = original(ctx);
    if (!request) return bare(ctx, 403);
    const outcome = await gate(ctx, request);
    switch (outcome.kind) {
      case 'pass':
        identityHeaders(ctx, outcome);
        return bare(ctx, 200);
      case 'invalid-token':
        return answers.invalidToken(ctx);
      case 'sign-in': {
        const back = request.origin ? `${request.origin}${request.url}` : undefined;
        const login = new URL(deps.publicPath(paths.login), config.appBaseUrl);
        ctx.state.publicLocation = true;
        return answers.signIn(
          ctx,
          request.method,
          `${login.href}${loginQuery(back, outcome.ended ? 'session-ended' : 'sign-in-required')}`,
        );
      }
      case 'deny':
        return answers.deny(ctx, request.method, outcome.identity);
    }
  });

  /** The public keys of `x-amzn-oidc-data`: a JWKS, and each key as PEM (what aws-jwt-verify's AlbJwtVerifier reads). */
  router.get(paths.authKeys, function authKeys(ctx) {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = deps.asserter.publicJwks();
  });
  router.get(`${paths.authKeys}/:kid`, function authKey(ctx) {
    const pem = deps.asserter.publicPem(ctx.params.kid ?? '');
    if (pem === undefined) return;
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'text/plain';
    ctx.body = pem;
  });
}
