// The signer of Koa's signed cookies (the session cookie's `.sig`): keygrip's format exactly (HMAC-SHA1 of
// `name=value`, base64url), so every cookie signed before stays valid, but compared with Node's timingSafeEqual.
// keygrip compares through tsscmp, which draws 32 random bytes and computes two more HMACs on every check: on a
// protected request that was a tenth of the whole cost.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';

export class CookieKeys {
  /** SESSION_KEYS, newest first: the newest signs, every one verifies (a rotation keeps cookies valid). */
  readonly secrets: readonly string[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('cookie keys need at least one secret');
    this.secrets = [...secrets];
  }

  sign(data: string): string {
    return signWith(this.secrets[0]!, data);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** Which key signed `data` as `digest`, or -1. */
  index(data: string, digest: string): number {
    const given = Buffer.from(digest);
    for (let i = 0; i < this.secrets.length; i++) {
      const expected = Buffer.from(signWith(this.secrets[i]!, data));
      if (given.length === expected.length && timingSafeEqual(given, expected)) return i;
    }
    return -1;
  }
}

function signWith(secret: string, data: string): string {
  return createHmac('sha1', secret).update(data).digest('base64url');
}

/** The app's secrets (SESSION_KEYS, newest first), whether its keys are a list or our signer. */
export function appSecrets(app: Koa): readonly string[] {
  const keys = app.keys as unknown;
  if (keys instanceof CookieKeys) return keys.secrets;
  return Array.isArray(keys) ? (keys as string[]) : [];
}
