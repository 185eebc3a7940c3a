// The end of every successful sign-in: a new refresh token and the ID and access tokens minted from it.
import { mintTokens } from '../tokens.ts';
import type { ClientRecord, PoolRecord, UserRecord } from '../state.ts';
import type { OpContext } from './context.ts';
import { issueRefreshToken } from './refresh-tokens.ts';

/** A full sign-in: a new refresh token and the ID and access tokens minted from it. */
export async function signedIn(ctx: OpContext, pool: PoolRecord, client: ClientRecord, user: UserRecord) {
  const { origin, refreshToken } = issueRefreshToken(ctx, pool, client, user);
  const minted = await mintTokens(ctx.keys, pool, client, user, origin, ctx.clock());
  return {
    ChallengeParameters: {},
    AuthenticationResult: {
      AccessToken: minted.accessToken,
      ExpiresIn: minted.expiresIn,
      TokenType: 'Bearer',
      IdToken: minted.idToken,
      RefreshToken: refreshToken,
    },
  };
}
