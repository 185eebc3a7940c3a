// Serves the static files from memory, read once at start: stylesheet, brand colours, icon, script, theme assets.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Middleware } from 'koa';
import type { Brand } from './branding/brand.ts';
import { paths } from './paths.ts';
import { VIEWS_DIR } from './views.ts';

const PUBLIC_DIR = path.resolve(VIEWS_DIR, '..', 'public');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function asset(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

/** @simplewebauthn/browser's bundle (global `SimpleWebAuthnBrowser`): the passkey calls, from our own origin. */
const WEBAUTHN_BROWSER = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')),
  '..',
  'dist',
  'bundle',
  'index.umd.min.js',
);

const file = (name: string, type: string) => asset(readFileSync(path.join(PUBLIC_DIR, name)), type);

/** Answers GET/HEAD for the known asset paths; everything else passes through. */
export function staticAssets(brand: Brand): Middleware {
  const assets = new Map<string, Asset>([
    [paths.stylesheet, file('app.css', 'text/css; charset=utf-8')],
    [paths.themeStylesheet, asset(Buffer.from(brand.css), 'text/css; charset=utf-8')],
    [paths.favicon, file('favicon.svg', 'image/svg+xml')],
    [paths.countdownScript, file('countdown.js', 'text/javascript; charset=utf-8')],
    [paths.passwordScript, file('password.js', 'text/javascript; charset=utf-8')],
    [paths.passkeyScript, file('passkey.js', 'text/javascript; charset=utf-8')],
    [paths.webauthnScript, asset(readFileSync(WEBAUTHN_BROWSER), 'text/javascript; charset=utf-8')],
  ]);
  for (const [url, a] of brand.assets) assets.set(url, asset(a.body, a.type));
  return async function staticAssets(ctx, next) {
    const found = ctx.method === 'GET' || ctx.method === 'HEAD' ? assets.get(ctx.path) : undefined;
    if (!found) {
      await next();
      return;
    }
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('ETag', found.etag);
    if (ctx.get('if-none-match') === found.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = found.type;
    ctx.body = found.body;
  };
}
