// The hosted-UI authorization under way, sealed in a short-lived cookie of its own until the callback: a visitor
// who has only been sent to the hosted UI costs no server-side session (GET /login in hosted mode stores nothing).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { PendingAuthorization } from '../../session/auth-session.ts';
import { deriveKeys } from '../../session/session-keys.ts';

/** Longer than Cognito's codes live (5 minutes) plus time spent on the hosted pages. */
const MAX_AGE_MS = 10 * 60_000;

export interface PendingAuthorizations {
  /** Keeps `pending` for this browser (one at a time: a new start replaces the last). */
  save(ctx: Context, pending: PendingAuthorization): void;
  /** The pending authorization, spent: whatever the callback does next, it cannot be used again. */
  take(ctx: Context): PendingAuthorization | undefined;
}

/** The cookie's name: `__Host-` prefixed on https, like the session's. */
export const pendingCookieName = (secure: boolean) => (secure ? '__Host-hosted-auth' : 'hosted-auth');

/** AES-256-GCM under the newest key derived from SESSION_KEYS, the cookie's name as associated data. */
export function sealPending(pending: PendingAuthorization, secrets: readonly string[], name: string): string {
  const key = deriveKeys(secrets, 'hosted-authorization')[0]!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(name));
  const body = Buffer.concat([cipher.update(JSON.stringify(pending), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** Opens a sealed value with any of the keys (rotation), or undefined when it is not one of ours. */
export function openPending(
  value: string,
  secrets: readonly string[],
  name: string,
): PendingAuthorization | undefined {
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length < 12 + 16 + 2 || bytes.length > 4096) return undefined;
  for (const key of deriveKeys(secrets, 'hosted-authorization')) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12)).setAAD(Buffer.from(name));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      const text = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
      const parsed = JSON.parse(text.toString('utf8')) as Partial<PendingAuthorization>;
      const strings = [parsed.state, parsed.verifier, parsed.nonce, parsed.returnTo];
      if (strings.every((s) => typeof s === 'string') && typeof parsed.startedAt === 'number') {
        return parsed as PendingAuthorization;
      }
      return undefined;
    } catch {
      // Not this key (or not ours at all): try the next.
    }
  }
  return undefined;
}

export function createPendingAuthorizations(
  secrets: readonly string[],
  secure: boolean,
): PendingAuthorizations {
  const name = pendingCookieName(secure);
  const options = {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    signed: false,
    path: '/',
    overwrite: true,
  } as const;
  return {
    save(ctx, pending) {
      ctx.cookies.set(name, sealPending(pending, secrets, name), { ...options, maxAge: MAX_AGE_MS });
    },
    take(ctx) {
      const value = ctx.cookies.get(name, { signed: false });
      if (value === undefined) return undefined;
      ctx.cookies.set(name, null, options);
      return openPending(value, secrets, name);
    },
  };
}
