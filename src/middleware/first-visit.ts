// First visits to our form pages, answered from the page Koa made for the previous such visit: a browser with no
// cookie asking for `/login` (or sign-up, or recovery) with no query gets the same page as the last one, but with a
// CSRF binding and token of its own. Only what makes a first visit's page differ is in the key (the language the
// browser asks for), and a visit that differs in anything else (a cookie, a query, another method) goes to Koa.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type Koa from 'koa';
import { createLru } from '../lru.ts';
import { doubleSubmitToken } from '../session/csrf-token.ts';
import { randomToken } from '../session/random-token.ts';
import { sessionStoreKnownReady } from '../session/session-middleware.ts';
import type { Recorder } from '../metrics.ts';
import { rawHeaders, whenSent, type SentPage } from './sent-page.ts';

export interface FirstVisitOptions {
  app: Koa;
  /** The pages, as requested (BASE_PATH included), each with how its answers are counted. */
  pages: ReadonlyMap<string, Recorder>;
  /** The CSRF binding cookie's name (csrf, or __Host-csrf with Secure cookies). */
  csrfCookie: string;
}

/** A page Koa made for a first visit: its headers and its body around the visitor's CSRF token. */
interface KeptPage {
  /** When Koa made it (ms): kept a minute at most, so nothing a page shows can stay stale for long. */
  madeAt: number;
  /** Raw headers, name then value; `cookieAt` is the index of the binding cookie's value. */
  headers: string[];
  cookieAt: number;
  /** The binding cookie as sent, around its value. */
  cookie: [string, string];
  /** The body cut where the token stood. */
  parts: string[];
}

/** Pages kept: a few per page and language a browser may ask for. */
const MAX_KEPT = 64;
/** How long a kept page is used before Koa makes it again. */
const KEPT_FOR_MS = 60_000;
/** An Accept-Language longer than this is not worth a key (the page is made by Koa every time). */
const MAX_LANGUAGE_HEADER = 200;

const replayed = new WeakMap<Koa, { count: number }>();

/** How many first visits the app has answered from kept pages (for tests). */
export function firstVisitsReplayed(app: Koa): number {
  return replayed.get(app)?.count ?? 0;
}

/**
 * The handler: `next(req, res)` for anything it does not answer. A kept page is used only while the session store
 * is known to be ready (a form is only worth showing if its submit can be kept, as Koa's CSRF step demands).
 */
export function createFirstVisit(options: FirstVisitOptions) {
  const { app, pages, csrfCookie } = options;
  const kept = createLru<KeptPage>(MAX_KEPT);
  const stats = { count: 0 };
  replayed.set(app, stats);

  /** The key of a first visit to a page, or undefined when the request is not one. */
  function keyOf(req: IncomingMessage): string | undefined {
    if (req.method !== 'GET') return undefined;
    const url = req.url;
    if (url === undefined || !pages.has(url)) return undefined;
    const h = req.headers;
    if (h.cookie !== undefined || h.authorization !== undefined) return undefined;
    const language = h['accept-language'] ?? '';
    if (language.length > MAX_LANGUAGE_HEADER) return undefined;
    return `${url}\n${language}`;
  }

  function replay(page: KeptPage, res: ServerResponse): void {
    const binding = randomToken();
    const token = doubleSubmitToken(app, binding);
    const headers = page.headers.slice();
    headers[page.cookieAt] = `${page.cookie[0]}${binding}${page.cookie[1]}`;
    res.writeHead(200, headers);
    res.end(page.parts.join(token));
  }

  /** Keeps the page Koa is about to send, if it is a plain first-visit form page with exactly one binding. */
  function record(key: string, res: ServerResponse): void {
    whenSent(res, (sent) => {
      const page = keptPageOf(sent);
      if (page) kept.set(key, page);
    });
  }

  function keptPageOf(sent: SentPage): KeptPage | undefined {
    if (sent.status !== 200) return undefined;
    const cookies = sent.headers['set-cookie'];
    if (!Array.isArray(cookies) || cookies.length !== 1) return undefined;
    const match = new RegExp(`^(${csrfCookie}=)([A-Za-z0-9_-]{43})(;.*)$`).exec(cookies[0]!);
    if (!match) return undefined;
    const parts = sent.body.split(doubleSubmitToken(app, match[2]!));
    if (parts.length < 2) return undefined;
    const headers = rawHeaders(sent.headers);
    const cookieAt = headers.indexOf(cookies[0]!);
    return { madeAt: Date.now(), headers, cookieAt, cookie: [match[1]!, match[3]!], parts };
  }

  return function firstVisit(req: IncomingMessage, res: ServerResponse, next: RequestListener): void {
    const key = keyOf(req);
    if (key === undefined) return void next(req, res);
    const page = kept.get(key);
    if (page !== undefined && page.madeAt + KEPT_FOR_MS > Date.now() && sessionStoreKnownReady(app)) {
      const started = process.hrtime.bigint();
      replay(page, res);
      stats.count++;
      pages.get(req.url!)!('GET', 200, Number(process.hrtime.bigint() - started) / 1e9);
      return;
    }
    record(key, res);
    next(req, res);
  };
}
