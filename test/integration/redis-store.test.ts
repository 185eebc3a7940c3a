// The Redis session store on the test Redis: its keys, TTLs and owner index, and what a bad entry reads as. What
// every store keeps (tombstones, write modes, destroyOwnedBy) is in the shared contract: session-stores.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { createLogger } from '../../src/logger.ts';
import { closeRedis, createRedisClient, type RedisClient } from '../../src/redis/redis-client.ts';
import { RedisSessionStore } from '../../src/session/redis-store.ts';
import {
  cleanUp,
  keysUnder,
  redisSkipReason,
  requireRedis,
  TEST_REDIS_URL,
  testRedis,
  uniquePrefix,
} from '../helpers/redis.ts';

const skip = await redisSkipReason();

describe('RedisSessionStore', { skip }, () => {
  const prefix = uniquePrefix('store');
  let client: RedisClient;
  let store: RedisSessionStore;
  let redis: Redis;
  before(async () => {
    await requireRedis();
    client = createRedisClient(
      {
        url: TEST_REDIS_URL,
        clusterNodes: [],
        sentinels: [],
        sentinelName: undefined,
        sentinelPassword: undefined,
        keyPrefix: prefix,
        timeoutMs: 500,
      },
      createLogger('silent'),
    );
    store = new RedisSessionStore(client, { keyPrefix: prefix });
    redis = testRedis();
  });
  after(async () => {
    if (client) await closeRedis(client);
    if (redis) await cleanUp(redis, prefix);
  });

  const id = (n: number) => `${'s'.repeat(40)}${String(n).padStart(3, '0')}`;
  const owned = (email: string) => ({ csrf: 'c', owners: ['sub:u-1', `email:${email}`] });

  test('a session reads back as written and expires with the TTL it was given', async () => {
    await store.set(id(1), { csrf: 'abc', nested: { a: [1, 2] } }, 1500);
    assert.deepEqual(await store.get(id(1)), { csrf: 'abc', nested: { a: [1, 2] } });
    const ttl = await redis.pttl(`${prefix}sess:${id(1)}`);
    assert.ok(ttl > 0 && ttl <= 1500, `TTL ${ttl}`);
    assert.equal(await store.get(id(999)), undefined);
  });

  test("the owner index lives as long as the owner's longest session, and names nobody", async () => {
    await store.set(id(2), owned('jane@example.com'), 60_000);
    await store.set(id(3), owned('jane@example.com'), 5_000);
    const owners = (await keysUnder(redis, `${prefix}owner:`)).sort();
    assert.equal(owners.length, 2, 'one set per owner key (sub and email)');
    for (const key of owners) {
      assert.doesNotMatch(key, /jane|example|u-1/);
      const ttl = await redis.pttl(key);
      assert.ok(ttl > 5_000 && ttl <= 60_000, `owner set TTL ${ttl}`);
    }
  });

  test('destroy leaves a tombstone as long as the session would have lived; a damaged entry reads as none', async () => {
    await store.set(id(7), owned('max@example.com'), 60_000);
    await store.destroy(id(7));
    assert.equal(await store.get(id(7)), undefined);
    const ttl = await redis.pttl(`${prefix}sess:${id(7)}`);
    assert.ok(ttl > 50_000 && ttl <= 60_000, `tombstone TTL ${ttl}`);
    await redis.set(`${prefix}sess:${id(8)}`, '{not json', 'PX', 60_000);
    assert.equal(await store.get(id(8)), undefined);
  });
});
