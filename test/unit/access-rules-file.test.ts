// ACCESS_RULES_FILE: refused at start when invalid, reloaded on change, a bad change logged and the old rules kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { decide } from '../../src/access/access-rules.ts';
import { openAccessRulesFile, parseRulesText, readAccessRulesFile } from '../../src/access/rules-file.ts';
import type { AccessRules } from '../../src/access/rules-format.ts';
import { createLogger } from '../../src/logger.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = await mkdtemp(path.join(tmpdir(), 'access-rules-'));
after(() => rm(dir, { recursive: true, force: true }));
let n = 0;
const fileNamed = (ext: string) => path.join(dir, `rules-${++n}${ext}`);

/** A logger whose records are kept, parsed, for the test to read. */
function capturingLogger() {
  type LogRecord = { level: number; msg: string; problem?: string; file?: string };
  const records: LogRecord[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void records.push(JSON.parse(line) as LogRecord),
  });
  return { logger, records, text: () => JSON.stringify(records) };
}

/** Polls `check` until it holds; fails after a deadline generous enough for a busy machine. */
async function until(what: string, check: () => boolean, deadlineMs = 15_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const who = (groups: string[]) => ({ groups, email: undefined });
const passes = (rules: AccessRules, group: string) =>
  decide(rules, { identity: who([group]), method: 'GET', path: '/' }).kind === 'allow';
const FAST = { debounceMs: 30, pollMs: 100 };

test('a change to the file replaces the rules; a bad change is logged and the old rules stay', async () => {
  const file = fileNamed('.json');
  await writeFile(file, JSON.stringify({ allowed_groups: ['alpha'] }));
  const { logger, records, text } = capturingLogger();
  const source = await openAccessRulesFile(file, logger, FAST);
  try {
    assert.ok(passes(source.current(), 'alpha') && !passes(source.current(), 'beta'));

    await writeFile(file, JSON.stringify({ allowed_groups: ['beta', 'gamma'], require_all: false }));
    await until('the new rules', () => passes(source.current(), 'beta'));
    assert.ok(!passes(source.current(), 'alpha'));
    assert.ok(records.some((r) => r.msg === 'access rules reloaded'));

    const before = source.current();
    // writeFile empties the file and then writes it: on a busy machine the watcher may read it in between, and
    // rightly log that (not valid JSON) first. What matters is that the real problem gets logged too.
    const userProblem = 'allowed_users[0]: must be an email address';
    await writeFile(file, JSON.stringify({ allowed_users: ['secret-marker-not-an-email'] }));
    await until('the invalid file to be logged', () =>
      records.some((r) => r.level === 50 && r.problem === userProblem),
    );
    const logged = records.find((r) => r.level === 50 && r.problem === userProblem)!;
    assert.equal(logged.file, file);
    assert.ok(!text().includes('secret-marker'), 'the log never quotes the file');
    assert.equal(source.current(), before);
    assert.ok(passes(source.current(), 'beta'));

    const errorsSoFar = records.filter((r) => r.level === 50).length;
    await writeFile(file, '{ "allowed_groups": ["delta"');
    await until('the broken JSON to be logged', () =>
      records
        .filter((r) => r.level === 50)
        .slice(errorsSoFar)
        .some((r) => /^not valid JSON/.test(r.problem ?? '')),
    );
    assert.equal(source.current(), before);

    // Replaced by rename, as editors and config management do.
    const next = `${file}.tmp`;
    await writeFile(next, JSON.stringify({ public: ['/healthz'], default: { groups: { any: ['delta'] } } }));
    await rename(next, file);
    await until('the renamed-in rules', () => passes(source.current(), 'delta'));
    assert.equal(source.current().format, 'rules');
  } finally {
    source.close();
  }
});

test('a change fs.watch cannot see (the file is a symlink into another folder) is found by the poll', async () => {
  const elsewhere = await mkdtemp(path.join(tmpdir(), 'access-rules-target-'));
  try {
    const target = path.join(elsewhere, 'rules.json');
    await writeFile(target, JSON.stringify({ allowed_groups: ['alpha'] }));
    const link = fileNamed('.json');
    await symlink(target, link);
    const source = await openAccessRulesFile(link, createLogger('silent'), FAST);
    try {
      assert.ok(passes(source.current(), 'alpha'));
      await writeFile(target, JSON.stringify({ allowed_groups: ['beta', 'gamma'] }));
      await until('the polled rules', () => passes(source.current(), 'beta'));
    } finally {
      source.close();
    }
  } finally {
    await rm(elsewhere, { recursive: true, force: true });
  }
});

test('after close() changes are no longer applied', async () => {
  const file = fileNamed('.yaml');
  await writeFile(file, 'allowed_groups: [alpha]\n');
  const source = await openAccessRulesFile(file, createLogger('silent'), FAST);
  source.close();
  await writeFile(file, 'allowed_groups: [beta, gamma, delta]\n');
  await sleep(500);
  assert.ok(passes(source.current(), 'alpha') && !passes(source.current(), 'beta'));
});

test('YAML by extension, JSON by extension, anything else JSON then YAML', async () => {
  const yaml = 'public: [/healthz]\nrules:\n  - path: /admin\n    allow: { groups: { any: [admins] } }\n';
  for (const ext of ['.yaml', '.yml', '.conf', '']) {
    const file = fileNamed(ext);
    await writeFile(file, yaml);
    const rules = await readAccessRulesFile(file);
    assert.equal(rules.rules.length, 1, ext);
  }
  const jsonFile = fileNamed('.rules');
  await writeFile(jsonFile, '\uFEFF{"allowed_users": ["a@b.com"]}');
  assert.equal((await readAccessRulesFile(jsonFile)).format, 'seed');
  assert.throws(
    () => parseRulesText(yaml, 'rules.json'),
    (err: Error) => {
      assert.match(err.message, /^not valid JSON/);
      assert.ok(!err.message.includes('public'), err.message);
      return true;
    },
  );
  assert.throws(
    () => parseRulesText('{\n  "a": 1,\n  "b" 2\n}', 'rules.json'),
    /^(?:DocumentSyntax)?Error: not valid JSON \(line 3 column \d+\)$/,
  );
  assert.throws(
    () => parseRulesText('a: [b\nc: "secret', 'rules.yml'),
    (err: Error) => {
      assert.match(err.message, /^not valid YAML: .* at line \d+ column \d+$/);
      assert.ok(!err.message.includes('secret'));
      return true;
    },
  );
  assert.throws(
    () => parseRulesText('{"a": [1,, 2]} x: [', 'rules'),
    /^(?:DocumentSyntax)?Error: not valid JSON, nor valid YAML/,
  );
});

test('an invalid file at start throws an error naming the file and the problem', async () => {
  const cases: [string, string, RegExp][] = [
    [
      '.json',
      '{"rules": [{"path": "/a", "allow": {"groups": {"any": "admins"}}}]}',
      /rules\[0\]\.allow\.groups\.any: must be a list of group names$/,
    ],
    ['.json', '{"require_all": true}', /must specify at least one of allowed_groups, allowed_users$/],
    ['.yaml', 'public: [x]\n', /public\[0\]: must start with \/$/],
    ['.yaml', '', /the document must be an object/],
    ['.json', '{"allowed_groups": ', /not valid JSON/],
  ];
  for (const [ext, content, expected] of cases) {
    const file = fileNamed(ext);
    await writeFile(file, content);
    const message = `access rules file ${file}: `;
    for (const open of [
      () => readAccessRulesFile(file),
      () => openAccessRulesFile(file, createLogger('silent')),
    ]) {
      await assert.rejects(open, (err: Error) => {
        assert.ok(err.message.startsWith(message), err.message);
        assert.match(err.message, expected);
        return true;
      });
    }
  }
  const missing = path.join(dir, 'missing.json');
  await assert.rejects(
    readAccessRulesFile(missing),
    new Error(`access rules file ${missing}: cannot be read (ENOENT)`),
  );
});

test('an open rules file does not keep the process alive', async () => {
  const file = fileNamed('.json');
  await writeFile(file, JSON.stringify({ allowed_groups: ['alpha'] }));
  const script = path.join(dir, 'open-and-forget.mts');
  const module = path.join(ROOT, 'src', 'access', 'rules-file.ts');
  const logger = path.join(ROOT, 'src', 'logger.ts');
  await writeFile(
    script,
    `import { openAccessRulesFile } from ${JSON.stringify(module)};\n` +
      `import { createLogger } from ${JSON.stringify(logger)};\n` +
      `await openAccessRulesFile(${JSON.stringify(file)}, createLogger('silent'), { pollMs: 50 });\n` +
      `console.log('opened');\n`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const code = await Promise.race([
    exited,
    sleep(30_000, undefined, { ref: false }).then(() => 'still running' as const),
  ]);
  if (code === 'still running') child.kill();
  assert.equal(code, 0, output);
  assert.match(output, /opened/);
});
