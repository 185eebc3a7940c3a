// How access rules read a request path: every reading an upstream might make, exactly, and the limits that deny a
// path built to be read too many ways or too slowly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseRulePath, pathReadings } from '../../src/access/request-path.ts';

/** The readings of `path`, in any order. */
const readsAs = (path: string, expected: string[]) =>
  assert.deepEqual(pathReadings(path)?.sort(), [...expected].sort(), path);

test('dot segments resolve as RFC 3986 says: `.` stays put, `..` goes up, a trailing one leaves a slash', () => {
  readsAs('/a/./b', ['/a/./b', '/a/b']);
  readsAs('/a/b/.', ['/a/b/.', '/a/b/']);
  readsAs('/a/b/..', ['/a/', '/a/b/..']);
  readsAs('/a/../b', ['/a/../b', '/b']);
});

test('empty segments collapse, but a trailing slash stays', () => {
  readsAs('/a//b', ['/a//b', '/a/b']);
  readsAs('/a//', ['/a/', '/a//']);
});

test('characters outside the plain set are percent-encoded, a lone surrogate or DEL denies', () => {
  readsAs('/a"b', ['/a%22b']);
  readsAs('/é', ['/%C3%A9']);
  assert.equal(pathReadings('/a\ud800'), undefined);
  assert.equal(pathReadings('/a\u007fb'), undefined);
  assert.equal(pathReadings('/a\u001fb'), undefined);
});

test('a double-encoded control character denies; a `%25` not followed by two hex digits stays literal', () => {
  assert.equal(pathReadings('/a%250a'), undefined);
  assert.equal(pathReadings('/a%257F'), undefined);
  readsAs('/a%2541/b%251x', ['/a%2541/b%251x', '/aA/b%251x']);
});

test('the path as sent is always one of its readings, however many rereadings change it', () => {
  const path = '/a\\b%5Cc%2Fd;p//./e%2541';
  const all = pathReadings(path)!;
  assert.equal(all[0], path);
  assert.equal(all.length, 128);
});

test('more than 128 readings deny', () => {
  assert.equal(pathReadings('/a\\\\%5C//%2F;p/./..%2541/z'), undefined);
});

test('readings times length above 2^17 deny: 65 readings of 2048 characters pass, of 2049 do not', () => {
  const path = '/a\\\\%5C//%2F;p/z';
  assert.equal(pathReadings(path)?.length, 65);
  const padded = (length: number) => path + 'z'.repeat(length - path.length);
  assert.equal(pathReadings(padded(2048))?.length, 65);
  assert.equal(pathReadings(padded(2049)), undefined);
});

test('a path of 8192 characters is read; one longer is denied', () => {
  assert.deepEqual(pathReadings(`/${'a'.repeat(8191)}`), [`/${'a'.repeat(8191)}`]);
  assert.equal(pathReadings(`/${'a'.repeat(8192)}`), undefined);
});

test('a rule path with a `.` or `..` segment is a problem; a name starting with a dot is not', () => {
  for (const path of ['/a/./b', '/a/../b', '/.', '/a/..']) {
    assert.ok('problem' in normaliseRulePath(path), path);
  }
  assert.deepEqual(normaliseRulePath('/a/.well-known'), { path: '/a/.well-known' });
  assert.deepEqual(normaliseRulePath('/a/..b'), { path: '/a/..b' });
});
