// `npm run bench:profile -- PATH...`: a CPU profile of the app serving each path under load, signed in, for finding
// where the time goes (open the .cpuprofile files in Chrome's DevTools, or read the summary printed here).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChild } from './lib/child.ts';
import type { AppReady } from './lib/fleet.ts';
import { BenchBrowser, signIn } from './lib/http-client.ts';
import { load } from './lib/load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const paths = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['/account'];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
const app = await startChild<AppReady>('app', {
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  env: {
    BENCH_APP_ENV: JSON.stringify({
      TRUST_PROXY: '1',
      ...(process.env.BENCH_UPSTREAM ? { UPSTREAM_URL: process.env.BENCH_UPSTREAM } : {}),
    }),
  },
});
const user = new BenchBrowser(app.ready.baseUrl);
await signIn(user, app.ready.username, app.ready.password);
const host = new URL(app.ready.baseUrl).host;
for (const p of paths) {
  const result = await load({
    url: `${app.ready.baseUrl}${p}`,
    headers: {
      // /login is a first visit's page: asked without the signed-in cookie.
      ...(p.startsWith('/login') ? {} : { cookie: user.cookieHeader() }),
      'x-forwarded-method': 'GET',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': host,
      'x-forwarded-uri': '/dashboard',
    },
    seconds: SECONDS,
    warmupSeconds: 1,
    connections: 10,
  });
  process.stdout.write(`${p}: ${result.requestsPerSecond} req/s\n`);
}
user.close();
await app.stop();

// Self time per function, the top 40, from the profile the child wrote as it exited.
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written in ${dir}`);
const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
const self = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*\/(node_modules|src)\//, '$1/');
  const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + node.hitCount);
  total += node.hitCount;
}
for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  process.stdout.write(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}\n`);
}
process.stdout.write(`profile: ${path.join(dir, file)}\n`);
