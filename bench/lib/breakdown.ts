// Where a request's time goes in the app: each middleware's own time, template rendering, and the rest.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Koa from 'koa';
import nunjucks from 'nunjucks';

export interface Breakdown {
  requests: number;
  /** Microseconds per request: each middleware's own time (without what runs after its `next()`), in order. */
  layers: { name: string; us: number }[];
  /** Microseconds per request inside nunjucks' render (part of the router's layer). */
  renderUs: number;
  /** Microseconds per request from the request event to the response's end. */
  totalUs: number;
}

/**
 * Times every middleware of `app` (call before `app.callback()`) and nunjucks' render; `wrap` times whole requests.
 * Meant for one request at a time: with several in flight, their times would overlap.
 */
export function instrument(app: Koa) {
  const names = app.middleware.map((mw, i) => mw.name || `middleware ${i}`);
  const inclusive = new Array<number>(names.length).fill(0);
  let render = 0;
  let total = 0;
  let requests = 0;
  app.middleware = app.middleware.map((mw, i) => {
    return async function timed(ctx: Koa.Context, next: Koa.Next) {
      const t0 = performance.now();
      try {
        await mw(ctx, next);
      } finally {
        inclusive[i]! += performance.now() - t0;
      }
    };
  });
  const env = nunjucks.Environment.prototype as unknown as { render: (...args: unknown[]) => unknown };
  const realRender = env.render;
  env.render = function timedRender(this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return realRender.apply(this, args);
    } finally {
      render += performance.now() - t0;
    }
  };
  return {
    wrap(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
      return (req: IncomingMessage, res: ServerResponse) => {
        const t0 = performance.now();
        res.once('finish', () => {
          total += performance.now() - t0;
          requests++;
        });
        return handle(req, res);
      };
    },
    reset() {
      inclusive.fill(0);
      render = total = requests = 0;
    },
    read(): Breakdown {
      const per = (ms: number) => Math.round((ms * 1000) / Math.max(1, requests));
      return {
        requests,
        layers: names.map((name, i) => ({
          name,
          us: per(inclusive[i]! - (inclusive[i + 1] ?? 0)),
        })),
        renderUs: per(render),
        totalUs: per(total),
      };
    },
  };
}
