// Several app instances on Redis against one emulator started on its own, as a load balancer would see them.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.ts';
import { startLocalCognito, type LocalCognito, type LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { createLogger } from '../../src/logger.ts';
import type { SessionStore } from '../../src/session/memory-store.ts';
import { createRuntime } from '../../src/runtime.ts';
import { Browser } from './browser.ts';

/** The emulator every instance talks to, as `npm run local-cognito` runs it. */
export interface SharedEmulator {
  emulator: LocalCognito;
  pool: LocalPoolInfo;
}

export async function startSharedEmulator(): Promise<SharedEmulator> {
  const emulator = await startLocalCognito({ port: 0 });
  const pool = await emulator.ensureLocalPool();
  return { emulator, pool };
}

/** The same secret for every instance, as in a real deployment: any instance can read any cookie. */
export const SHARED_SESSION_KEY = 'shared-instance-key-'.padEnd(44, 'k');

export interface Instance {
  baseUrl: string;
  config: Config;
  logs: string[];
  /** This instance's session store (sealed, over Redis). */
  store: SessionStore;
  /** A browser on this instance holding `other`'s cookies (the load balancer sent it here). */
  adopt(other: Browser): Browser;
  browser(): Browser;
  /** Stops listening and closes its Redis connection; the sessions stay in Redis. */
  close(): Promise<void>;
}

export interface InstanceOptions {
  shared: SharedEmulator;
  /** REDIS_KEY_PREFIX: unique per test run. */
  keyPrefix: string;
  /** Where this instance finds Redis; default 127.0.0.1:6379. */
  redisUrl?: string;
  env?: Record<string, string>;
}

/** One instance: configured from the environment exactly as server.ts is (SESSION_STORE=redis, cloud mode). */
export async function startInstance(options: InstanceOptions): Promise<Instance> {
  const { shared, keyPrefix } = options;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'info',
    APP_BASE_URL: baseUrl,
    COGNITO_USER_POOL_ID: shared.pool.userPoolId,
    COGNITO_CLIENT_ID: shared.pool.clientId,
    COGNITO_CLIENT_SECRET: shared.pool.clientSecret,
    COGNITO_ENDPOINT: shared.emulator.endpoint,
    SESSION_KEYS: SHARED_SESSION_KEY,
    SESSION_STORE: 'redis',
    REDIS_URL: options.redisUrl ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: keyPrefix,
    REDIS_TIMEOUT_MS: '500',
    // As in harness.ts: a busy machine must not turn the emulator's answers into 503 pages.
    COGNITO_TIMEOUT_MS: '30000',
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(chunk.toString());
        cb();
      },
    }),
  );
  const runtime = await createRuntime(config, { logger });
  await runtime.listen(server);
  return {
    baseUrl,
    config,
    logs,
    store: runtime.deps.sessionStore,
    browser: () => new Browser(baseUrl),
    adopt(other) {
      const b = new Browser(baseUrl);
      for (const [k, v] of other.cookies) b.cookies.set(k, v);
      return b;
    },
    close: () => runtime.close(),
  };
}
