// Sealed values are decrypted once per write, not per read; what was opened before never lets through a value that
// would not open now: owner tags swapped, a value moved to another id, or one changed in the store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySessionStore } from '../../src/session/memory-store.ts';
import { sealSessionStore } from '../../src/session/sealed-store.ts';

const KEY = 'k'.repeat(43);
const SESSION = { owners: ['sub:jane', 'email:jane@example.com'], auth: { sub: 'jane' } };

function setUp() {
  const inner = new MemorySessionStore({ maxEntries: 100 });
  return { inner, sealed: sealSessionStore(inner, [KEY]) };
}

test('a value read again is the same session, as a new object each time, decrypted only once', async () => {
  const { sealed } = setUp();
  await sealed.set('a'.repeat(43), SESSION, 60_000);
  const first = await sealed.get('a'.repeat(43));
  // With no key left to decrypt with, only what the first read opened can answer the second.
  (sealed as unknown as { valueKeys: Buffer[] }).valueKeys = [];
  const second = await sealed.get('a'.repeat(43));
  assert.deepEqual(first, SESSION);
  assert.deepEqual(second, SESSION);
  assert.notEqual(first, second, 'each read gets its own copy to change');
  first.auth = { sub: 'mallory' };
  assert.deepEqual(await sealed.get('a'.repeat(43)), SESSION, 'a change to one copy reaches no other');
});

test('after a value was opened, swapped owner tags, another id or a changed ciphertext still read as nothing', async () => {
  const { inner, sealed } = setUp();
  const [a, b] = ['a'.repeat(43), 'b'.repeat(43)];
  await sealed.set(a, SESSION, 60_000);
  await sealed.set(b, { owners: ['sub:bob'], auth: { sub: 'bob' } }, 60_000);
  assert.ok(await sealed.get(a));
  assert.ok(await sealed.get(b));
  const envelopeA = (await inner.get(a))!;
  const envelopeB = (await inner.get(b))!;
  await inner.set(a, { ...envelopeA, owners: envelopeB.owners }, 60_000);
  assert.equal(await sealed.get(a), undefined, "another session's owner tags");
  await inner.set(b, envelopeA, 60_000);
  assert.equal(await sealed.get(b), undefined, 'a value moved to another id');
  const text = envelopeA.sealed as string;
  const flipped = `${text.slice(0, -2)}${text.endsWith('AA') ? 'BB' : 'AA'}`;
  await inner.set(a, { ...envelopeA, sealed: flipped }, 60_000);
  assert.equal(await sealed.get(a), undefined, 'a changed ciphertext');
});
