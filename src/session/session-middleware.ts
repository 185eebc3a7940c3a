// koa-session for server-side sessions: 256-bit ids, hardened cookie, rolling idle timeout within the absolute lifetime.
import type Koa from 'koa';
import type { Context } from 'koa';
import createSession from 'koa-session';
import { HttpError } from '../http-error.ts';
import { randomToken } from './random-token.ts';
import type { SessionStore, SessionWriteMode } from './memory-store.ts';
import type { SessionCopies } from './session-copies.ts';
import type { SessionCookieSettings } from './session-settings.ts';

/**
 * The session cookie's name: `__Host-` prefixed whenever the public origin is https; `__Secure-` when it is shared
 * with subdomains (a cookie domain is set, which `__Host-` forbids).
 */
export function sessionCookieName(secure: boolean, cookieDomain?: string): string {
  if (cookieDomain) return '__Secure-session';
  return secure ? '__Host-session' : 'session';
}

/** A session id: 256 random bits from the CSPRNG, base64url. */
export function newSessionId(): string {
  return randomToken();
}

/** How often a live session's idle deadline is pushed back: at most one store write a minute per session. */
export const TOUCH_INTERVAL_MS = 60_000;

/** How long a store that answered a read is taken to be up, for requests that do not otherwise reach it. */
const READY_FOR_MS = 1000;
/** An id no session has (not 43 characters): reading it only says whether the store answers. */
const READINESS_PROBE = 'readiness-probe';

/**
 * What a request notes on its context (properties, not WeakMaps keyed by the context: a WeakMap entry keeps its
 * value alive until a full collection, which moved a few KB per sign-in into the old generation, measured as RSS).
 * MADE_IDS: the ids koa-session made (genid) for it: a write under one of them creates, any other updates.
 * LAST_WRITE: what it last wrote, under which id. A regenerate saves the session under its new id, then koa-session
 * saves it again at the request's end because its hash is not the one it loaded: when nothing changed in between
 * (a sign-in's usual end), that second write, its sealing and its round trip to the store are skipped.
 */
const MADE_IDS = Symbol('session ids made');
const LAST_WRITE = Symbol('last session write');
type Writer = { [MADE_IDS]?: Set<string>; [LAST_WRITE]?: { key: string; value: string } };

/** A session as written, without the expiry koa-session stamps on each save (it moves by the time between two). */
function writtenValue(sess: Record<string, unknown>): string {
  // A copy without them, not a replacer function: JSON.stringify with one is several times slower.
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(sess)) if (key !== '_expire' && key !== '_maxAge') rest[key] = sess[key];
  return JSON.stringify(rest);
}

/** Per app: whether its session store is up, for requests that keep nothing in it yet (see sessionStoreReady). */
const readiness = new WeakMap<Koa, () => Promise<boolean>>();
/** Until when each app's store counts as ready (its last check passed); see sessionStoreKnownReady. */
const knownReady = new WeakMap<Koa, number>();

/**
 * Whether the session store can keep what this request is about to start (a form shown to, or submitted by, a
 * visitor without a session): a form that could not be kept fails closed like every page that needs the store.
 * A recent successful read is trusted for a second; any failed store operation forgets it.
 */
/**
 * True while the store's last readiness check (sessionStoreReady) passed less than a second ago: what may answer
 * without asking it again. False when there is no check yet, or it failed: ask (sessionStoreReady) then.
 */
export function sessionStoreKnownReady(app: Koa): boolean {
  return (knownReady.get(app) ?? 0) > Date.now();
}

/**
 * Gives the session a new id (koa-session's regenerate: the old one is destroyed and stops resolving), unless its
 * id is one nobody else can know: made in this request (no stored session came with it) and never written, so
 * never sent in a cookie. A visitor signing in from a form shown without a session (the usual sign-in) keeps that
 * fresh id, and its session is written once, at the request's end, instead of destroyed under one id and written
 * under another. Every id an attacker could have planted was loaded from the store, and is replaced.
 */
export async function renewSessionId(ctx: Context): Promise<void> {
  const session = ctx.session as { isNew?: boolean } | null;
  if (session?.isNew && (ctx as Writer)[LAST_WRITE] === undefined) return;
  await ctx.session!.regenerate();
}

export function sessionStoreReady(ctx: Context): Promise<boolean> {
  return readiness.get(ctx.app)?.() ?? Promise.resolve(true);
}

/**
 * The koa-session middleware over `store`; the app's keys must be set (app.keys) for signed cookies.
 * The idle timeout rolls, but not with koa-session's `rolling` (a store write and a cookie on every request):
 * a session in use is saved again once its last save is a minute old, so it ends 29 to 30 minutes after the
 * last request (with the default 30), for one write a minute instead of one a request.
 */
export function sessionMiddleware(
  app: Koa,
  settings: SessionCookieSettings,
  store: SessionStore,
  copies: SessionCopies<unknown> | readonly SessionCopies<unknown>[] = [],
): Koa.Middleware {
  // Each keeper of copies (kept passes, kept account pages) hears of every read.
  const keepers: readonly SessionCopies<unknown>[] = Array.isArray(copies) ? copies : [copies];
  let readyUntil = 0;
  readiness.set(app, async () => {
    if (Date.now() < readyUntil) return true;
    // A read, as a request with a cookie would make: it waits for a connection still being made (a ping would not),
    // and fails within the store's own deadline when there is none.
    const ready = await store.get(READINESS_PROBE).then(
      () => true,
      () => false,
    );
    readyUntil = ready ? Date.now() + READY_FOR_MS : 0;
    knownReady.set(app, readyUntil);
    return ready;
  });
  /** A store that fails means nobody can be signed in: fail closed with a 503, never a 500 or a silent anonymous. */
  const unavailableOnError = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (err) {
      readyUntil = 0;
      throw new HttpError(503, `session store unavailable: ${(err as Error).message}`, 5);
    }
  };
  const session = createSession(
    {
      key: sessionCookieName(settings.secure, settings.cookieDomain),
      ...(settings.cookieDomain ? { domain: settings.cookieDomain } : {}),
      // The cookie lives as long as a sign-in may (the absolute lifetime); the idle timeout is the store's, renewed
      // by our writes. So a proxy that never passes our Set-Cookie on (nginx auth_request, Caddy forward_auth)
      // cannot end an active user's session at the idle timeout.
      maxAge: settings.absoluteTimeoutMs,
      rolling: false,
      httpOnly: true,
      signed: true,
      secure: settings.secure,
      sameSite: 'lax',
      overwrite: true,
      genid: (ctx: object) => {
        const id = newSessionId();
        const ids = ((ctx as Writer)[MADE_IDS] ??= new Set());
        ids.add(id);
        return id;
      },
      store: {
        get: async (key: string, _maxAge: unknown, options?: { ctx?: object }) => {
          if (!isSessionId(key)) return undefined;
          const epochs = keepers.map((k) => k.reading());
          const session = await unavailableOnError(() => store.get(key));
          const touchAt = session && nextTouch(session, settings);
          if (touchAt !== undefined && options?.ctx) {
            keepers.forEach((k, i) => k.loaded(options.ctx!, key, epochs[i]!, touchAt));
          }
          return session;
        },
        // A session this request loaded is only ever updated: if it was destroyed (signed out, a reset, sign-out
        // everywhere) or expired while the request was in flight, the store refuses the write, so it stays dead.
        set: async (
          key: string,
          sess: Record<string, unknown>,
          maxAge: number,
          options?: { ctx?: object },
        ) => {
          const ctx = options?.ctx;
          const value = ctx ? writtenValue(sess) : undefined;
          const last = ctx && (ctx as Writer)[LAST_WRITE];
          if (last && last.key === key && last.value === value) return;
          await unavailableOnError(() =>
            store.set(
              key,
              sess,
              storeTtl(sess, settings.idleTimeoutMs, settings.absoluteTimeoutMs, Date.now()),
              {
                mode: writeMode(key, ctx),
              },
            ),
          );
          if (ctx && value !== undefined) (ctx as Writer)[LAST_WRITE] = { key, value };
        },
        destroy: (key: string) => unavailableOnError(() => store.destroy(key)),
      },
    },
    app,
  );
  return async function sessionWithIdleTimeout(ctx, next) {
    await session(ctx, async () => {
      touch(ctx.session as unknown as Record<string, unknown> | null, settings.absoluteTimeoutMs);
      await next();
    });
  };
}

/**
 * A write under an id koa-session made in this request creates the session, once; under any other id (or the same
 * one again: a regenerate saves, then the request's end saves what changed since), it updates it.
 */
function writeMode(key: string, ctx: object | undefined): SessionWriteMode | undefined {
  if (!ctx) return undefined;
  return (ctx as Writer)[MADE_IDS]?.delete(key) ? 'create' : 'update';
}

/**
 * Marks a stored session as changed when its idle deadline should move (koa-session then saves it, and the store
 * keeps it another idle timeout). `cookieMaxAgeMs` is koa-session's maxAge, which `_expire` counts from each save.
 */
function touch(session: Record<string, unknown> | null, cookieMaxAgeMs: number): void {
  if (!session || (session as { isNew?: boolean }).isNew) return;
  const expire = session._expire;
  if (typeof expire !== 'number') return;
  const lastSave = expire - cookieMaxAgeMs;
  if (Date.now() - lastSave >= TOUCH_INTERVAL_MS) session.seenAt = Date.now();
}

/**
 * When a stored session is next written to move its idle deadline (see touch), on the real clock: at the latest a
 * minute after its last save, and before the store lets it expire.
 */
function nextTouch(session: Record<string, unknown>, settings: SessionCookieSettings): number | undefined {
  const expire = session._expire;
  if (typeof expire !== 'number') return undefined;
  const lastSave = expire - settings.absoluteTimeoutMs;
  return Math.min(lastSave + Math.min(TOUCH_INTERVAL_MS, settings.idleTimeoutMs), expire);
}

/**
 * How long the store keeps a session: the idle timeout (renewed by a write at most once a minute while in use), but never
 * past the absolute lifetime of a signed-in session, so no store (Redis TTL included) outlives it.
 */
export function storeTtl(
  session: Record<string, unknown>,
  maxAgeMs: number,
  absoluteTimeoutMs: number,
  now: number,
): number {
  const signedInAt = (session.auth as { signedInAt?: unknown } | undefined)?.signedInAt;
  if (typeof signedInAt !== 'number') return maxAgeMs;
  return Math.max(1, Math.min(maxAgeMs, signedInAt + absoluteTimeoutMs - now));
}

/** Only ids we could have made reach the store; a malformed cookie is simply anonymous. */
function isSessionId(key: string): boolean {
  return key.length === 43 && /^[A-Za-z0-9_-]+$/.test(key);
}
