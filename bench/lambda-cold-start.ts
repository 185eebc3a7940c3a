// `npm run bench:lambda`: the Lambda handler's cold start, module load + the first request (GET /login), each in a
// fresh Node.js process, against the emulator and DynamoDB on moto_server. Measured on the built JavaScript
// (dist/lambda.js, as a Lambda runs it; built here first) and on the TypeScript source through tsx.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLocalCognito } from '../src/local-cognito/index.ts';
import { startTestDynamo } from '../test/helpers/dynamodb.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_LAMBDA_RUNS ?? 5);

interface ColdStart {
  /** import() of the handler module until the app is built (the promise made at load has settled). */
  loadMs: number;
  /** The first event, GET /login, through serverless-http and Koa. */
  firstRequestMs: number;
  status: number;
}

/** Run in the fresh process (plain ESM, so the built module loads without tsx): the import, then the first event. */
const CHILD = `
const start = performance.now();
const lambda = await import(process.env.BENCH_LAMBDA_MODULE);
const runtime = await lambda.containerRuntime();
const loaded = performance.now();
const res = await lambda.handler({
  version: '2.0',
  rawPath: '/login',
  rawQueryString: '',
  headers: { host: 'login.example.com', 'x-forwarded-proto': 'https', accept: 'text/html' },
  requestContext: { http: { method: 'GET', sourceIp: '198.51.100.7' } },
  isBase64Encoded: false,
});
const done = performance.now();
process.stdout.write(JSON.stringify({ loadMs: loaded - start, firstRequestMs: done - loaded, status: res.statusCode }) + '\\n');
await runtime.close();
process.exit(0);
`;

const dynamo = await startTestDynamo();
const emulator = await startLocalCognito({ port: 0 });
const pool = await emulator.ensureLocalPool();
const env = {
  ...process.env,
  ...dynamo.env,
  COGNITO_USER_POOL_ID: pool.userPoolId,
  COGNITO_CLIENT_ID: pool.clientId,
  COGNITO_CLIENT_SECRET: pool.clientSecret,
  COGNITO_ENDPOINT: emulator.endpoint,
  DYNAMODB_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  SESSION_KEYS: 'bench-key-'.padEnd(40, 'x'),
  APP_BASE_URL: 'https://login.example.com',
  TRUST_PROXY: '1',
  LOG_LEVEL: 'error',
};

function coldStart(nodeArgs: string[], module: string): Promise<ColdStart> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--input-type=module', '-e', CHILD], {
      cwd: ROOT,
      env: { ...env, BENCH_LAMBDA_MODULE: pathToFileURL(module).href },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`cold-start child exited ${code}: ${out}`));
      else resolve(JSON.parse(line) as ColdStart);
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  process.stdout.write('building dist/ (npm run build) ...\n');
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  const variants = [
    { name: 'dist/lambda.js (node)', nodeArgs: [], module: path.join(ROOT, 'dist/lambda.js') },
    { name: 'src/lambda.ts (tsx)', nodeArgs: ['--import', 'tsx'], module: path.join(ROOT, 'src/lambda.ts') },
  ];
  for (const variant of variants) {
    const runs: ColdStart[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await coldStart(variant.nodeArgs, variant.module));
    if (runs.some((r) => r.status !== 200))
      throw new Error(`GET /login answered ${runs.map((r) => r.status).join(', ')}`);
    const load = median(runs.map((r) => r.loadMs));
    const first = median(runs.map((r) => r.firstRequestMs));
    const total = median(runs.map((r) => r.loadMs + r.firstRequestMs));
    process.stdout.write(
      `${variant.name}: module load ${load.toFixed(0)} ms + first request ${first.toFixed(0)} ms = ` +
        `${total.toFixed(0)} ms (median of ${RUNS} fresh processes)\n`,
    );
  }
} finally {
  await emulator.close();
  await dynamo.stop();
}
