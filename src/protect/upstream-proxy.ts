// The built-in reverse proxy to UPSTREAM_URL: streams both ways, WebSocket included, with a deadline for headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import { Client, Pool, type Dispatcher } from 'undici';
import type { Logger } from '../logger.ts';
import { clientHeaders, upstreamHeaders, upstreamPath } from './upstream-headers.ts';

export interface UpstreamProxySettings {
  target: URL;
  /** How long the upstream may take to send response headers; a streaming body is never cut off. */
  headersTimeoutMs: number;
  /** How many connections to the upstream at most (256); a request beyond them waits for one, within its deadline. */
  connections?: number;
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

/** The upstream closed the connection before answering: on a kept-alive one, it had likely just timed it out. */
const DROPPED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);
class ClientLeft extends Error {
  constructor() {
    super('the client closed the connection');
  }
}

class Late extends Error {
  constructor() {
    super('upstream did not answer in time');
  }
}

/** Methods sent again after a dropped connection: without side effects, and only when the request has no body. */
const RESENDABLE = new Set(['GET', 'HEAD', 'OPTIONS']);

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

const PASSAGE = Symbol('proxied request');
type Proxied = IncomingMessage & { [PASSAGE]?: Passage };

/**
 * One proxied request, as undici's handler of its exchange with the upstream: it writes the upstream's answer to our
 * client as it comes (pausing the upstream while the client is slow), and tells `done` once. What it keeps is in
 * fields of this object; the request carries only this object (a function kept in a property of Node's request put
 * V8's young-generation collections into a mode four to five times slower, measured with a bare proxy).
 */
class Passage implements Dispatcher.DispatchHandler {
  controller: Dispatcher.DispatchController | undefined = undefined;
  /** The upstream's answer has started: from now on a failure can only cut the connection. */
  answered = false;
  left = false;
  resent = false;
  timedOut = false;
  /** When the upstream's headers are due (performance.now()), and where it is in `Waiting` (-1: not waiting). */
  deadline = 0;
  slot = -1;

  constructor(
    readonly proxy: HttpProxy,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly request: Dispatcher.DispatchOptions,
    public done: ProxyDone | undefined,
  ) {}

  tell(failure: UpstreamFailure | undefined, status: number): void {
    const done = this.done;
    if (done === undefined) return;
    this.done = undefined;
    done(failure, status);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.left) controller.abort(new ClientLeft());
    else if (this.timedOut) controller.abort(new Late());
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    const res = this.res;
    try {
      res.writeHead(statusCode, clientHeaders(headers, res.getHeader('set-cookie')));
    } catch (err) {
      // A header Node will not send (nothing was written): the app's answer is unusable, a 502.
      controller.abort(err as Error);
      return;
    }
    this.answered = true;
    this.proxy.waiting.delete(this);
    this.tell(undefined, statusCode);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', resumeUpstream);
    }
  }

  onResponseEnd(): void {
    this.res.off('close', clientClosed);
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.proxy.failed(this, err);
  }
}

/** The client's response drained: the upstream may send more. */
function resumeUpstream(this: ServerResponse): void {
  (this.req as Proxied)[PASSAGE]?.controller?.resume();
}

/** The client's connection closed before the answer ended: the upstream's request ends too. */
function clientClosed(this: ServerResponse): void {
  const passage = (this.req as Proxied)[PASSAGE];
  if (passage === undefined || this.writableFinished) return;
  passage.left = true;
  passage.proxy.waiting.delete(passage);
  passage.controller?.abort(new ClientLeft());
  if (!passage.answered) passage.tell(undefined, 499);
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
}

/** The HTTP side: undici's pool of kept-alive connections, and what to do when an exchange fails. */
class HttpProxy {
  readonly pool: Pool;
  readonly origin: string;
  readonly base: string;
  readonly waiting = new Waiting();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly every: number;

  constructor(
    target: URL,
    readonly headersTimeoutMs: number,
    readonly connections: number,
    readonly logger: Logger,
  ) {
    this.origin = target.origin;
    this.base = target.pathname;
    this.pool = new Pool(this.origin, this.options());
    this.every = Math.min(1000, Math.max(10, Math.floor(headersTimeoutMs / 10)));
  }

  /**
   * The deadline covers the connection and the wait for response headers, from the moment the request is passed on:
   * one sweep checks every waiting request, every tenth of the deadline (at most a second), instead of a timer on
   * each. A request that gets no answer is cut off after the deadline, never before it and at most a tenth late.
   * (undici's own headers timeout counts on a half-second tick, and may end a wait up to half a second early.)
   */
  private wait(passage: Passage): void {
    passage.deadline = performance.now() + this.headersTimeoutMs;
    this.waiting.add(passage);
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(() => this.sweep(), this.every);
      this.sweeper.unref();
    }
  }

  private sweep(): void {
    const now = performance.now();
    this.waiting.each((passage) => {
      if (passage.deadline > now) return;
      this.waiting.delete(passage);
      passage.timedOut = true;
      if (passage.controller !== undefined) return passage.controller.abort(new Late());
      // Still queued for a connection: answered now; it is ended as soon as it would start.
      this.logger.warn({ status: 504 }, 'upstream failed: no connection in time');
      passage.tell(504, 504);
    });
    if (this.waiting.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /**
   * Connections kept alive (undici closes one before the app's own `Keep-Alive: timeout` would), one request at a
   * time on each; the deadline for headers is ours (see `wait`), and a body may stream for as long as it likes.
   */
  options(): Pool.Options {
    return {
      connections: this.connections,
      pipelining: 1,
      headersTimeout: 0,
      connectTimeout: this.headersTimeoutMs,
      bodyTimeout: 0,
    };
  }

  web(
    req: IncomingMessage,
    res: ServerResponse,
    headers: Readonly<Record<string, string>>,
    done: ProxyDone,
  ): void {
    const request: Dispatcher.DispatchOptions = {
      origin: this.origin,
      path: upstreamPath(req.url ?? '/', this.base),
      method: req.method ?? 'GET',
      headers: upstreamHeaders(req, headers),
      body: hasBody(req) ? req : null,
    };
    const passage = new Passage(this, req, res, request, done);
    (req as Proxied)[PASSAGE] = passage;
    res.on('close', clientClosed);
    this.wait(passage);
    this.pool.dispatch(request, passage);
  }

  failed(passage: Passage, err: Error): void {
    const { req, res } = passage;
    this.waiting.delete(passage);
    if (passage.left || err instanceof ClientLeft) return passage.tell(undefined, 499);
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (passage.answered) {
      // Mid-stream: nothing better to say than cutting the connection.
      this.logger.warn({ reason: err.message }, 'upstream failed mid-answer');
      res.destroy();
      return;
    }
    if (
      !passage.resent &&
      DROPPED.has(code) &&
      RESENDABLE.has(req.method ?? '') &&
      passage.request.body === null
    ) {
      // Sent again once, on a connection of its own: the pool may hold more connections the app has closed.
      passage.resent = true;
      this.logger.debug({ reason: err.message }, 'upstream dropped a connection: sent again');
      const once = new Client(this.origin, this.options());
      passage.controller = undefined;
      this.wait(passage);
      once.dispatch(passage.request, passage);
      res.once('close', () => void once.close().catch(() => undefined));
      return;
    }
    const late = passage.timedOut || code === 'UND_ERR_CONNECT_TIMEOUT';
    const status: UpstreamFailure = late ? 504 : 502;
    this.logger.warn({ status, reason: err.message }, 'upstream failed');
    passage.tell(status, status);
  }
}

/** Keep-alive connections to the upstream; every request of every user goes through them. */
export function createUpstreamProxy(settings: UpstreamProxySettings, logger: Logger): UpstreamProxy {
  const http = new HttpProxy(settings.target, settings.headersTimeoutMs, settings.connections ?? 256, logger);
  // WebSockets through http-proxy-3, which passes the upgrade and then pipes both sockets.
  const sockets = createProxyServer({ target: settings.target.href, xfwd: true, ws: true });
  // Errors without a callback (a WebSocket after its upgrade) must never reach the process.
  sockets.on('error', (err) => logger.info({ reason: err.message }, 'upstream connection failed'));

  return {
    web: (req, res, headers, done) => http.web(req, res, headers, done),
    ws(req, socket, head, headers) {
      socket.on('error', () => socket.destroy());
      sockets.ws(req, socket, head, { headers }, (err) => {
        logger.info({ reason: err.message }, 'upstream WebSocket failed');
        socket.destroy();
      });
    },
    close() {
      http.stop();
      sockets.close();
      void http.pool.destroy().catch(() => undefined);
    },
  };
}
