// The assertion's signing keys: only EC P-256 private keys, stable UUID kids, and a local key that survives a restart.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  LOCAL_KEY_FILE,
  loadOrCreateLocalKey,
  loadSigningKeys,
  pemsFromText,
  signingKeyProblems,
} from '../../src/identity/signing-keys.ts';

const ecPem = (namedCurve = 'P-256', type: 'pkcs8' | 'sec1' = 'pkcs8') =>
  generateKeyPairSync('ec', { namedCurve }).privateKey.export({ type, format: 'pem' }).toString();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'identity-keys-'));
  dirs.push(dir);
  return dir;
};
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

test('keys load newest first, the first signs, and each kid is a UUID every instance derives alike', async () => {
  const [a, b] = [ecPem(), ecPem('P-256', 'sec1')];
  const one = await loadSigningKeys({ privateKeysPem: [a, b] }, 'IDENTITY_SIGNING_KEYS');
  const two = await loadSigningKeys({ privateKeysPem: [a, b] }, 'IDENTITY_SIGNING_KEYS');
  assert.equal(one.keys.length, 2);
  assert.equal(one.signing, one.keys[0]);
  assert.match(one.keys[0]!.kid, UUID);
  assert.deepEqual(
    one.keys.map((k) => k.kid),
    two.keys.map((k) => k.kid),
  );
  assert.notEqual(one.keys[0]!.kid, one.keys[1]!.kid);
  assert.equal(one.keys[0]!.publicJwk.kid, one.keys[0]!.kid);
  assert.equal(one.keys[0]!.publicJwk.crv, 'P-256');
  assert.equal((await loadSigningKeys({ privateKeysPem: [a, a] }, 'K')).keys.length, 1);
});

test('anything but an EC P-256 private key is refused with a message naming the variable and the key', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const publicOnly = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  assert.deepEqual(signingKeyProblems([ecPem()], 'IDENTITY_SIGNING_KEYS'), []);
  assert.deepEqual(signingKeyProblems([], 'IDENTITY_SIGNING_KEYS'), [
    'IDENTITY_SIGNING_KEYS: no PEM private key found',
  ]);
  const problems = signingKeyProblems(
    [ecPem(), rsa, ecPem('P-384'), publicOnly, 'nonsense'],
    'IDENTITY_SIGNING_KEYS',
  );
  assert.equal(problems.length, 4);
  assert.match(problems[0]!, /^IDENTITY_SIGNING_KEYS: key 2 of 5 is of type rsa, not EC P-256$/);
  assert.match(problems[1]!, /^IDENTITY_SIGNING_KEYS: key 3 of 5 is on curve secp384r1, not P-256/);
  assert.match(problems[2]!, /^IDENTITY_SIGNING_KEYS: key 4 of 5 is not a readable PEM private key/);
  assert.match(problems[3]!, /^IDENTITY_SIGNING_KEYS: key 5 of 5 is not a readable PEM private key/);
  await assert.rejects(loadSigningKeys({ privateKeysPem: [rsa] }, 'IDENTITY_SIGNING_KEYS'), {
    message: 'IDENTITY_SIGNING_KEYS: key 1 of 1 is of type rsa, not EC P-256',
  });
});

test('pemsFromText reads several keys from one value, escaped newlines too, and skips EC PARAMETERS', () => {
  const [a, b] = [ecPem(), ecPem('P-256', 'sec1')];
  const params = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
  assert.deepEqual(pemsFromText(`${params}${a}\n${b}`), [a, b]);
  assert.deepEqual(pemsFromText(a.trimEnd().replaceAll('\n', '\\n')), [a]);
  assert.deepEqual(pemsFromText(''), []);
});

test('the local key is made once, kept with mode 0600, and the same after a restart', async () => {
  const dir = path.join(await tempDir(), 'nested');
  const first = await loadOrCreateLocalKey(dir);
  const file = path.join(dir, LOCAL_KEY_FILE);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const afterRestart = await loadOrCreateLocalKey(dir);
  assert.equal(afterRestart.signing.kid, first.signing.kid);
  assert.match(first.signing.kid, UUID);
  assert.deepEqual(await readdir(dir), [LOCAL_KEY_FILE]);
});

test('processes starting at once agree on one local key', async () => {
  const dir = await tempDir();
  const sets = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateLocalKey(dir)));
  assert.equal(new Set(sets.map((s) => s.signing.kid)).size, 1);
  assert.deepEqual(await readdir(dir), [LOCAL_KEY_FILE]);
});

test('an unusable local key file is an error naming its path, never silently replaced', async () => {
  const dir = await tempDir();
  const file = path.join(dir, LOCAL_KEY_FILE);
  await writeFile(file, 'not a key');
  await assert.rejects(loadOrCreateLocalKey(dir), (err: Error) =>
    err.message.startsWith(`${file}: key 1 of 1`),
  );
});
