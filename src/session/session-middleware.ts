// koa-session set up for server-side sessions: 256-bit ids, hardened cookie, idle timeout by rolling expiry.
import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import createSession from 'koa-session';
import type { Config } from '../config.ts';
import { HttpError } from '../middleware/http-error.ts';
import type { SessionStore } from './memory-store.ts';

/** The session cookie's name: `__Host-` prefixed whenever the public origin is https. */
export function sessionCookieName(config: Config): string {
  return config.secureCookies ? '__Host-session' : 'session';
}

/** A session id: 256 random bits from the CSPRNG, base64url. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** The koa-session middleware over `store`; the app's keys must be set (app.keys) for signed cookies. */
export function sessionMiddleware(app: Koa, config: Config, store: SessionStore): Koa.Middleware {
  return createSession(
    {
      key: sessionCookieName(config),
      maxAge: config.session.idleTimeoutMs,
      rolling: true,
      httpOnly: true,
      signed: true,
      secure: config.secureCookies,
      sameSite: 'lax',
      overwrite: true,
      genid: newSessionId,
      store: {
        get: (key: string) =>
          isSessionId(key) ? unavailableOnError(store.get(key)) : Promise.resolve(undefined),
        set: (key: string, sess: Record<string, unknown>, maxAge: number) =>
          unavailableOnError(store.set(key, sess, maxAge)),
        destroy: (key: string) => unavailableOnError(store.destroy(key)),
      },
    },
    app,
  );
}

/** A store that fails means nobody can be signed in: fail closed with a 503, never a 500 or a silent anonymous. */
async function unavailableOnError<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (err) {
    throw new HttpError(503, `session store unavailable: ${(err as Error).message}`, 5);
  }
}

/** Only ids we could have made reach the store; a malformed cookie is simply anonymous. */
function isSessionId(key: string): boolean {
  return key.length === 43 && /^[A-Za-z0-9_-]+$/.test(key);
}
