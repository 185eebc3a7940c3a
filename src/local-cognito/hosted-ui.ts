// Cognito's hosted UI (managed login) endpoints: /oauth2/authorize, /login, /oauth2/token, /oauth2/userInfo,
// /oauth2/revoke, /logout. Authorization codes and the hosted UI's own browser sessions live in memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { CognitoError } from './errors.ts';
import { parseCookies, readBody, send, sendJson, TooLarge } from './http-util.ts';
import { errorPage, loginPage, mfaPage, PAGE_HEADERS } from './hosted-ui-pages.ts';
import { newOpaqueToken } from './ids.ts';
import { checkFirstFactor } from './operations/auth.ts';
import type { OpContext } from './operations/context.ts';
import { afterFirstFactor, answerMfaChallenge } from './operations/mfa-challenges.ts';
import { findRefreshToken, issueRefreshToken } from './operations/refresh-tokens.ts';
import { authenticateAccessToken } from './operations/user-tokens.ts';
import { userKey, type ClientRecord, type PoolRecord, type UserRecord } from './state.ts';
import { mintTokens } from './tokens.ts';

/** How long an authorization code works (Cognito: 5 minutes). */
export const CODE_VALIDITY_MS = 5 * 60 * 1000;
/** How long the hosted UI's own sign-in cookie lasts (Cognito: 1 hour). */
export const BROWSER_SESSION_MS = 60 * 60 * 1000;
/** The hosted UI's session cookie, named as Cognito names it. */
export const SESSION_COOKIE = 'cognito';
/** The CSRF cookie of the sign-in form (double submit with the `_csrf` field), named as Cognito names it. */
export const CSRF_COOKIE = 'XSRF-TOKEN';

/** The authorize request's parameters that the sign-in form carries along. */
const CARRIED = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'nonce',
  'identity_provider',
  'lang',
  'prompt',
  'login_hint',
] as const;

const HTML = 'text/html; charset=utf-8';
const TOKEN_HEADERS = { Pragma: 'no-cache' };

export interface HostedUiDeps {
  ctx: OpContext;
  /** Counts one call of `name` (`oauth2/authorize`, `login`, ...). */
  count: (name: string) => void;
  /** Applies an injected fault to a call of `name`: true when that answered it (see faults.ts). */
  fault?: (name: string, res: ServerResponse) => Promise<boolean>;
  /** The emulator's own base URL. */
  endpoint: () => string;
}

interface AuthCode {
  poolId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge?: string | undefined;
  nonce?: string | undefined;
  scope: string;
  /** The sign-in this code hands over (its refresh record carries user, auth_time, origin_jti). */
  originJti: string;
  refreshToken: string;
  expiresAt: number;
  used: boolean;
}

interface BrowserSession {
  poolId: string;
  username: string;
  /** Epoch seconds of the password sign-in, carried as auth_time into every code of this session. */
  authTime: number;
  expiresAt: number;
}

/** A validated authorize request. */
interface AuthorizeRequest {
  pool: PoolRecord;
  client: ClientRecord;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | undefined;
  nonce: string | undefined;
  loginHint: string | undefined;
  lang: string | undefined;
  forceLogin: boolean;
  /** What the sign-in form carries in hidden fields. */
  carried: Record<string, string>;
}

type Checked =
  | { ok: true; request: AuthorizeRequest }
  | { ok: false; page: { status: number; title: string; message: string } }
  | { ok: false; redirect: string };

/** An OAuth error answered as `{ error, error_description }`. */
class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description?: string,
    readonly status = 400,
  ) {
    super(error);
  }
}

const listOf = (client: ClientRecord, member: string): string[] => {
  const value = client.extra[member];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The redirect to `base` with `params` added to its query (kept when it has one). */
function withParams(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}

/** Parameters as single values; a repeated parameter is a malformed request (RFC 6749 §3.1). */
function single(params: URLSearchParams): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const [name, value] of params) {
    if (out.has(name)) return undefined;
    out.set(name, value);
  }
  return out;
}

function findClient(
  ctx: OpContext,
  clientId: string,
): { pool: PoolRecord; client: ClientRecord } | undefined {
  for (const pool of ctx.store.state.pools.values()) {
    const client = pool.clients.get(clientId);
    if (client) return { pool, client };
  }
  return undefined;
}

/** The hosted UI of one emulator. */
export class HostedUi {
  private readonly codes = new Map<string, AuthCode>();
  private readonly browserSessions = new Map<string, BrowserSession>();

  constructor(private readonly deps: HostedUiDeps) {}

  private get ctx(): OpContext {
    return this.deps.ctx;
  }

  /** Counts a call of endpoint `name` and applies its injected fault: true when the fault answered it. */
  private async enter(name: string, res: ServerResponse): Promise<boolean> {
    this.deps.count(name);
    return this.deps.fault ? this.deps.fault(name, res) : false;
  }

  /** Handles a hosted-UI request; false when `path` is none of its endpoints. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = req.method ?? 'GET';
    switch (url.pathname) {
      case '/oauth2/authorize':
        if (method !== 'GET') return false;
        if (await this.enter('oauth2/authorize', res)) return true;
        this.authorize(req, res, url.searchParams, true);
        return true;
      case '/login':
        if (method === 'GET') {
          if (await this.enter('login', res)) return true;
          this.authorize(req, res, url.searchParams, false);
          return true;
        }
        if (method !== 'POST') return false;
        if (await this.enter('login', res)) return true;
        await this.loginPost(req, res);
        return true;
      case '/oauth2/token':
        if (method !== 'POST') return false;
        if (await this.enter('oauth2/token', res)) return true;
        await this.oauthJson(res, () => this.token(req));
        return true;
      case '/oauth2/userInfo':
        if (method !== 'GET' && method !== 'POST') return false;
        if (await this.enter('oauth2/userInfo', res)) return true;
        await this.userInfo(req, res);
        return true;
      case '/oauth2/revoke':
        if (method !== 'POST') return false;
        if (await this.enter('oauth2/revoke', res)) return true;
        await this.oauthJson(res, () => this.revoke(req));
        return true;
      case '/logout':
        if (method !== 'GET') return false;
        if (await this.enter('logout', res)) return true;
        this.logout(req, res, url.searchParams);
        return true;
      default:
        return false;
    }
  }

  // ---- authorize and sign-in ----

  /** Validates an authorize request as Cognito does; only a trusted redirect_uri ever gets a redirect. */
  private checkAuthorize(raw: URLSearchParams | Map<string, string>): Checked {
    const params = raw instanceof Map ? raw : single(raw);
    if (!params) {
      return {
        ok: false,
        page: { status: 400, title: 'Invalid request', message: 'A parameter is repeated.' },
      };
    }
    const get = (name: string): string | undefined => {
      const v = params.get(name);
      return v === undefined || v === '' ? undefined : v;
    };
    const found = findClient(this.ctx, get('client_id') ?? '');
    if (!found) {
      return {
        ok: false,
        page: { status: 400, title: 'Invalid request', message: 'Client does not exist.' },
      };
    }
    const { pool, client } = found;
    const redirectUri = get('redirect_uri');
    if (redirectUri === undefined || !listOf(client, 'CallbackURLs').includes(redirectUri)) {
      return {
        ok: false,
        page: {
          status: 400,
          title: 'Invalid request',
          message: 'redirect_mismatch: redirect_uri is not one of the callback URLs of this app client.',
        },
      };
    }
    const state = get('state');
    const back = (error: string, description?: string, withState = true): Checked => ({
      ok: false,
      redirect: withParams(redirectUri, {
        error,
        error_description: description,
        state: withState ? state : undefined,
      }),
    });
    const responseType = get('response_type');
    if (responseType === undefined) return back('invalid_request', 'response_type is required');
    if (responseType !== 'code') {
      return back('unsupported_response_type', 'The local Cognito emulator supports only response_type=code');
    }
    if (
      client.extra.AllowedOAuthFlowsUserPoolClient !== true ||
      !listOf(client, 'AllowedOAuthFlows').includes('code')
    ) {
      return back('unauthorized_client', 'The authorization code flow is not enabled for this client');
    }
    const idp = get('identity_provider');
    if (idp !== undefined && idp !== 'COGNITO') {
      return back(
        'invalid_request',
        `identity_provider ${idp} is not supported by the local Cognito emulator`,
      );
    }
    const providers = listOf(client, 'SupportedIdentityProviders');
    if (providers.length > 0 && !providers.includes('COGNITO')) {
      return back('unauthorized_client', 'COGNITO is not a supported identity provider of this client');
    }
    if (state?.includes('{')) {
      // Cognito turns away JSON in state (COGNITO.md); keep anything structured server-side.
      return back('invalid_request', 'state must not hold JSON', false);
    }
    const allowed = listOf(client, 'AllowedOAuthScopes');
    const asked = (get('scope') ?? '').split(' ').filter((s) => s !== '');
    const scopes = asked.length === 0 ? allowed : [...new Set(asked)];
    if (scopes.some((s) => !allowed.includes(s))) return back('invalid_scope', 'invalid_scope');
    const codeChallenge = get('code_challenge');
    const method = get('code_challenge_method');
    if (codeChallenge !== undefined || method !== undefined) {
      if (method !== 'S256') return back('invalid_request', 'code_challenge_method must be S256');
      if (codeChallenge === undefined || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
        return back('invalid_request', 'code_challenge must be the base64url SHA-256 of the code verifier');
      }
    }
    const carried: Record<string, string> = {};
    for (const name of CARRIED) {
      const v = get(name);
      if (v !== undefined) carried[name] = v;
    }
    return {
      ok: true,
      request: {
        pool,
        client,
        redirectUri,
        scopes,
        state,
        codeChallenge,
        nonce: get('nonce'),
        loginHint: get('login_hint'),
        lang: get('lang'),
        forceLogin: get('prompt') === 'login',
        carried,
      },
    };
  }

  /** The browser's live hosted-UI session for `pool`, with its user, or undefined. */
  private browserSession(
    req: IncomingMessage,
    pool: PoolRecord,
  ): { session: BrowserSession; user: UserRecord } | undefined {
    const id = parseCookies(req).get(SESSION_COOKIE);
    const session = id === undefined ? undefined : this.browserSessions.get(id);
    if (!id || !session) return undefined;
    if (session.expiresAt <= this.ctx.clock()) {
      this.browserSessions.delete(id);
      return undefined;
    }
    if (session.poolId !== pool.id) return undefined;
    const user = pool.users.get(userKey(pool, session.username));
    if (!user?.enabled || user.status !== 'CONFIRMED') return undefined;
    return { session, user };
  }

  /** GET /oauth2/authorize (on to /login) and GET /login (the form, or straight back with a live session). */
  private authorize(
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
    isAuthorize: boolean,
  ): void {
    const checked = this.checkAuthorize(query);
    if (!checked.ok) return this.answerCheckFailure(res, checked);
    const { request } = checked;
    const live = request.forceLogin ? undefined : this.browserSession(req, request.pool);
    if (live) {
      const code = this.issueCode(request, live.user, live.session.authTime);
      return this.redirect(res, withParams(request.redirectUri, { code, state: request.state }));
    }
    if (isAuthorize) {
      return this.redirect(res, `/login?${new URLSearchParams(request.carried).toString()}`);
    }
    const csrf = this.csrfToken(req);
    this.page(
      res,
      200,
      loginPage({ params: request.carried, csrf, username: request.loginHint, lang: request.lang }),
      [this.csrfCookie(csrf)],
    );
  }

  private answerCheckFailure(res: ServerResponse, checked: Exclude<Checked, { ok: true }>): void {
    if ('redirect' in checked) return this.redirect(res, checked.redirect);
    this.page(res, checked.page.status, errorPage(checked.page.title, checked.page.message));
  }

  /** POST /login: cancel, the password, or the MFA step. */
  private async loginPost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await this.readForm(req, res);
    if (!form) return;
    const checked = this.checkAuthorize(form);
    if (!checked.ok) return this.answerCheckFailure(res, checked);
    const { request } = checked;
    const cookieCsrf = parseCookies(req).get(CSRF_COOKIE);
    const formCsrf = form.get('_csrf');
    const csrf = this.csrfToken(req);
    const lang = request.lang;
    if (!cookieCsrf || !formCsrf || !sameString(cookieCsrf, formCsrf)) {
      return this.page(
        res,
        403,
        loginPage({
          params: request.carried,
          csrf,
          username: form.get('username') ?? request.loginHint,
          error: 'Your sign-in form expired. Please try again.',
          lang,
        }),
        [this.csrfCookie(csrf)],
      );
    }
    if (form.has('cancel')) {
      return this.redirect(
        res,
        withParams(request.redirectUri, { error: 'access_denied', state: request.state }),
      );
    }
    const { ctx } = this;
    const { pool, client } = request;
    let result: object;
    const mfaSession = form.get('mfa_session');
    const username = form.get('username') ?? '';
    try {
      if (mfaSession !== undefined) {
        result = await this.answerMfa(request, form, mfaSession);
      } else {
        const password = form.get('password') ?? '';
        if (username === '' || password === '')
          throw new CognitoError('InvalidParameterException', 'Enter your username and password.');
        const user = await checkFirstFactor(ctx, pool, client, username, password);
        if (user.status === 'FORCE_CHANGE_PASSWORD') {
          throw new CognitoError(
            'NotAuthorizedException',
            "This account must set a new password first; the local emulator's hosted UI cannot do that: sign in through the app.",
          );
        }
        result = await afterFirstFactor(ctx, pool, client, user);
      }
    } catch (err) {
      if (!(err instanceof CognitoError)) throw err;
      ctx.store.changed();
      if (mfaSession !== undefined && err.name === 'CodeMismatchException') {
        return this.mfaForm(res, request, csrf, {
          session: mfaSession,
          challengeName: form.get('mfa_challenge') ?? '',
          username: form.get('mfa_username') ?? '',
          error: 'Incorrect code. Please try again.',
        });
      }
      return this.page(
        res,
        400,
        loginPage({
          params: request.carried,
          csrf,
          username: mfaSession === undefined ? username : form.get('mfa_username'),
          error: err.message,
          lang,
        }),
        [this.csrfCookie(csrf)],
      );
    }
    ctx.store.changed();
    const outcome = result as {
      AuthenticationResult?: { RefreshToken?: string };
      ChallengeName?: string;
      Session?: string;
      ChallengeParameters?: Record<string, string>;
    };
    const refreshToken = outcome.AuthenticationResult?.RefreshToken;
    if (refreshToken !== undefined) return this.signedIn(res, request, refreshToken);
    const name = outcome.ChallengeName ?? '';
    if (['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP', 'SELECT_MFA_TYPE'].includes(name) && outcome.Session) {
      const params = outcome.ChallengeParameters ?? {};
      return this.mfaForm(res, request, csrf, {
        session: outcome.Session,
        challengeName: name,
        username: params.USER_ID_FOR_SRP ?? '',
        destination: params.CODE_DELIVERY_DESTINATION,
        choices: params.MFAS_CAN_CHOOSE ? (JSON.parse(params.MFAS_CAN_CHOOSE) as string[]) : undefined,
      });
    }
    // MFA_SETUP: the emulator's hosted UI sets up no authenticator.
    return this.page(
      res,
      400,
      loginPage({
        params: request.carried,
        csrf,
        username,
        error: 'This account must set up two-step verification first; sign in through the app to do that.',
        lang,
      }),
      [this.csrfCookie(csrf)],
    );
  }

  /** The MFA step: the challenge Session (bound to user and client by the JSON API's rules) and the code. */
  private answerMfa(
    request: AuthorizeRequest,
    form: Map<string, string>,
    sessionId: string,
  ): Promise<object> {
    const { ctx } = this;
    const challengeName = form.get('mfa_challenge') ?? '';
    const session = ctx.sessions.get(sessionId, request.client.clientId, challengeName, ctx.clock());
    const user = request.pool.users.get(userKey(request.pool, session.username));
    if (!user || session.poolId !== request.pool.id) {
      throw new CognitoError('NotAuthorizedException', 'Invalid session for the user.');
    }
    if (!user.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
    const responses = new Map<string, string>();
    const code = form.get('code') ?? '';
    if (challengeName === 'SOFTWARE_TOKEN_MFA') responses.set('SOFTWARE_TOKEN_MFA_CODE', code);
    if (challengeName === 'SMS_MFA') responses.set('SMS_MFA_CODE', code);
    if (challengeName === 'EMAIL_OTP') responses.set('EMAIL_OTP_CODE', code);
    if (challengeName === 'SELECT_MFA_TYPE') responses.set('ANSWER', form.get('answer') ?? '');
    return answerMfaChallenge(ctx, request.pool, request.client, user, session, responses);
  }

  private mfaForm(
    res: ServerResponse,
    request: AuthorizeRequest,
    csrf: string,
    step: {
      session: string;
      challengeName: string;
      username: string;
      destination?: string | undefined;
      choices?: string[] | undefined;
      error?: string | undefined;
    },
  ): void {
    this.page(
      res,
      step.error === undefined ? 200 : 400,
      mfaPage({ ...step, params: request.carried, csrf, lang: request.lang }),
      [this.csrfCookie(csrf)],
    );
  }

  /** The end of a sign-in through the form: the hosted-UI cookie, then back to the app with a code. */
  private signedIn(res: ServerResponse, request: AuthorizeRequest, refreshToken: string): void {
    const record = findRefreshToken(this.ctx, refreshToken);
    if (!record) throw new Error('hosted UI: refresh token of a fresh sign-in not found');
    const sessionId = newOpaqueToken(32);
    const now = this.ctx.clock();
    for (const [id, s] of this.browserSessions) if (s.expiresAt <= now) this.browserSessions.delete(id);
    this.browserSessions.set(sessionId, {
      poolId: request.pool.id,
      username: record.username,
      authTime: record.authTime,
      expiresAt: now + BROWSER_SESSION_MS,
    });
    const code = this.storeCode(request, record.originJti, refreshToken);
    record.scope = request.scopes.join(' ');
    this.ctx.store.changed();
    this.redirect(res, withParams(request.redirectUri, { code, state: request.state }), [
      `${SESSION_COOKIE}=${sessionId}; Path=/; Max-Age=${BROWSER_SESSION_MS / 1000}; HttpOnly; SameSite=Lax`,
    ]);
  }

  /** A new sign-in (refresh token) for a user of a live browser session, and its code. */
  private issueCode(request: AuthorizeRequest, user: UserRecord, authTime: number): string {
    const { refreshToken } = issueRefreshToken(this.ctx, request.pool, request.client, user);
    const record = findRefreshToken(this.ctx, refreshToken);
    if (!record) throw new Error('hosted UI: refresh token just issued not found');
    record.authTime = authTime;
    record.scope = request.scopes.join(' ');
    this.ctx.store.changed();
    return this.storeCode(request, record.originJti, refreshToken);
  }

  private storeCode(request: AuthorizeRequest, originJti: string, refreshToken: string): string {
    const now = this.ctx.clock();
    for (const [key, c] of this.codes) if (c.expiresAt <= now) this.codes.delete(key);
    const code = newOpaqueToken(32);
    this.codes.set(code, {
      poolId: request.pool.id,
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      nonce: request.nonce,
      scope: request.scopes.join(' '),
      originJti,
      refreshToken,
      expiresAt: now + CODE_VALIDITY_MS,
      used: false,
    });
    return code;
  }

  // ---- token, userInfo, revoke ----

  /** Runs an OAuth JSON endpoint: its result as 200 JSON, an OAuthError as `{ error }`. */
  private async oauthJson(res: ServerResponse, run: () => Promise<object | undefined>): Promise<void> {
    try {
      const out = await run();
      this.ctx.store.changed();
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
  private async tokenForm(req: IncomingMessage): Promise<Map<string, string>> {
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
  private authenticateClient(
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
    const found = clientId === undefined ? undefined : findClient(this.ctx, clientId);
    if (!found) throw new OAuthError('invalid_client');
    const expected = found.client.clientSecret;
    if (expected !== undefined && (secret === undefined || !sameString(secret, expected))) {
      throw new OAuthError('invalid_client');
    }
    if (expected === undefined && secret !== undefined) throw new OAuthError('invalid_client');
    return found;
  }

  /** POST /oauth2/token: authorization_code and refresh_token grants. */
  private async token(req: IncomingMessage): Promise<object> {
    const form = await this.tokenForm(req);
    const { pool, client } = this.authenticateClient(req, form);
    const grant = form.get('grant_type');
    if (grant === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
    if (grant === 'authorization_code') return this.codeGrant(pool, client, form);
    if (grant === 'refresh_token') return this.refreshGrant(pool, client, form);
    if (grant === 'client_credentials') throw new OAuthError('unauthorized_client');
    throw new OAuthError('unsupported_grant_type');
  }

  private async codeGrant(
    pool: PoolRecord,
    client: ClientRecord,
    form: Map<string, string>,
  ): Promise<object> {
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
    const code = this.codes.get(codeValue);
    if (!code || code.clientId !== client.clientId || code.poolId !== pool.id)
      throw new OAuthError('invalid_grant');
    const refresh = this.ctx.store.state.refreshTokens.get(code.originJti);
    if (code.used) {
      // A code used twice may have been stolen: end what the first use issued (RFC 6749 §4.1.2).
      if (refresh) refresh.revoked = true;
      throw new OAuthError('invalid_grant');
    }
    code.used = true; // before any await: a concurrent exchange must fail; a failed try burns the code
    const now = this.ctx.clock();
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
    const minted = await mintTokens(this.ctx.keys, pool, client, user, refresh, now, {
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

  private async refreshGrant(
    pool: PoolRecord,
    client: ClientRecord,
    form: Map<string, string>,
  ): Promise<object> {
    const token = form.get('refresh_token');
    if (token === undefined) throw new OAuthError('invalid_request', 'refresh_token is required');
    const record = findRefreshToken(this.ctx, token);
    const now = this.ctx.clock();
    if (!record || record.poolId !== pool.id || record.clientId !== client.clientId)
      throw new OAuthError('invalid_grant');
    if (record.revoked || record.expiresAt <= now) throw new OAuthError('invalid_grant');
    const user = pool.users.get(userKey(pool, record.username));
    if (!user?.enabled) throw new OAuthError('invalid_grant');
    const scope = record.scope;
    const minted = await mintTokens(
      this.ctx.keys,
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

  /** GET|POST /oauth2/userInfo: the user's attributes for a valid, unrevoked access token. */
  private async userInfo(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
      ({ user } = await authenticateAccessToken(this.ctx, match[1] ?? ''));
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

  /** POST /oauth2/revoke: ends a refresh token (and the access tokens minted from it), as RevokeToken does. */
  private async revoke(req: IncomingMessage): Promise<undefined> {
    const form = await this.tokenForm(req);
    const { pool, client } = this.authenticateClient(req, form);
    const token = form.get('token');
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
    if (!client.enableTokenRevocation)
      throw new OAuthError('unsupported_token_type', 'Token revocation is not enabled');
    if (token.split('.').length === 3) throw new OAuthError('unsupported_token_type');
    const record = findRefreshToken(this.ctx, token);
    if (record && record.poolId === pool.id && record.clientId === client.clientId) record.revoked = true;
    return undefined;
  }

  // ---- logout ----

  /** GET /logout: ends the hosted-UI session; back to a registered sign-out URL, or on to the sign-in page. */
  private logout(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const params = single(query);
    const found = findClient(this.ctx, params?.get('client_id') ?? '');
    if (!params || !found) {
      return this.page(res, 400, errorPage('Invalid request', 'Client does not exist.'));
    }
    const logoutUri = params.get('logout_uri');
    let target: string;
    if (logoutUri !== undefined) {
      if (!listOf(found.client, 'LogoutURLs').includes(logoutUri)) {
        return this.page(
          res,
          400,
          errorPage('Invalid request', 'logout_uri is not one of the sign-out URLs of this app client.'),
        );
      }
      target = logoutUri;
    } else if (params.get('redirect_uri') !== undefined) {
      const checked = this.checkAuthorize(params);
      if (!checked.ok) return this.answerCheckFailure(res, checked);
      target = `/login?${new URLSearchParams(checked.request.carried).toString()}`;
    } else {
      return this.page(res, 400, errorPage('Invalid request', 'logout_uri or redirect_uri is required.'));
    }
    const id = parseCookies(req).get(SESSION_COOKIE);
    if (id !== undefined) this.browserSessions.delete(id);
    this.redirect(res, target, [`${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`]);
  }

  // ---- helpers ----

  private async readForm(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Map<string, string> | undefined> {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (!(err instanceof TooLarge)) throw err;
      res.setHeader('Connection', 'close');
      this.page(res, 413, errorPage('Invalid request', 'The request is too large.'));
      req.destroy();
      return undefined;
    }
    const form = single(new URLSearchParams(body.toString('utf8')));
    if (!form) {
      this.page(res, 400, errorPage('Invalid request', 'A parameter is repeated.'));
      return undefined;
    }
    return form;
  }

  /** The browser's CSRF token (kept across pages), or a new one. */
  private csrfToken(req: IncomingMessage): string {
    const existing = parseCookies(req).get(CSRF_COOKIE);
    return existing !== undefined && /^[A-Za-z0-9_-]{32,64}$/.test(existing) ? existing : newOpaqueToken(32);
  }

  private csrfCookie(token: string): string {
    return `${CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`;
  }

  private page(res: ServerResponse, status: number, html: string, cookies: string[] = []): void {
    send(res, status, html, HTML, { ...PAGE_HEADERS, ...(cookies.length ? { 'Set-Cookie': cookies } : {}) });
  }

  private redirect(res: ServerResponse, location: string, cookies: string[] = []): void {
    send(res, 302, '', 'text/plain; charset=utf-8', {
      ...PAGE_HEADERS,
      Location: location,
      ...(cookies.length ? { 'Set-Cookie': cookies } : {}),
    });
  }
}
