// The shape of src/: no import cycles (type-only ones included) and no part importing one above it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/**
 * Lowest first. A file may import from its own layer or any layer below, never above. A folder entry (`cognito/`)
 * covers everything under it; every file of src/ must be covered.
 */
const LAYERS: readonly (readonly string[])[] = [
  // Plain helpers that know nothing of the rest.
  [
    'constant-time.ts',
    'document-text.ts',
    'field-errors.ts',
    'http-error.ts',
    'lru.ts',
    'i18n/',
    'logger.ts',
    'metrics.ts',
    'notices.ts',
    'password-policy.ts',
    'paths.ts',
    'return-to.ts',
    'srp-math.ts',
    'totp/',
  ],
  // The parts that talk to the outside: Cognito, Redis, DynamoDB, and the emulator.
  ['cognito/', 'redis/', 'dynamodb/', 'local-cognito/'],
  // Sessions and rate limits, over those stores; the identity headers and access rules, over a session's identity.
  ['session/', 'rate-limit/', 'identity/', 'access/'],
  // The validated configuration, composed of each part's own settings type.
  ['config.ts', 'config/'],
  // What every page shares: middleware, templates, branding.
  ['middleware/', 'branding/', 'views.ts', 'render-cache.ts', 'static-assets.ts', 'koa-context.ts'],
  // The pages, and the way in front of a protected app (forward auth, the reverse proxy).
  ['flows/', 'protect/'],
  ['app.ts', 'local-mode.ts', 'store-backend.ts'],
  ['runtime.ts'],
  // Entry points.
  ['server.ts', 'lambda.ts', 'local-cognito/main.ts'],
];

/** These parts take their settings from the wiring module and never read the configuration themselves. */
const CONFIG_FREE = ['cognito/', 'session/', 'rate-limit/', 'redis/', 'dynamodb/', 'local-cognito/'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [path.relative(SRC, full).split(path.sep).join('/')] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every relative import of `file` (type-only and re-exports included), as paths relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2]!;
    if (!spec.startsWith('.')) continue;
    found.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)));
  }
  return found;
}

/** The layer of a file: the most specific entry that covers it wins (`local-cognito/main.ts` over the folder). */
function layerOf(file: string): number {
  let best: { layer: number; length: number } | undefined;
  LAYERS.forEach((entries, layer) => {
    for (const entry of entries) {
      const covers = entry.endsWith('/') ? file.startsWith(entry) : file === entry;
      if (covers && (!best || entry.length > best.length)) best = { layer, length: entry.length };
    }
  });
  if (!best) throw new Error(`${file} is in no layer: add it to LAYERS in ${path.basename(import.meta.url)}`);
  return best.layer;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('every import of src/ names a file that exists', () => {
  const missing = [...graph].flatMap(([from, tos]) =>
    tos.filter((to) => !graph.has(to)).map((to) => `${from} -> ${to}`),
  );
  assert.deepEqual(missing, []);
});

test('no file imports a layer above its own', () => {
  const upward = [...graph].flatMap(([from, tos]) =>
    tos.filter((to) => graph.has(to) && layerOf(to) > layerOf(from)).map((to) => `${from} -> ${to}`),
  );
  assert.deepEqual(upward, []);
});

test('cognito/, session/, rate-limit/, redis/, dynamodb/ and the emulator import nothing from config.ts', () => {
  const reads = [...graph].flatMap(([from, tos]) =>
    CONFIG_FREE.some((p) => from.startsWith(p)) &&
    tos.some((to) => to === 'config.ts' || to.startsWith('config/'))
      ? [from]
      : [],
  );
  assert.deepEqual(reads, []);
});

test('only local mode reaches the emulator', () => {
  const outside = [...graph].flatMap(([from, tos]) =>
    !from.startsWith('local-cognito/') && from !== 'local-mode.ts'
      ? tos.filter((to) => to.startsWith('local-cognito/')).map((to) => `${from} -> ${to}`)
      : [],
  );
  assert.deepEqual(outside, []);
});

/** Every cycle of `graph`, as `a -> b -> a`. */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

test('there is no import cycle, type-only imports included', () => {
  assert.deepEqual(cyclesOf(graph), []);
});

test('the checks read real imports and would catch a cycle and an upward import', () => {
  assert.ok(graph.get('app.ts')!.includes('flows/login/login-routes.ts'));
  assert.ok(importsOf('server.ts').includes('runtime.ts'));
  assert.ok(layerOf('flows/login/login-routes.ts') > layerOf('session/auth-session.ts'));
  assert.deepEqual(
    cyclesOf(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', ['c.ts']],
        ['c.ts', ['a.ts']],
      ]),
    ),
    ['a.ts -> b.ts -> c.ts -> a.ts'],
  );
});
