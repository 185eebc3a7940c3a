// Redis away: a 503 within the deadline (fail closed, Cognito not called), then recovery without a restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import {
  startInstance,
  startSharedEmulator,
  type Instance,
  type SharedEmulator,
} from '../helpers/instances.ts';
import {
  cleanUp,
  redisSkipReason,
  requireRedis,
  TEST_REDIS_PORT,
  testRedis,
  uniquePrefix,
} from '../helpers/redis.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

const skip = await redisSkipReason();
/**
 * REDIS_TIMEOUT_MS of the instances (500) plus room for a busy machine: what is checked is that the answer comes
 * from the timeout, not from waiting for Redis (which never answers here).
 */
const DEADLINE_MS = 3000;
/** How long a recovery may take once Redis is back (reconnection backs off; a busy machine is slower). */
const RECOVERY_MS = 15_000;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('Redis unreachable', { skip }, () => {
  let shared: SharedEmulator;
  let proxy: TcpProxy;
  let app: Instance;
  let dead: Instance;
  let redis: Redis;
  const prefix = uniquePrefix('outage');

  before(async () => {
    await requireRedis();
    shared = await startSharedEmulator();
    proxy = new TcpProxy(TEST_REDIS_PORT);
    await proxy.start();
    app = await startInstance({ shared, keyPrefix: prefix, redisUrl: `redis://127.0.0.1:${proxy.port}` });
    // Nothing ever listens on port 1.
    dead = await startInstance({ shared, keyPrefix: prefix, redisUrl: 'redis://127.0.0.1:1' });
    redis = testRedis();
  });
  after(async () => {
    await app?.close();
    await dead?.close();
    await proxy?.stop();
    await shared?.emulator.close();
    if (redis) await cleanUp(redis, prefix);
  });

  async function signedIn(): Promise<Browser> {
    const b = app.browser();
    const res = await b.submit('/login', '/login', {
      username: shared.pool.demoUser.email,
      password: shared.pool.demoUser.password,
    });
    assert.equal(res.location, '/account');
    return b;
  }

  test('Redis going away gives 503 within the deadline, and everything comes back by itself', async () => {
    const b = await signedIn();
    const form = await b.get('/login?returnTo=%2Faccount');
    assert.equal(form.status, 302, 'signed in: /login sends you on');
    const csrf = csrfOf((await app.browser().get('/login')).body);

    await proxy.stop();
    shared.emulator.resetCalls();
    for (const path of ['/account', '/login', '/']) {
      const { value: res, ms } = await timed(() => b.get(path));
      assert.equal(res.status, 503, path);
      assert.ok(ms < DEADLINE_MS, `${path} answered after ${Math.round(ms)} ms`);
      assert.equal(res.headers.get('retry-after'), '5');
      assert.match(res.body, /Temporarily unavailable/);
    }
    const { value: post, ms } = await timed(() =>
      b.post('/login', { _csrf: csrf, username: 'demo@example.com', password: 'Whatever-1' }),
    );
    assert.equal(post.status, 503);
    assert.ok(ms < DEADLINE_MS, `sign-in answered after ${Math.round(ms)} ms`);
    assert.equal(shared.emulator.callCount(), 0, 'Cognito is not called while sessions cannot be kept');
    // Probes come without cookies.
    const ready = await app.browser().get('/readyz');
    assert.equal(ready.status, 503);
    assert.equal((JSON.parse(ready.body) as { sessionStore: boolean }).sessionStore, false);
    assert.ok(app.logs.some((l) => l.includes('redis unreachable')));

    await proxy.start();
    let account = await b.get('/account');
    for (
      const until = performance.now() + RECOVERY_MS;
      account.status !== 200 && performance.now() < until;
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      account = await b.get('/account');
    }
    assert.equal(account.status, 200, 'the same session works again, no restart');
    assert.match(account.body, /demo@example\.com/);
    assert.equal((await app.browser().get('/readyz')).status, 200);
  });

  test('an instance whose Redis is not there at all answers 503 within the deadline and keeps serving', async () => {
    const b = dead.browser();
    for (let i = 0; i < 3; i++) {
      const { value: res, ms } = await timed(() => b.get('/login'));
      assert.equal(res.status, 503);
      assert.ok(ms < DEADLINE_MS, `answered after ${Math.round(ms)} ms`);
    }
    const ready = await b.get('/readyz');
    assert.equal(ready.status, 503);
    // The signing keys may or may not have loaded by now (the instance loads them at start, as the server does).
    const readiness = JSON.parse(ready.body) as Record<string, unknown>;
    delete readiness.jwks;
    assert.deepEqual(readiness, { status: 'not ready', sessionStore: false, sessionStoreKind: 'redis' });
    assert.equal((await b.get('/healthz')).status, 200, 'alive all the same');
    const warnings = dead.logs.filter((l) => l.includes('redis unreachable'));
    assert.equal(warnings.length, 1, 'one warning per outage, not one per reconnection attempt');
  });
});
