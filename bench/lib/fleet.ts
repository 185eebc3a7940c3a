// Every process the bench measures, started once: the app (local mode, its emulator, the built-in proxy), a second
// app behind nginx, two apps sharing Redis, the upstream app, a bare proxy, the bare Koa baseline and controls.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { IDENTITY_HEADER_NAMES } from '../../src/identity/identity-headers.ts';
import { exampleSite, nginxMissing, startNginx, type Nginx } from '../../test/helpers/nginx.ts';
import { freePort } from '../../test/helpers/service-process.ts';
import type { PageShape } from '../servers/baseline.ts';
import { startChild, type BenchChild, type ReadyMessage } from './child.ts';
import { BenchBrowser, signIn } from './http-client.ts';

export type Ready = ReadyMessage & { baseUrl: string };
export interface AppReady extends Ready {
  emulator: string;
  region: string;
  userPoolId: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}
export interface Counters {
  verifications: number;
  sessions: number;
  signedInSessionBytes: number;
  filled: number;
}

/** One URL to load, with the headers every request carries. */
export interface Target {
  url: string;
  headers: Record<string, string>;
}

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The path asked of the protected app, through every proxy alike. */
const APP_PATH = '/dashboard?tab=1';
const DROP = ['date', 'connection', 'keep-alive', 'content-length', 'set-cookie', 'transfer-encoding'];

export interface Fleet {
  app: BenchChild<AppReady>;
  /** The app against Redis, the second of two instances sharing it (sessions made on the first). */
  redisApp: BenchChild<AppReady> | undefined;
  /** A signed-in user of the app (memory store), and the same user signed in on the Redis pair. */
  user: BenchBrowser;
  targets: Record<string, Target>;
  /** Why some targets are missing (nginx or Redis not here), to print loudly. */
  skipped: string[];
  page: { account: PageShape; login: PageShape };
  stop(): Promise<void>;
}

/** The forward-auth headers a trusted proxy sends for a GET of APP_PATH on `host`. */
function forwarded(host: string): Record<string, string> {
  return {
    'x-forwarded-method': 'GET',
    'x-forwarded-proto': 'http',
    'x-forwarded-host': host,
    'x-forwarded-uri': APP_PATH,
  };
}

export async function startFleet(accessToken: (app: AppReady) => Promise<string>): Promise<Fleet> {
  const stops: (() => Promise<void>)[] = [];
  const skipped: string[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const upstream = await startChild<Ready>('upstream');
    stops.push(() => upstream.stop());
    const app = await startChild<AppReady>('app', {
      env: { BENCH_APP_ENV: JSON.stringify({ UPSTREAM_URL: upstream.ready.baseUrl, TRUST_PROXY: '1' }) },
    });
    stops.push(() => app.stop());
    const bareProxy = await startChild<Ready>('bare-proxy', {
      env: { BENCH_UPSTREAM: upstream.ready.baseUrl },
    });
    stops.push(() => bareProxy.stop());
    const bareUndiciProxy = await startChild<Ready>('bare-undici-proxy', {
      env: { BENCH_UPSTREAM: upstream.ready.baseUrl },
    });
    stops.push(() => bareUndiciProxy.stop());

    const user = new BenchBrowser(app.ready.baseUrl);
    stops.push(() => Promise.resolve(user.close()));
    await signIn(user, app.ready.username, app.ready.password);
    const account = await user.get('/account');
    const visitor = new BenchBrowser(app.ready.baseUrl);
    const login = await visitor.get('/login');
    visitor.close();
    const { signedInSessionBytes } = await app.ask<Counters>('counters');
    const shapeOf = (reply: typeof account, sessionBytes: number, withCookies: boolean): PageShape => ({
      headers: Object.fromEntries(
        Object.entries(reply.headers)
          .filter(([name]) => !DROP.includes(name))
          .map(([name, value]) => [name, String(value)]),
      ),
      setCookies: withCookies ? (reply.headers['set-cookie'] ?? []) : [],
      bodyBytes: Buffer.byteLength(reply.body),
      sessionBytes,
    });
    const page = { account: shapeOf(account, signedInSessionBytes, false), login: shapeOf(login, 0, true) };

    const baseline = await startChild<Ready>('baseline');
    stops.push(() => baseline.stop());
    const accountControl = await startChild<Ready>('baseline', {
      env: { BASELINE_SHAPE: JSON.stringify(page.account) },
    });
    stops.push(() => accountControl.stop());
    const loginControl = await startChild<Ready>('baseline', {
      env: { BASELINE_SHAPE: JSON.stringify(page.login) },
    });
    stops.push(() => loginControl.stop());
    const cookieOf = async (child: BenchChild<Ready>) => {
      const b = new BenchBrowser(child.ready.baseUrl);
      await b.get('/start');
      b.close();
      return b.cookieHeader();
    };

    const appHost = new URL(app.ready.baseUrl).host;
    const cookie = user.cookieHeader();
    // The bare proxy again, sending the identity headers our proxy sends for this user (as fixed values).
    const bareProxyIdentity = await startChild<Ready>('bare-proxy', {
      env: {
        BENCH_UPSTREAM: upstream.ready.baseUrl,
        BENCH_HEADERS: JSON.stringify(await identityHeadersOf(user, appHost)),
      },
    });
    stops.push(() => bareProxyIdentity.stop());
    const token = await accessToken(app.ready);
    const targets: Record<string, Target> = {
      baseline: { url: `${baseline.ready.baseUrl}/`, headers: { cookie: await cookieOf(baseline) } },
      login: { url: `${app.ready.baseUrl}/login`, headers: {} },
      loginControl: { url: `${loginControl.ready.baseUrl}/`, headers: {} },
      account: { url: `${app.ready.baseUrl}/account`, headers: { cookie } },
      accountControl: {
        url: `${accountControl.ready.baseUrl}/`,
        headers: { cookie: await cookieOf(accountControl) },
      },
      authCheck: { url: `${app.ready.baseUrl}/auth/check`, headers: { cookie, ...forwarded(appHost) } },
      authForward: { url: `${app.ready.baseUrl}/auth/forward`, headers: { cookie, ...forwarded(appHost) } },
      bearer: {
        url: `${app.ready.baseUrl}/auth/check`,
        headers: { authorization: `Bearer ${token}`, ...forwarded(appHost) },
      },
      upstream: { url: `${upstream.ready.baseUrl}${APP_PATH}`, headers: {} },
      bareProxy: { url: `${bareProxy.ready.baseUrl}${APP_PATH}`, headers: {} },
      bareProxyIdentity: { url: `${bareProxyIdentity.ready.baseUrl}${APP_PATH}`, headers: {} },
      bareUndiciProxy: { url: `${bareUndiciProxy.ready.baseUrl}${APP_PATH}`, headers: {} },
      proxied: { url: `${app.ready.baseUrl}${APP_PATH}`, headers: { cookie } },
    };

    // Two instances sharing Redis: signed in on the first, loaded on the second.
    let redisApp: BenchChild<AppReady> | undefined;
    const redisDown = await redisMissing();
    if (redisDown) {
      skipped.push(`Redis rows skipped: ${redisDown}`);
    } else {
      const keyPrefix = `bench-${randomBytes(6).toString('hex')}:`;
      stops.push(() => clearRedis(keyPrefix));
      const redisEnv = JSON.stringify({
        ...cloudEnv(app.ready),
        SESSION_STORE: 'redis',
        REDIS_URL,
        REDIS_KEY_PREFIX: keyPrefix,
        SESSION_KEYS: randomBytes(32).toString('base64url'),
      });
      const first = await startChild<AppReady>('app', { env: { BENCH_APP_ENV: redisEnv } });
      stops.push(() => first.stop());
      redisApp = await startChild<AppReady>('app', { env: { BENCH_APP_ENV: redisEnv } });
      stops.push(() => redisApp!.stop());
      const redisUser = new BenchBrowser(first.ready.baseUrl);
      await signIn(redisUser, app.ready.username, app.ready.password);
      redisUser.close();
      targets.redisAccount = {
        url: `${redisApp.ready.baseUrl}/account`,
        headers: { cookie: redisUser.cookieHeader() },
      };
    }

    // nginx auth_request in front of the upstream (the shipped example file), and nginx alone in front of it.
    const nginxDown = nginxMissing();
    if (nginxDown) {
      skipped.push(`nginx rows skipped: ${nginxDown}`);
    } else {
      const port = await freePort();
      const plainPort = await freePort();
      const nginxUrl = `http://127.0.0.1:${port}`;
      const behind = await startChild<AppReady>('app', {
        env: {
          BENCH_APP_ENV: JSON.stringify({
            ...cloudEnv(app.ready),
            BASE_PATH: '/auth',
            TRUST_PROXY: '1',
            APP_BASE_URL: nginxUrl,
          }),
        },
      });
      stops.push(() => behind.stop());
      const upstreamPort = Number(new URL(upstream.ready.baseUrl).port);
      const bareCheckPort = await freePort();
      // The app's location of the shipped file, without auth_request: how that file proxies, on its own.
      const proxying = `
        proxy_pass http://protected_app;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $protected_app_connection;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_buffering off;
        proxy_read_timeout 1h;`;
      const site =
        exampleSite({ port, loginPort: Number(new URL(behind.ready.baseUrl).port), appPort: upstreamPort }) +
        `
server {
    listen 127.0.0.1:${plainPort};
    location / {${proxying}
    }
}
# auth_request whose check is the bare upstream app (lets everything through, sends no identity): what any check
# server costs nginx here, at the least.
server {
    listen 127.0.0.1:${bareCheckPort};
    location = /_check {
        internal;
        proxy_pass http://protected_app;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_http_version 1.1;
        proxy_set_header Connection "";
    }
    location / {
        auth_request /_check;${proxying}
    }
}
`;
      const nginx: Nginx = await startNginx(site, port);
      stops.push(() => nginx.stop());
      const viaNginx = new BenchBrowser(nginxUrl);
      await signIn(viaNginx, app.ready.username, app.ready.password, true, '/auth');
      viaNginx.close();
      targets.nginxAuth = { url: `${nginxUrl}${APP_PATH}`, headers: { cookie: viaNginx.cookieHeader() } };
      targets.nginxPlain = { url: `http://127.0.0.1:${plainPort}${APP_PATH}`, headers: {} };
      targets.nginxBareCheck = { url: `http://127.0.0.1:${bareCheckPort}${APP_PATH}`, headers: {} };
    }
    return { app, redisApp, user, targets, skipped, page, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The identity headers the app's check answers `user` with: those its proxy sends the upstream. */
async function identityHeadersOf(user: BenchBrowser, host: string): Promise<Record<string, string>> {
  const answer = await user.get('/auth/check', forwarded(host));
  if (answer.status !== 200) throw new Error(`GET /auth/check answered ${answer.status}`);
  const names = new Set(IDENTITY_HEADER_NAMES.map((n) => n.toLowerCase()));
  const headers = Object.fromEntries(
    Object.entries(answer.headers)
      .filter(([name]) => names.has(name))
      .map(([name, value]) => [name, String(value)]),
  );
  if (!headers['x-amzn-oidc-data']) throw new Error('the check sent no identity headers');
  return headers;
}

/** Another instance against the first one's emulator and pool, as a deployment configures it. */
function cloudEnv(ready: AppReady): Record<string, string> {
  return {
    COGNITO_REGION: ready.region,
    COGNITO_USER_POOL_ID: ready.userPoolId,
    COGNITO_CLIENT_ID: ready.clientId,
    COGNITO_CLIENT_SECRET: ready.clientSecret,
    COGNITO_ENDPOINT: ready.emulator,
    SESSION_KEYS: randomBytes(32).toString('base64url'),
  };
}

async function redisMissing(): Promise<string | undefined> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (err) {
    return `no Redis at ${REDIS_URL} (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    client.disconnect();
  }
}

/** Removes every key the bench's Redis instances wrote. */
async function clearRedis(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** The session id in a cookie header (`session=<id>`; the `.sig` cookie beside it is not it). */
export function sessionIdIn(cookie: string | undefined): string {
  const id = /(?:^|;\s*)session=([^;]+)/.exec(cookie ?? '')?.[1];
  if (!id) throw new Error(`no session cookie in ${cookie}`);
  return id;
}
