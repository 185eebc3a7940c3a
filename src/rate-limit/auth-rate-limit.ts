// Limits per client IP and per account on every form that makes Cognito work, checked before Cognito is called.
import type { Router } from '@koa/router';
import type { Context, Next } from 'koa';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { HttpError } from '../http-error.ts';
import { paths } from '../paths.ts';
import { sessionOf } from '../session/auth-session.ts';
import { clientAddressKey } from './client-address.ts';
import { counterKey } from './counter-key.ts';
import { createLimiter, limitedOrUnavailable, type LimiterBackend } from './limiter-backend.ts';

/** Requests allowed per client IP and per account in each window, counted before Cognito is called. */
export interface RateLimitSettings {
  windowSeconds: number;
  perIp: number;
  perAccount: number;
}

/** Routes that share counters: a sign-in and its MFA steps spend from the same allowance. */
type Group = 'sign-in' | 'sign-up' | 'recovery';

/**
 * Whose allowance the per-account limit spends. Sign-in: the account's from this client address, so that nobody
 * can spend the owner's from elsewhere (the account-wide limit of sign-in counts wrong passwords only, and is much
 * higher: login-throttle.ts). Sign-up and recovery send codes to a mailbox and take guesses at them: one allowance
 * per account, wherever the requests come from.
 */
const ACCOUNT_SCOPE: Readonly<Record<Group, 'account' | 'account-and-address'>> = {
  'sign-in': 'account-and-address',
  'sign-up': 'account',
  recovery: 'account',
};

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

/**
 * Every POST that reaches Cognito with something a guesser could vary: password, code, or where codes go. Keyed by
 * the route's pattern as registered on the router, not by a request's path.
 */
export const RATE_LIMITED_ROUTES: Readonly<Record<string, Rule>> = {
  [paths.login]: { group: 'sign-in', account: typed('username') },
  [paths.mfa]: { group: 'sign-in', account: challengeUser },
  [paths.loginChoose]: { group: 'sign-in', account: challengeUser },
  [paths.loginPasskey]: { group: 'sign-in', account: challengeUser },
  [paths.mfaSelect]: { group: 'sign-in', account: challengeUser },
  [paths.mfaSetup]: { group: 'sign-in', account: challengeUser },
  [paths.newPassword]: { group: 'sign-in', account: challengeUser },
  [paths.accountMfaVerify]: { group: 'sign-in', account: signedInUser },
  [paths.accountPassword]: { group: 'sign-in', account: signedInUser },
  [paths.accountProfile]: { group: 'sign-in', account: signedInUser },
  [paths.accountVerify]: { group: 'sign-in', account: signedInUser },
  [paths.accountVerifySend]: { group: 'sign-in', account: signedInUser },
  [paths.accountDelete]: { group: 'sign-in', account: signedInUser },
  [paths.accountDevicesForget]: { group: 'sign-in', account: signedInUser },
  [paths.accountPasskeysAdd]: { group: 'sign-in', account: signedInUser },
  [paths.accountPasskeysDelete]: { group: 'sign-in', account: signedInUser },
  [paths.signup]: { group: 'sign-up', account: typed('email') },
  [paths.confirm]: { group: 'sign-up', account: signUpUser },
  [paths.confirmResend]: { group: 'sign-up', account: signUpUser },
  [paths.forgotPassword]: { group: 'recovery', account: typed('email') },
  [paths.resetPassword]: { group: 'recovery', account: resetUser },
};

/**
 * Puts the limits on `router`, each as the first middleware of the POST route it guards; call it before the routes
 * are added. The limit belongs to the route, not to a spelling of its path: whatever request the router sends to a
 * route (its own options decide which) passes through that route's limit first.
 *
 * One point per POST, from the client IP's and the account's allowance; either spent: a 429 page with Retry-After,
 * and Cognito is not called. Known and unknown accounts are counted alike; an account is counted lower-cased and
 * trimmed, as Cognito compares usernames. Accounts are hashed into keys, so no counter names a person. Runs after
 * the form is parsed and its CSRF token checked (app-wide middleware before the router).
 */
export function limitRoutes(router: Router, settings: RateLimitSettings, backend: LimiterBackend): void {
  const { windowSeconds, perIp, perAccount } = settings;
  const groups: Group[] = ['sign-in', 'sign-up', 'recovery'];
  const limiters = new Map(
    groups.map((g) => [
      g,
      {
        ip: createLimiter(backend, `rl:${g}:ip`, perIp, windowSeconds),
        account: createLimiter(backend, `rl:${g}:${ACCOUNT_SCOPE[g]}`, perAccount, windowSeconds),
      },
    ]),
  );
  for (const [path, rule] of Object.entries(RATE_LIMITED_ROUTES)) {
    const limiter = limiters.get(rule.group)!;
    const scope = ACCOUNT_SCOPE[rule.group];
    router.post(path, async function authRateLimit(ctx: Context, next: Next) {
      const address = clientAddressKey(ctx.ip);
      const account = rule.account(ctx)?.trim().toLowerCase();
      const waits = [await waitFor(limiter.ip, address)];
      if (account) {
        const key = counterKey(scope === 'account' ? account : `${account}\n${address}`);
        waits.push(await waitFor(limiter.account, key));
      }
      const waitMs = Math.max(...waits);
      if (waitMs > 0) {
        throw new HttpError(429, `rate limit of ${rule.group} reached`, Math.ceil(waitMs / 1000));
      }
      await next();
    });
  }
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
