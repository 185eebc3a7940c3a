// Server-side refresh tokens: issuing, finding by token, revoking one sign-in or all of a user's.
import { createHash } from 'node:crypto';
import { newOpaqueToken, newUuid } from '../ids.ts';
import { tokenLifetimes, type Origin } from '../tokens.ts';
import type { ClientRecord, PoolRecord, RefreshRecord, UserRecord } from '../state.ts';
import type { OpContext } from './context.ts';

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Starts a sign-in: a new origin (origin_jti, event_id, auth_time, the device) and its refresh token. */
export function issueRefreshToken(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  deviceKey?: string,
): { origin: Origin; refreshToken: string } {
  const now = ctx.clock();
  const origin: Origin = {
    originJti: newUuid(),
    eventId: newUuid(),
    authTime: Math.floor(now / 1000),
    ...(deviceKey === undefined ? {} : { deviceKey }),
  };
  // Opaque, but shaped like Cognito's (five dot-separated base64url parts, as a JWE), never like a JWT.
  const refreshToken = [24, 32, 12, 96, 16].map((n) => newOpaqueToken(n)).join('.');
  const record: RefreshRecord = {
    ...origin,
    tokenHash: hashToken(refreshToken),
    poolId: pool.id,
    clientId: client.clientId,
    username: user.username,
    issuedAt: now,
    expiresAt: now + tokenLifetimes(client).refresh * 1000,
    revoked: false,
  };
  ctx.store.state.refreshTokens.set(origin.originJti, record);
  ctx.store.state.refreshIndex.set(record.tokenHash, origin.originJti);
  return { origin, refreshToken };
}

/** The record of a refresh token, or undefined when it is not one of ours. */
export function findRefreshToken(ctx: OpContext, token: string): RefreshRecord | undefined {
  const originJti = ctx.store.state.refreshIndex.get(hashToken(token));
  return originJti === undefined ? undefined : ctx.store.state.refreshTokens.get(originJti);
}

/** Removes refresh records matching `predicate` (a deleted user or pool). */
export function forgetRefreshTokens(ctx: OpContext, predicate: (r: RefreshRecord) => boolean): void {
  const { refreshTokens, refreshIndex } = ctx.store.state;
  for (const [key, record] of refreshTokens) {
    if (!predicate(record)) continue;
    refreshTokens.delete(key);
    refreshIndex.delete(record.tokenHash);
  }
}

/** Ends every refresh token of the user (and with them every access token minted from them). */
export function revokeAllForUser(ctx: OpContext, pool: PoolRecord, user: UserRecord): void {
  for (const record of ctx.store.state.refreshTokens.values()) {
    if (record.poolId === pool.id && record.username === user.username) record.revoked = true;
  }
}

/** Forgets the refresh tokens of a deleted user. */
export function forgetUser(ctx: OpContext, pool: PoolRecord, user: UserRecord): void {
  forgetRefreshTokens(ctx, (r) => r.poolId === pool.id && r.username === user.username);
}
