// Ends a user's sessions everywhere (a password reset, an MFA change): every session any of the user's owner keys
// names, with their refresh tokens revoked at Cognito.
import type { Context } from 'koa';
import { currentAuth, sessionOf } from '../session/auth-session.ts';
import type { FlowDeps } from './types.ts';

/**
 * Destroys every session owned by one of `owners` (the same session under several keys ends once) and revokes
 * each one's refresh token; revocation failures are logged, not thrown: our own sessions are what counts.
 * With `keepCurrent`, the session of this request lives on under a new id (its old one no longer resolves) and its
 * tokens stay valid; without, it ends too when it is one of the user's. Returns how many other sessions ended.
 */
export async function endUserSessions(
  ctx: Context,
  deps: Pick<FlowDeps, 'sessionStore' | 'cognito' | 'logger'>,
  owners: readonly string[],
  why: string,
  { keepCurrent }: { keepCurrent: boolean },
): Promise<number> {
  const kept = keepCurrent ? currentAuth(ctx)?.refreshToken : undefined;
  const ended: Record<string, unknown>[] = [];
  // One key at a time: a session found by one key is gone before the next looks.
  for (const owner of new Set(owners)) ended.push(...(await deps.sessionStore.destroyOwnedBy(owner)));
  const tokens = new Set(
    ended
      .map((s) => (s.auth as { refreshToken?: unknown } | undefined)?.refreshToken)
      .filter((t): t is string => typeof t === 'string' && t !== kept),
  );
  const results = await Promise.allSettled([...tokens].map((t) => deps.cognito.revokeRefreshToken(t)));
  const revokeFailures = results.filter((r) => r.status === 'rejected').length;
  const session = sessionOf(ctx);
  if (keepCurrent) {
    await ctx.session!.regenerate();
  } else if (session.auth && session.owners?.some((o) => owners.includes(o))) {
    // This browser is one of them: it is not written back signed in at the end of the request.
    delete session.auth;
    delete session.owners;
    await ctx.session!.regenerate();
  }
  const others = ended.filter(
    (s) => !kept || (s.auth as { refreshToken?: unknown } | undefined)?.refreshToken !== kept,
  );
  deps.logger.info({ sessions: others.length, revokeFailures }, `${why}: other sessions ended`);
  return others.length;
}
