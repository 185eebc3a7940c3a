// The app as `npm start` runs it in local mode (emulator in this process, memory sessions), on free ports.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TokenVerifier } from '../../src/cognito/verifier.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { MemorySessionStore, SessionStore } from '../../src/session/memory-store.ts';
import { createRuntime } from '../../src/runtime.ts';
import { instrument } from '../lib/breakdown.ts';
import { BENCH_RATE_LIMITS, serveParent } from '../lib/child.ts';

// Listen first, so the app's public origin (APP_BASE_URL) is the real one and the Origin check holds.
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-local-cognito-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));

// What `npm start` reads from an empty environment, on free ports and a fresh emulator folder. The rate limits
// still count every sign-in; they are only raised so that hundreds from one address and account pass.
const base = loadConfig({
  PORT: '0',
  APP_BASE_URL: baseUrl,
  LOCAL_COGNITO_PORT: '0',
  LOCAL_COGNITO_DIR: dataDir,
  ...BENCH_RATE_LIMITS,
});
// Logs go to stderr, which the runner drains (pino writes synchronously like it does on a terminal).
const logger = createLogger(base.logLevel, process.stderr);

let verifications = 0;
/** The length of the first signed-in session's JSON, for the control server (measured once, then no cost). */
let signedInSessionBytes = 0;
let sessionStore: MemorySessionStore | undefined;
const runtime = await createRuntime(base, {
  logger,
  wrap: {
    /** The real verifier, counting signature checks so the bench can show protected pages make none. */
    verifier: (real): TokenVerifier => ({
      verify(idToken, accessToken) {
        verifications++;
        return real.verify(idToken, accessToken);
      },
      verifyAccessToken(accessToken) {
        verifications++;
        return real.verifyAccessToken(accessToken);
      },
      hydrate: () => real.hydrate(),
      ready: () => real.ready(),
    }),
    sessionStore: (real): SessionStore => {
      sessionStore = real as MemorySessionStore;
      return {
        get: (key) => real.get(key),
        set(key, session, maxAgeMs) {
          if (signedInSessionBytes === 0 && session.auth)
            signedInSessionBytes = JSON.stringify(session).length;
          return real.set(key, session, maxAgeMs);
        },
        destroy: (key) => real.destroy(key),
        destroyOwnedBy: (owner) => real.destroyOwnedBy(owner),
        ping: () => real.ping(),
        close: () => real.close(),
      };
    },
  },
});
await runtime.deps.verifier.hydrate();
const local = runtime.local!;
const settings = runtime.config.cognito!;
const app = runtime.app;
// BENCH_BREAKDOWN=1: a separate run that times each layer, one request at a time.
const timing = process.env.BENCH_BREAKDOWN === '1' ? instrument(app) : undefined;
const callback = app.callback();
const handle = timing ? timing.wrap(callback) : callback;
server.on('request', (req, res) => void handle(req, res));

serveParent(
  {
    type: 'ready',
    baseUrl,
    emulator: local.emulator.endpoint,
    region: settings.region,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    username: local.pool.demoUser.email,
    password: local.pool.demoUser.password,
  },
  {
    counters: () => ({ verifications, sessions: sessionStore?.size ?? 0, signedInSessionBytes }),
    resetBreakdown: () => {
      timing?.reset();
      return {};
    },
    breakdown: () => ({ ...timing?.read() }),
  },
);
