// Starts the emulator and the app on free loopback ports for integration tests, with a clock tests can move.
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.ts';
import { createCognitoGateway } from '../../src/cognito/gateway.ts';
import { createTokenVerifier } from '../../src/cognito/verifier.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { startLocalCognito, type LocalCognito, type LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { emulatorSettings } from '../../src/local-mode.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { LoginThrottle } from '../../src/rate-limit/login-throttle.ts';
import { MemorySessionStore } from '../../src/session/memory-store.ts';
import { Browser } from './browser.ts';

/** A clock that tests can move forward; shared by the emulator and the app so tokens expire together. */
export class TestClock {
  offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface Harness {
  baseUrl: string;
  emulator: LocalCognito;
  pool: LocalPoolInfo;
  config: Config;
  clock: TestClock;
  store: MemorySessionStore;
  /** Everything the app logged, one JSON line each. */
  logs: string[];
  browser(): Browser;
  /** Signs the demo user in with a new browser and returns it. */
  signedIn(): Promise<Browser>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  loginThrottle?: LoginThrottle;
}

export async function startHarness({ env = {}, loginThrottle }: HarnessOptions = {}): Promise<Harness> {
  const clock = new TestClock();
  const emulator = await startLocalCognito({ port: 0, clock: clock.now });
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
  // The store keeps real time: tests move the app's clock to expire tokens, not the idle timeout.
  const store = new MemorySessionStore({ maxEntries: 10_000 });
  // Listen first, so the app's public origin (APP_BASE_URL) is the real one and Origin checks hold.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Suites sign the demo user in many times from one address: rate limits apply only where a test sets them.
  const base = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'info',
    APP_BASE_URL: baseUrl,
    RATE_LIMIT_PER_IP: '100000',
    RATE_LIMIT_PER_ACCOUNT: '100000',
    ...env,
  });
  const pool = await emulator.ensureLocalPool({
    callbackUrls: [`${base.appBaseUrl.origin}/callback`],
    logoutUrls: [`${base.appBaseUrl.origin}/signed-out`],
  });
  const config: Config = {
    ...base,
    cognito: emulatorSettings(emulator.endpoint, pool, base.cognitoTimeoutMs),
    session: { ...base.session, keys: ['test-key-'.padEnd(40, 'x')] },
  };
  const metrics = createMetrics();
  const app = createApp(config, {
    cognito: createCognitoGateway(config.cognito!, metrics.cognitoCall),
    metrics,
    verifier: createTokenVerifier(config.cognito!),
    sessionStore: store,
    logger,
    clock: clock.now,
    loginThrottle,
  });
  const handle = app.callback();
  server.on('request', (req, res) => void handle(req, res));
  emulator.resetCalls();

  const harness: Harness = {
    baseUrl,
    emulator,
    pool,
    config,
    clock,
    store,
    logs,
    browser: () => new Browser(baseUrl),
    async signedIn() {
      const b = new Browser(baseUrl);
      const res = await b.submit('/login', '/login', {
        username: pool.demoUser.email,
        password: pool.demoUser.password,
      });
      if (res.status !== 302 || res.location !== '/account') throw new Error(`sign-in failed: ${res.status}`);
      return b;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await emulator.close();
    },
  };
  return harness;
}
