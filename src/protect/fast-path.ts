// The requests in front of a protected app, for a signed-in session whose pass is kept (session/session-copies.ts),
// answered on Node's own request and response before Koa: the forward-auth check nginx, Caddy or Traefik make before
// every request of the app, and every request the built-in proxy passes on.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { decide, type AccessRules } from '../access/access-rules.ts';
import { scrubIdentityHeaders } from '../identity/identity-headers.ts';
import type { Lru } from '../lru.ts';
import { bearerKey } from '../session/bearer-auth.ts';
import type { CookieKeys } from '../session/cookie-keys.ts';
import { signedSessionIdReader } from '../session/cookie-reader.ts';
import type { Recorder } from '../metrics.ts';
import type { SessionCopies } from '../session/session-copies.ts';
import { forwardedRequest } from './forwarded-request.ts';
import type { KeptPass, SessionPass } from './gate.ts';
import type { UpstreamFailure, UpstreamProxy } from './upstream-proxy.ts';

export interface FastPathDeps {
  copies: SessionCopies<SessionPass>;
  /** Passes of Bearer tokens, by bearerKey. */
  tokenPasses: Lru<KeptPass>;
  /** The session cookie's name; its `.sig` is checked with `keys` as koa-session's cookies do. */
  cookieName: string;
  keys: CookieKeys;
  /** The forward-auth paths as requested (BASE_PATH included), each with how its answers are counted. */
  checkPaths: ReadonlyMap<string, Recorder>;
  /** TRUST_PROXY > 0: the proxy's word on the original request is believed. */
  trusted: boolean;
  rules: () => AccessRules;
  /** The app's clock (the one the session's lifetimes are measured with). */
  clock: () => number;
  /** With UPSTREAM_URL: the proxy, which paths are ours (never proxied), and how proxied answers are counted. */
  upstream?: { proxy: UpstreamProxy; isOurs: (path: string) => boolean; record: Recorder } | undefined;
}

/** Answers the request, or hands it to `koa` untouched (nothing of its body read). */
export type FastPath = (req: IncomingMessage, res: ServerResponse, koa: RequestListener) => void;

/** As Koa's URL limit: anything longer is Koa's to refuse. */
const MAX_URL_LENGTH = 4096;

const FAILURE = Symbol('upstream failure');
type Failing = IncomingMessage & { [FAILURE]?: UpstreamFailure };

/** How the upstream failed a request the fast path proxied (Koa then answers with our page), if it did. */
export function upstreamFailureOf(req: IncomingMessage): UpstreamFailure | undefined {
  return (req as Failing)[FAILURE];
}

/**
 * Only the common case is answered here: a Bearer token verified before, or a session cookie signed with the newest
 * key (and no Authorization header); a kept pass still good; and rules that let the request through; for forward auth a `GET` of its path with a readable original
 * request, for the built-in proxy any request for a path that is not ours. It is answered exactly as Koa's routes
 * answer it: forward auth with 200, the identity headers and no body; the proxy by passing the request on with
 * client-sent identity headers removed and ours set. Everything else (not signed in, refused, a session due for a
 * refresh or an idle-timeout write, a cookie to re-sign, a token not seen yet) goes on to Koa, which reads the session
 * and decides as always, and keeps a fresh pass when it lets a session or token through.
 */
export function createFastPath(deps: FastPathDeps): FastPath {
  const { copies, keys, checkPaths, cookieName, upstream } = deps;
  const sessionId = signedSessionIdReader(cookieName, keys);

  /** The kept pass of the request's Bearer token (which decides alone when sent), else of its session. */
  function keptPass(req: IncomingMessage): SessionPass | undefined {
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const key = authorization === '' ? undefined : bearerKey(authorization);
      const kept = key === undefined ? undefined : deps.tokenPasses.get(key);
      if (kept === undefined) return undefined;
      if (kept.until > deps.clock()) return kept.pass;
      deps.tokenPasses.delete(key!);
      return undefined;
    }
    const header = req.headers.cookie;
    if (header === undefined) return undefined;
    // Signed by an older key: Koa re-signs the cookie, so it answers.
    const id = sessionId(header);
    return id === undefined ? undefined : copies.get(id, deps.clock());
  }

  /** The kept pass of the request, if the rules let it reach `path` with `method`. */
  function passFor(req: IncomingMessage, method: string, path: string): SessionPass | undefined {
    const pass = keptPass(req);
    if (pass === undefined) return undefined;
    const decision = decide(deps.rules(), { identity: pass.identity, method, path });
    return decision.kind === 'allow' || decision.kind === 'public' ? pass : undefined;
  }

  function check(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET') return false;
    const request = forwardedRequest(req.headers, deps.trusted);
    const pass = request && passFor(req, request.method, pathOf(request.url));
    if (!pass) return false;
    res.writeHead(200, [
      ...pass.rawHeaders,
      'Cache-Control',
      'no-store',
      'Content-Type',
      'text/plain; charset=utf-8',
      'Content-Length',
      '0',
    ]);
    res.end();
    return true;
  }

  function proxy(req: IncomingMessage, res: ServerResponse, koa: RequestListener, path: string): boolean {
    // Before anything reads the request: no client-sent identity header reaches the app or our checks.
    scrubIdentityHeaders(req);
    const method = req.method ?? 'GET';
    const pass = passFor(req, method, path);
    if (!pass) return false;
    const started = process.hrtime.bigint();
    upstream!.proxy.web(req, res, pass.headers, (failure, status) => {
      if (failure === undefined) return upstream!.record(method, status, elapsed(started));
      // Nothing was sent yet: Koa answers with our page.
      (req as Failing)[FAILURE] = failure;
      koa(req, res);
    });
    return true;
  }

  return function fastPath(req, res, koa) {
    const url = req.url;
    const ok = url !== undefined && url.length <= MAX_URL_LENGTH && url.startsWith('/');
    if (ok && !url.includes('#')) {
      const started = process.hrtime.bigint();
      const path = pathOf(url);
      const record = checkPaths.get(path);
      if (record !== undefined) {
        if (check(req, res)) return record('GET', 200, elapsed(started));
      } else if (upstream && !upstream.isOurs(path) && proxy(req, res, koa, path)) {
        return;
      }
    }
    koa(req, res);
  };
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function elapsed(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
