// How to reach Redis, as the wiring module hands it to the Redis client.

/** How to reach Redis: one server (REDIS_URL), a Cluster or a Sentinel group. */
export interface RedisSettings {
  /** `redis://` or `rediss://` (TLS) URL; with cluster nodes or sentinels only its scheme, credentials and db. */
  url: string | undefined;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); empty: not a cluster. */
  clusterNodes: readonly HostPort[];
  /** Sentinels (REDIS_SENTINELS) watching the master named `sentinelName`; empty: no Sentinel. */
  sentinels: readonly HostPort[];
  sentinelName: string | undefined;
  sentinelPassword: string | undefined;
  /** Prefix of every key this server writes, so several deployments can share one Redis. */
  keyPrefix: string;
  /** Deadline of one Redis command and of connecting, in milliseconds: a dead Redis fails fast. */
  timeoutMs: number;
}

export interface HostPort {
  host: string;
  port: number;
}
