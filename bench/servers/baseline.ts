// The baseline: a bare Koa + koa-session "hello" server (signed cookie, sessions in a Map), nothing else.
// With BASELINE_SHAPE (JSON: headers, cookies, body length, session size) it is the control instead: the same bare
// server sending what the app's page sends (its headers and cookies, a body as long, a session as large), so the
// difference to the app is the app's own work.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import createSession from 'koa-session';
import { serveParent } from '../lib/child.ts';

/** What the control copies from the app's page. */
export interface PageShape {
  headers: Record<string, string>;
  /** The page's own Set-Cookie lines (a first visit's CSRF binding), sent as they are. */
  setCookies: string[];
  bodyBytes: number;
  /** 0: the page is a first visit's, read without a session. */
  sessionBytes: number;
}

const shape = process.env.BASELINE_SHAPE ? (JSON.parse(process.env.BASELINE_SHAPE) as PageShape) : undefined;
const body = shape ? 'x'.repeat(shape.bodyBytes) : undefined;

const sessions = new Map<string, string>();
const app = new Koa({ keys: [randomBytes(32).toString('base64url')] });
app.use(
  createSession(
    {
      key: 'session',
      httpOnly: true,
      signed: true,
      sameSite: 'lax',
      rolling: false,
      genid: () => randomBytes(32).toString('base64url'),
      store: {
        get: (key: string) => {
          const json = sessions.get(key);
          return Promise.resolve(
            json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>),
          );
        },
        set: (key: string, sess: Record<string, unknown>) => {
          sessions.set(key, JSON.stringify(sess));
          return Promise.resolve();
        },
        destroy: (key: string) => {
          sessions.delete(key);
          return Promise.resolve();
        },
      },
    },
    app,
  ),
);
app.use(function hello(ctx) {
  const session = ctx.session as unknown as { name?: string; pad?: string };
  // `/start` gives the visitor a session; every other path reads it.
  if (ctx.path === '/start') {
    session.name = 'bench';
    // Padded so that its JSON is as long as the app's signed-in session.
    if (shape) {
      const bare = JSON.stringify({ ...session, pad: '', _expire: Date.now(), _maxAge: 86_400_000 }).length;
      session.pad = 'p'.repeat(Math.max(0, shape.sessionBytes - bare));
    }
  }
  if (shape) {
    ctx.set(shape.headers);
    if (shape.setCookies.length > 0) ctx.append('Set-Cookie', shape.setCookies);
    ctx.type = 'html';
    ctx.body = body;
  } else {
    ctx.body = `hello ${session.name ?? 'stranger'}`;
  }
});

const handle = app.callback();
const server = createServer((req, res) => void handle(req, res));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveParent({ type: 'ready', baseUrl: `http://127.0.0.1:${port}` });
});
