// Security headers on every response: a strict CSP, no framing, no sniffing, no referrer leaks, no caching of pages.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Middleware } from 'koa';

/** Helmet with a CSP that allows only our own scripts and styles, and forms posting to us (and the hosted UI). */
export function securityHeaders(options: { https: boolean; formTargets: string[] }): Middleware {
  const headers = helmetHeaders(options);
  return async function securityHeaders(ctx, next) {
    const res = ctx.res;
    for (const [name, value] of headers) res.setHeader(name, value);
    await next();
  };
}

/**
 * The headers helmet sets with our options, worked out once: they are the same for every response, so each
 * request only copies them (helmet's own middleware chain, run per request, cost several times as much).
 */
function helmetHeaders(options: { https: boolean; formTargets: string[] }): [string, string][] {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  let finished = false;
  helmetWith(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('helmet refused its options');
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers at once');
  return [...headers];
}

function helmetWith(options: { https: boolean; formTargets: string[] }) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'", ...options.formTargets],
        ...(options.https ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on our own form posts.
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    xFrameOptions: { action: 'deny' },
  });
}

/** `Cache-Control: no-store` on every dynamic response: pages carry personal data, CSRF tokens and cookies. */
export function noStore(): Middleware {
  return async function noStore(ctx, next) {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    await next();
  };
}
