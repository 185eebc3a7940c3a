// The signed-cookie signer: keygrip's signatures exactly (cookies signed before stay valid), newest key signs,
// every key verifies, anything else is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Keygrip from 'keygrip';
import { appSecrets, CookieKeys } from '../../src/session/cookie-keys.ts';
import Koa from 'koa';

const NEW = 'n'.repeat(43);
const OLD = 'o'.repeat(43);
const DATA = 'session=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

test("signs exactly as keygrip does, so cookies signed before this signer still verify, and keygrip's ours", () => {
  const ours = new CookieKeys([NEW, OLD]);
  const theirs = new Keygrip([NEW, OLD]);
  assert.equal(ours.sign(DATA), theirs.sign(DATA));
  assert.equal(ours.index(DATA, theirs.sign(DATA)), 0);
  assert.equal(theirs.index(DATA, ours.sign(DATA)), 0);
});

test('the newest key signs; an older one still verifies; a key not listed does not', () => {
  const rotated = new CookieKeys([NEW, OLD]);
  const signedWithOld = new CookieKeys([OLD]).sign(DATA);
  assert.equal(rotated.index(DATA, signedWithOld), 1);
  assert.equal(rotated.verify(DATA, signedWithOld), true);
  assert.equal(new CookieKeys([NEW]).index(DATA, signedWithOld), -1);
});

test('another value, a changed, shortened or longer digest, or none, is refused', () => {
  const keys = new CookieKeys([NEW]);
  const digest = keys.sign(DATA);
  assert.equal(keys.index(`${DATA}x`, digest), -1);
  const flipped = `${digest.slice(0, -1)}${digest.endsWith('A') ? 'B' : 'A'}`;
  assert.equal(keys.index(DATA, flipped), -1);
  assert.equal(keys.index(DATA, digest.slice(0, -1)), -1);
  assert.equal(keys.index(DATA, `${digest}A`), -1);
  assert.equal(keys.index(DATA, ''), -1);
});

test("the app's secrets are read from either form of app.keys", () => {
  const withSigner = new Koa();
  withSigner.keys = new CookieKeys([NEW, OLD]);
  assert.deepEqual(appSecrets(withSigner), [NEW, OLD]);
  assert.deepEqual(appSecrets(new Koa({ keys: [OLD] })), [OLD]);
  assert.deepEqual(appSecrets(new Koa()), []);
  assert.throws(() => new CookieKeys([]), /at least one secret/);
});
