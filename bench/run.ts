// `npm run bench`: the app's own cost against a bare Koa + koa-session server, in one run on this machine.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { format } from 'prettier';
import { secretHash } from '../src/cognito/secret-hash.ts';
import type { Breakdown } from './lib/breakdown.ts';
import { startChild, type BenchChild, type ReadyMessage } from './lib/child.ts';
import { BenchBrowser, signIn, type SignInSteps } from './lib/http-client.ts';
import { load, type LoadResult } from './lib/load.ts';
import { describeMachine } from './lib/machine.ts';
import { percentile, round } from './lib/stats.ts';
import type { PageShape } from './servers/baseline.ts';

/** Knobs for quick runs while working on it; the defaults are what bench/README.md reports. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 300);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2000);

const TARGETS = { protectedRatio: 0.85, loginRatio: 0.8, signInExtraMsP50: 2, bytesPerSession: 8 * 1024 };

type Ready = ReadyMessage & { baseUrl: string };
interface AppReady extends Ready {
  emulator: string;
  region: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}
interface Counters {
  verifications: number;
  sessions: number;
  signedInSessionBytes: number;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const median = (values: number[]) => round(percentile(values, 50), 2);

async function main(): Promise<void> {
  const started = performance.now();
  const machine = describeMachine();
  say(`bench on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`);

  const app = await startChild<AppReady>('app');
  let throughput, signInLatency;
  try {
    throughput = await measureThroughput(app);
    say(`sign-in: ${SIGN_INS} complete sign-ins and ${SIGN_INS} bare InitiateAuth calls, alternating`);
    signInLatency = await measureSignIn(app.ready);
  } finally {
    await app.stop();
  }
  say(`where the time goes: ${SEQUENTIAL} requests one at a time, each layer timed`);
  const breakdown = await measureBreakdown();
  say(`memory: ${SESSIONS} signed-in sessions`);
  const memory = await measureSessionMemory();

  const results = {
    date: new Date().toISOString(),
    machine,
    settings: {
      rounds: ROUNDS,
      secondsPerRun: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      connections: CONNECTIONS,
      signIns: SIGN_INS,
      sessions: SESSIONS,
    },
    throughput: throughput.medians,
    ratios: throughput.ratios,
    rounds: throughput.rounds,
    signIn: signInLatency,
    memory,
    breakdown,
    targets: {
      protectedRatio: target(TARGETS.protectedRatio, throughput.ratios.protected, 'min'),
      loginRatio: target(TARGETS.loginRatio, throughput.ratios.login, 'min'),
      signInExtraMsP50: target(TARGETS.signInExtraMsP50, signInLatency.extraMsP50, 'max'),
      bytesPerSession: target(TARGETS.bytesPerSession, memory.rssBytesPerSession, 'max'),
    },
    totalSeconds: 0,
  };
  results.totalSeconds = round((performance.now() - started) / 1000, 1);
  printTable(results);
  const file = fileURLToPath(new URL('results.json', import.meta.url));
  await writeFile(file, await format(JSON.stringify(results), { parser: 'json' }));
  say(`\nwrote ${file} (${results.totalSeconds} s in all)`);
}

function target(value: number, measured: number, kind: 'min' | 'max') {
  return { target: value, value: measured, met: kind === 'min' ? measured >= value : measured <= value };
}

/**
 * Requests/s of the baseline, GET /login (a new visitor each time), GET /account (signed in) and the control
 * (the bare server sending /account's headers, body size and session size), in ROUNDS rounds run back to back so
 * that a busy moment of the machine hits every target alike; ratios are taken within a round, then the median.
 */
async function measureThroughput(app: BenchChild<AppReady>) {
  const user = new BenchBrowser(app.ready.baseUrl);
  await signIn(user, app.ready.username, app.ready.password);
  const page = await user.get('/account');
  const { signedInSessionBytes } = await app.ask<Counters>('counters');
  const shape: PageShape = {
    headers: Object.fromEntries(
      Object.entries(page.headers)
        .filter(
          ([name]) => !['date', 'connection', 'keep-alive', 'content-length', 'set-cookie'].includes(name),
        )
        .map(([name, value]) => [name, String(value)]),
    ),
    bodyBytes: Buffer.byteLength(page.body),
    sessionBytes: signedInSessionBytes,
  };
  const baseline = await startChild<Ready>('baseline');
  const control = await startChild<Ready>('baseline', { env: { BASELINE_SHAPE: JSON.stringify(shape) } });
  try {
    const cookieOf = async (child: BenchChild<Ready>) => {
      const b = new BenchBrowser(child.ready.baseUrl);
      await b.get('/start');
      b.close();
      return b.cookieHeader();
    };
    const targets = {
      baseline: { url: `${baseline.ready.baseUrl}/`, headers: { cookie: await cookieOf(baseline) } },
      login: { url: `${app.ready.baseUrl}/login`, headers: {} },
      protected: { url: `${app.ready.baseUrl}/account`, headers: { cookie: user.cookieHeader() } },
      control: { url: `${control.ready.baseUrl}/`, headers: { cookie: await cookieOf(control) } },
    };
    type Name = keyof typeof targets;
    const names = Object.keys(targets) as Name[];
    const rounds: Record<Name, LoadResult>[] = [];
    const before = await app.ask<Counters>('counters');
    for (let round = 1; round <= ROUNDS; round++) {
      say(`throughput round ${round}/${ROUNDS}: ${names.join(', ')}, ${SECONDS} s each`);
      const results = {} as Record<Name, LoadResult>;
      for (const name of names) {
        results[name] = await load({
          ...targets[name],
          seconds: SECONDS,
          warmupSeconds: WARMUP_SECONDS,
          connections: CONNECTIONS,
        });
      }
      rounds.push(results);
    }
    const after = await app.ask<Counters>('counters');
    const rps = (name: Name) => median(rounds.map((r) => r[name].requestsPerSecond));
    const ratio = (name: Name, over: Name = 'baseline') =>
      median(rounds.map((r) => r[name].requestsPerSecond / r[over].requestsPerSecond));
    return {
      medians: {
        baselineRps: rps('baseline'),
        loginRps: rps('login'),
        protectedRps: rps('protected'),
        controlRps: rps('control'),
        /** Signature checks made while GET /account was served: 0 means claims come from the session. */
        tokenVerificationsDuringProtected: after.verifications - before.verifications,
        page: {
          bodyBytes: shape.bodyBytes,
          headers: Object.keys(shape.headers).length,
          sessionBytes: signedInSessionBytes,
        },
      },
      ratios: {
        login: ratio('login'),
        protected: ratio('protected'),
        control: ratio('control'),
        protectedOverControl: ratio('protected', 'control'),
      },
      rounds: rounds.map((r) =>
        Object.fromEntries(
          names.map((n) => [
            n,
            { rps: r[n].requestsPerSecond, p50Ms: r[n].latencyMs.p50, p99Ms: r[n].latencyMs.p99 },
          ]),
        ),
      ),
    };
  } finally {
    user.close();
    await baseline.stop();
    await control.stop();
  }
}

/**
 * Alternates a complete sign-in through the app (GET /login, POST /login, GET /account) with the bare
 * InitiateAuth call it makes, from this process to the same emulator, one at a time; both keep their connection.
 */
async function measureSignIn(ready: AppReady) {
  const cognito = new CognitoIdentityProviderClient({
    region: ready.region,
    endpoint: ready.emulator,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const bare = async () => {
    const out = await cognito.send(
      new InitiateAuthCommand({
        ClientId: ready.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: {
          USERNAME: ready.username,
          PASSWORD: ready.password,
          SECRET_HASH: secretHash(ready.username, ready.clientId, ready.clientSecret),
        },
      }),
    );
    if (!out.AuthenticationResult?.AccessToken) throw new Error('InitiateAuth gave no tokens');
  };
  const browser = new BenchBrowser(ready.baseUrl);
  const warmup = Math.min(20, SIGN_INS);
  const bareMs: number[] = [];
  const completeMs: number[] = [];
  const steps: SignInSteps[] = [];
  for (let i = 0; i < warmup + SIGN_INS; i++) {
    const t0 = performance.now();
    await bare();
    const t1 = performance.now();
    browser.reset();
    const s = await signIn(browser, ready.username, ready.password);
    const t2 = performance.now();
    if (i >= warmup) {
      bareMs.push(t1 - t0);
      completeMs.push(t2 - t1);
      steps.push(s);
    }
  }
  browser.close();
  cognito.destroy();
  const summary = (ms: number[]) => ({ p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)) });
  const complete = summary(completeMs);
  const bareStats = summary(bareMs);
  return {
    iterations: SIGN_INS,
    completeMs: complete,
    bareInitiateAuthMs: bareStats,
    extraMsP50: round(complete.p50 - bareStats.p50),
    stepsMsP50: {
      getLogin: median(steps.map((s) => s.getLogin)),
      postLogin: median(steps.map((s) => s.postLogin)),
      getAccount: median(steps.map((s) => s.getPage)),
    },
  };
}

/** Per-layer server time of GET /login (new visitors) and GET /account, one request at a time. */
async function measureBreakdown() {
  const app = await startChild<AppReady>('app', { env: { BENCH_BREAKDOWN: '1' } });
  try {
    const user = new BenchBrowser(app.ready.baseUrl);
    await signIn(user, app.ready.username, app.ready.password);
    const visitor = new BenchBrowser(app.ready.baseUrl);
    const run = async (path: string, browser: BenchBrowser, fresh: boolean) => {
      const once = async () => {
        if (fresh) browser.reset();
        const res = await browser.get(path);
        if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
      };
      for (let i = 0; i < Math.min(300, SEQUENTIAL); i++) await once();
      await app.ask('resetBreakdown');
      for (let i = 0; i < SEQUENTIAL; i++) await once();
      return app.ask<Breakdown & { id?: number }>('breakdown');
    };
    const clean = ({ id: _id, ...b }: Breakdown & { id?: number }) => b;
    const result = {
      login: clean(await run('/login', visitor, true)),
      protected: clean(await run('/account', user, false)),
    };
    user.close();
    visitor.close();
    return result;
  } finally {
    await app.stop();
  }
}

/** RSS and heap growth over SESSIONS sign-ins, after a warm-up, each measured after full collections. */
async function measureSessionMemory() {
  interface Measure {
    rss: number;
    heapUsed: number;
    sessions: number;
    serializedBytes: number;
  }
  const child = await startChild<Ready>('session-memory', { nodeArgs: ['--expose-gc'] });
  try {
    const browsers = Array.from({ length: 8 }, () => new BenchBrowser(child.ready.baseUrl));
    let next = 0;
    const signInMany = async (count: number) => {
      const end = next + count;
      await Promise.all(
        browsers.map(async (browser) => {
          while (next < end) {
            const n = next++;
            browser.reset();
            await signIn(browser, `user${n}@example.com`, 'Passw0rd!', false);
          }
        }),
      );
    };
    await signInMany(500);
    const before = await child.ask<Measure>('measure');
    await signInMany(SESSIONS);
    const after = await child.ask<Measure>('measure');
    for (const b of browsers) b.close();
    const added = after.sessions - before.sessions;
    if (added !== SESSIONS) throw new Error(`expected ${SESSIONS} new sessions in the store, found ${added}`);
    return {
      sessions: added,
      rssBytesPerSession: Math.round((after.rss - before.rss) / added),
      heapBytesPerSession: Math.round((after.heapUsed - before.heapUsed) / added),
      serializedSessionBytes: after.serializedBytes,
      rssDeltaMiB: round((after.rss - before.rss) / 2 ** 20, 1),
    };
  } finally {
    await child.stop();
  }
}

function printTable(r: {
  throughput: Awaited<ReturnType<typeof measureThroughput>>['medians'];
  ratios: Awaited<ReturnType<typeof measureThroughput>>['ratios'];
  signIn: Awaited<ReturnType<typeof measureSignIn>>;
  memory: Awaited<ReturnType<typeof measureSessionMemory>>;
  breakdown: Awaited<ReturnType<typeof measureBreakdown>>;
  targets: Record<'protectedRatio' | 'loginRatio' | 'signInExtraMsP50' | 'bytesPerSession', { met: boolean }>;
}): void {
  const mark = (met: boolean) => (met ? 'met' : 'MISSED');
  const t = r.throughput;
  const s = r.signIn;
  const rows: [string, string, string][] = [
    ['baseline: Koa + koa-session hello', `${t.baselineRps} req/s`, ''],
    [
      'GET /login, new visitor',
      `${t.loginRps} req/s  x${r.ratios.login}`,
      `>= 0.8   ${mark(r.targets.loginRatio.met)}`,
    ],
    [
      'GET /account, signed in',
      `${t.protectedRps} req/s  x${r.ratios.protected}`,
      `>= 0.85  ${mark(r.targets.protectedRatio.met)}`,
    ],
    ['  RSA verifications meanwhile', String(t.tokenVerificationsDuringProtected), ''],
    ["control: bare Koa, /account's bytes", `${t.controlRps} req/s  x${r.ratios.control}`, ''],
    ['  /account over control', `x${r.ratios.protectedOverControl}`, ''],
    ['complete sign-in p50 / p99', `${s.completeMs.p50} / ${s.completeMs.p99} ms`, ''],
    ['bare InitiateAuth p50 / p99', `${s.bareInitiateAuthMs.p50} / ${s.bareInitiateAuthMs.p99} ms`, ''],
    ['sign-in extra at p50', `${s.extraMsP50} ms`, `<= 2 ms  ${mark(r.targets.signInExtraMsP50.met)}`],
    [
      '  steps p50: GET, POST, GET',
      `${s.stepsMsP50.getLogin} / ${s.stepsMsP50.postLogin} / ${s.stepsMsP50.getAccount} ms`,
      '',
    ],
    [
      'memory per session (RSS)',
      `${r.memory.rssBytesPerSession} B (heap ${r.memory.heapBytesPerSession} B, JSON ${r.memory.serializedSessionBytes} B)`,
      `<= 8 KB  ${mark(r.targets.bytesPerSession.met)}`,
    ],
  ];
  const layer = (b: Breakdown) =>
    `${b.totalUs} us = ${b.layers
      .filter((l) => l.us > 0)
      .map((l) => `${l.name} ${l.us}`)
      .join(', ')} (render ${b.renderUs}), rest ${b.totalUs - b.layers.reduce((sum, l) => sum + l.us, 0)}`;
  const w0 = Math.max(...rows.map((row) => row[0].length));
  const w1 = Math.max(...rows.map((row) => row[1].length));
  say('');
  for (const [a, b, c] of rows) say(`  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd());
  say(`\n  one GET /login:   ${layer(r.breakdown.login)}`);
  say(`  one GET /account: ${layer(r.breakdown.protected)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
