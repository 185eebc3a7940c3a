// The session id read before Koa: only a session cookie signed with the newest key gives one; a signature found
// right is remembered, so a session's next requests compare instead of computing an HMAC, with the same answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CookieKeys } from '../../src/session/cookie-keys.ts';
import { cookieReader, signedSessionIdReader } from '../../src/session/cookie-reader.ts';

const NEW = 'n'.repeat(43);
const OLD = 'o'.repeat(43);
const ID = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** CookieKeys that count the HMACs they compute. */
class CountingKeys extends CookieKeys {
  computed = 0;
  override index(data: string, digest: string): number {
    this.computed++;
    return super.index(data, digest);
  }
}

const header = (id: string, sig: string | undefined) =>
  `theme=dark; sid=${id}${sig === undefined ? '' : `; sid.sig=${sig}`}`;

test('a cookie signed with the newest key gives its id; an older key, a wrong or missing signature give none', () => {
  const keys = new CookieKeys([NEW, OLD]);
  const read = signedSessionIdReader('sid', keys);
  assert.equal(read(header(ID, keys.sign(`sid=${ID}`))), ID);
  assert.equal(read(header(ID, new CookieKeys([OLD]).sign(`sid=${ID}`))), undefined, "Koa's to re-sign");
  assert.equal(read(header(ID, new CookieKeys(['x'.repeat(43)]).sign(`sid=${ID}`))), undefined);
  assert.equal(read(header(ID, undefined)), undefined);
  assert.equal(read('theme=dark'), undefined);
});

test("a session's next requests compare with its remembered signature: no HMAC, and a wrong one is still refused", () => {
  const keys = new CountingKeys([NEW]);
  const read = signedSessionIdReader('sid', keys);
  const good = keys.sign(`sid=${ID}`);
  assert.equal(read(header(ID, good)), ID);
  assert.equal(keys.computed, 1);
  for (let i = 0; i < 5; i++) assert.equal(read(header(ID, good)), ID);
  assert.equal(keys.computed, 1, 'remembered');
  // Once remembered, any other signature for the id is refused without an HMAC: only one is right.
  const flipped = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
  for (const wrong of [flipped, good.slice(0, -1), `${good}A`, '', new CookieKeys([OLD]).sign(`sid=${ID}`)]) {
    assert.equal(read(header(ID, wrong)), undefined, wrong);
  }
  assert.equal(keys.computed, 1);
});

test('a wrong signature is never remembered: the right one afterwards is computed and accepted', () => {
  const keys = new CountingKeys([NEW]);
  const read = signedSessionIdReader('sid', keys);
  const good = keys.sign(`sid=${ID}`);
  const wrong = new CookieKeys([OLD]).sign(`sid=${ID}`);
  assert.equal(read(header(ID, wrong)), undefined);
  assert.equal(read(header(ID, wrong)), undefined);
  assert.equal(keys.computed, 2, 'each wrong signature is computed, not remembered');
  assert.equal(read(header(ID, good)), ID);
  // Another id with the first id's signature is no session.
  assert.equal(read(header(`${ID}x`, good)), undefined);
});

test('a cookie is read as the cookies module reads it: the first of its name, quotes taken off', () => {
  const read = cookieReader('sid');
  assert.equal(read('a=1; sid=x; sid=y'), 'x');
  assert.equal(read('a=1;sid="q"'), 'q');
  assert.equal(read('xsid=1'), undefined);
});
