import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretHash } from '../../src/cognito/secret-hash.ts';

// Vectors computed independently with Python's hmac module.
test('secret hash matches a known vector', () => {
  assert.equal(
    secretHash(
      'jane@example.com',
      '7abc1234def5678ghij90klmno',
      '1example23456789secret0abcdefghijklmnopqrstuvwxyz',
    ),
    '/oRoMjqD5XAnwPRDylZskBwSE9udnBQ6pmpf1stmJV8=',
  );
});

test('secret hash encodes username and secret as UTF-8', () => {
  assert.equal(
    secretHash('ünïcode-user', 'client', 'sécret'),
    'hTPbQQxNswRRB8SKEMjfdBffZQEiyu91FzApNyCsl9k=',
  );
});

test('secret hash depends on the username: the internal one differs from the email', () => {
  assert.notEqual(secretHash('jane@example.com', 'c', 's'), secretHash('0b3c9d2e-uuid', 'c', 's'));
});
