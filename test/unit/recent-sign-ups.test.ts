// Sign-ups remembered by address (finding 8): found from any browser in any case, sealed at rest, kept through a key
// rotation, and a confirmed address can be remembered again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRecentSignUps, RECENT_SIGN_UP_MS } from '../../src/flows/signup/recent-sign-ups.ts';
import { MemorySessionStore } from '../../src/session/memory-store.ts';
import { sealSessionStore } from '../../src/session/sealed-store.ts';

const KEY = 'k'.repeat(43);
const OLD_KEY = 'o'.repeat(43);

function setUp(secrets = [KEY]) {
  let now = 1_000_000;
  const inner = new MemorySessionStore({ maxEntries: 100, now: () => now });
  const recent = createRecentSignUps(sealSessionStore(inner, secrets), secrets);
  return { inner, recent, pass: (ms: number) => (now += ms) };
}

test('a sign-up is found by its address in any case and with spaces around, and by no other', async () => {
  const { recent } = setUp();
  await recent.remember('Jane@Example.com', { passwordHash: 'scrypt$a$b', taken: true });
  assert.deepEqual(await recent.find('  jane@example.COM '), { passwordHash: 'scrypt$a$b', taken: true });
  assert.equal(await recent.find('jane@example.org'), undefined);
});

test('a later sign-up of the same address replaces the earlier one', async () => {
  const { recent } = setUp();
  await recent.remember('jane@example.com', { passwordHash: 'scrypt$a$b', taken: false });
  await recent.remember('JANE@example.com', { passwordHash: 'scrypt$c$d', taken: true });
  assert.deepEqual(await recent.find('jane@example.com'), { passwordHash: 'scrypt$c$d', taken: true });
});

test('the store holds neither the address nor the hash in clear, under a key that is no session id', async () => {
  const { inner } = setUp();
  const keys: string[] = [];
  const set = inner.set.bind(inner);
  inner.set = (key, ...rest) => {
    keys.push(key);
    return set(key, ...rest);
  };
  await createRecentSignUps(sealSessionStore(inner, [KEY]), [KEY]).remember('jane@example.com', {
    passwordHash: 'scrypt$salt$hash',
    taken: true,
  });
  assert.equal(keys.length, 1);
  assert.match(keys[0]!, /^sign-up:[A-Za-z0-9_-]{43}$/);
  const held = JSON.stringify(await inner.get(keys[0]!));
  assert.doesNotMatch(held, /jane|example|scrypt|salt|hash"|taken/);
});

test('it is forgotten after a week', async () => {
  const { recent, pass } = setUp();
  await recent.remember('jane@example.com', { passwordHash: 'scrypt$a$b', taken: true });
  pass(RECENT_SIGN_UP_MS - 1000);
  assert.ok(await recent.find('jane@example.com'), 'kept for a week');
  pass(2000);
  assert.equal(await recent.find('jane@example.com'), undefined);
});

test('confirmed, it is forgotten, and a later sign-up of the address is remembered again', async () => {
  const { recent } = setUp();
  await recent.remember('jane@example.com', { passwordHash: 'scrypt$a$b', taken: false });
  await recent.forget('Jane@example.com');
  assert.equal(await recent.find('jane@example.com'), undefined);
  await recent.remember('jane@example.com', { passwordHash: 'scrypt$c$d', taken: true });
  assert.deepEqual(await recent.find('jane@example.com'), { passwordHash: 'scrypt$c$d', taken: true });
});

test('a rotation of SESSION_KEYS keeps what the older key remembered', async () => {
  const before = setUp([OLD_KEY]);
  await before.recent.remember('jane@example.com', { passwordHash: 'scrypt$a$b', taken: true });
  const rotated = createRecentSignUps(sealSessionStore(before.inner, [KEY, OLD_KEY]), [KEY, OLD_KEY]);
  assert.deepEqual(await rotated.find('jane@example.com'), { passwordHash: 'scrypt$a$b', taken: true });
  const unknownKey = createRecentSignUps(sealSessionStore(before.inner, [KEY]), [KEY]);
  assert.equal(await unknownKey.find('jane@example.com'), undefined, 'a key no longer listed opens nothing');
});
