// The app on a free loopback port with a scripted Cognito and verifier (no emulator, no network): for checking what
// the flows do with Cognito's answers. Built by createRuntime as the server is, like harness.ts, but in cloud mode.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { LoginThrottle } from '../../src/rate-limit/login-throttle.ts';
import type { MemorySessionStore } from '../../src/session/memory-store.ts';
import { createRuntime } from '../../src/runtime.ts';
import { Browser } from './browser.ts';
import { FakeCognito, FakeTokens, JANE, signedInWith, type FakeUser } from './fake-cognito.ts';
import { TestClock } from './harness.ts';

export { challenge, cognitoError, JANE, signedInWith, type FakeUser } from './fake-cognito.ts';

/** The password the fake "accepts": Cognito is scripted, so any password works; this one passes every policy. */
export const FAKE_PASSWORD = 'Correct-horse-1';

export interface FakeHarness {
  baseUrl: string;
  config: Config;
  clock: TestClock;
  store: MemorySessionStore;
  /** What Cognito answers, and every call the app made. */
  cognito: FakeCognito;
  /** Issues the tokens Cognito's answers carry; the app's verifier accepts exactly these. */
  tokens: FakeTokens;
  /** Everything the app logged, one JSON line each. */
  logs: string[];
  browser(): Browser;
  /** Signs `user` in through the sign-in form with a new browser (Cognito answers with tokens) and returns it. */
  signedIn(user?: FakeUser): Promise<Browser>;
  close(): Promise<void>;
}

export interface FakeHarnessOptions {
  env?: Record<string, string>;
  loginThrottle?: LoginThrottle;
}

/** Cloud mode against a pool that does not exist: nothing may reach AWS (the gateway and verifier are fakes). */
export const FAKE_POOL_ENV = {
  COGNITO_USER_POOL_ID: 'us-east-1_Fake12345',
  COGNITO_CLIENT_ID: 'a'.repeat(26),
  COGNITO_CLIENT_SECRET: 'fake-client-secret',
  // A configured policy: the app does not ask Cognito (DescribeUserPool) for it at start.
  PASSWORD_MIN_LENGTH: '8',
} as const;

export async function startFakeHarness({
  env = {},
  loginThrottle,
}: FakeHarnessOptions = {}): Promise<FakeHarness> {
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
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cognito = new FakeCognito();
  const tokens = new FakeTokens(clock.now);
  const runtime = await createRuntime(
    loadConfig({
      PORT: '0',
      LOG_LEVEL: 'info',
      APP_BASE_URL: baseUrl,
      SESSION_KEYS: 'fake-harness-key-'.padEnd(40, 'x'),
      RATE_LIMIT_PER_IP: '100000',
      RATE_LIMIT_PER_ACCOUNT: '100000',
      ...FAKE_POOL_ENV,
      ...env,
    }),
    {
      logger,
      clock: clock.now,
      replace: { cognito: cognito.gateway, verifier: tokens.verifier, loginThrottle },
    },
  );
  await runtime.listen(server);
  assert.equal(cognito.callCount(), 0, 'the app called Cognito at start');

  return {
    baseUrl,
    config: runtime.config,
    clock,
    store: runtime.deps.sessionStore as MemorySessionStore,
    cognito,
    tokens,
    logs,
    browser: () => new Browser(baseUrl),
    async signedIn(user = JANE) {
      cognito.once('signInWithPassword', signedInWith(tokens.issue(user)));
      const b = new Browser(baseUrl);
      const res = await b.submit('/login', '/login', {
        username: user.email ?? user.username,
        password: FAKE_PASSWORD,
      });
      if (res.status !== 302 || res.location !== '/account') {
        throw new Error(`sign-in failed: ${res.status} ${res.location ?? res.body.slice(0, 300)}`);
      }
      return b;
    },
    close: () => runtime.close(),
  };
}
