// The account page of a signed-in session, kept as Koa sent it and sent again to that session's next visits before
// Koa, as a kept pass answers forward auth (protect/fast-path.ts): only while nothing could have changed it. The
// page is the session's own (its CSRF token included), so nothing in it is made anew; a visit that differs in
// anything the page could depend on (another cookie header, language, a query) goes to Koa.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Context } from 'koa';
import type { Recorder } from '../../metrics.ts';
import { rawHeaders, whenSent } from '../../middleware/sent-page.ts';
import type { CookieKeys } from '../../session/cookie-keys.ts';
import { signedSessionIdReader } from '../../session/cookie-reader.ts';
import type { SessionCopies } from '../../session/session-copies.ts';

/** The page as sent: raw headers and body, and the request it answered (its cookies and language). */
export interface KeptAccountPage {
  request: string;
  headers: string[];
  body: string;
}

/** What the page's answer could depend on, besides the session: every cookie and the language asked for. */
function requestKey(req: IncomingMessage): string {
  return `${req.headers.cookie ?? ''}\n${req.headers['accept-language'] ?? ''}`;
}

/**
 * Keeps the account page this request is about to send for its session, if it is a plain 200 without cookies of
 * its own (no session write, no re-signed cookie), until `until` (the next refresh or the sign-in's end) and the
 * session's next idle-timeout write, whichever comes first; `copies` refuses it if the session changed meanwhile.
 */
export function keepAccountPage(ctx: Context, copies: SessionCopies<KeptAccountPage>, until: number): void {
  const { req, res } = ctx;
  if (req.method !== 'GET' || ctx.querystring !== '' || !copies.usable) return;
  const request = requestKey(req);
  whenSent(res, (sent) => {
    if (sent.status !== 200 || sent.headers['set-cookie'] !== undefined) return;
    copies.keep(ctx, { request, headers: rawHeaders(sent.headers), body: sent.body }, until);
  });
}

export interface KeptAccountPagesDeps {
  copies: SessionCopies<KeptAccountPage>;
  /** The account page's path as requested (BASE_PATH included). */
  path: string;
  /** The session cookie's name; its `.sig` must be the newest key's, as koa-session would not re-sign it. */
  cookieName: string;
  keys: CookieKeys;
  clock: () => number;
  record: Recorder;
}

/** Sends a kept account page, or hands the request to `next`. */
export function createKeptAccountPages(deps: KeptAccountPagesDeps) {
  const { copies, path } = deps;
  const sessionId = signedSessionIdReader(deps.cookieName, deps.keys);

  function keptPage(req: IncomingMessage): KeptAccountPage | undefined {
    if (req.method !== 'GET' || req.url !== path || req.headers.authorization !== undefined) return undefined;
    const header = req.headers.cookie;
    if (header === undefined) return undefined;
    const id = sessionId(header);
    const page = id === undefined ? undefined : copies.get(id, deps.clock());
    return page !== undefined && page.request === requestKey(req) ? page : undefined;
  }

  return function keptAccountPages(req: IncomingMessage, res: ServerResponse, next: RequestListener): void {
    const page = keptPage(req);
    if (page === undefined) return void next(req, res);
    const started = process.hrtime.bigint();
    res.writeHead(200, page.headers);
    res.end(page.body);
    deps.record('GET', 200, Number(process.hrtime.bigint() - started) / 1e9);
  };
}
