// Validation of an authorize request (shared by /oauth2/authorize, /login and /logout) and its failure answer.
import type { ServerResponse } from 'node:http';
import type { OpContext } from '../operations/context.ts';
import { errorPage } from './pages.ts';
import { page, redirect } from './respond.ts';
import { findClient, listOf, single, withParams, type AuthorizeRequest } from './shared.ts';

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

/** The outcome of checking an authorize request: the request, an error page, or a redirect with an error. */
export type Checked =
  | { ok: true; request: AuthorizeRequest }
  | { ok: false; page: { status: number; title: string; message: string } }
  | { ok: false; redirect: string };

/** Validates an authorize request as Cognito does; only a trusted redirect_uri ever gets a redirect. */
export function checkAuthorize(ctx: OpContext, raw: URLSearchParams | Map<string, string>): Checked {
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
  const found = findClient(ctx, get('client_id') ?? '');
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
    return back('invalid_request', `identity_provider ${idp} is not supported by the local Cognito emulator`);
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

/** Answers a failed check: its redirect back to the app, or its error page. */
export function answerCheckFailure(res: ServerResponse, checked: Exclude<Checked, { ok: true }>): void {
  if ('redirect' in checked) return redirect(res, checked.redirect);
  page(res, checked.page.status, errorPage(checked.page.title, checked.page.message));
}
