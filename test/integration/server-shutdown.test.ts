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

/** Cognito, but every InitiateAuth takes a while: a sign-in is still in flight when SIGTERM arrives. */
async function slowSignIns(endpoint: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const slow = String(req.headers['x-amz-target'] ?? '').endsWith('.InitiateAuth');
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('server.ts with SESSION_STORE=redis', { skip }, () => {
  let shared: SharedEmulator;
  let cognito: { url: string; close(): Promise<void> };
  let redis: Redis;
  let port: number;
  let baseUrl: string;
  const prefix = uniquePrefix('server');
  const running = new Set<ChildProcess>();

  before(async () => {
    await requireRedis();
    shared = await startSharedEmulator();
    cognito = await slowSignIns(shared.emulator.endpoint);
    redis = testRedis();
    port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    for (const child of running) child.kill('SIGKILL');
    await cognito?.close();
    await shared?.emulator.close();
    if (redis) await cleanUp(redis, prefix);
  });

  async function startServer(): Promise<{
    child: ChildProcess;
    output: () => string;
    exited: Promise<number>;
  }> {
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
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${baseUrl}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { child, output: () => output, exited };
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`server did not become ready:\n${output}`);
  }

  test('SIGTERM lets the sign-in in flight finish, then stops; after a restart the session is still there', async () => {
    const first = await startServer();
    assert.match(first.output(), /"sessionStore":"redis"/);
    const b = new Browser(baseUrl);
    const form = await b.get('/login');
    const signingIn = b.post('/login', {
      _csrf: csrfOf(form.body),
      username: shared.pool.demoUser.email,
      password: shared.pool.demoUser.password,
    });
    await new Promise((resolve) => setTimeout(resolve, SIGN_IN_DELAY_MS / 3));
    const stoppedAt = performance.now();
    first.child.kill('SIGTERM');
    const res = await signingIn;
    assert.equal(res.status, 302, 'the request in flight was answered');
    assert.equal(res.location, '/account');
    assert.equal(await first.exited, 0, 'a clean exit');
    const stopMs = performance.now() - stoppedAt;
    assert.ok(stopMs < 5000, `stopped after ${Math.round(stopMs)} ms, without waiting for the forced close`);
    assert.match(first.output(), /shutting down/);
    await assert.rejects(fetch(`${baseUrl}/healthz`), 'no longer accepting');

    const second = await startServer();
    const account = await b.get('/account');
    assert.equal(account.status, 200, 'the session survived the restart');
    assert.match(account.body, /demo@example\.com/);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });
});
