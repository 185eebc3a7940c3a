// Picks the page language: the switcher's `?lang=` (remembered in a cookie), then that cookie, then Accept-Language.
import type { Middleware } from 'koa';
import { isLanguage, negotiateLanguage } from '../i18n/index.ts';

const YEAR_MS = 365 * 24 * 3_600_000;

export function language(options: { secureCookies: boolean }): Middleware {
  const cookie = options.secureCookies ? '__Host-lang' : 'lang';
  return async function language(ctx, next) {
    const requested = ctx.query.lang;
    if (isLanguage(requested)) {
      ctx.state.lang = requested;
      // TLS ends at the proxy: without this, `cookies` refuses a Secure cookie on the plain hop (a 500).
      if (options.secureCookies) (ctx.cookies as unknown as { secure: boolean }).secure = true;
      ctx.cookies.set(cookie, requested, {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookies,
        signed: false,
        maxAge: YEAR_MS,
        overwrite: true,
      });
      await next();
      // A response that sets a cookie is never cached, not even a static asset (a shared cache would hand the
      // cookie to everyone).
      ctx.set('Cache-Control', 'no-store');
      return;
    } else {
      const remembered = ctx.cookies.get(cookie, { signed: false });
      ctx.state.lang = isLanguage(remembered) ? remembered : negotiateLanguage(ctx.get('accept-language'));
    }
    await next();
  };
}
