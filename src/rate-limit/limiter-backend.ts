// Where rate-limit counters live: this process's memory, or the Redis or DynamoDB table every instance shares.
import type { DynamoDB } from '@aws-sdk/client-dynamodb';
import {
  RateLimiterDynamo,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { HttpError } from '../http-error.ts';
import type { RedisClient } from '../redis/redis-client.ts';

/**
 * Memory counts per process; Redis (SESSION_STORE=redis) and DynamoDB (SESSION_STORE=dynamodb) count across every
 * instance. The DynamoDB table (DYNAMODB_RATE_LIMIT_TABLE) is rate-limiter-flexible's: partition key `key`
 * (string), TTL on `expire`; the operator creates it, this server never creates tables or changes their TTL.
 */
export type LimiterBackend =
  | { kind: 'memory' }
  | { kind: 'redis'; client: RedisClient; keyPrefix: string }
  | { kind: 'dynamodb'; client: DynamoDB; table: string };

export const MEMORY_LIMITS: LimiterBackend = { kind: 'memory' };

/** A limiter of `points` per `durationSeconds`, its keys named `name` (e.g. `rl:sign-in:ip`). */
export function createLimiter(
  backend: LimiterBackend,
  name: string,
  points: number,
  durationSeconds: number,
): RateLimiterAbstract {
  if (backend.kind === 'memory') {
    return new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds });
  }
  if (backend.kind === 'dynamodb') {
    // Each consume is an atomic counter update (a conditional UpdateItem), so parallel requests across instances
    // get no more tries than sequential ones. tableCreated/ttlSet: no CreateTable or TTL calls at start.
    return new RateLimiterDynamo({
      storeClient: backend.client,
      tableName: backend.table,
      tableCreated: true,
      ttlSet: true,
      keyPrefix: name,
      points,
      duration: durationSeconds,
    });
  }
  return new RateLimiterRedis({
    storeClient: backend.client,
    keyPrefix: `${backend.keyPrefix}${name}`,
    points,
    duration: durationSeconds,
    // Not connected: fail at once (503) instead of waiting for the command deadline.
    rejectIfRedisNotReady: true,
  });
}

/**
 * A limiter's store failing is an outage, not a reason to let requests through (fail closed) or to show a 500.
 * A RateLimiterRes (the limit reached) is returned for the caller to answer.
 */
export function limitedOrUnavailable(err: unknown): RateLimiterRes {
  if (err instanceof RateLimiterRes) return err;
  throw new HttpError(503, `rate-limit store unavailable: ${(err as Error)?.message ?? String(err)}`, 5);
}
