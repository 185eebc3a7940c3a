// Our own answers in front of a protected app: sign in first, a refused Bearer token, a refusal, an upstream failure.
import type { Context, Middleware } from 'koa';
import compose from 'koa-compose';
import type { Identity } from '../session/resolve-auth.ts';
import type { Renderer } from '../views.ts';

/** A browser navigating (it asks for HTML with GET or HEAD) gets pages and redirects; anything else JSON. */
export function wantsPage(ctx: Context, method: string): boolean {
  return (method === 'GET' || method === 'HEAD') && /\btext\/html\b/.test(ctx.get('accept'));
}

export interface Answers {
  /** Not signed in: a browser goes to `loginLocation`; an API client gets 401 JSON. */
  signIn(ctx: Context, method: string, loginLocation: string): Promise<void>;
  /** A Bearer token we refuse: 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750), never a redirect. */
  invalidToken(ctx: Context): void;
  /** Signed in, refused by the rules: our 403 page (who you are, sign out or switch account) or 403 JSON. */
  deny(ctx: Context, method: string, identity: Identity): Promise<void>;
  /** The upstream failed (502) or was too slow (504): our page, or JSON. */
  upstreamFailed(ctx: Context, status: 502 | 504): Promise<void>;
}

/**
 * `ownHeaders` is the middleware chain our own pages get (security headers, no-store, language): it runs only when
 * we answer ourselves, never on a proxied response, which stays the app's own.
 */
export function createAnswers(renderer: Renderer, ownHeaders: Middleware[]): Answers {
  const own = compose(ownHeaders);
  const page = (ctx: Context, status: number, template: string, locals: Record<string, unknown>) =>
    own(ctx, () => {
      ctx.status = status;
      renderer.render(ctx, template, locals);
      ctx.status = status;
      return Promise.resolve();
    });
  const json = (ctx: Context, status: number, body: Record<string, string>) => {
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };
  return {
    async signIn(ctx, method, loginLocation) {
      if (wantsPage(ctx, method)) {
        await own(ctx, () => {
          ctx.redirect(loginLocation);
          return Promise.resolve();
        });
        return;
      }
      ctx.set('WWW-Authenticate', 'Bearer');
      json(ctx, 401, { error: 'unauthorized', message: 'Sign in, or send a Bearer access token.' });
    },
    invalidToken(ctx) {
      ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      json(ctx, 401, { error: 'invalid_token', message: 'The access token is not valid for this service.' });
    },
    async deny(ctx, method, identity) {
      if (!wantsPage(ctx, method)) return json(ctx, 403, { error: 'forbidden', message: 'Access denied.' });
      await page(ctx, 403, 'pages/forbidden.njk', { who: identity.email ?? identity.username });
    },
    async upstreamFailed(ctx, status) {
      if (!wantsPage(ctx, ctx.method)) {
        return json(ctx, status, { error: status === 504 ? 'upstream_timeout' : 'upstream_unavailable' });
      }
      await page(ctx, status, 'errors/error.njk', { status });
    },
  };
}
