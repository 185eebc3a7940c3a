// The OAuth JSON endpoints' common parts (/oauth2/token, /oauth2/revoke): answers, form body, client auth.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send, sendJson, TooLarge } from '../http-util.ts';
import type { OpContext } from '../operations/context.ts';
import type { ClientRecord, PoolRecord } from '../state.ts';
import { findClient, OAuthError, sameString, single } from './shared.ts';

const TOKEN_HEADERS = { Pragma: 'no-cache' };

/** Runs an OAuth JSON endpoint: its result as 200 JSON, an OAuthError as `{ error }`. */
export async function oauthJson(
  ctx: OpContext,
  res: ServerResponse,
  run: () => Promise<object | undefined>,
): Promise<void> {
  try {
    const out = await run();
    ctx.store.changed();
    if (out === undefined) return send(res, 200, '', 'application/json', TOKEN_HEADERS);
    sendJson(res, 200, out, 'application/json', TOKEN_HEADERS);
  } catch (err) {
    if (err instanceof TooLarge) {
      return sendJson(res, 413, { error: 'invalid_request' }, 'application/json', { Connection: 'close' });
    }
    if (!(err instanceof OAuthError)) throw err;
    const body = { error: err.error, ...(err.description ? { error_description: err.description } : {}) };
    sendJson(res, err.status, body, 'application/json', TOKEN_HEADERS);
  }
}

/** A form-encoded body with single-valued parameters, or invalid_request. */
export async function tokenForm(req: IncomingMessage): Promise<Map<string, string>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const body = await readBody(req);
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
  }
  const form = single(new URLSearchParams(body.toString('utf8')));
  if (!form) throw new OAuthError('invalid_request', 'A parameter is repeated');
  return form;
}

/**
 * Client authentication: HTTP Basic `client_id:client_secret` (client_secret_basic) or `client_id` and
 * `client_secret` in the body (client_secret_post); a client without a secret names itself with `client_id`.
 */
export function authenticateClient(
  ctx: OpContext,
  req: IncomingMessage,
  form: Map<string, string>,
): { pool: PoolRecord; client: ClientRecord } {
  let clientId = form.get('client_id');
  let secret = form.get('client_secret');
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
    const decoded = match ? Buffer.from(match[1] ?? '', 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client');
    let basicId: string;
    try {
      basicId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      throw new OAuthError('invalid_client');
    }
    if (clientId !== undefined && clientId !== basicId) throw new OAuthError('invalid_client');
    if (form.has('client_secret'))
      throw new OAuthError('invalid_request', 'More than one client authentication');
    clientId = basicId;
  }
  const found = clientId === undefined ? undefined : findClient(ctx, clientId);
  if (!found) throw new OAuthError('invalid_client');
  const expected = found.client.clientSecret;
  if (expected !== undefined && (secret === undefined || !sameString(secret, expected))) {
    throw new OAuthError('invalid_client');
  }
  if (expected === undefined && secret !== undefined) throw new OAuthError('invalid_client');
  return found;
}
