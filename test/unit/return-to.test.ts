import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeReturnTo } from '../../src/return-to.ts';

const ACCEPTED: [string, string][] = [
  ['/account', '/account'],
  ['/account?tab=mfa#top', '/account?tab=mfa#top'],
  ['/a/b/../c', '/a/c'],
  ['/docs/caf%C3%A9', '/docs/caf%C3%A9'],
];
const REFUSED = [
  '//evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  'https://evil.example/',
  'http:/evil.example',
  'javascript:alert(1)',
  '//user@evil.example',
  '/%2F%2Fevil.example',
  '/%2Fevil.example',
  '/%5Cevil.example',
  '/%5C%5Cevil.example',
  '%2F%2Fevil.example',
  ' /account',
  '/account\n',
  '/acc\tount',
  '/\t/evil.example',
  '/%09/evil.example',
  '/%0d%0aSet-Cookie:x=1',
  '/%E0%A4%A',
  'account',
  '',
  '/login',
  '/logout',
  '/' + 'a'.repeat(3000),
];

for (const [input, output] of ACCEPTED) {
  test(`returnTo accepts ${JSON.stringify(input)}`, () => assert.equal(safeReturnTo(input), output));
}
for (const input of REFUSED) {
  test(`returnTo refuses ${JSON.stringify(input).slice(0, 60)}`, () =>
    assert.equal(safeReturnTo(input), '/account'));
}
test('returnTo refuses non-strings (repeated query keys give arrays)', () => {
  assert.equal(safeReturnTo(['/a', '/b']), '/account');
  assert.equal(safeReturnTo(undefined, '/'), '/');
});

test('an encoded space inside a path is kept (a file name), while whitespace that would hide // is not', () => {
  assert.equal(safeReturnTo('/files/my%20report.pdf?q=a%20b'), '/files/my%20report.pdf?q=a%20b');
  assert.equal(safeReturnTo('/%20/evil.example'), '/account');
  assert.equal(safeReturnTo('/%09/evil.example'), '/account');
  assert.equal(safeReturnTo('/a%0d%0ab'), '/account');
});
