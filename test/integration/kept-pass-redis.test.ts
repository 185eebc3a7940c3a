// Kept passes on instances sharing Redis: a session ended on one instance is refused at once on every other, and an
// instance that can no longer hear the changes stops using its copies (it fails closed with Redis).
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
import { countStoreReads, until } from '../helpers/protect-checks.ts';
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
const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.test', 'x-forwarded-uri': '/x' };
const env = { TRUST_PROXY: '1', RATE_LIMIT_PER_IP: '100000', RATE_LIMIT_PER_ACCOUNT: '100000' };

/** Checks until one answers from the kept pass (no session read): the instance has subscribed to the changes. */
async function keptOn(instance: Instance, b: Browser): Promise<void> {
  const reads = countStoreReads(instance.store);
  try {
    await until('a check answered from the kept pass', async () => {
      const before = reads.reads();
      assert.equal((await b.get('/auth/check', forwarded)).status, 200);
      return reads.reads() === before;
    });
  } finally {
    reads.stop();
  }
}

describe('kept passes on two instances sharing Redis', { skip }, () => {
  let shared: SharedEmulator;
  let proxy: TcpProxy;
  let a: Instance;
  let b: Instance;
  let redis: Redis;
  const prefix = uniquePrefix('kept-pass');

  before(async () => {
    await requireRedis();
    shared = await startSharedEmulator();
    proxy = new TcpProxy(TEST_REDIS_PORT);
    await proxy.start();
    a = await startInstance({ shared, keyPrefix: prefix, env });
    // B reaches Redis through a connection the test can cut.
    b = await startInstance({ shared, keyPrefix: prefix, env, redisUrl: `redis://127.0.0.1:${proxy.port}` });
    redis = testRedis();
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await proxy?.stop();
    await shared?.emulator.close();
    if (redis) await cleanUp(redis, prefix);
  });

  async function signedInOnA(): Promise<Browser> {
    const browser = a.browser();
    const res = await browser.submit('/login', '/login', {
      username: shared.pool.demoUser.email,
      password: shared.pool.demoUser.password,
    });
    assert.equal(res.location, '/account');
    return browser;
  }

  test('signed out on A, the pass B kept is refused on B at once', async () => {
    const onA = await signedInOnA();
    const onB = b.adopt(onA);
    await keptOn(b, onB);
    const confirm = await onA.get('/logout');
    assert.equal((await onA.post('/logout', { _csrf: csrfOf(confirm.body) })).status, 302);
    assert.equal((await onB.get('/auth/check', forwarded)).status, 401);
  });

  test('signed out on A, the account page B kept is not sent again on B', async () => {
    const onB = b.adopt(await signedInOnA());
    const reads = countStoreReads(b.store);
    try {
      await until('the account page sent from the kept copy', async () => {
        const before = reads.reads();
        assert.equal((await onB.get('/account')).status, 200);
        return reads.reads() === before;
      });
    } finally {
      reads.stop();
    }
    const onA = a.adopt(onB);
    const confirm = await onA.get('/logout');
    assert.equal((await onA.post('/logout', { _csrf: csrfOf(confirm.body) })).status, 302);
    const res = await onB.get('/account');
    assert.equal(res.status, 302);
    assert.match(res.location!, /^\/login/);
  });

  test('signed out everywhere on A (the account page): every session of the user on B is refused at once', async () => {
    const onA = await signedInOnA();
    const elsewhere = b.adopt(await signedInOnA());
    await keptOn(b, elsewhere);
    const confirm = await onA.get('/account/sign-out-everywhere');
    const out = await onA.post('/account/sign-out-everywhere', { _csrf: csrfOf(confirm.body) });
    assert.equal(out.location, '/login?notice=signed-out-everywhere');
    assert.equal((await elsewhere.get('/auth/check', forwarded)).status, 401);
    assert.equal((await elsewhere.get('/account')).status, 302, 'and its pages');
  });

  test('B cut off from Redis stops using its kept passes within seconds: 503, never a 200 from a copy', async () => {
    const onB = b.adopt(await signedInOnA());
    await keptOn(b, onB);
    await proxy.stop();
    try {
      // The subscription's heartbeat (a ping a second, lost after 2.5 s of silence) covers a silent failure too.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const res = await onB.get('/auth/check', forwarded);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('x-auth-request-user'), null);
    } finally {
      await proxy.start();
    }
    await until('B back once Redis is', async () => (await onB.get('/auth/check', forwarded)).status === 200);
    await keptOn(b, onB);
  });
});
