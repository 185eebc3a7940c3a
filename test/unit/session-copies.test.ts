// Kept copies of a signed-in session's pass: used only while nothing can have changed the session, dropped on any
// change the store tells, never kept by a request that read the session before it changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySessionStore } from '../../src/session/memory-store.ts';
import { sealSessionStore } from '../../src/session/sealed-store.ts';
import { LocalChanges, type SessionChanges } from '../../src/session/session-changes.ts';
import { SessionCopies } from '../../src/session/session-copies.ts';

const A = 'a'.repeat(43);
const B = 'b'.repeat(43);
const LATER = Date.now() + 3_600_000;

/** Changes told by hand, complete or not as the test says. */
class HandChanges extends LocalChanges {
  whole = true;
  override complete(): boolean {
    return this.whole;
  }
}

/** A request that read `id` (the read beginning now), and the copies it may keep. */
function read(copies: SessionCopies<string>, id: string, touchAt = LATER): object {
  const request = {};
  copies.loaded(request, id, copies.reading(), touchAt);
  return request;
}

test('a kept copy is handed out until its end on the app clock, then no more', () => {
  const copies = new SessionCopies<string>(new HandChanges(), 10);
  copies.keep(read(copies, A), 'pass of A', 1000);
  assert.equal(copies.get(A, 999), 'pass of A');
  assert.equal(copies.get(B, 999), undefined, 'another session has none');
  assert.equal(copies.get(A, 1000), undefined, 'at its end');
  assert.equal(copies.get(A, 0), undefined, 'and once dropped it is gone');
});

test('a copy is not used once the session is due for its idle-timeout write (real clock)', () => {
  const copies = new SessionCopies<string>(new HandChanges(), 10);
  copies.keep(read(copies, A, Date.now() - 1), 'pass of A', LATER);
  assert.equal(copies.get(A, 0), undefined);
  copies.keep(read(copies, A, Date.now() + 60_000), 'pass of A', LATER);
  assert.equal(copies.get(A, 0), 'pass of A');
});

test('a change of the session drops its copy; a change of "any" drops every copy', () => {
  const changes = new HandChanges();
  const copies = new SessionCopies<string>(changes, 10);
  copies.keep(read(copies, A), 'A', LATER);
  copies.keep(read(copies, B), 'B', LATER);
  changes.changed(A);
  assert.equal(copies.get(A, 0), undefined);
  assert.equal(copies.get(B, 0), 'B', 'another session keeps its copy');
  copies.keep(read(copies, A), 'A again', LATER);
  changes.changed(undefined);
  assert.equal(copies.get(A, 0), undefined);
  assert.equal(copies.get(B, 0), undefined);
});

test('a request that read the session before it changed (destroyed, refreshed) cannot keep a copy of it', () => {
  const changes = new HandChanges();
  const copies = new SessionCopies<string>(changes, 10);
  const before = read(copies, A);
  changes.changed(A); // e.g. signed out while the request was in flight
  copies.keep(before, 'stale A', LATER);
  assert.equal(copies.get(A, 0), undefined);
  const other = read(copies, A);
  changes.changed(B);
  copies.keep(other, 'A', LATER);
  assert.equal(copies.get(A, 0), 'A', 'a change of another session does not stop it');
  const beforeFlush = read(copies, A);
  changes.changed(undefined);
  copies.keep(beforeFlush, 'stale A', LATER);
  assert.equal(copies.get(A, 0), undefined, 'nor after "anything may have changed"');
});

test('when too many changes came between the read and the keeping to tell them apart, nothing is kept', () => {
  const changes = new HandChanges();
  const copies = new SessionCopies<string>(changes, 10);
  const request = read(copies, A);
  changes.changed(A);
  for (let i = 0; i < 10_000; i++) changes.changed(`other-${i}`);
  copies.keep(request, 'stale A', LATER);
  assert.equal(copies.get(A, 0), undefined);
});

test('a request that read nothing (no session, a new one) keeps nothing', () => {
  const copies = new SessionCopies<string>(new HandChanges(), 10);
  copies.keep({}, 'nobody', LATER);
  assert.equal(copies.usable, true);
});

test('no copy is used or kept while the store cannot tell every change, nor for a store that tells none', () => {
  const changes = new HandChanges();
  const copies = new SessionCopies<string>(changes, 10);
  copies.keep(read(copies, A), 'A', LATER);
  changes.whole = false;
  assert.equal(copies.usable, false);
  assert.equal(copies.get(A, 0), undefined);
  copies.keep(read(copies, B), 'B', LATER);
  changes.whole = true;
  assert.equal(copies.get(B, 0), undefined, 'nothing was kept meanwhile');
  const blind = new SessionCopies<string>(undefined, 10);
  blind.keep(read(blind, A), 'A', LATER);
  assert.equal(blind.usable, false);
  assert.equal(blind.get(A, 0), undefined);
});

test('copies are bounded: the least recently used goes first', () => {
  const copies = new SessionCopies<string>(new HandChanges(), 2);
  const C = 'c'.repeat(43);
  copies.keep(read(copies, A), 'A', LATER);
  copies.keep(read(copies, B), 'B', LATER);
  assert.equal(copies.get(A, 0), 'A');
  copies.keep(read(copies, C), 'C', LATER);
  assert.equal(copies.get(B, 0), undefined);
  assert.deepEqual([copies.get(A, 0), copies.get(C, 0)], ['A', 'C']);
});

/** Every id the store told changed, in order. */
function told(changes: SessionChanges | undefined): (string | undefined)[] {
  const heard: (string | undefined)[] = [];
  changes?.subscribe((id) => heard.push(id));
  return heard;
}

test('the memory store tells every change of a live session, and nothing for reads or new sessions', async () => {
  let now = 1_000_000;
  const store = new MemorySessionStore({ maxEntries: 2, now: () => now });
  const heard = told(store.changes);
  await store.set(A, { owners: ['user:1'] }, 60_000);
  await store.get(A);
  assert.deepEqual(heard, [], 'creating and reading change nothing');
  await store.set(A, { owners: ['user:1'], seenAt: 1 }, 60_000);
  assert.deepEqual(heard, [A], 'written again');
  await store.destroy(A);
  assert.deepEqual(heard, [A, A], 'destroyed');
  await store.set(B, { owners: ['user:2'] }, 60_000);
  await store.destroyOwnedBy('user:2');
  assert.deepEqual(heard.slice(2), [B], 'ended with its owner (a password reset)');
  const [x, y, z] = ['x', 'y', 'z'].map((c) => c.repeat(43));
  await store.set(x!, { owners: ['user:x'] }, 60_000);
  await store.set(y!, { owners: ['user:y'] }, 60_000);
  await store.set(z!, { owners: ['user:z'] }, 60_000);
  assert.deepEqual(heard.slice(3), [x], 'evicted to make room');
  now += 60_000;
  assert.equal(await store.get(y!), undefined);
  assert.deepEqual(heard.slice(4), [y], 'expired');
  await store.close();
});

test('the sealed store tells the changes of the store it wraps', async () => {
  const inner = new MemorySessionStore({ maxEntries: 10 });
  const sealed = sealSessionStore(inner, ['k'.repeat(32)]);
  assert.equal(sealed.changes, inner.changes);
  const heard = told(sealed.changes);
  await sealed.set(A, { owners: ['user:1'] }, 60_000);
  await sealed.destroy(A);
  assert.deepEqual(heard, [A]);
  await sealed.close();
});
