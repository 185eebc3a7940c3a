// SESSION_STORE=redis and its Redis, TRUST_PROXY and the rate limits, as read from the environment.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { redisOptions } from '../../src/redis/redis-client.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('the memory store, no proxy and the default limits unless told otherwise', () => {
  const config = loadConfig({});
  assert.equal(config.session.store, 'memory');
  assert.equal(config.redis, undefined);
  assert.equal(config.trustProxy, 0);
  assert.deepEqual(config.rateLimit, { windowSeconds: 300, perIp: 60, perAccount: 10 });
});

test('SESSION_STORE=redis with a TLS URL', () => {
  const config = loadConfig({
    SESSION_STORE: 'redis',
    REDIS_URL: 'rediss://app:s%40cret@cache.example.com:6380/2',
    REDIS_TIMEOUT_MS: '250',
    TRUST_PROXY: '2',
  });
  assert.equal(config.session.store, 'redis');
  assert.equal(config.redis?.keyPrefix, 'cognito-login:');
  assert.equal(config.trustProxy, 2);
  const options = redisOptions(config.redis);
  assert.equal(options.username, 'app');
  assert.equal(options.password, 's@cret');
  assert.equal(options.db, 2);
  assert.deepEqual(options.tls, { servername: 'cache.example.com' });
  assert.equal(options.commandTimeout, 250);
  assert.equal(options.connectTimeout, 250);
});

test('a Cluster and a Sentinel group are configured by their nodes', () => {
  const cluster = loadConfig({ SESSION_STORE: 'redis', REDIS_CLUSTER_NODES: 'node-a:7000, node-b:7001' });
  assert.deepEqual(cluster.redis?.clusterNodes, [
    { host: 'node-a', port: 7000 },
    { host: 'node-b', port: 7001 },
  ]);
  const sentinel = loadConfig({
    SESSION_STORE: 'redis',
    REDIS_SENTINELS: 's1:26379,s2:26379',
    REDIS_SENTINEL_NAME: 'mymaster',
  });
  assert.equal(sentinel.redis?.sentinels.length, 2);
  assert.equal(sentinel.redis?.sentinelName, 'mymaster');
});

test('every Redis mistake is named', () => {
  const text = (env: Record<string, string>) => problems(env).join('\n');
  assert.match(text({ SESSION_STORE: 'redis' }), /REDIS_URL: required when SESSION_STORE=redis/);
  assert.match(text({ SESSION_STORE: 'mongo' }), /SESSION_STORE: must be memory .* or redis/);
  assert.match(
    text({ REDIS_URL: 'redis://localhost:6379' }),
    /REDIS_URL: set, but SESSION_STORE is not redis/,
  );
  assert.match(text({ SESSION_STORE: 'redis', REDIS_URL: 'http://x' }), /REDIS_URL: must be a redis:\/\//);
  assert.match(
    text({ SESSION_STORE: 'redis', REDIS_SENTINELS: 's1:26379' }),
    /REDIS_SENTINEL_NAME: REDIS_SENTINELS and REDIS_SENTINEL_NAME go together/,
  );
  assert.match(
    text({
      SESSION_STORE: 'redis',
      REDIS_CLUSTER_NODES: 'a:1',
      REDIS_SENTINELS: 'b:2',
      REDIS_SENTINEL_NAME: 'm',
    }),
    /choose a Cluster/,
  );
  assert.match(
    text({ SESSION_STORE: 'redis', REDIS_CLUSTER_NODES: 'no-port' }),
    /REDIS_CLUSTER_NODES: must be/,
  );
  assert.match(text({ TRUST_PROXY: '-1', RATE_LIMIT_PER_IP: '0' }), /TRUST_PROXY[\s\S]*RATE_LIMIT_PER_IP/);
});
