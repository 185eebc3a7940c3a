// The app as `npm start` runs it in local mode (emulator in this process, memory sessions), on free ports. With
// BENCH_APP_ENV (JSON), those variables are added: another instance against the first one's emulator
// (COGNITO_ENDPOINT and the pool's ids), Redis sessions, UPSTREAM_URL, BASE_PATH, TRUST_PROXY.
import { randomBytes } from 'node:crypto';
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
const extra = JSON.parse(process.env.BENCH_APP_ENV ?? '{}') as Record<string, string>;

// What `npm start` reads from an empty environment, on free ports and a fresh emulator folder. The rate limits
// still count every sign-in; they are only raised so that hundreds from one address and account pass. Room for
// the largest number of live sessions the bench fills the store with.
const base = loadConfig({
  PORT: '0',
  APP_BASE_URL: baseUrl,
  LOCAL_COGNITO_PORT: '0',
  LOCAL_COGNITO_DIR: dataDir,
  SESSION_MAX_ENTRIES: '1000000',
  ...BENCH_RATE_LIMITS,
  ...extra,
});
// Logs go to stderr, which the runner drains (pino writes synchronously like it does on a terminal).
const logger = createLogger(base.logLevel, process.stderr);

let verifications = 0;
/** How much the store holds of the first signed-in session (its sealed envelope), for the control server. */
let signedInSessionBytes = 0;
let memoryStore: MemorySessionStore | undefined;
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
      if (base.session.store === 'memory') memoryStore = real as MemorySessionStore;
      return {
        get: (key) => real.get(key),
        set(key, session, maxAgeMs, options) {
          // The store sees sealed envelopes; a signed-in session's carries its owner tags.
          if (signedInSessionBytes === 0 && session.owners) {
            signedInSessionBytes = JSON.stringify(session).length;
          }
          return real.set(key, session, maxAgeMs, options);
        },
        destroy: (key) => real.destroy(key),
        destroyOwnedBy: (owner) => real.destroyOwnedBy(owner),
        ping: () => real.ping(),
        close: () => real.close(),
        changes: real.changes,
      };
    },
  },
});
const store = runtime.deps.sessionStore;
await runtime.deps.verifier.hydrate();
const settings = runtime.config.cognito!;
const app = runtime.app;
// BENCH_BREAKDOWN=1: a separate run that times each layer, one request at a time.
const timing = process.env.BENCH_BREAKDOWN === '1' ? instrument(app) : undefined;
if (timing) {
  const handle = timing.wrap(app.callback());
  server.on('request', (req, res) => void handle(req, res));
} else {
  await runtime.listen(server);
}

/** Live sessions added by `fill`, each a copy of the session `from` under its own id and owner. */
let filled = 0;
async function fill(count: number, from: string): Promise<void> {
  const signedIn = await store.get(from);
  if (!signedIn?.auth) throw new Error(`fill: ${from} is no signed-in session`);
  const maxAgeMs = base.session.idleTimeoutMs;
  const batch = 500;
  for (let done = 0; done < count; done += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - done) }, () => {
        const n = filled++;
        return store.set(
          randomBytes(32).toString('base64url'),
          { ...signedIn, owners: [`sub:bench-${n}`, `email:bench-${n}@example.com`] },
          maxAgeMs,
        );
      }),
    );
  }
}

const local = runtime.local;
serveParent(
  {
    type: 'ready',
    baseUrl,
    emulator: local?.emulator.endpoint ?? settings.endpoint,
    region: settings.region,
    userPoolId: settings.userPoolId,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    username: local?.pool.demoUser.email,
    password: local?.pool.demoUser.password,
  },
  {
    counters: () => ({
      verifications,
      sessions: memoryStore?.size ?? 0,
      signedInSessionBytes,
      filled,
    }),
    fill: async (payload) => {
      const { count, from } = payload as { count: number; from: string };
      await fill(count, from);
      return { filled };
    },
    resetBreakdown: () => {
      timing?.reset();
      return {};
    },
    breakdown: () => ({ ...timing?.read() }),
  },
);
