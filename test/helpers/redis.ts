// The test Redis on 127.0.0.1:6379: is it there (CI must have it), a key prefix per run, and cleaning up after.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_PORT = 6379;
export const TEST_REDIS_URL = `redis://127.0.0.1:${TEST_REDIS_PORT}`;

async function reachable(): Promise<boolean> {
  const probe = new Redis({
    host: '127.0.0.1',
    port: TEST_REDIS_PORT,
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * Why a Redis suite must skip, or undefined when it can run. Without Redis it warns loudly; under CI it never
 * skips: `requireRedis()` in `before` then fails the run.
 */
export async function redisSkipReason(): Promise<string | undefined> {
  if ((await reachable()) || process.env.CI) return undefined;
  const reason = `no Redis on 127.0.0.1:${TEST_REDIS_PORT} (start redis-server to run these tests)`;
  process.stderr.write(`\n*** WARNING: ${reason}: SKIPPING the Redis tests ***\n\n`);
  return reason;
}

/** Throws when Redis is not there: for `before`, so CI fails loudly instead of skipping. */
export async function requireRedis(): Promise<void> {
  if (!(await reachable())) {
    throw new Error(`Redis on 127.0.0.1:${TEST_REDIS_PORT} is required (CI=true) but is not reachable`);
  }
}

/** A key prefix of its own for each run, so parallel runs and suites never share keys. */
export function uniquePrefix(suite: string): string {
  return `test:${suite}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** A plain connection to the test Redis, for looking at keys. */
export function testRedis(): Redis {
  return new Redis({ host: '127.0.0.1', port: TEST_REDIS_PORT, maxRetriesPerRequest: 1 });
}

/** Every key under `prefix`. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Deletes every key under `prefix` and closes `client`. */
export async function cleanUp(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
}
