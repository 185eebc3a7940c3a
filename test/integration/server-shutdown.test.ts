// server.ts on Redis as a real process: SIGTERM finishes the request in flight, closes, and a restart keeps sessions.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { Browser, csrfOf } from '../helpers/browser.ts';
import { SHARED_SESSION_KEY, startSharedEmulator, type SharedEmulator } from '../helpers/instances.ts';
import {
  cleanUp,
  redisSkipReason,
  requireRedis,
  TEST_REDIS_URL,
  testRedis,
  uniquePrefix,
} from '../helpers/redis.ts';

const skip = await redisSkipReason();
const SIGN_IN_DELAY_MS = 800;
/** server.ts closes what is left after 10 s; a clean stop must not wait for that. */
const FORCED_CLOSE_MS = 10_000;
/** How long a `node --import tsx src/server.ts` may take to be ready on a busy machine. */
const START_MS = 30_000;

interface SlowCognito {
  url: string;
  /** Resolves when the next InitiateAuth has arrived (and is being held back). */
  nextInitiateAuth(): Promise<void>;
  close(): Promise<void>;
}

/** Cognito, but every InitiateAuth takes a while: a sign-in is still in flight when SIGTERM arrives. */
async function slowSignIns(endpoint: string): Promise<SlowCognito> {
  let waiters: (() => void)[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const slow = String(req.headers['x-amz-target'] ?? '').endsWith('.InitiateAuth');
      if (slow) {
        for (const wake of waiters) wake();
        waiters = [];
      }
      setTimeout(
        () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) {
            if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
          }
          fetch(new URL(req.url ?? '/', endpoint), {
            method: req.method,
            headers,
            body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
          }).then(
            async (upstream) => {
              res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
              res.end(Buffer.from(await upstream.arrayBuffer()));
            },
            () => res.writeHead(502).end(),
          );
        },
        slow ? SIGN_IN_DELAY_MS : 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    nextInitiateAuth: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that was free a moment ago: the server is told it by PORT (and APP_BASE_URL must name it). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface Started {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<number>;
}

describe('server.ts with SESSION_STORE=redis', { skip }, () => {
  let shared: SharedEmulator;
  let cognito: SlowCognito;
  let redis: Redis;
  const prefix = uniquePrefix('server');
  const running = new Set<ChildProcess>();

  before(async () => {
    await requireRedis();
    shared = await startSharedEmulator();
    cognito = await slowSignIns(shared.emulator.endpoint);
    redis = testRedis();
  });
  after(async () => {
    for (const child of running) child.kill('SIGKILL');
    await cognito?.close();
    await shared?.emulator.close();
    if (redis) await cleanUp(redis, prefix);
  });

  /** Spawns server.ts on `port` and waits until it is ready; undefined when another process took the port first. */
  async function spawnServer(port: number): Promise<Started | undefined> {
    const baseUrl = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        APP_BASE_URL: baseUrl,
        LOG_LEVEL: 'info',
        COGNITO_USER_POOL_ID: shared.pool.userPoolId,
        COGNITO_CLIENT_ID: shared.pool.clientId,
        COGNITO_CLIENT_SECRET: shared.pool.clientSecret,
        COGNITO_ENDPOINT: cognito.url,
        SESSION_KEYS: SHARED_SESSION_KEY,
        SESSION_STORE: 'redis',
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number>((resolve) =>
      child.on('exit', (code) => {
        running.delete(child);
        resolve(code ?? -1);
      }),
    );
    for (const until = performance.now() + START_MS; performance.now() < until;) {
      if (child.exitCode !== null) break;
      const ok = await fetch(`${baseUrl}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      // Ready, and it is our server answering (not whoever else may have that port).
      if (ok && output.includes('login server listening')) {
        return { child, baseUrl, output: () => output, exited };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    await exited;
    if (/EADDRINUSE/.test(output)) return undefined;
    throw new Error(`server did not become ready:\n${output}`);
  }

  /** Starts server.ts, on `preferred` when given and free, else on another free port. */
  async function startServer(preferred?: number): Promise<Started> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const started = await spawnServer(attempt === 0 && preferred ? preferred : await freePort());
      if (started) return started;
    }
    throw new Error('no free port for server.ts after 5 tries');
  }

  test('SIGTERM lets the sign-in in flight finish, then stops; after a restart the session is still there', async () => {
    const first = await startServer();
    assert.match(first.output(), /"sessionStore":"redis"/);
    const b = new Browser(first.baseUrl);
    const form = await b.get('/login');
    const arrived = cognito.nextInitiateAuth();
    const signingIn = b.post('/login', {
      _csrf: csrfOf(form.body),
      username: shared.pool.demoUser.email,
      password: shared.pool.demoUser.password,
    });
    // The sign-in has reached Cognito, which holds it back SIGN_IN_DELAY_MS: it is in flight now.
    await arrived;
    const stoppedAt = performance.now();
    first.child.kill('SIGTERM');
    const res = await signingIn;
    assert.equal(res.status, 302, 'the request in flight was answered');
    assert.equal(res.location, '/account');
    assert.equal(await first.exited, 0, 'a clean exit');
    const stopMs = performance.now() - stoppedAt;
    assert.ok(
      stopMs < FORCED_CLOSE_MS - 1000,
      `stopped after ${Math.round(stopMs)} ms, without waiting for the forced close`,
    );
    assert.match(first.output(), /shutting down/);
    await assert.rejects(fetch(`${first.baseUrl}/healthz`), 'no longer accepting');

    // Back on the same port if it is still free (a browser's cookies do not depend on the port anyway).
    const second = await startServer(Number(new URL(first.baseUrl).port));
    const again = new Browser(second.baseUrl);
    for (const [k, v] of b.cookies) again.cookies.set(k, v);
    const account = await again.get('/account');
    assert.equal(account.status, 200, 'the session survived the restart');
    assert.match(account.body, /demo@example\.com/);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });
});
