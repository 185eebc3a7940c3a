// ACCESS_RULES_FILE on a running server: a valid change is picked up without a restart (written in place or renamed
// into place), an invalid one is logged by its problem (never the file's content) and the old rules stay in force.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { assertNo5xx, assertNoTokenLeak, until } from '../helpers/protect-checks.ts';

let dir: string;
let file: string;
let h: Harness;
let b: Browser;

/** Replaces the file as editors and config management do: a new file renamed over the old one. */
function replaceFile(content: string): void {
  const next = path.join(dir, `.next-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(next, content);
  renameSync(next, file);
}

const rules = (value: unknown) => JSON.stringify(value, null, 2);

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rules-reload-'));
  file = path.join(dir, 'rules.json');
  writeFileSync(file, rules({ allowed_groups: ['admins'] }));
  h = await startHarness({ env: { TRUST_PROXY: '1', ACCESS_RULES_FILE: file } });
  b = await h.signedIn();
});
after(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The status of a forward-auth check of `uri` for the signed-in demo user (or anonymous). */
async function status(uri: string, who: 'demo' | 'anonymous' = 'demo'): Promise<number> {
  const browser = who === 'demo' ? b : h.browser();
  const res = await browser.get('/auth/check', { 'x-forwarded-method': 'GET', 'x-forwarded-uri': uri });
  assertNo5xx(res, uri);
  return res.status;
}

interface LogRecord {
  level: number;
  msg: string;
  file?: string;
  problem?: string;
}
const records = (): LogRecord[] =>
  h.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogRecord];
    } catch {
      return [];
    }
  });
const logged = (msg: string, problem?: RegExp) =>
  records().filter((r) => r.msg === msg && (!problem || problem.test(r.problem ?? '')));

const INVALID = 'access rules file is invalid; keeping the previous rules';
const RELOADED = 'access rules reloaded';

describe('a valid change is picked up by the running server', () => {
  test('seed format: the demo user, refused at start, passes once the file lists its group', async () => {
    assert.equal(await status('/anything'), 403, 'the rules at start refuse the demo user');
    const reloads = logged(RELOADED).length;
    writeFileSync(file, rules({ allowed_groups: ['admins', 'demo'] })); // edited in place
    await until('the new rules to let the demo user in', async () => (await status('/anything')) === 200);
    assert.ok(logged(RELOADED).length > reloads, 'the reload is logged');
    assert.equal(logged(RELOADED).at(-1)?.file, file);
  });

  test('rules format, renamed into place: public paths and a rule by path take effect', async () => {
    replaceFile(
      rules({
        public: ['/public/'],
        rules: [{ path: '/admin', allow: { groups: { any: ['admins'] } } }],
        default: 'authenticated',
      }),
    );
    await until('the public path', async () => (await status('/public/x', 'anonymous')) === 200);
    assert.equal(await status('/admin/users'), 403, 'the rule for /admin');
    assert.equal(await status('/reports'), 200, 'the default');
    assert.equal(await status('/reports', 'anonymous'), 401, 'sign in first elsewhere');
  });

  test('a stricter default replaces a looser one', async () => {
    // A rule that refuses the demo user everywhere: the change is seen by the answer turning to 403.
    replaceFile(rules({ default: { groups: { any: ['admins'] } } }));
    await until('the stricter default', async () => (await status('/reports')) === 403);
    assert.equal(await status('/public/x', 'anonymous'), 401, 'the public path is gone with the old rules');
  });
});

describe('an invalid change keeps the old rules and is logged without the content', () => {
  before(async () => {
    // A known state to keep: the demo user passes everywhere but /admin.
    replaceFile(rules({ rules: [{ path: '/admin', allow: 'deny' }], default: 'authenticated' }));
    await until('the known rules', async () => (await status('/reports')) === 200);
    assert.equal(await status('/admin'), 403);
  });

  /** Writes `content`, waits for the error log naming `problem`, and checks the old rules still answer. */
  async function assertKept(content: string, problem: RegExp, marker: string): Promise<void> {
    const before = logged(INVALID, problem).length;
    replaceFile(content);
    await until(
      `the invalid file to be logged (${String(problem)})`,
      () => logged(INVALID, problem).length > before,
    );
    const record = logged(INVALID, problem).at(-1)!;
    assert.equal(record.level, 50, 'an error');
    assert.equal(record.file, file, 'names the file');
    assert.ok(!h.logs.join('\n').includes(marker), 'the log never quotes the file');
    assert.equal(await status('/reports'), 200, 'the old rules: the default still lets the demo user in');
    assert.equal(await status('/admin'), 403, 'the old rules: /admin still refused');
    assert.equal(await status('/reports', 'anonymous'), 401);
  }

  test('a value that does not validate', async () => {
    await assertKept(
      rules({ allowed_users: ['secret-marker-not-an-email'] }),
      /^allowed_users\[0\]: must be an email address/,
      'secret-marker-not-an-email',
    );
  });

  test('broken JSON', async () => {
    await assertKept(
      '{ "allowed_groups": ["secret-marker-broken"',
      /^not valid JSON/,
      'secret-marker-broken',
    );
  });

  test('an unknown key and a path that is not a path', async () => {
    await assertKept(
      rules({ rules: [{ path: 'secret-marker-path', allow: 'authenticated' }], unexpected: 1 }),
      /rules\[0\]\.path: .*unexpected|unexpected.*rules\[0\]\.path/,
      'secret-marker-path',
    );
  });

  test('an empty document', async () => {
    await assertKept(
      rules({ _comment: 'secret-marker-comment' }),
      /must specify at least one of allowed_groups, allowed_users/,
      'secret-marker-comment',
    );
  });

  test('the file removed: a warning, the old rules stay, and a new valid file is picked up after', async () => {
    const warnings = () =>
      records().filter((r) => r.msg.startsWith('access rules file cannot be read')).length;
    const before = warnings();
    unlinkSync(file);
    await until('the missing file to be logged', () => warnings() > before);
    assert.equal(await status('/reports'), 200, 'the old rules stay');
    assert.equal(await status('/admin'), 403);

    // Still watched after all these failures: a valid file is picked up.
    replaceFile(rules({ public: ['/status'], default: 'authenticated' }));
    await until(
      'the new rules after the failures',
      async () => (await status('/status', 'anonymous')) === 200,
    );
    assert.equal(await status('/admin'), 200, 'the /admin rule is gone with the old rules');
  });

  test('no token or file content in the logs', () => {
    assertNoTokenLeak(h, undefined, [h.pool.demoUser.password]);
    assert.doesNotMatch(h.logs.join('\n'), /secret[-_]marker/);
  });
});

describe('a Kubernetes ConfigMap volume: the file is a symlink through ..data, swapped atomically', () => {
  let k8sDir: string;
  let k: Harness;
  let version = 0;

  /** Writes `content` into a new ..<version> folder and swaps ..data to it, as the kubelet does. */
  function publish(content: string): void {
    const folder = `..v${++version}`;
    mkdirSync(path.join(k8sDir, folder));
    writeFileSync(path.join(k8sDir, folder, 'rules.json'), content);
    symlinkSync(folder, path.join(k8sDir, '..data_tmp'));
    renameSync(path.join(k8sDir, '..data_tmp'), path.join(k8sDir, '..data'));
  }

  before(async () => {
    k8sDir = mkdtempSync(path.join(os.tmpdir(), 'rules-configmap-'));
    publish(rules({ allowed_groups: ['admins'] }));
    symlinkSync(path.join('..data', 'rules.json'), path.join(k8sDir, 'rules.json'));
    k = await startHarness({ env: { TRUST_PROXY: '1', ACCESS_RULES_FILE: path.join(k8sDir, 'rules.json') } });
  });
  after(async () => {
    await k?.close();
    rmSync(k8sDir, { recursive: true, force: true });
  });

  test('a new version of the ConfigMap is picked up; an invalid one is logged and the old rules stay', async () => {
    const signedIn = await k.signedIn();
    const check = async () => {
      const res = await signedIn.get('/auth/check', { 'x-forwarded-uri': '/x' });
      assertNo5xx(res, 'configmap');
      return res.status;
    };
    assert.equal(await check(), 403);
    publish(rules({ allowed_groups: ['demo'] }));
    await until('the new ConfigMap version', async () => (await check()) === 200);

    publish('{ "allowed_groups": [');
    await until('the invalid version to be logged', () =>
      k.logs.some((line) => line.includes(INVALID) && line.includes('not valid JSON')),
    );
    assert.equal(await check(), 200, 'the previous rules stay');
  });
});
