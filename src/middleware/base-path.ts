// BASE_PATH: our routes under a prefix such as /auth, so an app behind us keeps its own /login and /account.
import type { Context, Middleware } from 'koa';

/** True when `path` is the base path itself or below it. */
export function underBasePath(basePath: string, path: string): boolean {
  return path === basePath || path.startsWith(`${basePath}/`);
}

/**
 * Redirects to a public address (a checked `returnTo`: a path as the browser sees it, base path included, or an
 * absolute URL), which `mountAt` must not prefix again.
 */
export function redirectPublic(ctx: Context, target: string): void {
  ctx.state.publicLocation = true;
  ctx.redirect(target);
}

/**
 * Runs our routes as if mounted at `/`: the prefix is taken off the path on the way in, and put back on every
 * redirect to one of our own paths on the way out (a root-relative `Location`). Redirects to where a visitor came
 * from are absolute URLs and pass as they are; `ctx.originalUrl` keeps the public address.
 */
export function mountAt(basePath: string): Middleware {
  return async function mountAtBasePath(ctx, next) {
    ctx.path = ctx.path.slice(basePath.length) || '/';
    await next();
    if (ctx.state.publicLocation === true) return;
    const location: unknown = ctx.response.get('Location');
    if (typeof location !== 'string') return;
    if (location.startsWith('/') && !location.startsWith('//')) ctx.set('Location', `${basePath}${location}`);
  };
}
