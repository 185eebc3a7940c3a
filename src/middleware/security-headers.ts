// Security headers on every response: a strict CSP, no framing, no sniffing, no referrer leaks, no caching of pages.
import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

/** Helmet with a CSP that allows only our own scripts and styles, and forms posting to us (and the hosted UI). */
export function securityHeaders(options: { https: boolean; formTargets: string[] }): Middleware {
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
