// LOCAL_USERS_FILE end to end: local mode seeds the file's users, who sign in to the app and carry their groups
// (the account page, the identity headers and the access rules see them); an invalid file refuses local mode.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import { localUsersBanner, startLocalMode } from '../../src/local-mode.ts';
import { createLogger } from '../../src/logger.ts';
import type { Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = await mkdtemp(path.join(tmpdir(), 'local-users-it-'));
after(() => rm(dir, { recursive: true, force: true }));

const USERS = `groups: [admins, analysts, auditors]
users:
  - email: ada@example.com
    password: Correct-Horse-1
    groups: [admins, analysts]
    attributes: { name: Ada Lovelace, "custom:team": research }
  - email: linus@example.com
    password: Correct-Horse-2
`;

async function signIn(h: Harness, email: string, password: string): Promise<Browser> {
  const b = h.browser();
  const res = await b.submit('/login', '/login', { username: email, password });
  assert.equal(res.status, 302, `${email} signs in`);
  assert.equal(res.location, '/account');
  return b;
}

describe('LOCAL_USERS_FILE in local mode', () => {
  let h: Harness;
  before(async () => {
    const file = path.join(dir, 'users.yaml');
    await writeFile(file, USERS);
    h = await startHarness({
      env: {
        LOCAL_USERS_FILE: file,
        ACCESS_RULES_FILE: path.join(ROOT, 'examples', 'access-rules.yaml'),
        TRUST_PROXY: '1',
      },
    });
  });
  after(() => h.close());

  test('a seeded user signs in and the account page lists their name and groups from the token', async () => {
    const b = await signIn(h, 'ada@example.com', 'Correct-Horse-1');
    const account = await b.get('/account');
    assert.equal(account.status, 200);
    assert.match(account.body, /<dd>Ada Lovelace<\/dd>/);
    assert.match(account.body, /<dd>admins, analysts<\/dd>/);

    const plain = await signIn(h, 'linus@example.com', 'Correct-Horse-2');
    assert.match((await plain.get('/account')).body, /<dt>Groups<\/dt>\s*<dd>None<\/dd>/);
  });

  test('the access rules and identity headers see the seeded groups', async () => {
    const ada = await signIn(h, 'ada@example.com', 'Correct-Horse-1');
    const linus = await signIn(h, 'linus@example.com', 'Correct-Horse-2');
    const check = (b: Browser, uri: string, method = 'GET') =>
      b.get('/auth/check', { 'x-forwarded-uri': uri, 'x-forwarded-method': method });

    const adaAdmin = await check(ada, '/admin');
    assert.equal(adaAdmin.status, 200);
    assert.equal(adaAdmin.headers.get('x-auth-request-email'), 'ada@example.com');
    assert.equal(adaAdmin.headers.get('x-auth-request-groups'), 'admins,analysts');
    assert.equal((await check(ada, '/reports', 'POST')).status, 200);

    assert.equal((await check(linus, '/admin')).status, 403);
    assert.equal((await check(linus, '/reports', 'POST')).status, 403);
    assert.equal((await check(linus, '/reports')).status, 200, 'any signed-in user may read');
  });

  test('the groups the file lists exist in the pool, with nobody in them too', async () => {
    const res = await fetch(h.emulator.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.GetGroup',
      },
      body: JSON.stringify({ UserPoolId: h.pool.userPoolId, GroupName: 'auditors' }),
    });
    assert.equal(res.status, 200);
  });
});

describe('LOCAL_USERS_FILE problems and the banner', () => {
  const logger = createLogger('silent');
  const configWith = (file: string, port: number) =>
    loadConfig({
      PORT: '0',
      APP_BASE_URL: 'http://127.0.0.1:3000',
      LOCAL_COGNITO_PORT: String(port),
      SESSION_KEYS: 'test-key-'.padEnd(40, 'x'),
      LOCAL_USERS_FILE: file,
    });
  const start = (file: string, port = 0) =>
    startLocalMode(configWith(file, port), logger, { inMemory: true, onMessage: () => undefined });
  /** Listens on `port` (0: any) and closes again: a free port, or proof that nobody holds `port`. */
  const listenOnce = async (port = 0): Promise<number> => {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const { port: bound } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return bound;
  };

  test('an invalid file refuses local mode, naming LOCAL_USERS_FILE and every problem', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      'users:\n  - email: ada@example.com\n  - email: nope\n  - email: x@example.com\n    mfa: 2\n',
    );
    await assert.rejects(start(file), {
      message: `LOCAL_USERS_FILE ${file} is not valid:\n  - users[1].email: must be an email\n  - users[2].mfa: must be true (email codes), false, email or sms`,
    });
    await writeFile(file, '[]');
    await assert.rejects(start(file), {
      message: `LOCAL_USERS_FILE ${file} is not valid: the document must be a mapping with users (and optionally groups)`,
    });
    await assert.rejects(start(path.join(dir, 'missing.yaml')), {
      message: `LOCAL_USERS_FILE ${path.join(dir, 'missing.yaml')} is not valid: cannot be read (ENOENT)`,
    });
  });

  test('a password the pool refuses stops local mode too, and the emulator it started is closed', async () => {
    const file = path.join(dir, 'weak.json');
    await writeFile(file, JSON.stringify({ users: [{ email: 'weak@example.com', password: 'short' }] }));
    const port = await listenOnce();
    await assert.rejects(start(file, port), {
      message: `LOCAL_USERS_FILE ${file} is not valid: users[0].password: Password did not conform with policy: Password not long enough`,
    });
    assert.equal(await listenOnce(port), port, 'the emulator no longer listens');
  });

  test('local mode returns the seeded users and banner lines with generated passwords', async () => {
    const file = path.join(dir, 'banner.yaml');
    await writeFile(
      file,
      'users:\n  - { email: ada@example.com, password: Correct-Horse-1, groups: [admins, analysts] }\n' +
        '  - { email: bob@example.com, mfa: true }\n',
    );
    const local = await start(file);
    try {
      assert.deepEqual(
        local.users.map((u) => [u.email, u.groups, u.passwordSource]),
        [
          ['ada@example.com', ['admins', 'analysts'], 'file'],
          ['bob@example.com', [], 'generated'],
        ],
      );
      const generated = local.users[1]!.password!;
      assert.deepEqual(local.usersBanner, [
        `  Local users from ${file}:`,
        '    ada@example.com  admins, analysts  password from the file',
        `    bob@example.com  (no groups)       password ${generated} (generated), MFA by email`,
      ]);
    } finally {
      await local.emulator.close();
    }
    assert.deepEqual(localUsersBanner('users.yaml', []), ['  Local users: none in users.yaml']);
  });
});
