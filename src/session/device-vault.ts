// Remembered devices ("Trust this browser"): the device key, group key and device password Cognito's device SRP needs,
// kept on the server (sealed in the session store like every session), found through a long-lived signed cookie of
// their own, never the session cookie. The cookie alone proves nothing: the password is still asked for.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { DeviceSecrets } from '../cognito/gateway.ts';
import type { SessionStore } from './memory-store.ts';
import { randomToken } from './random-token.ts';

/** One user's device on this browser. */
export interface DeviceEntry extends DeviceSecrets {
  /** Cognito's internal username (USER_ID_FOR_SRP): the entry answers only that user's sign-in. */
  username: string;
  /** The user trusted this browser (Cognito remembers the device): its sign-ins skip the second factor. */
  remembered: boolean;
  /** Until when (ms) the entry is used; a trust lasts the configured days, then the second factor is asked again. */
  until: number;
}

/** Several people may share a browser; beyond this, the oldest entry goes. */
const MAX_ENTRIES = 5;
const PREFIX = 'device:';

export interface DeviceVault {
  /** The live entries of this browser (none without a validly signed cookie); `expired` too: those past `until`. */
  read(ctx: Context, options?: { expired?: boolean }): Promise<DeviceEntry[]>;
  /** Keeps `entry` (replacing the user's earlier one) for the configured days, and sets the cookie. */
  keep(ctx: Context, entry: Omit<DeviceEntry, 'until'>): Promise<void>;
  /** Drops the entries `unwanted` picks (a forgotten device, a refused one). */
  drop(ctx: Context, unwanted: (entry: DeviceEntry) => boolean): Promise<void>;
}

export interface DeviceVaultOptions {
  secure: boolean;
  days: number;
  clock: () => number;
}

/** The cookie's name: `__Host-` on https (this host only, Secure, path /), like the session cookie's. */
export const deviceCookieName = (secure: boolean): string => (secure ? '__Host-device' : 'device');

/** The store key of a cookie value: a hash, so the store's key list gives no cookie away. */
const storeKey = (cookie: string): string => PREFIX + createHash('sha256').update(cookie).digest('base64url');

function entriesOf(value: Record<string, unknown> | undefined, now: number, expired = false): DeviceEntry[] {
  const list = value?.devices;
  if (!Array.isArray(list)) return [];
  return (list as DeviceEntry[]).filter(
    (e) =>
      typeof e?.key === 'string' &&
      typeof e.groupKey === 'string' &&
      typeof e.password === 'string' &&
      typeof e.username === 'string' &&
      typeof e.until === 'number' &&
      (expired || e.until > now),
  );
}

export function createDeviceVault(store: SessionStore, options: DeviceVaultOptions): DeviceVault {
  const name = deviceCookieName(options.secure);
  const lifetimeMs = options.days * 24 * 60 * 60 * 1000;
  const cookieValue = (ctx: Context) => ctx.cookies.get(name, { signed: true });

  async function write(ctx: Context, cookie: string, entries: DeviceEntry[]): Promise<void> {
    const now = options.clock();
    if (entries.length === 0) {
      await store.destroy(storeKey(cookie));
      ctx.cookies.set(name, null, { signed: true, path: '/' });
      return;
    }
    // Kept (and the cookie sent) as long again past the last trust's end, so a trust that ran out can still be
    // found and its Cognito device forgotten when the browser signs in next.
    const keepFor = Math.max(...entries.map((e) => e.until)) - now + lifetimeMs;
    // Owned, so a flood of anonymous visitors cannot push a trusted browser out of the memory store; the owner
    // tag is none that a password reset or sign-out everywhere destroys sessions by.
    const owners = [...new Set(entries.map((e) => `device:${e.username}`))];
    await store.set(storeKey(cookie), { devices: entries, owners }, keepFor);
    ctx.cookies.set(name, cookie, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure,
      path: '/',
      maxAge: keepFor,
      overwrite: true,
    });
  }

  return {
    async read(ctx, readOptions) {
      const cookie = cookieValue(ctx);
      if (!cookie) return [];
      return entriesOf(await store.get(storeKey(cookie)), options.clock(), readOptions?.expired);
    },
    async keep(ctx, entry) {
      const now = options.clock();
      const current = cookieValue(ctx);
      const stored = current ? await store.get(storeKey(current)) : undefined;
      // Nothing stored for the cookie (gone, expired, or just emptied and destroyed): a new one, never the old key.
      const cookie = stored && current ? current : randomToken();
      const others = entriesOf(stored, now).filter(
        (e) => e.username !== entry.username && e.key !== entry.key,
      );
      const kept = [...others.slice(-(MAX_ENTRIES - 1)), { ...entry, until: now + lifetimeMs }];
      await write(ctx, cookie, kept);
    },
    async drop(ctx, unwanted) {
      const cookie = cookieValue(ctx);
      if (!cookie) return;
      const entries = entriesOf(await store.get(storeKey(cookie)), options.clock());
      const left = entries.filter((e) => !unwanted(e));
      if (left.length !== entries.length) await write(ctx, cookie, left);
    },
  };
}
