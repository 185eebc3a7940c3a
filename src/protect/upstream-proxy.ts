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

export interface UpstreamProxy {
  /**
   * Proxies `req` to the upstream with `headers` set on the way (identity headers; client copies already
   * removed), streaming the body both ways. Resolves when the response is under way or done, or with the failure
   * when the upstream could not answer before the response started (the caller answers then).
   */
  web(
    req: IncomingMessage,
    res: ServerResponse,
    headers: Readonly<Record<string, string>>,
  ): Promise<UpstreamFailure | undefined>;
  /** Proxies a WebSocket upgrade (already authenticated and checked) with `headers` set. */
  ws(req: IncomingMessage, socket: Duplex, head: Buffer, headers: Readonly<Record<string, string>>): void;
  close(): void;
}

const TIMED_OUT = Symbol('upstream headers deadline');
/** A request's latest outgoing request to the upstream (to tell whether it went out on a reused socket). */
const OUTGOING = Symbol('upstream request');

/**
 * A proxied request, with what the proxy notes on it. Properties, not a WeakMap keyed by the request: an entry per
 * request in a WeakMap makes the garbage collector keep every proxied request's objects longer, measured at a
 * quarter of a proxied request's cost.
 */
type Proxied = IncomingMessage & { [OUTGOING]?: ClientRequest; [TIMED_OUT]?: boolean };

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

  // The deadline covers the wait for response headers only: cleared as soon as the upstream answers.
  proxy.on('proxyReq', (proxyReq, req) => {
    (req as Proxied)[OUTGOING] = proxyReq;
    const timer = setTimeout(() => {
      (req as Proxied)[TIMED_OUT] = true;
      proxyReq.destroy(new Error('upstream did not answer in time'));
    }, settings.headersTimeoutMs);
    timer.unref();
    proxyReq.once('response', () => clearTimeout(timer));
    proxyReq.once('close', () => clearTimeout(timer));
  });
  // A session cookie we refreshed for this request goes out beside the app's own cookies, never instead of them.
  proxy.on('proxyRes', (proxyRes, _req, res) => {
    const ours = res.getHeader('set-cookie');
    if (ours === undefined) return;
    const theirs = proxyRes.headers['set-cookie'] ?? [];
    proxyRes.headers['set-cookie'] = [...(Array.isArray(ours) ? ours : [String(ours)]), ...theirs];
  });
  // Errors without a callback (a WebSocket after its upgrade) must never reach the process.
  proxy.on('error', (err) => logger.info({ reason: err.message }, 'upstream connection failed'));

  return {
    web(req, res, headers) {
      return new Promise<UpstreamFailure | undefined>((resolve) => {
        res.once('close', () => resolve(undefined));
        res.once('finish', () => resolve(undefined));
        let resent = false;
        // The second time on a connection of its own (`agent: false`): the pool may hold more sockets the app
        // has closed.
        const send = (fresh: boolean) =>
          proxy.web(req, res, fresh ? { headers, agent: false } : { headers }, (err) => {
            if (!resent && !res.headersSent && canResend(req, err)) {
              resent = true;
              logger.debug({ reason: err.message }, 'upstream dropped a kept-alive connection: sent again');
              return send(true);
            }
            const timedOut = (req as Proxied)[TIMED_OUT] === true;
            const status: UpstreamFailure = timedOut ? 504 : 502;
            logger.warn({ status, reason: err.message }, 'upstream failed');
            if (res.headersSent) {
              // Mid-stream: nothing better to say than cutting the connection.
              res.destroy();
              resolve(undefined);
            } else {
              resolve(status);
            }
          });
        send(false);
      });
    },
    ws(req, socket, head, headers) {
      socket.on('error', () => socket.destroy());
      proxy.ws(req, socket, head, { headers }, (err) => {
        logger.info({ reason: err.message }, 'upstream WebSocket failed');
        socket.destroy();
      });
    },
    close() {
      proxy.close();
      agent.destroy();
    },
  };
}
