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

/**
 * What the proxy keeps of a request it passes on, until it is told: its latest outgoing request to the upstream (to
 * tell whether it went out on a reused socket), when the upstream's headers are due, the headers to send again with,
 * and whom to tell. One object per request, on one property of the request: no WeakMap keyed by requests, no timer
 * and no listener of its own (each measured to cost more than the rest of our part of a proxied request), and no
 * function stored on the request itself. A callback kept in a property of the request made V8's young-generation
 * collections four to five times longer in every process that proxies (the same bare http-proxy-3 proxy with only
 * that one property added: 2.5 to 2.9 ms a scavenge instead of 0.5, about 25 µs more CPU a request); kept in a field
 * of this object instead, it costs nothing measurable.
 */
class Passage {
  outgoing: ClientRequest | undefined = undefined;
  deadline = 0;
  timedOut = false;
  resent = false;
  /** Where it is in `Waiting`, or -1. */
  slot = -1;
  constructor(
    readonly req: IncomingMessage,
    readonly headers: Readonly<Record<string, string>>,
    public done: ProxyDone | undefined,
  ) {}
}

const PASSAGE = Symbol('proxied request');
type Proxied = IncomingMessage & { [PASSAGE]?: Passage };

function passageOf(req: IncomingMessage): Passage {
  return (req as Proxied)[PASSAGE]!;
}

/**
 * The passages waiting for the upstream's headers: an array, each passage knowing its place, so that one joins at the
 * end and one leaves by taking the last one's place, writing one slot each. Not a Set: a Set added to and taken from
 * on every request made a process that had served other paths at full speed promote every proxied request's objects
 * to the old generation (it grew by 70 to 90 MB in 3 s, and a scavenge took 3.5 ms instead of 0.8). V8 rebuilds a
 * Set's table as entries come and go and links the old table to the new one, so a table once promoted likely keeps
 * each next table, and the requests in it, until a full collection. With this array the old generation stays flat.
 */
class Waiting {
  private readonly list: Passage[] = [];
  get size(): number {
    return this.list.length;
  }
  add(passage: Passage): void {
    if (passage.slot !== -1) return;
    passage.slot = this.list.length;
    this.list.push(passage);
  }
  delete(passage: Passage): void {
    const at = passage.slot;
    if (at === -1) return;
    passage.slot = -1;
    const last = this.list.pop()!;
    if (last === passage) return;
    this.list[at] = last;
    last.slot = at;
  }
  /** Visits every passage, the last added first, so that `visit` may delete the one it is given. */
  each(visit: (passage: Passage) => void): void {
    for (let at = this.list.length - 1; at >= 0; at--) {
      const passage = this.list[at];
      if (passage !== undefined) visit(passage);
    }
  }
  clear(): void {
    for (const passage of this.list) passage.slot = -1;
    this.list.length = 0;
  }
}

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
  return passageOf(req).outgoing?.reusedSocket === true;
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
  const waiting = new Waiting();
  const every = Math.min(1000, Math.max(10, Math.floor(settings.headersTimeoutMs / 10)));
  let sweeper: NodeJS.Timeout | undefined;
  /** Tells the request's `done`, once; a request told is no longer waiting. */
  const settle = (passage: Passage, failure: UpstreamFailure | undefined, status: number) => {
    waiting.delete(passage);
    const done = passage.done;
    if (done === undefined) return;
    passage.done = undefined;
    done(failure, status);
  };
  const sweep = () => {
    const now = performance.now();
    waiting.each((passage) => {
      if (passage.req.socket.destroyed) {
        // The client went away: http-proxy-3 ends the outgoing request, and no answer is coming.
        settle(passage, undefined, 499);
      } else if (passage.deadline <= now) {
        waiting.delete(passage);
        passage.timedOut = true;
        passage.outgoing?.destroy(new Error('upstream did not answer in time'));
      }
    });
    if (waiting.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  // From the moment the request has a connection to the upstream, as a connect and a wait for headers are one.
  proxy.on('proxyReq', (proxyReq, req) => {
    const passage = passageOf(req);
    passage.outgoing = proxyReq;
    passage.deadline = performance.now() + settings.headersTimeoutMs;
    waiting.add(passage);
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
    settle(passageOf(req), undefined, proxyRes.statusCode ?? 502);
  });
  // The client went away before the upstream answered (http-proxy-3 then ends the outgoing request itself).
  proxy.on('econnreset', (_err, req) => settle(passageOf(req), undefined, 499));
  // Errors without a callback (a WebSocket after its upgrade) must never reach the process.
  proxy.on('error', (err) => logger.info({ reason: err.message }, 'upstream connection failed'));

  /** The second time on a connection of its own (`agent: false`): the pool may hold more sockets the app has closed. */
  const send = (passage: Passage, res: ServerResponse, fresh: boolean) =>
    proxy.web(
      passage.req,
      res,
      fresh ? { headers: passage.headers, agent: false } : { headers: passage.headers },
      failed,
    );

  function failed(err: Error, req: IncomingMessage, res: ServerResponse | Duplex): void {
    const passage = passageOf(req);
    const out = res as ServerResponse;
    // Out of the sweep until it is sent again (with a deadline of its own) or told.
    waiting.delete(passage);
    if (!passage.resent && !out.headersSent && canResend(req, err)) {
      passage.resent = true;
      logger.debug({ reason: err.message }, 'upstream dropped a kept-alive connection: sent again');
      send(passage, out, true);
      return;
    }
    if (req.socket.destroyed) return settle(passage, undefined, 499);
    const status: UpstreamFailure = passage.timedOut ? 504 : 502;
    logger.warn({ status, reason: err.message }, 'upstream failed');
    // Mid-stream: nothing better to say than cutting the connection.
    if (out.headersSent) out.destroy();
    else settle(passage, status, status);
  }

  return {
    web(req, res, headers, done) {
      const passage = new Passage(req, headers, done);
      (req as Proxied)[PASSAGE] = passage;
      send(passage, res, false);
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
