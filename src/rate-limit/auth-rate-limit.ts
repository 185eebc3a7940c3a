// Limits per client IP and per account on every form that makes Cognito work, checked before Cognito is called.
import { createHash } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { HttpError } from '../http-error.ts';
import { paths } from '../paths.ts';
import { sessionOf } from '../session/auth-session.ts';
import { clientAddressKey } from './client-address.ts';
import { createLimiter, limitedOrUnavailable, type LimiterBackend } from './limiter-backend.ts';

/** Requests allowed per client IP and per account in each window, counted before Cognito is called. */
export interface RateLimitSettings {
  windowSeconds: number;
  perIp: number;
  perAccount: number;
}

/** Routes that share counters: a sign-in and its MFA steps spend from the same allowance. */
type Group = 'sign-in' | 'sign-up' | 'recovery';

interface Rule {
  group: Group;
  /** The account this request acts for (typed, or kept in the session), or undefined when none is known yet. */
  account: (ctx: Context) => string | undefined;
}

const typed = (field: string) => (ctx: Context) => ctx.state.form?.[field];
const challengeUser = (ctx: Context) => sessionOf(ctx).challenge?.username;
const signUpUser = (ctx: Context) => sessionOf(ctx).pendingSignUp?.username ?? ctx.state.form?.email;
const resetUser = (ctx: Context) => sessionOf(ctx).pendingReset?.username;
const signedInUser = (ctx: Context) => sessionOf(ctx).auth?.username;

/** Every POST that reaches Cognito with something a guesser could vary: password, code, or where codes go. */
export const RATE_LIMITED_ROUTES: Readonly<Record<string, Rule>> = {
  [paths.login]: { group: 'sign-in', account: typed('username') },
  [paths.mfa]: { group: 'sign-in', account: challengeUser },
  [paths.mfaSelect]: { group: 'sign-in', account: challengeUser },
  [paths.mfaSetup]: { group: 'sign-in', account: challengeUser },
  [paths.newPassword]: { group: 'sign-in', account: challengeUser },
  [paths.accountMfaVerify]: { group: 'sign-in', account: signedInUser },
  [paths.signup]: { group: 'sign-up', account: typed('email') },
  [paths.confirm]: { group: 'sign-up', account: signUpUser },
  [paths.confirmResend]: { group: 'sign-up', account: signUpUser },
  [paths.forgotPassword]: { group: 'recovery', account: typed('email') },
  [paths.resetPassword]: { group: 'recovery', account: resetUser },
};

/**
 * One point per POST of a listed route, from the client IP's and the account's allowance; either spent: a 429
 * page with Retry-After, and Cognito is not called. Known and unknown accounts are counted alike. Accounts are
 * hashed into keys, so no counter names a person. Runs after the form is parsed and its CSRF token checked.
 */
export function authRateLimit(settings: RateLimitSettings, backend: LimiterBackend): Middleware {
  const { windowSeconds, perIp, perAccount } = settings;
  const groups: Group[] = ['sign-in', 'sign-up', 'recovery'];
  const limiters = new Map(
    groups.map((g) => [
      g,
      {
        ip: createLimiter(backend, `rl:${g}:ip`, perIp, windowSeconds),
        account: createLimiter(backend, `rl:${g}:account`, perAccount, windowSeconds),
      },
    ]),
  );
  return async function authRateLimit(ctx, next) {
    const rule = ctx.method === 'POST' ? RATE_LIMITED_ROUTES[ctx.path] : undefined;
    if (!rule) {
      await next();
      return;
    }
    const limiter = limiters.get(rule.group)!;
    const account = rule.account(ctx)?.trim().toLowerCase();
    const waits = [await waitFor(limiter.ip, clientAddressKey(ctx.ip))];
    if (account) waits.push(await waitFor(limiter.account, accountKey(account)));
    const waitMs = Math.max(...waits);
    if (waitMs > 0) {
      throw new HttpError(429, `rate limit of ${rule.group} reached`, Math.ceil(waitMs / 1000));
    }
    await next();
  };
}

/** Spends one point: 0 when allowed, else the milliseconds until the next point frees up. */
async function waitFor(limiter: RateLimiterAbstract, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (err) {
    return Math.max(1000, limitedOrUnavailable(err).msBeforeNext);
  }
}

function accountKey(account: string): string {
  return createHash('sha256').update(account).digest('base64url').slice(0, 32);
}
