// Lets only signed-in users through: the auth decision, else a redirect to the sign-in page that comes back here.
import type { Middleware } from 'koa';
import { loginUrl } from '../notices.ts';
import type { AuthResolver } from '../session/resolve-auth.ts';

/** Requires a signed-in session; anyone else goes to `/login?returnTo=<this page>` (saying why when it ended). */
export function requireAuth(resolveAuth: AuthResolver): Middleware {
  return async function requireAuth(ctx, next) {
    const resolved = await resolveAuth(ctx);
    const { identity, ended } = resolved;
    if (!identity) {
      // The address as the browser sent it (under BASE_PATH, ctx.path has lost the prefix).
      ctx.redirect(loginUrl(ctx.originalUrl, ended ? 'session-ended' : 'sign-in-required'));
      return;
    }
    ctx.state.identity = identity;
    ctx.state.stableUntil = resolved.stableUntil;
    await next();
  };
}
