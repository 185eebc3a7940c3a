// POST /login: the sign-in form's cancel, password and MFA steps, ending in the session cookie and a code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CognitoError } from '../errors.ts';
import { parseCookies } from '../http-util.ts';
import { newOpaqueToken } from '../ids.ts';
import { checkFirstFactor } from '../operations/auth.ts';
import { afterFirstFactor, answerMfaChallenge } from '../operations/mfa-challenges.ts';
import { findRefreshToken } from '../operations/refresh-tokens.ts';
import { userKey } from '../state.ts';
import { answerCheckFailure, checkAuthorize } from './check.ts';
import { loginPage, mfaPage, textsFor } from './pages.ts';
import { csrfCookie, csrfToken, page, readForm, redirect } from './respond.ts';
import {
  BROWSER_SESSION_MS,
  CSRF_COOKIE,
  SESSION_COOKIE,
  sameString,
  storeCode,
  withParams,
  type AuthorizeRequest,
  type HostedUiState,
} from './shared.ts';

/** POST /login: cancel, the password, or the MFA step. */
export async function loginPost(ui: HostedUiState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req, res);
  if (!form) return;
  const checked = checkAuthorize(ui.deps.ctx, form);
  if (!checked.ok) return answerCheckFailure(res, checked);
  const { request } = checked;
  const cookieCsrf = parseCookies(req).get(CSRF_COOKIE);
  const formCsrf = form.get('_csrf');
  const csrf = csrfToken(req);
  const lang = request.lang;
  if (!cookieCsrf || !formCsrf || !sameString(cookieCsrf, formCsrf)) {
    return page(
      res,
      403,
      loginPage({
        params: request.carried,
        csrf,
        username: form.get('username') ?? request.loginHint,
        error: textsFor(lang).text.expired,
        lang,
      }),
      [csrfCookie(csrf)],
    );
  }
  if (form.has('cancel')) {
    return redirect(res, withParams(request.redirectUri, { error: 'access_denied', state: request.state }));
  }
  const { ctx } = ui.deps;
  const { pool, client } = request;
  let result: object;
  const mfaSession = form.get('mfa_session');
  const username = form.get('username') ?? '';
  try {
    if (mfaSession !== undefined) {
      result = await answerMfa(ui, request, form, mfaSession);
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
      return mfaForm(res, request, csrf, {
        session: mfaSession,
        challengeName: form.get('mfa_challenge') ?? '',
        username: form.get('mfa_username') ?? '',
        error: textsFor(request.lang).text.wrongCode,
      });
    }
    return page(
      res,
      400,
      loginPage({
        params: request.carried,
        csrf,
        username: mfaSession === undefined ? username : form.get('mfa_username'),
        error: err.message,
        lang,
      }),
      [csrfCookie(csrf)],
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
  if (refreshToken !== undefined) return signedIn(ui, res, request, refreshToken);
  const name = outcome.ChallengeName ?? '';
  if (['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP', 'SELECT_MFA_TYPE'].includes(name) && outcome.Session) {
    const params = outcome.ChallengeParameters ?? {};
    return mfaForm(res, request, csrf, {
      session: outcome.Session,
      challengeName: name,
      username: params.USER_ID_FOR_SRP ?? '',
      destination: params.CODE_DELIVERY_DESTINATION,
      choices: params.MFAS_CAN_CHOOSE ? (JSON.parse(params.MFAS_CAN_CHOOSE) as string[]) : undefined,
    });
  }
  // MFA_SETUP: the emulator's hosted UI sets up no authenticator.
  return page(
    res,
    400,
    loginPage({
      params: request.carried,
      csrf,
      username,
      error: textsFor(request.lang).text.setUpFirst,
      lang,
    }),
    [csrfCookie(csrf)],
  );
}

/** The MFA step: the challenge Session (bound to user and client by the JSON API's rules) and the code. */
function answerMfa(
  ui: HostedUiState,
  request: AuthorizeRequest,
  form: Map<string, string>,
  sessionId: string,
): Promise<object> {
  const { ctx } = ui.deps;
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

/** The MFA code (or MFA choice) form; 400 when it comes back with an error. */
function mfaForm(
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
  page(
    res,
    step.error === undefined ? 200 : 400,
    mfaPage({ ...step, params: request.carried, csrf, lang: request.lang }),
    [csrfCookie(csrf)],
  );
}

/** The end of a sign-in through the form: the hosted-UI cookie, then back to the app with a code. */
function signedIn(
  ui: HostedUiState,
  res: ServerResponse,
  request: AuthorizeRequest,
  refreshToken: string,
): void {
  const { ctx } = ui.deps;
  const record = findRefreshToken(ctx, refreshToken);
  if (!record) throw new Error('hosted UI: refresh token of a fresh sign-in not found');
  const sessionId = newOpaqueToken(32);
  const now = ctx.clock();
  for (const [id, s] of ui.browserSessions) if (s.expiresAt <= now) ui.browserSessions.delete(id);
  ui.browserSessions.set(sessionId, {
    poolId: request.pool.id,
    username: record.username,
    authTime: record.authTime,
    expiresAt: now + BROWSER_SESSION_MS,
  });
  const code = storeCode(ui, request, record.originJti, refreshToken);
  record.scope = request.scopes.join(' ');
  ctx.store.changed();
  redirect(res, withParams(request.redirectUri, { code, state: request.state }), [
    `${SESSION_COOKIE}=${sessionId}; Path=/; Max-Age=${BROWSER_SESSION_MS / 1000}; HttpOnly; SameSite=Lax`,
  ]);
}
