// Helpers for the hosted-UI tests: PKCE pairs, a tiny cookie jar, form scraping, the authorize -> code walk.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { LocalCognito, LocalPoolInfo } from '../../src/local-cognito/index.ts';

export const CALLBACK = 'http://localhost:3000/callback';

/** A PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Cookies a browser would keep for the emulator's origin (name -> value; Max-Age=0 deletes). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const unescapeHtml = (text: string): string =>
  text.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** The hidden fields of the first form of an HTML page. */
export function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    out[unescapeHtml(m[1] ?? '')] = unescapeHtml(m[2] ?? '');
  }
  return out;
}

/** A browser-ish client of the emulator: manual redirects, a cookie jar. */
export class Browser {
  readonly jar = new CookieJar();
  constructor(private readonly base: string) {}

  async get(pathOrUrl: string): Promise<Response> {
    const res = await fetch(new URL(pathOrUrl, this.base), {
      redirect: 'manual',
      headers: { cookie: this.jar.header() },
    });
    this.jar.take(res);
    return res;
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    const res = await fetch(new URL(path, this.base), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    this.jar.take(res);
    return res;
  }
}

export interface AuthorizeParams {
  client_id: string;
  redirect_uri?: string;
  scope?: string;
  state?: string;
  nonce?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  [name: string]: string | undefined;
}

export function authorizePath(params: AuthorizeParams): string {
  const query = new URLSearchParams({ response_type: 'code', redirect_uri: CALLBACK });
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
  return `/oauth2/authorize?${query.toString()}`;
}

/** Authorize, follow to /login, and return the sign-in page. */
export async function openLoginForm(
  browser: Browser,
  params: AuthorizeParams,
): Promise<{ html: string; fields: Record<string, string> }> {
  const res = await browser.get(authorizePath(params));
  assert.equal(res.status, 302);
  const location = res.headers.get('location') ?? '';
  assert.match(location, /^\/login\?/);
  const page = await browser.get(location);
  assert.equal(page.status, 200);
  const html = await page.text();
  return { html, fields: hiddenFields(html) };
}

/** The whole browser part: authorize, the form, credentials; returns the callback URL reached. */
export async function signInForCode(
  emu: LocalCognito,
  pool: LocalPoolInfo,
  opts: { username?: string; password?: string; browser?: Browser; params?: Partial<AuthorizeParams> } = {},
): Promise<{ callback: URL; verifier: string; nonce: string; state: string; browser: Browser }> {
  const browser = opts.browser ?? new Browser(emu.endpoint);
  const { verifier, challenge } = pkce();
  const nonce = randomBytes(16).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const { fields } = await openLoginForm(browser, {
    client_id: pool.clientId,
    scope: 'openid email profile',
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...opts.params,
  });
  const res = await browser.post('/login', {
    ...fields,
    username: opts.username ?? pool.demoUser.email,
    password: opts.password ?? pool.demoUser.password,
  });
  assert.equal(res.status, 302, await res.clone().text());
  return { callback: new URL(res.headers.get('location') ?? ''), verifier, nonce, state, browser };
}

/** POST /oauth2/token with HTTP Basic client authentication (or none when `secret` is null). */
export async function tokenRequest(
  emu: LocalCognito,
  pool: LocalPoolInfo,
  form: Record<string, string>,
  secret: string | null = pool.clientSecret,
): Promise<{ status: number; body: Record<string, unknown>; res: Response }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (secret !== null) {
    headers.authorization = `Basic ${Buffer.from(`${pool.clientId}:${secret}`).toString('base64')}`;
  }
  const res = await fetch(`${emu.endpoint}/oauth2/token`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, res };
}
