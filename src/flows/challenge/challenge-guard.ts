// Lets a challenge page through only with a live challenge of its kind in this browser's own session.
import type { Context, Middleware } from 'koa';
import { sessionOf, type PendingChallenge } from '../../session/auth-session.ts';
import { loginUrl } from '../../notices.ts';
import type { FlowDeps } from '../types.ts';
import { pageForChallenge } from './challenge-table.ts';
import { restartSignIn } from './continue-sign-in.ts';

/**
 * No challenge here (another browser, a copied URL): back to sign-in, Cognito never asked. Expired: back to
 * sign-in with the username kept. Another kind of challenge pending: its own page.
 */
export function challengeGuard(names: readonly string[], deps: Pick<FlowDeps, 'clock'>): Middleware {
  return async function challengeGuard(ctx, next) {
    const challenge = sessionOf(ctx).challenge;
    if (!challenge) return ctx.redirect(loginUrl(undefined, 'sign-in-required'));
    if (deps.clock() >= challenge.expiresAt) return restartSignIn(ctx, 'challenge-expired');
    if (!names.includes(challenge.name)) return ctx.redirect(pageForChallenge(challenge.name) ?? '/login');
    await next();
  };
}

/** The challenge the guard let through. */
export function pendingChallenge(ctx: Context): PendingChallenge {
  return sessionOf(ctx).challenge!;
}

/** Seconds left before Cognito's challenge session ends, for the page's countdown. */
export function secondsLeft(challenge: PendingChallenge, now: number): number {
  return Math.max(0, Math.floor((challenge.expiresAt - now) / 1000));
}
