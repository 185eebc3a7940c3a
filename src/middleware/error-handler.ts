// First in the chain: turns every failure into a friendly page with the right status, never a stack trace.
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { AuthError } from '../cognito/errors.ts';
import type { Renderer } from '../views.ts';
import { HttpError } from '../http-error.ts';

const PAGES = new Set([400, 403, 404, 405, 413, 414, 415, 429, 500, 502, 503, 504]);

/** Renders `errors/error.njk` for the status; unknown failures are logged and shown as a generic 500. */
export function errorHandler(renderer: Renderer, logger: Logger): Middleware {
  return async function errorHandler(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) renderError(ctx, renderer, 404);
      else if (ctx.status === 405 && ctx.body === undefined) renderError(ctx, renderer, 405);
    } catch (err) {
      const { status, retryAfter } = classify(err);
      if (err instanceof AuthError && err.code === 'MISCONFIGURED') {
        logger.error(
          { cognito: err.cognitoName, reason: err.message, path: ctx.path },
          'Cognito refused our client: check config',
        );
      } else if (status >= 500) {
        logger.error({ err: describe(err), path: ctx.path, method: ctx.method }, 'request failed');
      } else {
        logger.info({ status, reason: (err as Error).message, path: ctx.path }, 'request refused');
      }
      if (retryAfter !== undefined) ctx.set('Retry-After', String(retryAfter));
      renderError(ctx, renderer, status);
    }
  };
}

function classify(err: unknown): { status: number; retryAfter?: number } {
  if (err instanceof HttpError) return { status: err.status, retryAfter: err.retryAfterSeconds };
  // The error table says what each Cognito outcome is to a client (cognito/errors.ts).
  if (err instanceof AuthError) return { status: err.status, retryAfter: err.retryAfterSeconds };
  // Errors from Koa's own parsers (http-errors) carry a client status worth keeping.
  const e = err as { status?: unknown; expose?: unknown };
  if (typeof e?.status === 'number' && e.expose === true && PAGES.has(e.status)) return { status: e.status };
  return { status: 500 };
}

/** What is safe to log: names and messages, never request bodies. */
function describe(err: unknown): Record<string, unknown> {
  // Which deadline or failure made Cognito unavailable (the SDK's message): for the operator, never for the page.
  if (err instanceof AuthError)
    return { name: err.name, message: err.message, detail: err.cognitoMessage, stack: err.stack };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}

/** Renders the error page for `status` (its title and text come from the catalogue). */
export function renderError(ctx: Context, renderer: Renderer, status: number): void {
  const page = PAGES.has(status) ? status : 500;
  ctx.status = page;
  ctx.remove('Content-Length');
  // Even when the failure came before noStore() ran (a 414): an error page is never cached.
  ctx.set('Cache-Control', 'no-store');
  try {
    renderer.render(ctx, 'errors/error.njk', { status: page });
  } catch {
    // The template itself failed: a plain page is still better than a stack trace.
    ctx.type = 'text/plain';
    ctx.body = page === 404 ? 'Not found' : 'Something went wrong';
  }
  ctx.status = page;
}
