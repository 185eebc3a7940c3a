// Calls authorized by the user's own tokens: GetUser, ChangePassword, GlobalSignOut, DeleteUser, and RevokeToken
// for a refresh token.
import { CognitoError, notAuthorized, userNotFound } from '../errors.ts';
import { checkPassword } from '../password.ts';
import { passwordFields } from '../user-password.ts';
import { userKey, type PoolRecord, type UserRecord } from '../state.ts';
import { issuerOf } from '../tokens.ts';
import { getClient, optString, reqString, type Input, type OpContext } from './context.ts';
import { findRefreshToken, forgetUser, revokeAllForUser } from './refresh-tokens.ts';
import { mfaFields } from './users.ts';
import { checkUserPassword } from './sign-in-rules.ts';
import { timingSafeEqual } from 'node:crypto';

/**
 * Verifies one of our access tokens (signature, expiry, issuer, token use, revocation) and returns
 * its pool and user. Cognito's messages: invalid, expired, revoked.
 */
export async function authenticateAccessToken(
  ctx: OpContext,
  token: string,
): Promise<{ pool: PoolRecord; user: UserRecord }> {
  const claims = await ctx.keys.verify(token, ctx.clock());
  const { iss, token_use: tokenUse, username, origin_jti: originJti } = claims;
  if (tokenUse !== 'access' || typeof iss !== 'string' || typeof username !== 'string') {
    throw notAuthorized('Invalid Access Token');
  }
  const pool = ctx.store.state.pools.get(iss.slice(iss.lastIndexOf('/') + 1));
  if (!pool || issuerOf(pool) !== iss) throw notAuthorized('Invalid Access Token');
  const user = pool.users.get(userKey(pool, username));
  if (!user) throw userNotFound();
  const origin = typeof originJti === 'string' ? ctx.store.state.refreshTokens.get(originJti) : undefined;
  if (!origin || origin.revoked) throw notAuthorized('Access Token has been revoked');
  return { pool, user };
}

export async function getUser(ctx: OpContext, input: Input): Promise<object> {
  const { user } = await authenticateAccessToken(ctx, reqString(input, 'AccessToken'));
  return { Username: user.username, UserAttributes: user.attributes, ...mfaFields(user) };
}

/**
 * Changes the signed-in user's password. The proposed password is checked against the policy first; a wrong
 * previous password counts as a failed sign-in (and is refused while the account is locked).
 */
export async function changePassword(ctx: OpContext, input: Input): Promise<object> {
  const { pool, user } = await authenticateAccessToken(ctx, reqString(input, 'AccessToken'));
  const previous = reqString(input, 'PreviousPassword');
  const proposed = reqString(input, 'ProposedPassword');
  checkPassword(pool.passwordPolicy, proposed, 'proposedPassword');
  await checkUserPassword(ctx, user, previous);
  Object.assign(user, await passwordFields(pool, user, proposed));
  user.modifiedAt = ctx.clock();
  return {};
}

export async function globalSignOut(ctx: OpContext, input: Input): Promise<object> {
  const { pool, user } = await authenticateAccessToken(ctx, reqString(input, 'AccessToken'));
  revokeAllForUser(ctx, pool, user);
  return {};
}

/**
 * Deletes the signed-in user, as AdminDeleteUser does: every token of theirs stops working (it names a user that is
 * gone), and the name and its aliases are free again.
 */
export async function deleteUser(ctx: OpContext, input: Input): Promise<object> {
  const { pool, user } = await authenticateAccessToken(ctx, reqString(input, 'AccessToken'));
  pool.users.delete(userKey(pool, user.username));
  forgetUser(ctx, pool, user);
  return {};
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Revokes a refresh token and every access token minted from it (same origin_jti). As RFC 7009 has it,
 * a token that is unknown or belongs to another client is answered with success and nothing happens.
 */
export function revokeToken(ctx: OpContext, input: Input): object {
  const token = reqString(input, 'Token');
  const { pool, client } = getClient(ctx, reqString(input, 'ClientId'));
  const secret = optString(input, 'ClientSecret');
  if (client.clientSecret && (secret === undefined || !sameSecret(secret, client.clientSecret))) {
    throw new CognitoError('UnauthorizedException', 'Invalid client secret.');
  }
  if (!client.enableTokenRevocation) {
    throw new CognitoError(
      'UnsupportedOperationException',
      'Token revocation is not enabled for this client.',
    );
  }
  if (token.split('.').length === 3) {
    throw new CognitoError('UnsupportedTokenTypeException', 'Only refresh tokens can be revoked.');
  }
  const record = findRefreshToken(ctx, token);
  if (record && record.poolId === pool.id && record.clientId === client.clientId) record.revoked = true;
  return {};
}
