// POST /oauth2/token: the authorization_code grant (with PKCE) and the refresh_token grant.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { OpContext } from '../operations/context.ts';
import { findRefreshToken } from '../operations/refresh-tokens.ts';
import { userKey, type ClientRecord, type PoolRecord } from '../state.ts';
import { mintTokens } from '../tokens.ts';
import { authenticateClient, tokenForm } from './oauth.ts';
import { listOf, OAuthError, sameString, type HostedUiState } from './shared.ts';

/** POST /oauth2/token: authorization_code and refresh_token grants. */
export async function token(ui: HostedUiState, req: IncomingMessage): Promise<object> {
  const form = await tokenForm(req);
  const { pool, client } = authenticateClient(ui.deps.ctx, req, form);
  const grant = form.get('grant_type');
  if (grant === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
  if (grant === 'authorization_code') return codeGrant(ui, pool, client, form);
  if (grant === 'refresh_token') return refreshGrant(ui.deps.ctx, pool, client, form);
  if (grant === 'client_credentials') throw new OAuthError('unauthorized_client');
  throw new OAuthError('unsupported_grant_type');
}

/** The authorization_code grant: a single-use code, bound to client and redirect_uri, PKCE checked. */
async function codeGrant(
  ui: HostedUiState,
  pool: PoolRecord,
  client: ClientRecord,
  form: Map<string, string>,
): Promise<object> {
  const { ctx } = ui.deps;
  if (
    client.extra.AllowedOAuthFlowsUserPoolClient !== true ||
    !listOf(client, 'AllowedOAuthFlows').includes('code')
  ) {
    throw new OAuthError('unauthorized_client');
  }
  const codeValue = form.get('code');
  const redirectUri = form.get('redirect_uri');
  if (codeValue === undefined || redirectUri === undefined) {
    throw new OAuthError('invalid_request', 'code and redirect_uri are required');
  }
  const code = ui.codes.get(codeValue);
  if (!code || code.clientId !== client.clientId || code.poolId !== pool.id)
    throw new OAuthError('invalid_grant');
  const refresh = ctx.store.state.refreshTokens.get(code.originJti);
  if (code.used) {
    // A code used twice may have been stolen: end what the first use issued (RFC 6749 §4.1.2).
    if (refresh) refresh.revoked = true;
    throw new OAuthError('invalid_grant');
  }
  code.used = true; // before any await: a concurrent exchange must fail; a failed try burns the code
  const now = ctx.clock();
  if (code.expiresAt <= now) throw new OAuthError('invalid_grant');
  if (redirectUri !== code.redirectUri) throw new OAuthError('invalid_grant');
  if (code.codeChallenge !== undefined) {
    const verifier = form.get('code_verifier');
    if (verifier === undefined || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
      throw new OAuthError('invalid_grant');
    const computed = createHash('sha256').update(verifier).digest('base64url');
    if (!sameString(computed, code.codeChallenge)) throw new OAuthError('invalid_grant');
  }
  if (!refresh || refresh.revoked || refresh.expiresAt <= now) throw new OAuthError('invalid_grant');
  const user = pool.users.get(userKey(pool, refresh.username));
  if (!user?.enabled) throw new OAuthError('invalid_grant');
  const minted = await mintTokens(ctx.keys, pool, client, user, refresh, now, {
    scope: code.scope,
    nonce: code.nonce,
  });
  return {
    ...(code.scope.split(' ').includes('openid') ? { id_token: minted.idToken } : {}),
    access_token: minted.accessToken,
    refresh_token: code.refreshToken,
    token_type: 'Bearer',
    expires_in: minted.expiresIn,
  };
}

/** The refresh_token grant: new ID and access tokens for a live refresh token of this client. */
async function refreshGrant(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  form: Map<string, string>,
): Promise<object> {
  const token = form.get('refresh_token');
  if (token === undefined) throw new OAuthError('invalid_request', 'refresh_token is required');
  const record = findRefreshToken(ctx, token);
  const now = ctx.clock();
  if (!record || record.poolId !== pool.id || record.clientId !== client.clientId)
    throw new OAuthError('invalid_grant');
  if (record.revoked || record.expiresAt <= now) throw new OAuthError('invalid_grant');
  const user = pool.users.get(userKey(pool, record.username));
  if (!user?.enabled) throw new OAuthError('invalid_grant');
  const scope = record.scope;
  const minted = await mintTokens(
    ctx.keys,
    pool,
    client,
    user,
    record,
    now,
    scope === undefined ? undefined : { scope },
  );
  return {
    ...(scope === undefined || scope.split(' ').includes('openid') ? { id_token: minted.idToken } : {}),
    access_token: minted.accessToken,
    token_type: 'Bearer',
    expires_in: minted.expiresIn,
  };
}
