// Reads urlencoded forms strictly: size-limited, one value per key, no prototype keys; anything else is refused.
import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import { HttpError } from '../http-error.ts';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_FIELDS = 50;

/** Parses `application/x-www-form-urlencoded` bodies of POSTs into `ctx.state.form`. */
export function formBody(limitBytes = 16 * 1024): Middleware {
  return async function formBody(ctx, next) {
    if (ctx.method !== 'POST') {
      await next();
      return;
    }
    if (!ctx.is('application/x-www-form-urlencoded')) {
      throw new HttpError(415, 'form body must be application/x-www-form-urlencoded');
    }
    let raw: string;
    try {
      raw = await getRawBody(ctx.req, {
        limit: limitBytes,
        length: ctx.get('content-length') || undefined,
        encoding: 'utf8',
      });
    } catch (err) {
      const type = (err as { type?: string }).type;
      if (type === 'entity.too.large') throw new HttpError(413, 'form body too large');
      throw new HttpError(400, `unreadable form body (${type ?? 'unknown'})`);
    }
    ctx.state.form = parseForm(raw);
    await next();
  };
}

/** `a=1&b=2` -> { a: '1', b: '2' } with a null prototype; repeated or dangerous keys are a 400. */
export function parseForm(raw: string): Readonly<Record<string, string>> {
  const form = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const [key, value] of new URLSearchParams(raw)) {
    if (++count > MAX_FIELDS) throw new HttpError(400, 'too many form fields');
    if (FORBIDDEN_KEYS.has(key) || /[[\]]/.test(key)) throw new HttpError(400, `forbidden form key`);
    if (Object.prototype.hasOwnProperty.call(form, key)) throw new HttpError(400, 'repeated form key');
    form[key] = value;
  }
  return Object.freeze(form);
}
