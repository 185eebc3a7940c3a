// GET /oauth2/authorize and GET /login: on to the sign-in form, or straight back with a live browser session.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookies } from '../http-util.ts';
import { findRefreshToken, issueRefreshToken } from '../operations/refresh-tokens.ts';
import { userKey, type PoolRecord, type UserRecord } from '../state.ts';
import { answerCheckFailure, checkAuthorize } from './check.ts';
import { loginPage } from './pages.ts';
import { csrfCookie, csrfToken, page, redirect } from './respond.ts';
import {
  SESSION_COOKIE,
  storeCode,
  withParams,
  type AuthorizeRequest,
  type BrowserSession,
  type HostedUiState,
} from './shared.ts';

/** The browser's live hosted-UI session for `pool`, with its user, or undefined. */
function browserSession(
  ui: HostedUiState,
  req: IncomingMessage,
  pool: PoolRecord,
): { session: BrowserSession; user: UserRecord } | undefined {
  const id = parseCookies(req).get(SESSION_COOKIE);
  const session = id === undefined ? undefined : ui.browserSessions.get(id);
  if (!id || !session) return undefined;
  if (session.expiresAt <= ui.deps.ctx.clock()) {
    ui.browserSessions.delete(id);
    return undefined;
  }
  if (session.poolId !== pool.id) return undefined;
  const user = pool.users.get(userKey(pool, session.username));
  if (!user?.enabled || user.status !== 'CONFIRMED') return undefined;
  return { session, user };
}

/** A new sign-in (refresh token) for a user of a live browser session, and its code. */
function issueCode(ui: HostedUiState, request: AuthorizeRequest, user: UserRecord, authTime: number): string {
  const { ctx } = ui.deps;
  const { refreshToken } = issueRefreshToken(ctx, request.pool, request.client, user);
  const record = findRefreshToken(ctx, refreshToken);
  if (!record) throw new Error('hosted UI: refresh token just issued not found');
  record.authTime = authTime;
  record.scope = request.scopes.join(' ');
  ctx.store.changed();
  return storeCode(ui, request, record.originJti, refreshToken);
}

/** GET /oauth2/authorize (on to /login) and GET /login (the form, or straight back with a live session). */
export function authorize(
  ui: HostedUiState,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
  isAuthorize: boolean,
): void {
  const checked = checkAuthorize(ui.deps.ctx, query);
  if (!checked.ok) return answerCheckFailure(res, checked);
  const { request } = checked;
  const live = request.forceLogin ? undefined : browserSession(ui, req, request.pool);
  if (live) {
    const code = issueCode(ui, request, live.user, live.session.authTime);
    return redirect(res, withParams(request.redirectUri, { code, state: request.state }));
  }
  if (isAuthorize) {
    return redirect(res, `/login?${new URLSearchParams(request.carried).toString()}`);
  }
  const csrf = csrfToken(req);
  page(
    res,
    200,
    loginPage({ params: request.carried, csrf, username: request.loginHint, lang: request.lang }),
    [csrfCookie(csrf)],
  );
}
