// Where sessions and rate-limit counters live, as the config says: memory, Redis or DynamoDB. Only the chosen
// backend's modules are loaded (ioredis or the DynamoDB client), which keeps a Lambda's cold start short.
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { MEMORY_LIMITS, type LimiterBackend } from './rate-limit/limiter-backend.ts';
import { MemorySessionStore, type SessionStore } from './session/memory-store.ts';

export interface StoreBackend {
  /** The session store before sealing; `replacement` when the caller passed one. */
  store: SessionStore;
  limiterBackend: LimiterBackend;
  /** Closes the connection the store and the limiters share (the store itself is closed by its owner). */
  close(): Promise<void>;
}

/**
 * Opens the backend. With Redis or DynamoDB, sessions and counters share one connection or client, and every
 * instance sees the same ones.
 */
export async function openStoreBackend(
  config: Config,
  logger: Logger,
  replacement: SessionStore | undefined,
): Promise<StoreBackend> {
  if (config.redis) {
    const [{ closeRedis, createRedisClient }, { RedisSessionStore }] = await Promise.all([
      import('./redis/redis-client.ts'),
      import('./session/redis-store.ts'),
    ]);
    const redis = createRedisClient(config.redis, logger);
    const { keyPrefix } = config.redis;
    return {
      store: replacement ?? new RedisSessionStore(redis, { keyPrefix }),
      limiterBackend: { kind: 'redis', client: redis, keyPrefix },
      close: () => closeRedis(redis),
    };
  }
  if (config.dynamodb) {
    const [{ createDynamoDbClient }, { DynamoDbSessionStore }] = await Promise.all([
      import('./dynamodb/dynamodb-client.ts'),
      import('./session/dynamodb-store.ts'),
    ]);
    const dynamodb = createDynamoDbClient(config.dynamodb);
    return {
      store: replacement ?? new DynamoDbSessionStore(dynamodb, { table: config.dynamodb.table }),
      limiterBackend: { kind: 'dynamodb', client: dynamodb, table: config.dynamodb.rateLimitTable },
      close: () => Promise.resolve(dynamodb.destroy()),
    };
  }
  return {
    store: replacement ?? new MemorySessionStore({ maxEntries: config.session.maxEntries }),
    limiterBackend: MEMORY_LIMITS,
    close: () => Promise.resolve(),
  };
}
