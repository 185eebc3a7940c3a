// The emulator's stored password hashes: each carries scrypt's cost, hashes stored without one (earlier versions)
// still verify at the old default, and the cost can only be set to a power of two from 1024.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { hashPassword, setPasswordHashCost, verifyPassword } from '../../src/local-cognito/password.ts';

after(() => setPasswordHashCost(1024));

test('a hash names its cost; the password verifies whatever cost is set now', async () => {
  setPasswordHashCost(16384);
  const strong = await hashPassword('Correct-horse-1');
  assert.match(strong, /^scrypt\$16384\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  setPasswordHashCost(1024);
  const cheap = await hashPassword('Correct-horse-1');
  assert.match(cheap, /^scrypt\$1024\$/);
  assert.equal(await verifyPassword('Correct-horse-1', strong), true);
  assert.equal(await verifyPassword('Correct-horse-1', cheap), true);
  assert.equal(await verifyPassword('Correct-horse-2', strong), false);
  assert.equal(await verifyPassword('Correct-horse-2', cheap), false);
});

test('a hash stored without a cost (scrypt$salt$hash) is checked at 16384', async () => {
  setPasswordHashCost(16384);
  const [, , salt, hash] = (await hashPassword('Correct-horse-1')).split('$');
  setPasswordHashCost(1024);
  const legacy = `scrypt$${salt}$${hash}`;
  assert.equal(await verifyPassword('Correct-horse-1', legacy), true);
  assert.equal(await verifyPassword('Wrong-horse-1', legacy), false);
});

test('an unknown user, a malformed hash or another scheme never verifies', async () => {
  assert.equal(await verifyPassword('anything', undefined), false);
  for (const stored of ['', 'scrypt$', 'scrypt$3$a$b', 'scrypt$1024$$', 'bcrypt$x$y', 'scrypt$1$2$3$4']) {
    assert.equal(await verifyPassword('anything', stored), false, stored);
  }
});

test('the cost is a power of two from 1024', () => {
  for (const cost of [0, 512, 1000, 3000, 1.5, Number.NaN]) {
    assert.throws(() => setPasswordHashCost(cost), /power of two from 1024/);
  }
});
