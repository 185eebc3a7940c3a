// Every request for the protected app: identity headers scrubbed, session and rules checked, then proxied.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import compose from 'koa-compose';
import { scrubIdentityHeaders } from '../identity/identity-headers.ts';
import { loginQuery } from '../notices.ts';
import type { Answers } from './answers.ts';
import type { Gate, GateOutcome } from './gate.ts';
import type { UpstreamFailure, UpstreamProxy } from './upstream-proxy.ts';

export interface ProtectStackDeps {
  gate: Gate;
  answers: Answers;
  upstream: UpstreamProxy;
  /** Our sign-in page as the browser sees it (BASE_PATH included). */
  loginPath: string;
  /** The public origin (APP_BASE_URL): a WebSocket from any other page is refused. */
  origin: string;
  /** Ours, in the order ours run: error pages first, then the session (which the gate reads). */
  errorHandler: Middleware;
  session: Middleware;
}

/**
 * The middleware for every path that is not ours. The session is read (and, when a refresh changed it, written)
 * inside; the proxying happens after, so our cookie is set before the app's response starts, and the app's own
 * response (headers, cookies, caching) is passed through untouched.
 */
export function protectStack(deps: ProtectStackDeps): Middleware {
  const { gate, answers, upstream } = deps;
  const check: Middleware = async function checkAccess(ctx) {
    const outcome = await gate(ctx, { method: ctx.method, url: ctx.url });
    ctx.state.gateOutcome = outcome;
    await answer(ctx, outcome);
  };
  async function answer(ctx: Context, outcome: GateOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'pass':
        // Answered by the app, after this chain: the error handler must not take it for a 404 of ours.
        ctx.status = 200;
        return;
      case 'sign-in':
        return answers.signIn(
          ctx,
          ctx.method,
          deps.loginPath + loginQuery(ctx.originalUrl, outcome.ended ? 'session-ended' : 'sign-in-required'),
        );
      case 'invalid-token':
        return answers.invalidToken(ctx);
      case 'deny':
        return answers.deny(ctx, ctx.method, outcome.identity);
    }
  }
  const inner = compose([deps.errorHandler, deps.session, check]);
  return async function protectedApp(ctx) {
    scrubIdentityHeaders(ctx.req);
    await inner(ctx, () => Promise.resolve());
    const outcome = ctx.state.gateOutcome as GateOutcome | undefined;
    if (outcome?.kind !== 'pass') return;
    (ctx as unknown as { _matchedRoute: string })._matchedRoute = 'upstream';
    ctx.respond = false;
    const failure = await new Promise<UpstreamFailure | undefined>((resolve) =>
      upstream.web(ctx.req, ctx.res, outcome.headers, resolve),
    );
    if (failure !== undefined) {
      // Nothing was sent yet: Koa answers after all, with our page.
      ctx.respond = true;
      await answers.upstreamFailed(ctx, failure);
    }
  };
}

/**
 * WebSocket upgrades for the app (Streamlit, Dash, Gradio): authenticated and checked like any request, refused
 * when they come from another site's page (a cross-site `Origin`), then proxied.
 */
export function protectUpgrades(
  app: Koa,
  deps: Pick<ProtectStackDeps, 'gate' | 'upstream' | 'origin' | 'session'>,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void> {
  return async function upgrade(req, socket, head) {
    socket.on('error', () => socket.destroy());
    scrubIdentityHeaders(req);
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== deps.origin) return refuse(socket, 403, 'Forbidden');
    const ctx = app.createContext(req, new ServerResponse(req));
    let outcome: GateOutcome | undefined;
    try {
      await compose([
        deps.session,
        async (c: Context) => {
          outcome = await deps.gate(c, { method: 'GET', url: req.url ?? '/' });
        },
      ])(ctx, () => Promise.resolve());
    } catch {
      return refuse(socket, 503, 'Service Unavailable');
    }
    if (!outcome || outcome.kind === 'sign-in' || outcome.kind === 'invalid-token') {
      return refuse(socket, 401, 'Unauthorized');
    }
    if (outcome.kind === 'deny') return refuse(socket, 403, 'Forbidden');
    deps.upstream.ws(req, socket, head, outcome.headers);
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
