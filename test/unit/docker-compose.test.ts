// docker-compose.yml, docker/nginx.conf and the Dockerfile read and checked against the config schema and the build.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { readAccessRulesFile } from '../../src/access/rules-file.ts';
import { ENV_VARIABLES, loadConfig } from '../../src/config.ts';
import { allowedHostsFrom } from '../../src/local-cognito/http-util.ts';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  volumes?: string[];
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const { services } = compose;

/** Compose's `${VAR:-default}`, `${VAR-default}` and `${VAR:?message}` with an empty environment (+ `given`). */
function interpolate(value: string, given: Record<string, string> = {}): string {
  return value.replace(/\$\{(\w+)(?::?-([^}]*)|:\?[^}]*)?\}/g, (_m, name: string, fallback?: string) => {
    if (name in given) return given[name]!;
    return fallback ?? '';
  });
}
const envOf = (service: Service, given: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), given)]),
  );
const SESSION_KEYS = 'k'.repeat(44);

test('the stack: emulator, Redis, two app replicas, an example app behind them and a proxy, each with a health check', () => {
  assert.deepEqual(Object.keys(services).sort(), ['app', 'local-cognito', 'proxy', 'redis', 'whoami']);
  for (const [name, service] of Object.entries(services)) {
    assert.ok(service.healthcheck?.test.length, `${name} has a health check`);
  }
  assert.equal(services.app!.deploy?.replicas, 2);
  assert.equal(services.app!.ports, undefined, 'replicas publish no port; the proxy does');
  assert.deepEqual(services.app!.depends_on, {
    'local-cognito': { condition: 'service_healthy' },
    redis: { condition: 'service_healthy' },
    whoami: { condition: 'service_healthy' },
  });
  assert.deepEqual(services.proxy!.depends_on, { app: { condition: 'service_healthy' } });
});

test('every app variable is one the server reads, and together they are a valid Redis configuration', () => {
  const env = envOf(services.app!, { SESSION_KEYS });
  for (const name of Object.keys(env))
    assert.ok(ENV_VARIABLES.includes(name), `${name} is not read by config.ts`);
  const config = loadConfig(env);
  assert.equal(config.mode, 'cloud');
  assert.equal(config.session.store, 'redis');
  assert.equal(config.trustProxy, 1, 'exactly the one proxy in front');
  assert.equal(config.port, 3000);
  const redisUrl = new URL(config.redis!.url!);
  assert.equal(redisUrl.hostname, 'redis', 'REDIS_URL names the redis service');
  assert.equal(redisUrl.port, '6379');
  assert.match(String(services.app!.environment!.SESSION_KEYS), /:\?/, 'SESSION_KEYS has no default');
});

test('the app finds the emulator and its pool without copying anything', () => {
  const app = loadConfig(envOf(services.app!, { SESSION_KEYS }));
  const emulator = envOf(services['local-cognito']!);
  const endpoint = new URL(app.cognito!.endpoint!);
  assert.equal(endpoint.hostname, 'local-cognito');
  assert.equal(endpoint.port, emulator.LOCAL_COGNITO_PORT);
  assert.equal(emulator.LOCAL_COGNITO_HOST, '0.0.0.0');
  assert.deepEqual(
    allowedHostsFrom(emulator.LOCAL_COGNITO_ALLOWED_HOSTS),
    [endpoint.hostname],
    'the emulator answers the Host the app sends, and no other name besides loopback ones',
  );
  assert.equal(app.cognito!.userPoolId, emulator.LOCAL_COGNITO_POOL_ID);
  assert.equal(app.cognito!.clientId, emulator.LOCAL_COGNITO_CLIENT_ID);
  assert.equal(app.cognito!.clientSecret, emulator.LOCAL_COGNITO_CLIENT_SECRET);
  assert.deepEqual(services['local-cognito']!.command, ['node', 'dist/local-cognito/main.js']);
  assert.ok(existsSync(path.join(root, 'src/local-cognito/main.ts')), 'the command is the build of main.ts');
  assert.ok(
    services['local-cognito']!.healthcheck!.test.join(' ').includes(`:${emulator.LOCAL_COGNITO_PORT}/`),
  );
});

test('ports agree: health checks, the proxy upstream and the published ports', () => {
  const port = loadConfig(envOf(services.app!, { SESSION_KEYS })).port;
  assert.ok(services.app!.healthcheck!.test.join(' ').includes(`127.0.0.1:${port}/healthz`));
  const nginx = read('docker/nginx.conf');
  assert.match(nginx, new RegExp(`server app:${port};`));
  assert.match(nginx, /listen 80;/);
  assert.match(nginx, /X-Forwarded-For \$proxy_add_x_forwarded_for/);
  assert.ok(services.proxy!.volumes!.some((v) => v.startsWith('./docker/nginx.conf:')));
  assert.deepEqual(services.proxy!.ports, ['127.0.0.1:3000:80']);
  const base = new URL(interpolate(services.app!.environment!.APP_BASE_URL!));
  assert.equal(base.port, '3000', 'APP_BASE_URL is where the proxy is published');
});

/** The Dockerfile's stages by name, each its lines from FROM to the next FROM. */
function stages(dockerfile: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of dockerfile.split(/^(?=FROM )/m).slice(1)) {
    const name = /^FROM \S+ AS (\w+)/.exec(part)?.[1];
    assert.ok(name, `a named stage: ${part.split('\n')[0]}`);
    out.set(name, part);
  }
  return out;
}

test('the Dockerfile: multi-stage, production dependencies only, non-root, a health check on PORT', () => {
  const dockerfile = read('Dockerfile');
  const byName = stages(dockerfile);
  assert.deepEqual(
    [...byName.keys()],
    ['build', 'lambda', 'runtime'],
    'the server is the default (last) target',
  );
  const runtime = byName.get('runtime')!;
  assert.match(runtime, /npm ci --omit=dev/);
  assert.match(runtime, /^USER node$/m);
  assert.match(runtime, /^HEALTHCHECK /m);
  assert.match(runtime, /process\.env\.PORT\|\|3000\)\+'\/healthz'/);
  assert.match(byName.get('build')!, /RUN npm run build/);
  assert.match(runtime, /COPY --from=build \/app\/dist \.\/dist/);
  const build = JSON.parse(read('tsconfig.build.json')) as {
    compilerOptions: { outDir: string; rootDir: string };
  };
  assert.equal(build.compilerOptions.outDir, 'dist', 'npm run build writes dist/, which the image runs');
  assert.equal(build.compilerOptions.rootDir, 'src', 'so src/server.ts becomes dist/server.js');
  assert.match(runtime, /CMD \["node", "dist\/server\.js"\]/);
});

test("the Dockerfile's Lambda stage: AWS's Node 22 base, the same build and files, the handler of src/lambda.ts", () => {
  const byName = stages(read('Dockerfile'));
  const lambda = byName.get('lambda')!;
  assert.match(lambda, /^FROM public\.ecr\.aws\/lambda\/nodejs:22 AS lambda$/m);
  assert.match(lambda, /npm ci --omit=dev/);
  assert.match(lambda, /COPY --from=build \/app\/dist \.\/dist/);
  const copied = (stage: string) => [...stage.matchAll(/^COPY (?!--from)(\S+)/gm)].map((m) => m[1]);
  assert.deepEqual(copied(lambda), copied(byName.get('runtime')!), 'the same files as the server image');
  assert.match(lambda, /^CMD \["dist\/lambda\.handler"\]$/m);
  assert.match(read('src/lambda.ts'), /^export async function handler\(/m);
});

test('.env.example names every variable the server reads', () => {
  const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  const missing = ENV_VARIABLES.filter((name) => !new RegExp(`^#?\\s*${name}=`, 'm').test(example));
  assert.deepEqual(missing, []);
});

test('the example app is behind the sign-in: UPSTREAM_URL names it, our pages under /auth, rules mounted', () => {
  const config = loadConfig({ ...envOf(services.app!, { SESSION_KEYS }), ACCESS_RULES_FILE: undefined });
  const upstream = config.protect.upstreamUrl!;
  assert.equal(upstream.hostname, 'whoami');
  assert.equal(upstream.port, envOf(services.whoami!).PORT);
  assert.equal(config.protect.basePath, '/auth');
  assert.ok(services.whoami!.healthcheck!.test.join(' ').includes(`:${upstream.port}/healthz`));
  assert.ok(services.whoami!.volumes!.some((v) => v.startsWith('./examples/upstream/app.mjs:')));
  assert.ok(existsSync(path.join(root, 'examples/upstream/app.mjs')));
  const rules = services.app!.volumes!.find((v) => v.startsWith('./examples/access-rules.yaml:'))!;
  assert.equal(rules.split(':')[1], services.app!.environment!.ACCESS_RULES_FILE);
  const nginx = read('docker/nginx.conf');
  assert.match(nginx, /proxy_set_header Upgrade \$http_upgrade;/, 'WebSocket upgrades pass the proxy');
});

test('the shipped example rules file is valid', async () => {
  const rules = await readAccessRulesFile(path.join(root, 'examples/access-rules.yaml'));
  assert.equal(rules.format, 'rules');
  assert.equal(rules.rules.length, 2);
});
