// The hosted UI (managed login) as a confidential OAuth 2.0 client: authorize URL, code exchange, logout URL.
import { createHash, randomBytes } from 'node:crypto';
import type { CognitoSettings } from './settings.ts';
import { AuthError } from './errors.ts';
import type { CallObserver, TokenSet } from './gateway.ts';

/** A started authorization: what the callback must find in the session to finish it. */
export interface AuthorizationRequest {
  url: string;
  state: string;
  verifier: string;
  nonce: string;
}

export interface AuthorizeOptions {
  redirectUri: string;
  scopes: string;
  loginHint?: string | undefined;
  lang?: string | undefined;
  identityProvider?: string | undefined;
}

export interface HostedUi {
  /** A fresh state, PKCE verifier (S256) and nonce, and the authorize URL that carries them. */
  authorize(options: AuthorizeOptions): AuthorizationRequest;
  /** Trades the code at the token endpoint (HTTP Basic client authentication). Throws AuthError. */
  exchangeCode(code: string, redirectUri: string, verifier: string): Promise<TokenSet>;
  /** Where to send the browser to end the hosted UI's own session. */
  logoutUrl(logoutUri: string): string;
}

const random = () => randomBytes(32).toString('base64url');

export function createHostedUi(settings: CognitoSettings, observe?: CallObserver): HostedUi | undefined {
  if (!settings.hostedUiUrl) return undefined;
  const base = settings.hostedUiUrl;
  const basic = Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64');

  return {
    authorize(options) {
      const state = random();
      const verifier = random();
      const nonce = random();
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: options.redirectUri,
        scope: options.scopes,
        state,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        nonce,
      });
      if (options.loginHint) query.set('login_hint', options.loginHint);
      if (options.lang) query.set('lang', options.lang);
      if (options.identityProvider) query.set('identity_provider', options.identityProvider);
      return { url: `${base}/oauth2/authorize?${query.toString()}`, state, verifier, nonce };
    },

    async exchangeCode(code, redirectUri, verifier) {
      const started = process.hrtime.bigint();
      try {
        const tokens = await exchange(code, redirectUri, verifier);
        observe?.('oauth2/token', 'ok', Number(process.hrtime.bigint() - started) / 1e9);
        return tokens;
      } catch (err) {
        const outcome = err instanceof AuthError ? (err.cognitoName ?? err.code) : 'error';
        observe?.('oauth2/token', outcome, Number(process.hrtime.bigint() - started) / 1e9);
        throw err;
      }
    },

    logoutUrl(logoutUri) {
      const query = new URLSearchParams({ client_id: settings.clientId, logout_uri: logoutUri });
      return `${base}/logout?${query.toString()}`;
    },
  };

  async function exchange(code: string, redirectUri: string, verifier: string): Promise<TokenSet> {
    let res: Response;
    try {
      res = await fetch(`${base}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: settings.clientId,
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier,
        }),
        redirect: 'error',
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (err) {
      throw new AuthError('SERVICE_UNAVAILABLE', (err as Error).name);
    }
    const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (res.status >= 500 || body === undefined)
      throw new AuthError('SERVICE_UNAVAILABLE', `token ${res.status}`);
    if (res.status === 429) throw new AuthError('THROTTLED', 'token endpoint');
    if (!res.ok) {
      // invalid_client means our own credentials are wrong: a configuration problem, not the user's.
      const error = typeof body.error === 'string' ? body.error : 'unknown';
      throw new AuthError(error === 'invalid_client' ? 'MISCONFIGURED' : 'OAUTH_REFUSED', error);
    }
    const { id_token, access_token, refresh_token, expires_in } = body;
    if (typeof id_token !== 'string' || typeof access_token !== 'string') {
      throw new AuthError('UNEXPECTED_RESPONSE', 'token response without tokens');
    }
    return {
      idToken: id_token,
      accessToken: access_token,
      refreshToken: typeof refresh_token === 'string' ? refresh_token : undefined,
      expiresIn: typeof expires_in === 'number' ? expires_in : 3600,
    };
  }
}
