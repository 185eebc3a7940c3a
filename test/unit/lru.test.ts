// The bounded caches' contract (src/lru.ts): the least recently used entry is forgotten first, and reading an entry
// makes it the most recently used.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLru } from '../../src/lru.ts';

test('holds at most its size, forgetting the least recently set first', () => {
  const lru = createLru<number>(3);
  for (const [key, value] of [
    ['a', 1],
    ['b', 2],
    ['c', 3],
    ['d', 4],
  ] as const)
    lru.set(key, value);
  assert.equal(lru.get('a'), undefined);
  assert.deepEqual(
    ['b', 'c', 'd'].map((key) => lru.get(key)),
    [2, 3, 4],
  );
});

test('a read entry is the most recently used: the next one forgotten is another', () => {
  const lru = createLru<string>(3);
  lru.set('a', 'A');
  lru.set('b', 'B');
  lru.set('c', 'C');
  assert.equal(lru.get('a'), 'A');
  lru.set('d', 'D');
  assert.equal(lru.get('b'), undefined, 'b was the least recently used');
  assert.equal(lru.get('a'), 'A');
  lru.set('e', 'E');
  assert.equal(lru.get('c'), undefined);
  assert.deepEqual(
    ['a', 'd', 'e'].map((key) => lru.get(key)),
    ['A', 'D', 'E'],
  );
});

test('setting a key again replaces its value and makes it the most recently used', () => {
  const lru = createLru<number>(2);
  lru.set('a', 1);
  lru.set('b', 2);
  lru.set('a', 10);
  lru.set('c', 3);
  assert.equal(lru.get('a'), 10);
  assert.equal(lru.get('b'), undefined);
});

test('delete and clear forget entries; a miss is undefined', () => {
  const lru = createLru<number>(10);
  lru.set('a', 1);
  lru.set('b', 2);
  lru.delete('a');
  assert.equal(lru.get('a'), undefined);
  assert.equal(lru.get('b'), 2);
  lru.clear();
  assert.equal(lru.get('b'), undefined);
  assert.equal(lru.get('never'), undefined);
});
