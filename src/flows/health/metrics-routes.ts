// GET /metrics for Prometheus: behind a bearer token (METRICS_TOKEN), or on a listener of its own (METRICS_PORT).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { Registry } from 'prom-client';
import { constantTimeEqual } from '../../constant-time.ts';
import { paths } from '../../paths.ts';

/** Where /metrics is served besides a token: the caller knows the mode and whether it has a port of its own. */
export interface MetricsRouteOptions {
  /** Serve it without a token (local mode only: nobody else can reach the app). Default false. */
  open?: boolean;
  /** METRICS_PORT is set: /metrics lives on its own listener (listenForMetrics), not on the app. */
  ownPort?: boolean;
}

/** The interface the metrics listener binds when METRICS_HOST is not set: only this machine can scrape. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** True when `authorization` carries `Bearer <token>`. */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  const sent = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
  return constantTimeEqual(sent, token);
}

/**
 * GET /metrics on the app. With a token: for `Authorization: Bearer <token>` only (401 otherwise). Without one it
 * is not there (404), since anyone who can reach the app could read it (outcomes of sign-ups and resends tell who
 * has an account); only `open` (local mode) serves it to everyone. With `ownPort` it is never on the app.
 */
export function metricsRoutes(
  router: Router,
  registry: Registry,
  token: string | undefined,
  options: MetricsRouteOptions = {},
): void {
  if (options.ownPort) return;
  if (token === undefined && !options.open) return;
  router.get(paths.metrics, async function metrics(ctx: Context) {
    if (token !== undefined && !bearerMatches(ctx.get('authorization'), token)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer');
      ctx.body = { error: 'unauthorized' };
      return;
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
}

export interface MetricsListenerOptions {
  /** METRICS_PORT (0: any free port, for tests). */
  port: number;
  /** METRICS_HOST; default 127.0.0.1 (loopback). */
  host?: string;
  /** METRICS_TOKEN: when set, this listener asks for it too. */
  token?: string;
}

/**
 * A listener of its own (METRICS_PORT) that serves GET /metrics and nothing else: no session, no pages, no app
 * behind it. Resolves once it listens; close it with the app's servers.
 */
export async function listenForMetrics(registry: Registry, options: MetricsListenerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    answerMetrics(registry, options.token, req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, 'text/plain; charset=utf-8', 'error\n');
      else res.destroy();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? DEFAULT_METRICS_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function answerMetrics(
  registry: Registry,
  token: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== paths.metrics) return reply(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return reply(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    return reply(res, 401, 'application/json; charset=utf-8', '{"error":"unauthorized"}');
  }
  reply(res, 200, registry.contentType, await registry.metrics(), req.method === 'HEAD');
}

function reply(res: ServerResponse, status: number, type: string, body: string, headOnly = false): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(headOnly ? undefined : body);
}
