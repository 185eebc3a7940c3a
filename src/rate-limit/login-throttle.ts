// Wrong passwords, counted before Cognito is asked, in three layers: a few in a row per account from one client
// address, more per address per day, many more per account per day. Known and unknown names are counted alike.
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { AuthError } from '../cognito/errors.ts';
import type { RateLimitSettings } from './auth-rate-limit.ts';
import { clientAddressKey } from './client-address.ts';
import { counterKey } from './counter-key.ts';
import {
  createLimiter,
  limitedOrUnavailable,
  MEMORY_LIMITS,
  type LimiterBackend,
} from './limiter-backend.ts';

export interface LoginThrottle {
  /**
   * Counts one failure of `username` from client IP `ip` in every layer, atomically, before Cognito is asked: so
   * parallel guesses get no more tries than sequential ones. 0: go on, then settle the attempt with `succeeded` or
   * `undecided` (a wrong password needs nothing more: it is counted already). Otherwise the milliseconds until
   * the spent layer frees up, and nothing stays counted.
   */
  begin(username: string, ip: string): Promise<number>;
  /** The password was right: its failure is taken back, and the account's failures from this address cleared. */
  succeeded(username: string, ip: string): Promise<void>;
  /** Cognito gave no verdict on the password (an outage): its failure is taken back. */
  undecided(username: string, ip: string): Promise<void>;
}

export interface LoginThrottleOptions {
  /** Failures in a row per account from one client address within `windowSeconds` (Cognito locks after 5). */
  maxFailures: number;
  windowSeconds: number;
  /** Failures per client address per day, whatever the accounts. */
  maxFailuresPerAddress: number;
  /** Failures per account per day from every address together: more than one address can make. */
  maxFailuresPerAccount: number;
}

const DAY_SECONDS = 24 * 60 * 60;

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  maxFailures: 5,
  windowSeconds: 15 * 60,
  maxFailuresPerAddress: 100,
  maxFailuresPerAccount: 1000,
};

/**
 * The layers for the RATE_LIMIT_* settings: an address allowed more requests per window (RATE_LIMIT_PER_IP: a
 * NAT of many people, say) may also fail more often per day, and an account alone ten times that.
 */
export function loginThrottleOptions(settings: RateLimitSettings): LoginThrottleOptions {
  const maxFailuresPerAddress = Math.max(DEFAULT_LOGIN_THROTTLE.maxFailuresPerAddress, settings.perIp);
  return {
    ...DEFAULT_LOGIN_THROTTLE,
    maxFailuresPerAddress,
    maxFailuresPerAccount: 10 * maxFailuresPerAddress,
  };
}

/**
 * Without a limit per account, Cognito's own lockout would answer "Password attempts exceeded" only for accounts
 * that exist, telling an attacker which ones do, and one attacker could use up the account-wide Cognito quota for
 * everyone. Without the address in the small limit, anyone could lock the owner out with a few wrong passwords.
 * So: a few failures in a row lock out that account from that address only; an address failing all day is
 * stopped whatever names it tries; and the account alone is locked only past what one address can do (the
 * per-account limit must exceed the per-address one). Successful sign-ins never count.
 */
export function createLoginThrottle(
  options: Partial<LoginThrottleOptions> = {},
  backend: LimiterBackend = MEMORY_LIMITS,
): LoginThrottle {
  const o = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  if (o.maxFailuresPerAccount <= o.maxFailuresPerAddress) {
    throw new Error(
      'maxFailuresPerAccount must exceed maxFailuresPerAddress, or one address could lock out an owner',
    );
  }
  const inARow = createLimiter(backend, 'rl:login-fail:account-address', o.maxFailures, o.windowSeconds);
  const perAddress = createLimiter(backend, 'rl:login-fail:address', o.maxFailuresPerAddress, DAY_SECONDS);
  const perAccount = createLimiter(backend, 'rl:login-fail:account', o.maxFailuresPerAccount, DAY_SECONDS);

  /** Where one attempt counts: the account from this address, the address, the account. */
  function keysOf(username: string, ip: string) {
    const account = username.trim().toLowerCase();
    const address = clientAddressKey(ip);
    return { inARow: counterKey(`${account}\n${address}`), address, account: counterKey(account) };
  }
  const all = (k: ReturnType<typeof keysOf>): Spent => [
    [inARow, k.inARow],
    [perAddress, k.address],
    [perAccount, k.account],
  ];

  return {
    async begin(username, ip) {
      const spent: Spent = [];
      for (const [limiter, key] of all(keysOf(username, ip))) {
        try {
          await limiter.consume(key);
          spent.push([limiter, key]);
        } catch (err) {
          const refused = limitedOrUnavailable(err);
          await giveBack(spent);
          return Math.max(1000, refused.msBeforeNext);
        }
      }
      return 0;
    },
    async succeeded(username, ip) {
      const k = keysOf(username, ip);
      await inARow.delete(k.inARow).catch(limitedOrUnavailable);
      await giveBack([
        [perAddress, k.address],
        [perAccount, k.account],
      ]);
    },
    async undecided(username, ip) {
      await giveBack(all(keysOf(username, ip)));
    },
  };
}

/**
 * What a refused sign-in does to the failure counted for it: a wrong password (or a lockout) keeps it; Cognito
 * stopping on a right password (unconfirmed, reset required) counts as a success; no verdict (an outage) takes it
 * back.
 */
export async function settleRefusedSignIn(
  throttle: LoginThrottle,
  username: string,
  ip: string,
  err: unknown,
): Promise<void> {
  if (!(err instanceof AuthError) || !err.expose) return throttle.undecided(username, ip);
  if (err.code === 'USER_NOT_CONFIRMED' || err.code === 'PASSWORD_RESET_REQUIRED') {
    return throttle.succeeded(username, ip);
  }
}

/** The throttle for the RATE_LIMIT_* settings, its counts in `backend` (Redis: every instance sees the same). */
export function loginThrottleFor(settings: RateLimitSettings, backend: LimiterBackend): LoginThrottle {
  return createLoginThrottle(loginThrottleOptions(settings), backend);
}

type Spent = [RateLimiterAbstract, string][];

async function giveBack(spent: Spent): Promise<void> {
  for (const [limiter, key] of spent) await limiter.reward(key, 1).catch(limitedOrUnavailable);
}
