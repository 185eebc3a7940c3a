// GET|POST /oauth2/userInfo: the signed-in user's attributes for a valid access token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CognitoError } from '../errors.ts';
import { readBody, sendJson } from '../http-util.ts';
import type { OpContext } from '../operations/context.ts';
import { authenticateAccessToken } from '../operations/user-tokens.ts';
import type { UserRecord } from '../state.ts';

/** GET|POST /oauth2/userInfo: the user's attributes for a valid, unrevoked access token. */
export async function userInfo(ctx: OpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = /^Bearer\s+(\S+)$/i.exec((req.headers.authorization ?? '').trim());
  const refuse = () =>
    sendJson(
      res,
      401,
      {
        error: 'invalid_token',
        error_description:
          'Access token is expired, disabled, or deleted, or the user has globally signed out.',
      },
      'application/json',
      {
        'WWW-Authenticate':
          'Bearer error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out."',
      },
    );
  if (req.method === 'POST') await readBody(req).catch(() => Buffer.alloc(0));
  if (!match) return refuse();
  let user: UserRecord;
  try {
    ({ user } = await authenticateAccessToken(ctx, match[1] ?? ''));
  } catch (err) {
    if (err instanceof CognitoError) return refuse();
    throw err;
  }
  if (!user.enabled) return refuse();
  const out: Record<string, string> = { sub: user.sub };
  for (const a of user.attributes) out[a.Name] = a.Value;
  out.username = user.username;
  sendJson(res, 200, out);
}
