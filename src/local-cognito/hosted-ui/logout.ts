// GET /logout: ends the hosted-UI browser session, then on to a sign-out URL or back to the sign-in page.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookies } from '../http-util.ts';
import { answerCheckFailure, checkAuthorize } from './check.ts';
import { errorPage } from './pages.ts';
import { page, redirect } from './respond.ts';
import { findClient, listOf, SESSION_COOKIE, single, type HostedUiState } from './shared.ts';

/** GET /logout: ends the hosted-UI session; back to a registered sign-out URL, or on to the sign-in page. */
export function logout(
  ui: HostedUiState,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): void {
  const { ctx } = ui.deps;
  const params = single(query);
  const found = findClient(ctx, params?.get('client_id') ?? '');
  if (!params || !found) {
    return page(res, 400, errorPage('Invalid request', 'Client does not exist.'));
  }
  const logoutUri = params.get('logout_uri');
  let target: string;
  if (logoutUri !== undefined) {
    if (!listOf(found.client, 'LogoutURLs').includes(logoutUri)) {
      return page(
        res,
        400,
        errorPage('Invalid request', 'logout_uri is not one of the sign-out URLs of this app client.'),
      );
    }
    target = logoutUri;
  } else if (params.get('redirect_uri') !== undefined) {
    const checked = checkAuthorize(ctx, params);
    if (!checked.ok) return answerCheckFailure(res, checked);
    target = `/login?${new URLSearchParams(checked.request.carried).toString()}`;
  } else {
    return page(res, 400, errorPage('Invalid request', 'logout_uri or redirect_uri is required.'));
  }
  const id = parseCookies(req).get(SESSION_COOKIE);
  if (id !== undefined) ui.browserSessions.delete(id);
  redirect(res, target, [`${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`]);
}
