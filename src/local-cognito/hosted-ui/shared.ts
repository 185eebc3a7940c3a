// The hosted UI's shared state (authorization codes, browser sessions), its records and small helpers.
import { timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { newOpaqueToken } from '../ids.ts';
import type { OpContext } from '../operations/context.ts';
import type { ClientRecord, PoolRecord } from '../state.ts';

/** How long an authorization code works (Cognito: 5 minutes). */
export const CODE_VALIDITY_MS = 5 * 60 * 1000;
/** How long the hosted UI's own sign-in cookie lasts (Cognito: 1 hour). */
export const BROWSER_SESSION_MS = 60 * 60 * 1000;
/** The hosted UI's session cookie, named as Cognito names it. */
export const SESSION_COOKIE = 'cognito';
/** The CSRF cookie of the sign-in form (double submit with the `_csrf` field), named as Cognito names it. */
export const CSRF_COOKIE = 'XSRF-TOKEN';

export interface HostedUiDeps {
  ctx: OpContext;
  /** Counts one call of `name` (`oauth2/authorize`, `login`, ...). */
  count: (name: string) => void;
  /** Applies an injected fault to a call of `name`: true when that answered it (see faults.ts). */
  fault?: (name: string, res: ServerResponse) => Promise<boolean>;
  /** The emulator's own base URL. */
  endpoint: () => string;
}

export interface AuthCode {
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

export interface BrowserSession {
  poolId: string;
  username: string;
  /** Epoch seconds of the password sign-in, carried as auth_time into every code of this session. */
  authTime: number;
  expiresAt: number;
}

/** A validated authorize request. */
export interface AuthorizeRequest {
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

/** One hosted UI's dependencies and in-memory state, shared by its endpoints. */
export interface HostedUiState {
  readonly deps: HostedUiDeps;
  readonly codes: Map<string, AuthCode>;
  readonly browserSessions: Map<string, BrowserSession>;
}

/** An OAuth error answered as `{ error, error_description }`. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description?: string,
    readonly status = 400,
  ) {
    super(error);
  }
}

/** The strings of the list `member` of a client's extra settings (e.g. `CallbackURLs`). */
export const listOf = (client: ClientRecord, member: string): string[] => {
  const value = client.extra[member];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/** Whether `a` and `b` are equal, compared in constant time. */
export function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The redirect to `base` with `params` added to its query (kept when it has one). */
export function withParams(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}

/** Parameters as single values; a repeated parameter is a malformed request (RFC 6749 §3.1). */
export function single(params: URLSearchParams): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const [name, value] of params) {
    if (out.has(name)) return undefined;
    out.set(name, value);
  }
  return out;
}

/** The app client `clientId` and its pool, or undefined. */
export function findClient(
  ctx: OpContext,
  clientId: string,
): { pool: PoolRecord; client: ClientRecord } | undefined {
  for (const pool of ctx.store.state.pools.values()) {
    const client = pool.clients.get(clientId);
    if (client) return { pool, client };
  }
  return undefined;
}

/** A new authorization code handing over the sign-in `originJti` (expired codes swept first). */
export function storeCode(
  ui: HostedUiState,
  request: AuthorizeRequest,
  originJti: string,
  refreshToken: string,
): string {
  const now = ui.deps.ctx.clock();
  for (const [key, c] of ui.codes) if (c.expiresAt <= now) ui.codes.delete(key);
  const code = newOpaqueToken(32);
  ui.codes.set(code, {
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
