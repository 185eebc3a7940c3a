// The built-in reverse proxy to UPSTREAM_URL: streams both ways, WebSocket included, with a deadline for headers.
import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import type { Logger } from '../logger.ts';

export interface UpstreamProxySettings {
  target: URL;
  /** How long the upstream may take to send response headers; a streaming body is never cut off. */
  headersTimeoutMs: number;
}

/** Why a proxied request failed: the upstream could not be reached (502) or did not answer in time (504). */
export type UpstreamFailure = 502 | 504;

/**
 * Called once per proxied request: when the upstream's answer starts (`failure` undefined, `status` the upstream's),
 * when the client went away before it did (`status` 499, nginx's "client closed request"), or when the upstream
 * could not answer before the response started (`failure` and `status` 502 or 504; the caller answers then).
 */
export type ProxyDone = (failure: UpstreamFailure | undefined, status: number) => void;

export interface UpstreamProxy {
  /**
   * Proxies `req` to the upstream with `headers` set on the way (identity headers; client copies already
   * removed), streaming the body both ways, and tells `done` once how it went.
   */
  web(
    req: IncomingMessage,
    res: ServerResponse,
    headers: Readonly<Record<string, string>>,
    done: ProxyDone,
  ): void;
  /** Proxies a WebSocket upgrade (already authenticated and checked) with `headers` set. */
  ws(req: IncomingMessage, socket: Duplex, head: Buffer, headers: Readonly<Record<string, string>>): void;
  close(): void;
}

/** What the proxy notes on a request it passes on (see Proxied). */
const OUTGOING = Symbol('upstream request');
const DEADLINE = Symbol('upstream headers deadline');
const TIMED_OUT = Symbol('upstream timed out');
const HEADERS = Symbol('identity headers');
const DONE = Symbol('proxied request done');
const RESENT = Symbol('sent again');

/**
 * A proxied request, with what the proxy notes on it: its latest outgoing request to the upstream (to tell whether it
 * went out on a reused socket), when the upstream's headers are due, the headers to send again with, and whom to tell.
 * Properties, not a WeakMap keyed by the request, and no timer or listener of its own: an entry per request in a
 * WeakMap made the garbage collector keep every proxied request's objects longer (measured at a quarter of a proxied
 * request's cost), and a timer and two listeners per request cost more than the rest of our part of it.
 */
type Proxied = IncomingMessage & {
  [OUTGOING]?: ClientRequest;
  [DEADLINE]?: number;
  [TIMED_OUT]?: boolean;
  [HEADERS]?: Readonly<Record<string, string>>;
  [DONE]?: ProxyDone | undefined;
  [RESENT]?: boolean;
};

/**
 * A request worth sending again after the upstream dropped the connection: a kept-alive socket the upstream had
 * just closed (Node's `reusedSocket` pattern), before any answer, for a method without side effects and without a
 * body (so nothing of it was read and lost).
 */
function canResend(req: IncomingMessage, err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'ECONNRESET' && code !== 'EPIPE') return false;
  if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method ?? '')) return false;
  const length = req.headers['content-length'];
  if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined)
    return false;
  return (req as Proxied)[OUTGOING]?.reusedSocket === true;
}

/** Keep-alive connections to the upstream; every request of every user goes through them. */
export function createUpstreamProxy(settings: UpstreamProxySettings, logger: Logger): UpstreamProxy {
  const https = settings.target.protocol === 'https:';
  const agent = https
    ? new HttpsAgent({ keepAlive: true, maxSockets: 256 })
    : new HttpAgent({ keepAlive: true, maxSockets: 256 });
  const proxy = createProxyServer({
    target: settings.target.href,
    agent,
    // The app sees who asked (X-Forwarded-For/-Proto/-Host/-Port), as behind any proxy.
    xfwd: true,
    ws: true,
  });

  // The deadline covers the wait for response headers only: a request leaves `waiting` as soon as the upstream
  // answers. One sweep checks them all, every tenth of the deadline (at most a second), instead of a timer and two
  // listeners on every request: a request that gets no answer is cut off after the deadline, at most a tenth late.
  const waiting = new Set<Proxied>();
  const every = Math.min(1000, Math.max(10, Math.floor(settings.headersTimeoutMs / 10)));
  let sweeper: NodeJS.Timeout | undefined;
  /** Tells the request's `done`, once; a request told is no longer waiting. */
  const settle = (req: Proxied, failure: UpstreamFailure | undefined, status: number) => {
    waiting.delete(req);
    const done = req[DONE];
    if (done === undefined) return;
    req[DONE] = undefined;
    done(failure, status);
  };
  const sweep = () => {
    const now = performance.now();
    for (const req of waiting) {
      if (req.socket.destroyed) {
        // The client went away: http-proxy-3 ends the outgoing request, and no answer is coming.
        settle(req, undefined, 499);
      } else if (req[DEADLINE]! <= now) {
        waiting.delete(req);
        req[TIMED_OUT] = true;
        req[OUTGOING]?.destroy(new Error('upstream did not answer in time'));
      }
    }
    if (waiting.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  // From the moment the request has a connection to the upstream, as a connect and a wait for headers are one.
  proxy.on('proxyReq', (proxyReq, req) => {
    const proxied = req as Proxied;
    proxied[OUTGOING] = proxyReq;
    proxied[DEADLINE] = performance.now() + settings.headersTimeoutMs;
    waiting.add(proxied);
    if (sweeper === undefined) {
      sweeper = setInterval(sweep, every);
      sweeper.unref();
    }
  });
  proxy.on('proxyRes', (proxyRes, req, res) => {
    // A session cookie we refreshed for this request goes out beside the app's own cookies, never instead of them.
    const ours = res.getHeader('set-cookie');
    if (ours !== undefined) {
      const theirs = proxyRes.headers['set-cookie'] ?? [];
      proxyRes.headers['set-cookie'] = [...(Array.isArray(ours) ? ours : [String(ours)]), ...theirs];
    }
    settle(req, undefined, proxyRes.statusCode ?? 502);
  });
  // The client went away before the upstream answered (http-proxy-3 then ends the outgoing request itself).
  proxy.on('econnreset', (_err, req) => settle(req, undefined, 499));
  // Errors without a callback (a WebSocket after its upgrade) must never reach the process.
  proxy.on('error', (err) => logger.info({ reason: err.message }, 'upstream connection failed'));

  /** The second time on a connection of its own (`agent: false`): the pool may hold more sockets the app has closed. */
  const send = (req: Proxied, res: ServerResponse, fresh: boolean) =>
    proxy.web(
      req,
      res,
      fresh ? { headers: req[HEADERS]!, agent: false } : { headers: req[HEADERS]! },
      failed,
    );

  function failed(err: Error, incoming: IncomingMessage, res: ServerResponse | Duplex): void {
    const req = incoming as Proxied;
    const out = res as ServerResponse;
    // Out of the sweep until it is sent again (with a deadline of its own) or told.
    waiting.delete(req);
    if (req[RESENT] !== true && !out.headersSent && canResend(req, err)) {
      req[RESENT] = true;
      logger.debug({ reason: err.message }, 'upstream dropped a kept-alive connection: sent again');
      send(req, out, true);
      return;
    }
    if (req.socket.destroyed) return settle(req, undefined, 499);
    const status: UpstreamFailure = req[TIMED_OUT] === true ? 504 : 502;
    logger.warn({ status, reason: err.message }, 'upstream failed');
    // Mid-stream: nothing better to say than cutting the connection.
    if (out.headersSent) out.destroy();
    else settle(req, status, status);
  }

  return {
    web(req, res, headers, done) {
      const proxied = req as Proxied;
      proxied[HEADERS] = headers;
      proxied[DONE] = done;
      send(proxied, res, false);
    },
    ws(req, socket, head, headers) {
      socket.on('error', () => socket.destroy());
      proxy.ws(req, socket, head, { headers }, (err) => {
        logger.info({ reason: err.message }, 'upstream WebSocket failed');
        socket.destroy();
      });
    },
    close() {
      clearInterval(sweeper);
      waiting.clear();
      proxy.close();
      agent.destroy();
    },
  };
}
