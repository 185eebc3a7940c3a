// One ioredis connection (single server, Cluster or Sentinel) that fails fast while Redis is away and reconnects.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisSettings } from './redis-settings.ts';
import type { Logger } from '../logger.ts';

/** A connection to a single Redis or to a Cluster; both answer the same commands. */
export type RedisClient = Redis | Cluster;

/** Longest pause between two reconnection attempts: Redis is back in use within this after it returns. */
const MAX_RECONNECT_DELAY_MS = 1000;

function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS);
}

/**
 * Commands wait at most `timeoutMs` (queued while reconnecting, or sent and unanswered), then fail, so a request
 * gets its 503 within the deadline; reconnection never stops, so the server recovers without a restart.
 */
export function redisOptions(settings: RedisSettings): RedisOptions {
  const url = settings.url ? new URL(settings.url) : undefined;
  const db = url && url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    username: url?.username ? decodeURIComponent(url.username) : undefined,
    password: url?.password ? decodeURIComponent(url.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: url?.protocol === 'rediss:' ? { servername: url.hostname } : undefined,
    commandTimeout: settings.timeoutMs,
    connectTimeout: settings.timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
  };
}

/** Connects (in the background) as configured; errors are logged once per outage, never thrown as events. */
export function createRedisClient(settings: RedisSettings, logger: Logger): RedisClient {
  const options = redisOptions(settings);
  let client: RedisClient;
  if (settings.clusterNodes.length > 0) {
    const { retryStrategy, ...nodeOptions } = options;
    const clusterOptions: ClusterOptions = {
      redisOptions: { ...nodeOptions, db: undefined },
      clusterRetryStrategy: retryStrategy,
      // TLS clusters (e.g. ElastiCache) present certificates for the configured names, not the node IPs.
      ...(options.tls ? { dnsLookup: (address, done) => done(null, address) } : {}),
    };
    client = new Cluster([...settings.clusterNodes], clusterOptions);
  } else if (settings.sentinels.length > 0) {
    client = new Redis({
      ...options,
      sentinels: [...settings.sentinels],
      name: settings.sentinelName,
      sentinelPassword: settings.sentinelPassword,
      sentinelRetryStrategy: reconnectDelay,
      enableTLSForSentinelMode: options.tls !== undefined,
    });
  } else {
    const url = new URL(settings.url!);
    client = new Redis({ ...options, host: url.hostname, port: Number(url.port || 6379) });
  }
  watchConnection(client, logger);
  return client;
}

/** Logs going down and coming back, once each; an 'error' listener keeps ioredis from crashing the process. */
function watchConnection(client: RedisClient, logger: Logger): void {
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn(
      { reason: err.message },
      'redis unreachable; requests that need it answer 503 until it returns',
    );
  });
  client.on('ready', () => {
    if (down) logger.info('redis reachable again');
    down = false;
  });
}

/** Closes the connection politely (QUIT), or at once if Redis does not answer within its deadline. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
