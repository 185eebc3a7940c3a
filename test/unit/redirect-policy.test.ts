// returnTo with ALLOWED_REDIRECT_HOSTS: absolute URLs only on listed hosts; every open-redirect payload still refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReturnTo } from '../../src/return-to.ts';
import { EVIL_HOST, REFUSED } from '../helpers/redirect-payloads.ts';

const returnTo = createReturnTo({
  ownOrigin: 'https://auth.example.com',
  allowedHosts: ['app1.example.com', '*.apps.example.com', 'ops.example.com:8443'],
  allowHttp: false,
});
const FALLBACK = '/account';

test('every payload of the open-redirect suite still falls back, with allowed hosts configured', () => {
  const passed = REFUSED.filter((p) => returnTo(p) !== FALLBACK);
  assert.deepEqual(passed, []);
});

const ACCEPTED: [string, string][] = [
  ['https://app1.example.com/dash?x=1#y', 'https://app1.example.com/dash?x=1#y'],
  ['https://APP1.example.com', 'https://app1.example.com/'],
  ['https://a.apps.example.com/', 'https://a.apps.example.com/'],
  ['https://b.c.apps.example.com/x', 'https://b.c.apps.example.com/x'],
  ['https://ops.example.com:8443/metrics', 'https://ops.example.com:8443/metrics'],
  ['https://app1.example.com:443/', 'https://app1.example.com/'],
  // Our own origin comes back as a path (and our sign-in page is refused as one).
  ['https://auth.example.com/account?tab=1', '/account?tab=1'],
  ['/somewhere', '/somewhere'],
];
for (const [input, output] of ACCEPTED) {
  test(`allowed: ${input}`, () => assert.equal(returnTo(input), output));
}

const LOOKALIKES: readonly string[] = [
  'https://evil-example.com/',
  'https://example.com.evil.com/',
  'https://app1.example.com.evil.com/',
  'https://app1.example.com@evil.com/',
  'https://user:pw@app1.example.com/',
  'https://user@app1.example.com/',
  'https://app1.example.com:8443/',
  'https://ops.example.com/',
  'https://apps.example.com/',
  'https://xapps.example.com/',
  'https://app1.exаmple.com/', // Cyrillic а: punycode, matches nothing
  'https://аpp1.example.com/',
  'https://app1.example.com\\@evil.com/',
  'https://app1.example.com%2F@evil.com/',
  'https://app1.example.com%40evil.com/',
  'http://app1.example.com/',
  'HTTP://app1.example.com/',
  'ftp://app1.example.com/',
  'https://app1.example.com\t.evil.com/',
  'https://app1.example.com /',
  `https://${EVIL_HOST}/`,
  'https://auth.example.com/login',
  'https://auth.example.com//evil.com',
  'https:/app1.example.com/',
  'https://[::1]/',
  'https://127.0.0.1/',
  'https://' + 'a'.repeat(2100) + '.apps.example.com/',
];
for (const input of LOOKALIKES) {
  test(`refused: ${JSON.stringify(input)}`, () => assert.equal(returnTo(input), FALLBACK));
}

test('plain http only where allowed (local mode)', () => {
  const local = createReturnTo({
    ownOrigin: 'http://localhost:3000',
    allowedHosts: ['localhost:8501'],
    allowHttp: true,
  });
  assert.equal(local('http://localhost:8501/app'), 'http://localhost:8501/app');
  assert.equal(local('http://localhost:8502/app'), FALLBACK);
});
