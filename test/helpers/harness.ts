// Starts the emulator and the app on free loopback ports for integration tests, with a clock tests can move.
import type Koa from 'koa';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.ts';
import type { LocalCognito, LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { createLogger } from '../../src/logger.ts';
import type { LoginThrottle } from '../../src/rate-limit/login-throttle.ts';
import type { MemorySessionStore } from '../../src/session/memory-store.ts';
import { createRuntime } from '../../src/runtime.ts';
import { Browser } from './browser.ts';

/** A clock that tests can move forward; shared by the emulator and the app so tokens expire together. */
export class TestClock {
  offsetMs = 0;
  private frozenAt: number | undefined;
  readonly now = (): number => (this.frozenAt ?? Date.now()) + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /**
   * Stops the clock where it is (advance still moves it): a page that counts down (a resend cooldown, a challenge's
   * time left) then reads the same however long a busy machine takes between two requests.
   */
  freeze(): void {
    this.frozenAt ??= Date.now();
  }
  /** Lets the clock run on from where it was stopped (it does not jump to real time). */
  thaw(): void {
    if (this.frozenAt === undefined) return;
    this.offsetMs -= Date.now() - this.frozenAt;
    this.frozenAt = undefined;
  }
}

export interface Harness {
  baseUrl: string;
  emulator: LocalCognito;
  pool: LocalPoolInfo;
  config: Config;
  /** The Koa app (for what tests read off it, such as first-visit.ts's count of kept pages used). */
  app: Koa;
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
  /**
   * The host name of the app's base URL (and APP_BASE_URL): 127.0.0.1 unless set. 'localhost' for passkeys, whose
   * relying party id (the emulator's 'localhost') browsers refuse on http://127.0.0.1. The app still listens on
   * 127.0.0.1, and on [::1] at the same port where the machine has it, so `localhost` reaches it whichever address a
   * client tries first (Chromium tries ::1 first).
   */
  host?: '127.0.0.1' | 'localhost';
}

/** A socket error code: the address family or address is not there (no IPv6 on this machine). */
const NO_SUCH_ADDRESS = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EINVAL']);

function listenOn(server: NetServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Listens on 127.0.0.1 at a free port and, for `localhost`, hands the connections made to [::1] at that same port to
 * `server` as well (a port taken on ::1 by something else: another port is tried). The second listener, if any, is
 * returned to be closed with the app.
 */
async function listenLoopback(
  server: Server,
  host: '127.0.0.1' | 'localhost',
): Promise<NetServer | undefined> {
  for (let attempt = 0; ; attempt++) {
    await listenOn(server, 0, '127.0.0.1');
    if (host === '127.0.0.1') return undefined;
    const { port } = server.address() as AddressInfo;
    const v6 = createNetServer((socket) => server.emit('connection', socket));
    try {
      await listenOn(v6, port, '::1');
      return v6;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (NO_SUCH_ADDRESS.has(code)) return undefined;
      if (code !== 'EADDRINUSE' || attempt >= 20) throw err;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

export async function startHarness({
  env = {},
  loginThrottle,
  host = '127.0.0.1',
}: HarnessOptions = {}): Promise<Harness> {
  const clock = new TestClock();
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
  // Listen first, so the app's public origin (APP_BASE_URL) is the real one and Origin checks hold.
  const server = createServer();
  const v6 = await listenLoopback(server, host);
  const baseUrl = `http://${host}:${(server.address() as AddressInfo).port}`;
  // Local mode as `npm start` runs it, on free ports and with the pool in memory. Suites sign the demo user in
  // many times from one address: rate limits apply only where a test sets them.
  const runtime = await createRuntime(
    loadConfig({
      PORT: '0',
      LOG_LEVEL: 'info',
      APP_BASE_URL: baseUrl,
      LOCAL_COGNITO_PORT: '0',
      SESSION_KEYS: 'test-key-'.padEnd(40, 'x'),
      RATE_LIMIT_PER_IP: '100000',
      RATE_LIMIT_PER_ACCOUNT: '100000',
      // The emulator hashes passwords (scrypt) on a few threads: on a busy machine, with other suites running, a
      // call can take seconds. A Cognito deadline is tested where a test sets it (upstream-faults); elsewhere a slow
      // machine must not turn into 503 pages.
      COGNITO_TIMEOUT_MS: '30000',
      // A suite run again with sign-in by SRP (test/integration/srp-challenges.test.ts) sets this before it starts.
      ...(process.env.HARNESS_AUTH_FLOW ? { AUTH_FLOW: process.env.HARNESS_AUTH_FLOW } : {}),
      ...env,
    }),
    {
      logger,
      clock: clock.now,
      local: { inMemory: true, onMessage: () => undefined },
      replace: { loginThrottle },
    },
  );
  await runtime.listen(server);
  const { emulator, pool } = runtime.local!;
  // The store keeps real time: tests move the app's clock to expire tokens, not the idle timeout.
  const store = runtime.deps.sessionStore as MemorySessionStore;
  emulator.resetCalls();

  const harness: Harness = {
    baseUrl,
    emulator,
    pool,
    config: runtime.config,
    app: runtime.app,
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
      // The app's close ends every connection, those that came in on ::1 too; then the second listener is done.
      const v6Closed = new Promise<void>((resolve) => (v6 ? v6.close(() => resolve()) : resolve()));
      await runtime.close();
      await v6Closed;
    },
  };
  return harness;
}
