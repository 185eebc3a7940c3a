// POST /oauth2/revoke: ends a refresh token and the access tokens minted from it.
import type { IncomingMessage } from 'node:http';
import type { OpContext } from '../operations/context.ts';
import { findRefreshToken } from '../operations/refresh-tokens.ts';
import { authenticateClient, tokenForm } from './oauth.ts';
import { OAuthError } from './shared.ts';

/** POST /oauth2/revoke: ends a refresh token (and the access tokens minted from it), as RevokeToken does. */
export async function revoke(ctx: OpContext, req: IncomingMessage): Promise<undefined> {
  const form = await tokenForm(req);
  const { pool, client } = authenticateClient(ctx, req, form);
  const token = form.get('token');
  if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
  if (!client.enableTokenRevocation)
    throw new OAuthError('unsupported_token_type', 'Token revocation is not enabled');
  if (token.split('.').length === 3) throw new OAuthError('unsupported_token_type');
  const record = findRefreshToken(ctx, token);
  if (record && record.poolId === pool.id && record.clientId === client.clientId) record.revoked = true;
  return undefined;
}
