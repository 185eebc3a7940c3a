// `npm run bench`: the app's own cost against bare servers doing the same without it, in one run on this machine.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { format } from 'prettier';
import { secretHash } from '../src/cognito/secret-hash.ts';
import type { Breakdown } from './lib/breakdown.ts';
import { startChild } from './lib/child.ts';
import {
  sessionIdIn,
  startFleet,
  type AppReady,
  type Counters,
  type Fleet,
  type Ready,
} from './lib/fleet.ts';
import { BenchBrowser, signIn, type SignInSteps } from './lib/http-client.ts';
import { load, type LoadResult } from './lib/load.ts';
import { describeMachine } from './lib/machine.ts';
import { percentile, round } from './lib/stats.ts';

/** Knobs for quick runs while working on it; the defaults are what bench/README.md reports. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 300);
/** Sign-ins again once the store holds the most live sessions of the scale rows (a scale row, not a target). */
const SIGN_INS_AT_SCALE = Math.min(SIGN_INS, 100);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const VISITORS = Number(process.env.BENCH_VISITORS ?? 10_000);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 1000);
const SCALE_CONNECTIONS = [1, 10, 100];
const SCALE_SESSIONS = (process.env.BENCH_SCALE_SESSIONS ?? '1000,10000,100000').split(',').map(Number);

const say = (line: string) => process.stdout.write(`${line}\n`);
const median = (values: number[]) => round(percentile(values, 50), 2);

/** Each target row: what is measured over what, and the bar it must reach (issue 15). */
const RATIOS = {
  authCheck: { over: 'baseline', min: 0.8, label: 'GET /auth/check, signed in' },
  authForward: { over: 'baseline', min: 0.8, label: 'GET /auth/forward, signed in' },
  bearer: { over: 'baseline', min: 0.7, label: 'Bearer on /auth/check, one token' },
  proxied: { over: 'bareProxy', min: 0.7, label: 'GET through the built-in proxy' },
  nginxAuth: { over: 'nginxPlain', min: 0.7, label: 'nginx auth_request + /auth/check' },
  account: { over: 'accountControl', min: 0.8, label: 'GET /account, signed in' },
  login: { over: 'loginControl', min: 0.8, label: 'GET /login, a first visit' },
  redisAccount: { over: 'account', min: 0.6, label: 'GET /account, Redis, 2nd instance' },
} as const;
type Row = keyof typeof RATIOS;
const INFO_RATIOS = {
  proxiedOverBareProxyIdentity: ['proxied', 'bareProxyIdentity'],
  bareProxyIdentityOverBareProxy: ['bareProxyIdentity', 'bareProxy'],
  nginxAuthOverBareCheck: ['nginxAuth', 'nginxBareCheck'],
  nginxBareCheckOverPlain: ['nginxBareCheck', 'nginxPlain'],
  proxiedOverUpstream: ['proxied', 'upstream'],
  bareProxyOverUpstream: ['bareProxy', 'upstream'],
  proxiedOverBareUndici: ['proxied', 'bareUndiciProxy'],
  bareUndiciOverBareProxy: ['bareUndiciProxy', 'bareProxy'],
  accountOverBaseline: ['account', 'baseline'],
  loginOverBaseline: ['login', 'baseline'],
  accountControlOverBaseline: ['accountControl', 'baseline'],
} as const;
const LIMITS = { signInExtraMsP50: 2, signInExtraMsP99: 4, bytesPerSession: 6 * 1024, bytesPerVisitor: 0 };

async function main(): Promise<void> {
  const started = performance.now();
  const machine = describeMachine();
  say(`bench on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`);

  const fleet = await startFleet(accessTokenOf);
  for (const line of fleet.skipped) say(`!!! ${line}`);
  let throughput, scale, signInLatency, signInAtScale;
  try {
    throughput = await measureThroughput(fleet);
    // Before the scale rows fill the store: the sign-in as `npm start` serves it, with a few live sessions.
    say(`sign-in: ${SIGN_INS} sign-ins and ${SIGN_INS} bare InitiateAuth calls, alternating`);
    signInLatency = await measureSignIn(fleet.app.ready, SIGN_INS);
    say(`scale: 1, 10 and 100 connections; ${SCALE_SESSIONS.join(', ')} live sessions`);
    scale = await measureScale(fleet);
    say(`sign-in with ${Math.max(...SCALE_SESSIONS)} live sessions: ${SIGN_INS_AT_SCALE} of each`);
    signInAtScale = await measureSignIn(fleet.app.ready, SIGN_INS_AT_SCALE);
  } finally {
    await fleet.stop();
  }
  say(`where the time goes: ${SEQUENTIAL} requests one at a time, each layer timed`);
  const breakdown = await measureBreakdown();
  say(`memory: ${SESSIONS} signed-in sessions, ${VISITORS} first visits`);
  const memory = await measureSessionMemory();

  const targets = {
    ...Object.fromEntries(
      (Object.keys(RATIOS) as Row[])
        .filter((row) => throughput.ratios[row] !== undefined)
        .map((row) => [row, target(RATIOS[row].min, throughput.ratios[row]!, 'min')]),
    ),
    signInExtraMsP50: target(LIMITS.signInExtraMsP50, signInLatency.extraMs.p50, 'max'),
    signInExtraMsP99: target(LIMITS.signInExtraMsP99, signInLatency.extraMs.p99, 'max'),
    bytesPerSession: target(LIMITS.bytesPerSession, memory.rssBytesPerSession, 'max'),
    storedPerVisitor: target(LIMITS.bytesPerVisitor, memory.visitors.sessionsStored, 'max'),
  };
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
      visitors: VISITORS,
    },
    skipped: fleet.skipped,
    throughput: throughput.medians,
    ratios: throughput.ratios,
    rounds: throughput.rounds,
    scale: { ...scale, signIn: { liveSessions: Math.max(...SCALE_SESSIONS), ...signInAtScale } },
    signIn: signInLatency,
    memory,
    breakdown,
    targets,
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

/** A Cognito client for the emulator, as the bench's own process uses it. */
function cognitoOf(ready: AppReady) {
  return new CognitoIdentityProviderClient({
    region: ready.region,
    endpoint: ready.emulator,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

function initiateAuth(ready: AppReady) {
  return new InitiateAuthCommand({
    ClientId: ready.clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: {
      USERNAME: ready.username,
      PASSWORD: ready.password,
      SECRET_HASH: secretHash(ready.username, ready.clientId, ready.clientSecret),
    },
  });
}

/** An access token of the demo user, for the Bearer row. */
async function accessTokenOf(ready: AppReady): Promise<string> {
  const cognito = cognitoOf(ready);
  try {
    const out = await cognito.send(initiateAuth(ready));
    const token = out.AuthenticationResult?.AccessToken;
    if (!token) throw new Error('InitiateAuth gave no access token');
    return token;
  } finally {
    cognito.destroy();
  }
}

/**
 * Requests/s of every target, in ROUNDS rounds run back to back so that a busy moment of the machine hits every
 * target alike; ratios are taken within a round, then the median.
 */
async function measureThroughput(fleet: Fleet) {
  const names = Object.keys(fleet.targets);
  const rounds: Record<string, LoadResult>[] = [];
  const before = await fleet.app.ask<Counters>('counters');
  for (let round = 1; round <= ROUNDS; round++) {
    say(`throughput round ${round}/${ROUNDS}: ${names.length} targets, ${SECONDS} s each`);
    const results: Record<string, LoadResult> = {};
    for (const name of names) {
      results[name] = await load({
        ...fleet.targets[name]!,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        connections: CONNECTIONS,
      });
    }
    rounds.push(results);
  }
  const after = await fleet.app.ask<Counters>('counters');
  const ratio = (name: string, over: string) =>
    fleet.targets[name] && fleet.targets[over]
      ? median(rounds.map((r) => r[name]!.requestsPerSecond / r[over]!.requestsPerSecond))
      : undefined;
  const ratios: Partial<Record<Row | keyof typeof INFO_RATIOS, number>> = {};
  for (const row of Object.keys(RATIOS) as Row[]) ratios[row] = ratio(row, RATIOS[row].over);
  for (const [name, [a, b]] of Object.entries(INFO_RATIOS)) {
    ratios[name as keyof typeof INFO_RATIOS] = ratio(a, b);
  }
  return {
    medians: {
      rps: Object.fromEntries(names.map((n) => [n, median(rounds.map((r) => r[n]!.requestsPerSecond))])),
      p50Ms: Object.fromEntries(names.map((n) => [n, median(rounds.map((r) => r[n]!.latencyMs.p50))])),
      /** Signature checks made under load (pages, checks, proxied requests and one Bearer token repeated). */
      tokenVerificationsUnderLoad: after.verifications - before.verifications,
      page: {
        accountBodyBytes: fleet.page.account.bodyBytes,
        accountHeaders: Object.keys(fleet.page.account.headers).length,
        loginBodyBytes: fleet.page.login.bodyBytes,
        sessionBytes: fleet.page.account.sessionBytes,
      },
    },
    ratios,
    rounds: rounds.map((r) =>
      Object.fromEntries(
        names.map((n) => [
          n,
          { rps: r[n]!.requestsPerSecond, p50Ms: r[n]!.latencyMs.p50, p99Ms: r[n]!.latencyMs.p99 },
        ]),
      ),
    ),
  };
}

/**
 * How the figures move with load and with the store's size: 1, 10 and 100 connections (against the baseline at
 * the same count), then the store filled with 1k, 10k and 100k live signed-in sessions (memory and Redis).
 */
async function measureScale(fleet: Fleet) {
  const once = (name: string, connections: number) =>
    load({ ...fleet.targets[name]!, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections });
  const connections: Record<string, Record<string, { rps: number; p50Ms: number; p99Ms: number }>> = {};
  for (const n of SCALE_CONNECTIONS) {
    const row: Record<string, { rps: number; p50Ms: number; p99Ms: number }> = {};
    for (const name of ['baseline', 'account', 'authCheck', 'proxied']) {
      const r = await once(name, n);
      row[name] = { rps: r.requestsPerSecond, p50Ms: r.latencyMs.p50, p99Ms: r.latencyMs.p99 };
    }
    connections[n] = row;
  }
  const sessions: Record<string, Record<string, { rps: number; p50Ms: number; p99Ms: number }>> = {};
  const stores = [
    { name: 'memory', child: fleet.app, target: 'account' },
    ...(fleet.redisApp ? [{ name: 'redis', child: fleet.redisApp, target: 'redisAccount' }] : []),
  ];
  for (const store of stores) {
    sessions[store.name] = {};
    let live = 0;
    for (const count of SCALE_SESSIONS) {
      const from = sessionIdIn(fleet.targets[store.target]!.headers.cookie);
      await store.child.ask('fill', { count: count - live, from });
      live = count;
      const r = await once(store.target, CONNECTIONS);
      sessions[store.name]![count] = {
        rps: r.requestsPerSecond,
        p50Ms: r.latencyMs.p50,
        p99Ms: r.latencyMs.p99,
      };
    }
  }
  return { connections, sessions };
}

/**
 * Alternates a sign-in through the app (GET /login, then the timed POST /login and the page it leads to) with the
 * bare InitiateAuth call the POST makes, from this process to the same emulator, one at a time.
 */
async function measureSignIn(ready: AppReady, count: number) {
  const cognito = cognitoOf(ready);
  const bare = async () => {
    const out = await cognito.send(initiateAuth(ready));
    if (!out.AuthenticationResult?.AccessToken) throw new Error('InitiateAuth gave no tokens');
  };
  const browser = new BenchBrowser(ready.baseUrl);
  const warmup = Math.min(20, count);
  const bareMs: number[] = [];
  const steps: SignInSteps[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const t0 = performance.now();
    await bare();
    const t1 = performance.now();
    browser.reset();
    const s = await signIn(browser, ready.username, ready.password);
    if (i >= warmup) {
      bareMs.push(t1 - t0);
      steps.push(s);
    }
  }
  browser.close();
  cognito.destroy();
  const summary = (ms: number[]) => ({ p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)) });
  const post = summary(steps.map((s) => s.postLogin));
  const bareStats = summary(bareMs);
  return {
    iterations: count,
    postLoginMs: post,
    bareInitiateAuthMs: bareStats,
    extraMs: { p50: round(post.p50 - bareStats.p50), p99: round(post.p99 - bareStats.p99) },
    completeMs: summary(steps.map((s) => s.getLogin + s.postLogin + s.getPage)),
    stepsMsP50: {
      getLogin: median(steps.map((s) => s.getLogin)),
      postLogin: post.p50,
      getAccount: median(steps.map((s) => s.getPage)),
    },
  };
}

/** Per-layer server time of GET /login (new visitors), GET /account and /auth/check, one request at a time. */
async function measureBreakdown() {
  const app = await startChild<AppReady>('app', {
    env: { BENCH_BREAKDOWN: '1', BENCH_APP_ENV: JSON.stringify({ TRUST_PROXY: '1' }) },
  });
  try {
    const user = new BenchBrowser(app.ready.baseUrl);
    await signIn(user, app.ready.username, app.ready.password);
    const visitor = new BenchBrowser(app.ready.baseUrl);
    const host = new URL(app.ready.baseUrl).host;
    const run = async (path: string, browser: BenchBrowser, fresh: boolean, headers = {}) => {
      const once = async () => {
        if (fresh) browser.reset();
        const res = await browser.get(path, headers);
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
      authCheck: clean(
        await run('/auth/check', user, false, {
          'x-forwarded-method': 'GET',
          'x-forwarded-proto': 'http',
          'x-forwarded-host': host,
          'x-forwarded-uri': '/dashboard',
        }),
      ),
    };
    user.close();
    visitor.close();
    return result;
  } finally {
    await app.stop();
  }
}

/**
 * RSS and heap growth over SESSIONS sign-ins after a warm-up, each measured after full collections; then VISITORS
 * first visits to /login, which must store nothing.
 */
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
    const many = async (count: number, one: (browser: BenchBrowser, n: number) => Promise<unknown>) => {
      let next = 0;
      await Promise.all(
        browsers.map(async (browser) => {
          while (next < count) {
            const n = next++;
            browser.reset();
            await one(browser, n);
          }
        }),
      );
    };
    let user = 0;
    const signInMany = (count: number) =>
      many(count, (browser) => signIn(browser, `user${user++}@example.com`, 'Passw0rd!', false));
    const visit = (browser: BenchBrowser) =>
      browser.get('/login').then((res) => {
        if (res.status !== 200) throw new Error(`GET /login answered ${res.status}`);
      });
    await signInMany(500);
    await many(500, visit);
    const before = await child.ask<Measure>('measure');
    await signInMany(SESSIONS);
    const after = await child.ask<Measure>('measure');
    await many(VISITORS, visit);
    const visited = await child.ask<Measure>('measure');
    for (const b of browsers) b.close();
    const added = after.sessions - before.sessions;
    if (added !== SESSIONS) throw new Error(`expected ${SESSIONS} new sessions in the store, found ${added}`);
    return {
      sessions: added,
      rssBytesPerSession: Math.round((after.rss - before.rss) / added),
      heapBytesPerSession: Math.round((after.heapUsed - before.heapUsed) / added),
      storedSessionBytes: after.serializedBytes,
      rssDeltaMiB: round((after.rss - before.rss) / 2 ** 20, 1),
      visitors: {
        count: VISITORS,
        sessionsStored: visited.sessions - after.sessions,
        heapBytesPerVisitor: Math.round((visited.heapUsed - after.heapUsed) / VISITORS),
      },
    };
  } finally {
    await child.stop();
  }
}

function printTable(r: {
  throughput: Awaited<ReturnType<typeof measureThroughput>>['medians'];
  ratios: Awaited<ReturnType<typeof measureThroughput>>['ratios'];
  scale: Awaited<ReturnType<typeof measureScale>> & {
    signIn: Awaited<ReturnType<typeof measureSignIn>> & { liveSessions: number };
  };
  signIn: Awaited<ReturnType<typeof measureSignIn>>;
  memory: Awaited<ReturnType<typeof measureSessionMemory>>;
  breakdown: Awaited<ReturnType<typeof measureBreakdown>>;
  targets: Record<string, { met: boolean; target: number }>;
}): void {
  const mark = (name: string) => (r.targets[name]?.met ? 'met' : 'MISSED');
  const t = r.throughput;
  const rps = (name: string) => (t.rps[name] === undefined ? 'skipped' : `${t.rps[name]} req/s`);
  const rows: [string, string, string][] = [['baseline: Koa + koa-session hello', rps('baseline'), '']];
  for (const row of Object.keys(RATIOS) as Row[]) {
    const { over, min, label } = RATIOS[row];
    const ratio = r.ratios[row];
    rows.push([
      label,
      ratio === undefined ? 'skipped' : `${rps(row)}  x${ratio} of ${over} (${rps(over)})`,
      ratio === undefined ? '' : `>= ${min}  ${mark(row)}`,
    ]);
  }
  rows.push(
    ['  proxied over the upstream reached directly', `x${r.ratios.proxiedOverUpstream}`, ''],
    ['  bare proxy over the upstream', `x${r.ratios.bareProxyOverUpstream}`, ''],
    [
      '  proxied over a bare proxy on its own engine (undici)',
      `x${r.ratios.proxiedOverBareUndici} (${rps('bareUndiciProxy')}; x${r.ratios.bareUndiciOverBareProxy} of the bare proxy)`,
      '',
    ],
    [
      '  proxied over the bare proxy sending our identity headers',
      `x${r.ratios.proxiedOverBareProxyIdentity} (${rps('bareProxyIdentity')}; x${r.ratios.bareProxyIdentityOverBareProxy} of the bare proxy)`,
      '',
    ],
    [
      '  nginx auth_request over the same with a bare Node check',
      r.ratios.nginxAuthOverBareCheck === undefined
        ? 'skipped'
        : `x${r.ratios.nginxAuthOverBareCheck} (${rps('nginxBareCheck')}; x${r.ratios.nginxBareCheckOverPlain} of nginx alone)`,
      '',
    ],
    ['  RSA verifications under load', String(t.tokenVerificationsUnderLoad), ''],
    [
      'POST /login over bare InitiateAuth p50',
      `${r.signIn.extraMs.p50} ms (${r.signIn.postLoginMs.p50} vs ${r.signIn.bareInitiateAuthMs.p50})`,
      `<= 2 ms  ${mark('signInExtraMsP50')}`,
    ],
    [
      '  and p99',
      `${r.signIn.extraMs.p99} ms (${r.signIn.postLoginMs.p99} vs ${r.signIn.bareInitiateAuthMs.p99})`,
      `<= 4 ms  ${mark('signInExtraMsP99')}`,
    ],
    [
      '  complete sign-in p50: GET, POST, GET',
      `${r.signIn.stepsMsP50.getLogin} / ${r.signIn.stepsMsP50.postLogin} / ${r.signIn.stepsMsP50.getAccount} ms`,
      '',
    ],
    [
      'memory per signed-in session (RSS)',
      `${r.memory.rssBytesPerSession} B (heap ${r.memory.heapBytesPerSession} B, stored ${r.memory.storedSessionBytes} B)`,
      `<= 6 KB  ${mark('bytesPerSession')}`,
    ],
    [
      'sessions stored by first visits',
      `${r.memory.visitors.sessionsStored} of ${r.memory.visitors.count} (heap ${r.memory.visitors.heapBytesPerVisitor} B each)`,
      `0  ${mark('storedPerVisitor')}`,
    ],
  );
  for (const [n, row] of Object.entries(r.scale.connections)) {
    const base = row.baseline!.rps;
    rows.push([
      `${n} connection(s): rps (x baseline)`,
      ['account', 'authCheck', 'proxied']
        .map((name) => `${name} ${row[name]!.rps} (x${round(row[name]!.rps / base)})`)
        .join(', ') + `; baseline ${base}`,
      '',
    ]);
  }
  for (const [store, row] of Object.entries(r.scale.sessions)) {
    rows.push([
      `/account, ${store} store, by live sessions`,
      Object.entries(row)
        .map(([count, m]) => `${count}: ${m.rps} req/s p50 ${m.p50Ms} ms`)
        .join('; '),
      '',
    ]);
  }
  const atScale = r.scale.signIn;
  rows.push([
    `POST /login over InitiateAuth, ${atScale.liveSessions} live sessions`,
    `p50 ${atScale.extraMs.p50} ms, p99 ${atScale.extraMs.p99} ms (${atScale.iterations} of each)`,
    '',
  ]);
  const layer = (b: Breakdown) =>
    `${b.totalUs} us = ${b.layers
      .filter((l) => l.us > 0)
      .map((l) => `${l.name} ${l.us}`)
      .join(', ')} (render ${b.renderUs}), rest ${b.totalUs - b.layers.reduce((sum, l) => sum + l.us, 0)}`;
  const w0 = Math.max(...rows.map((row) => row[0].length));
  const w1 = Math.max(...rows.map((row) => row[1].length));
  say('');
  for (const [a, b, c] of rows) say(`  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd());
  say(`\n  one GET /login:     ${layer(r.breakdown.login)}`);
  say(`  one GET /account:   ${layer(r.breakdown.protected)}`);
  say(
    `  one /auth/check:    ${layer(r.breakdown.authCheck)} (through Koa, as a session's first check; later ones take the fast path)`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
