// Failed sign-ins per account, counted before Cognito is asked: known and unknown names are throttled alike.
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createLimiter, limitedOrUnavailable, type LimiterBackend } from './limiter-backend.ts';

export interface LoginThrottle {
  /** Milliseconds until `username` may try again, or 0 when it may try now. */
  blockedFor(username: string): Promise<number>;
  /** Counts one failed password for `username`. */
  failed(username: string): Promise<void>;
  /** Clears the count after a successful sign-in. */
  succeeded(username: string): Promise<void>;
}

export interface LoginThrottleOptions {
  /** Failed attempts allowed per account within the window (Cognito locks after 5 as well). */
  maxFailures: number;
  windowSeconds: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { maxFailures: 5, windowSeconds: 15 * 60 };

/**
 * Without this, Cognito's own lockout would answer "Password attempts exceeded" only for accounts that exist,
 * telling an attacker which ones do. Counting every typed name the same way closes that, and spares the
 * account-wide Cognito quota that one attacker would otherwise use up for everyone.
 */
export function createLoginThrottle(
  options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE,
  limiter: RateLimiterAbstract = new RateLimiterMemory({
    keyPrefix: 'login-fail',
    points: options.maxFailures,
    duration: options.windowSeconds,
  }),
): LoginThrottle {
  const key = (username: string) => username.trim().toLowerCase();
  return {
    async blockedFor(username) {
      const res = await limiter.get(key(username)).catch(limitedOrUnavailable);
      return res && res.consumedPoints >= options.maxFailures ? Math.max(res.msBeforeNext, 1000) : 0;
    },
    async failed(username) {
      await limiter.penalty(key(username), 1).catch(limitedOrUnavailable);
    },
    async succeeded(username) {
      await limiter.delete(key(username)).catch(limitedOrUnavailable);
    },
  };
}

/** The throttle with its counts in `backend`: Redis when every instance must see the same failures. */
export function createLoginThrottleOn(
  backend: LimiterBackend,
  options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE,
): LoginThrottle {
  return createLoginThrottle(
    options,
    createLimiter(backend, 'login-fail', options.maxFailures, options.windowSeconds),
  );
}
