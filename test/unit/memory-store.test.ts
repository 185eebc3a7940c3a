// The memory store's index of sessions by owner (how a reset or sign-out everywhere finds every session of a
// user: one session, several, some ended, owners changed by a later write, evicted or expired) and its eviction.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySessionStore } from '../../src/session/memory-store.ts';

const HOUR = 3_600_000;
const owned = (n: number, ...owners: string[]) => ({ n, owners });

function store(maxEntries = 100) {
  let now = 1_000_000;
  const s = new MemorySessionStore({ maxEntries, now: () => now });
  return { s, pass: (ms: number) => (now += ms) };
}

const ns = (sessions: Record<string, unknown>[]) => sessions.map((x) => x.n).sort();

test("one owner's sessions, one or many, are all found; an ended one no more", async () => {
  const { s } = store();
  await s.set('a', owned(1, 'sub:x'), HOUR);
  assert.deepEqual(ns(await s.destroyOwnedBy('sub:x')), [1]);
  assert.equal(await s.get('a'), undefined);
  for (const [key, n] of [
    ['b', 2],
    ['c', 3],
    ['d', 4],
  ] as const)
    await s.set(key, owned(n, 'sub:y'), HOUR);
  await s.destroy('c');
  assert.deepEqual(ns(await s.destroyOwnedBy('sub:y')), [2, 4]);
  assert.deepEqual(await s.destroyOwnedBy('sub:y'), [], 'nothing left');
});

test('a session with several owners is found by each; a later write with other owners moves it', async () => {
  const { s } = store();
  await s.set('a', owned(1, 'sub:x', 'email:x@example.com'), HOUR);
  await s.set('b', owned(2, 'sub:x'), HOUR);
  await s.set('a', owned(1, 'sub:z'), HOUR, { mode: 'update' });
  assert.deepEqual(await s.destroyOwnedBy('email:x@example.com'), [], 'no longer owned by the email');
  assert.deepEqual(ns(await s.destroyOwnedBy('sub:x')), [2]);
  assert.deepEqual(ns(await s.destroyOwnedBy('sub:z')), [1]);
});

test('evicted and expired sessions leave the index', async () => {
  const { s, pass } = store(2);
  await s.set('a', owned(1, 'sub:x'), HOUR);
  await s.set('b', owned(2, 'sub:x'), HOUR);
  await s.set('c', owned(3, 'sub:x'), HOUR);
  assert.deepEqual(ns(await s.destroyOwnedBy('sub:x')), [2, 3], 'the oldest was evicted');
  await s.set('d', owned(4, 'sub:w'), HOUR);
  pass(HOUR + 1);
  assert.deepEqual(await s.destroyOwnedBy('sub:w'), [], 'expired');
});

test('a full store evicts the least recently used, by reads at most a minute old', async () => {
  const { s, pass } = store(2);
  await s.set('a', owned(1), HOUR);
  await s.set('b', owned(2), HOUR);
  pass(60_000);
  assert.ok(await s.get('a'), 'read a minute after its write: a is now the most recently used');
  await s.set('c', owned(3), HOUR);
  assert.equal(await s.get('b'), undefined, 'b goes first');
  assert.ok(await s.get('a'));
  assert.ok(await s.get('c'));
});
