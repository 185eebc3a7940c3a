// returnTo against ALLOWED_REDIRECT_HOSTS at its edges: only a string that starts with a scheme is taken as a URL,
// userinfo in any part, the length limit, exact entries versus `*.` entries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReturnTo } from '../../src/return-to.ts';

const FALLBACK = '/account';
const returnTo = createReturnTo({
  ownOrigin: 'https://auth.example.com',
  allowedHosts: ['app.example.com', '*.apps.example.com'],
  allowHttp: false,
});

test('a repeated query parameter (an array) is never a URL, even if it reads as an allowed one', () => {
  assert.equal(returnTo(['https://app.example.com/']), FALLBACK);
  assert.equal(returnTo(['/somewhere']), FALLBACK);
  assert.equal(returnTo(undefined), FALLBACK);
});

test('a path that merely contains a URL is a path', () => {
  assert.equal(returnTo('/go?next=https://app.example.com/'), '/go?next=https://app.example.com/');
  assert.equal(returnTo('/go?next=https://evil.example/'), '/go?next=https://evil.example/');
});

test('userinfo refuses an URL, a password alone too', () => {
  for (const url of [
    'https://user@app.example.com/',
    'https://:secret@app.example.com/',
    'https://user:secret@app.example.com/',
  ]) {
    assert.equal(returnTo(url), FALLBACK, url);
  }
});

test('an allowed URL of 2048 characters is kept; one longer falls back', () => {
  const base = 'https://app.example.com/';
  const url = (length: number) => base + 'a'.repeat(length - base.length);
  assert.equal(returnTo(url(2048)), url(2048));
  assert.equal(returnTo(url(2049)), FALLBACK);
});

test('an exact entry allows that host alone, not a name that ends with it', () => {
  assert.equal(returnTo('https://app.example.com/x'), 'https://app.example.com/x');
  for (const url of [
    'https://wapp.example.com/',
    'https://evilapp.example.com/',
    'https://x.app.example.com/',
  ]) {
    assert.equal(returnTo(url), FALLBACK, url);
  }
});

test('a `*.` entry needs at least one label below it', () => {
  assert.equal(returnTo('https://a.apps.example.com/'), 'https://a.apps.example.com/');
  assert.equal(returnTo('https://.apps.example.com/'), FALLBACK);
  assert.equal(returnTo('https://apps.example.com/'), FALLBACK);
  assert.equal(returnTo('https://xapps.example.com/'), FALLBACK);
});

test('plain http only when the policy allows it (local mode)', () => {
  assert.equal(returnTo('http://app.example.com/'), FALLBACK);
  const local = createReturnTo({
    ownOrigin: 'http://localhost:3000',
    allowedHosts: ['app.example.com'],
    allowHttp: true,
  });
  assert.equal(local('http://app.example.com/'), 'http://app.example.com/');
  assert.equal(local('https://app.example.com/'), 'https://app.example.com/');
});

test('a path of 2048 characters is kept; one longer, or an empty one, falls back', () => {
  const path = (length: number) => `/${'p'.repeat(length - 1)}`;
  assert.equal(returnTo(path(2048)), path(2048));
  assert.equal(returnTo(path(2049)), FALLBACK);
  assert.equal(returnTo(''), FALLBACK);
});
