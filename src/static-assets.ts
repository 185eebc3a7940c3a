// Serves the few static files (stylesheet, icon) from memory, read once at start.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';
import { paths } from './paths.ts';
import { VIEWS_DIR } from './views.ts';

const PUBLIC_DIR = path.resolve(VIEWS_DIR, '..', 'public');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function load(file: string, type: string): Asset {
  const body = readFileSync(path.join(PUBLIC_DIR, file));
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

/** Answers GET/HEAD for the known asset paths; everything else passes through. */
export function staticAssets(): Middleware {
  const assets = new Map<string, Asset>([
    [paths.stylesheet, load('app.css', 'text/css; charset=utf-8')],
    [paths.favicon, load('favicon.svg', 'image/svg+xml')],
    [paths.countdownScript, load('countdown.js', 'text/javascript; charset=utf-8')],
  ]);
  return async function staticAssets(ctx, next) {
    const asset = ctx.method === 'GET' || ctx.method === 'HEAD' ? assets.get(ctx.path) : undefined;
    if (!asset) {
      await next();
      return;
    }
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('ETag', asset.etag);
    if (ctx.get('if-none-match') === asset.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = asset.type;
    ctx.body = asset.body;
  };
}
