// The one session store contract (test/helpers/store-contract.ts), run against every store: memory, Redis on the
// test Redis, DynamoDB on moto_server. Each store's own details are tested in its own file.
import { createLogger } from '../../src/logger.ts';
import { closeRedis, createRedisClient } from '../../src/redis/redis-client.ts';
import { DynamoDbSessionStore } from '../../src/session/dynamodb-store.ts';
import { MemorySessionStore } from '../../src/session/memory-store.ts';
import { RedisSessionStore } from '../../src/session/redis-store.ts';
import { dynamoSkipReason, startTestDynamo } from '../helpers/dynamodb.ts';
import {
  cleanUp,
  redisSkipReason,
  requireRedis,
  TEST_REDIS_URL,
  testRedis,
  uniquePrefix,
} from '../helpers/redis.ts';
import { storeContract } from '../helpers/store-contract.ts';

storeContract('memory', () => {
  const store = new MemorySessionStore({ maxEntries: 1000 });
  return Promise.resolve({ store, done: () => store.close() });
});

storeContract(
  'Redis',
  async () => {
    await requireRedis();
    const prefix = uniquePrefix('contract');
    const client = createRedisClient(
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
    const store = new RedisSessionStore(client, { keyPrefix: prefix });
    return {
      store,
      done: async () => {
        await store.close();
        await closeRedis(client);
        await cleanUp(testRedis(), prefix);
      },
    };
  },
  { skip: await redisSkipReason() },
);

storeContract(
  'DynamoDB',
  async () => {
    const dynamo = await startTestDynamo();
    const store = new DynamoDbSessionStore(dynamo.client, { table: dynamo.settings.table });
    return {
      store,
      done: async () => {
        await store.close();
        await dynamo.stop();
      },
    };
  },
  { skip: dynamoSkipReason() },
);
