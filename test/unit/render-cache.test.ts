// Rendered pages are reused only when nothing that shapes them could differ: plain values make a key, anything JSON
// would not keep exactly makes none; the cache keeps the most recently used pages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { createRenderCache, valuesKey } from '../../src/render-cache.ts';

test('plain values make a key that tells them apart', () => {
  const a = valuesKey({ user: undefined, locals: { username: 'jane', errors: [], notice: null } });
  const b = valuesKey({ user: undefined, locals: { username: 'jan', errors: [], notice: null } });
  assert.ok(a && b);
  assert.notEqual(a, b);
  assert.equal(a, valuesKey({ user: undefined, locals: { username: 'jane', errors: [], notice: null } }));
});

test('anything JSON would drop or change makes no key: the page is rendered every time', () => {
  for (const value of [
    { f: () => 'x' },
    { when: new Date(0) },
    { map: new Map() },
    { list: [1, undefined] },
    { n: Number.NaN },
    { n: Infinity },
    { big: 1n },
    { s: Symbol('s') },
    { deep: { a: { b: { c: { d: { e: { f: 1 } } } } } } },
    new (class Field {
      name = 'x';
    })(),
  ]) {
    assert.equal(valuesKey({ locals: value }), undefined, inspect(value));
  }
});

test('the least recently used page goes first when the cache is full', () => {
  const cache = createRenderCache(2);
  const page = (html: string) => ({ html, usesCsrf: false });
  cache.set('a', page('A'));
  cache.set('b', page('B'));
  assert.equal(cache.get('a')?.html, 'A');
  cache.set('c', page('C'));
  assert.equal(cache.get('b'), undefined, 'b was the least recently used');
  assert.equal(cache.get('a')?.html, 'A');
  assert.equal(cache.get('c')?.html, 'C');
});
