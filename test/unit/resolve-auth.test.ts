// The one auth decision: who a request is, refreshing when due, ending sessions past their lifetime or refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Context } from 'koa';
import { AuthError } from '../../src/cognito/errors.ts';
import { createLogger } from '../../src/logger.ts';
import type { AuthState } from '../../src/session/auth-session.ts';
import { createAuthResolver, REFRESH_SKEW_MS } from '../../src/session/resolve-auth.ts';
import type { TokenRefresher } from '../../src/session/token-refresh.ts';

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;
const logger = createLogger('silent');

function auth(overrides: Partial<AuthState> = {}): AuthState {
  return {
    username: 'u-1',
    sub: 'sub-1',
    email: 'ada@example.com',
    name: 'Ada',
    groups: ['staff'],
    authTime: NOW / 1000 - 60,
    accessToken: 'access-1',
    refreshToken: 'refresh-1',
    accessExpiresAt: NOW + HOUR,
    signedInAt: NOW - 60_000,
    via: 'forms',
    ...overrides,
  };
}

/** A context with just the session koa-session would have loaded. */
const ctxWith = (state: AuthState | undefined) =>
  ({ session: state ? { auth: state } : {} }) as unknown as Context & {
    session: { auth?: AuthState } | null;
  };

function refresher(answer: () => Promise<AuthState>): TokenRefresher & { calls: number } {
  const r = {
    calls: 0,
    refresh: () => {
      r.calls++;
      return answer();
    },
  };
  return r;
}

const resolver = (r: TokenRefresher) =>
  createAuthResolver({ absoluteTimeoutMs: 12 * HOUR, refresher: r, clock: () => NOW, logger });

test('no sign-in in the session: anonymous, nothing ended', async () => {
  const r = refresher(() => Promise.reject(new Error('not called')));
  const result = await resolver(r)(ctxWith(undefined));
  assert.equal(result.identity, undefined);
  assert.equal(result.ended, false);
  assert.equal(r.calls, 0);
});

test('a signed-in session with a fresh token: the identity, with no refresh and no session change', async () => {
  const r = refresher(() => Promise.reject(new Error('not called')));
  const ctx = ctxWith(auth());
  const before = JSON.stringify(ctx.session);
  const result = await resolver(r)(ctx);
  assert.deepEqual(result.identity, {
    userId: 'sub-1',
    username: 'u-1',
    email: 'ada@example.com',
    groups: ['staff'],
    expiresAt: NOW + HOUR,
  });
  assert.equal(r.calls, 0);
  assert.equal(JSON.stringify(ctx.session), before, 'nothing written');
});

test('the answer holds until the refresh is due or the sign-in ends, whichever comes first', async () => {
  const r = refresher(() => Promise.reject(new Error('not called')));
  const refreshFirst = await resolver(r)(ctxWith(auth()));
  assert.equal(refreshFirst.identity && refreshFirst.stableUntil, NOW + HOUR - REFRESH_SKEW_MS);
  const endFirst = await resolver(r)(ctxWith(auth({ signedInAt: NOW - 12 * HOUR + 10 * 60_000 })));
  assert.equal(endFirst.identity && endFirst.stableUntil, NOW + 10 * 60_000);
});

test('past the absolute lifetime: ended, and the session is gone', async () => {
  const r = refresher(() => Promise.reject(new Error('not called')));
  const ctx = ctxWith(auth({ signedInAt: NOW - 12 * HOUR }));
  const result = await resolver(r)(ctx);
  assert.equal(result.identity, undefined);
  assert.equal(result.ended, true);
  assert.equal(ctx.session, null);
  assert.equal(r.calls, 0);
});

test('a token within the refresh margin is refreshed once, and the session keeps the new one', async () => {
  const fresh = auth({ accessToken: 'access-2', accessExpiresAt: NOW + HOUR });
  const r = refresher(() => Promise.resolve(fresh));
  const ctx = ctxWith(auth({ accessExpiresAt: NOW + REFRESH_SKEW_MS - 1 }));
  const result = await resolver(r)(ctx);
  assert.equal(r.calls, 1);
  assert.equal(result.identity?.expiresAt, NOW + HOUR);
  assert.equal(ctx.session?.auth?.accessToken, 'access-2');
});

test('a refresh Cognito refuses ends the session', async () => {
  const r = refresher(() => Promise.reject(new AuthError('TOKEN_REVOKED', 'NotAuthorizedException')));
  const ctx = ctxWith(auth({ accessExpiresAt: NOW - 1 }));
  const result = await resolver(r)(ctx);
  assert.equal(result.identity, undefined);
  assert.equal(result.ended, true);
  assert.equal(ctx.session, null);
});

test('a refresh that cannot reach Cognito is an outage, not a sign-out', async () => {
  const r = refresher(() => Promise.reject(new AuthError('SERVICE_UNAVAILABLE', 'TimeoutError')));
  const ctx = ctxWith(auth({ accessExpiresAt: NOW - 1 }));
  await assert.rejects(resolver(r)(ctx), (err: unknown) => err instanceof AuthError && err.status === 503);
  assert.ok(ctx.session?.auth, 'still signed in');
});
