// Cognito's hosted UI (managed login): the entry that routes each request to its endpoint's handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorize } from './authorize.ts';
import { loginPost } from './login.ts';
import { logout } from './logout.ts';
import { oauthJson } from './oauth.ts';
import { revoke } from './revoke.ts';
import type { AuthCode, BrowserSession, HostedUiDeps, HostedUiState } from './shared.ts';
import { token } from './token.ts';
import { userInfo } from './user-info.ts';

export { BROWSER_SESSION_MS, CODE_VALIDITY_MS, CSRF_COOKIE, SESSION_COOKIE } from './shared.ts';
export type { HostedUiDeps } from './shared.ts';

/**
 * The hosted UI of one emulator: /oauth2/authorize, /login, /oauth2/token, /oauth2/userInfo, /oauth2/revoke,
 * /logout. Authorization codes and the hosted UI's own browser sessions live in memory.
 */
export class HostedUi {
  private readonly state: HostedUiState;

  constructor(deps: HostedUiDeps) {
    this.state = {
      deps,
      codes: new Map<string, AuthCode>(),
      browserSessions: new Map<string, BrowserSession>(),
    };
  }

  /** Counts a call of endpoint `name` and applies its injected fault: true when the fault answered it. */
  private async enter(name: string, res: ServerResponse): Promise<boolean> {
    const { deps } = this.state;
    deps.count(name);
    return deps.fault ? deps.fault(name, res) : false;
  }

  /** Handles a hosted-UI request; false when `path` is none of its endpoints. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const ui = this.state;
    const method = req.method ?? 'GET';
    switch (url.pathname) {
      case '/oauth2/authorize':
        if (method !== 'GET') return false;
        if (await this.enter('oauth2/authorize', res)) return true;
        authorize(ui, req, res, url.searchParams, true);
        return true;
      case '/login':
        if (method === 'GET') {
          if (await this.enter('login', res)) return true;
          authorize(ui, req, res, url.searchParams, false);
          return true;
        }
        if (method !== 'POST') return false;
        if (await this.enter('login', res)) return true;
        await loginPost(ui, req, res);
        return true;
      case '/oauth2/token':
        if (method !== 'POST') return false;
        if (await this.enter('oauth2/token', res)) return true;
        await oauthJson(ui.deps.ctx, res, () => token(ui, req));
        return true;
      case '/oauth2/userInfo':
        if (method !== 'GET' && method !== 'POST') return false;
        if (await this.enter('oauth2/userInfo', res)) return true;
        await userInfo(ui.deps.ctx, req, res);
        return true;
      case '/oauth2/revoke':
        if (method !== 'POST') return false;
        if (await this.enter('oauth2/revoke', res)) return true;
        await oauthJson(ui.deps.ctx, res, () => revoke(ui.deps.ctx, req));
        return true;
      case '/logout':
        if (method !== 'GET') return false;
        if (await this.enter('logout', res)) return true;
        logout(ui, req, res, url.searchParams);
        return true;
      default:
        return false;
    }
  }
}
