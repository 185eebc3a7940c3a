// The hosted UI's browser answers: HTML pages, redirects, the posted form and the CSRF cookie.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookies, readBody, send, TooLarge } from '../http-util.ts';
import { newOpaqueToken } from '../ids.ts';
import { errorPage, PAGE_HEADERS } from './pages.ts';
import { CSRF_COOKIE, single } from './shared.ts';

const HTML = 'text/html; charset=utf-8';

/** Answers an HTML page with the hosted UI's page headers and `cookies` set. */
export function page(res: ServerResponse, status: number, html: string, cookies: string[] = []): void {
  send(res, status, html, HTML, { ...PAGE_HEADERS, ...(cookies.length ? { 'Set-Cookie': cookies } : {}) });
}

/** Answers a 302 to `location` with the hosted UI's page headers and `cookies` set. */
export function redirect(res: ServerResponse, location: string, cookies: string[] = []): void {
  send(res, 302, '', 'text/plain; charset=utf-8', {
    ...PAGE_HEADERS,
    Location: location,
    ...(cookies.length ? { 'Set-Cookie': cookies } : {}),
  });
}

/** The posted form with single-valued parameters, or undefined once an error page answered. */
export async function readForm(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Map<string, string> | undefined> {
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (err) {
    if (!(err instanceof TooLarge)) throw err;
    res.setHeader('Connection', 'close');
    page(res, 413, errorPage('Invalid request', 'The request is too large.'));
    req.destroy();
    return undefined;
  }
  const form = single(new URLSearchParams(body.toString('utf8')));
  if (!form) {
    page(res, 400, errorPage('Invalid request', 'A parameter is repeated.'));
    return undefined;
  }
  return form;
}

/** The browser's CSRF token (kept across pages), or a new one. */
export function csrfToken(req: IncomingMessage): string {
  const existing = parseCookies(req).get(CSRF_COOKIE);
  return existing !== undefined && /^[A-Za-z0-9_-]{32,64}$/.test(existing) ? existing : newOpaqueToken(32);
}

/** The Set-Cookie value of the CSRF cookie holding `token`. */
export function csrfCookie(token: string): string {
  return `${CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`;
}
