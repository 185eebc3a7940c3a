// Finding 6, "tokens and personal data in clear in Redis": session values are sealed at rest (AES-256-GCM, keys
// derived from SESSION_KEYS), in Redis and in memory; a rotation keeps sessions; a value that does not open is an
// anonymous session, never a 500. Cognito is a scripted fake.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from '../helpers/browser.ts';
import { JANE, startFakeHarness, type FakeHarness, type FakeUser } from '../helpers/fake-harness.ts';
import {
  cleanUp,
  keysUnder,
  redisSkipReason,
  requireRedis,
  TEST_REDIS_URL,
  testRedis,
  uniquePrefix,
} from '../helpers/redis.ts';
import { MemorySessionStore, type SessionStore } from '../../src/session/memory-store.ts';
import { SealedSessionStore } from '../../src/session/sealed-store.ts';

const redisSkip = await redisSkipReason();

const KEY_1 = 'first-session-key-'.padEnd(40, '1');
const KEY_2 = 'second-session-key-'.padEnd(40, '2');
const HOUR = 3_600_000;

/** What must never be readable in a stored value. */
const CLEAR = [
  /fake-(access|refresh|id)-\d+/,
  /jane@example\.com/i,
  /Jane Doe/,
  new RegExp(JANE.sub),
  /kim@example\.com/i,
  /"auth"/,
  /"owners"\s*:\s*\[\s*"(sub|email|username):/,
];

function assertSealed(raw: string, what: string): void {
  for (const pattern of CLEAR) assert.doesNotMatch(raw, pattern, `${what}: ${pattern} in clear`);
}

/** A browser with `other`'s cookies, on `h` (another instance, or the same one after a restart). */
function adopt(h: FakeHarness, other: Browser): Browser {
  const b = h.browser();
  for (const [k, v] of other.cookies) b.cookies.set(k, v);
  return b;
}

async function assertAnonymous(b: Browser, what: string): Promise<void> {
  const account = await b.get('/account');
  assert.equal(account.status, 302, `${what}: ${account.status} ${account.body.slice(0, 200)}`);
  assert.match(account.location ?? '', /^\/login\?/, what);
  assert.equal((await b.get('/login')).status, 200, `${what}: the sign-in page works`);
}

const someone = (n: number): FakeUser => ({
  ...JANE,
  username: `enc-${n}`,
  sub: `enc-${n}`,
  email: `enc-${n}@example.com`,
});

describe('finding 6, tokens and personal data in clear in Redis', { skip: redisSkip }, () => {
  const prefix = uniquePrefix('sealed');
  const redis = testRedis();
  const env = (keys: string) => ({
    SESSION_STORE: 'redis',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SESSION_KEYS: keys,
  });
  let h: FakeHarness;
  before(async () => {
    await requireRedis();
    h = await startFakeHarness({ env: env(KEY_1) });
  });
  after(async () => {
    await h?.close();
    await cleanUp(redis, prefix);
  });

  const rawOf = async (b: Browser) => (await redis.get(`${prefix}sess:${b.cookies.get('session')!}`))!;

  test('no Redis value or key holds a token, an email address, a name or a user id', async () => {
    const jane = await h.signedIn();
    assert.equal((await jane.get('/account')).status, 200);
    h.cognito.on('forgotPassword', undefined);
    const resetting = h.browser();
    await resetting.submit('/forgot-password', '/forgot-password', { email: 'kim@example.com' });
    assert.ok(resetting.cookies.get('session'), 'a pending reset keeps the address in its session');
    const keys = await keysUnder(redis, prefix);
    const sessions = keys.filter((k) => k.startsWith(`${prefix}sess:`));
    assert.ok(sessions.length >= 2);
    for (const key of sessions) assertSealed((await redis.get(key))!, key);
    for (const key of keys.filter((k) => k.startsWith(`${prefix}owner:`))) {
      for (const member of await redis.smembers(key)) assertSealed(member, key);
    }
    assert.ok(!keys.some((k) => /@|example\.com|enc-|8f14e45f/.test(k)), 'no key names a person');
  });

  test('a tampered, moved or forged value is an anonymous session, not a 500', async () => {
    const [flipped, moved, source, forged] = [
      await h.signedIn(someone(1)),
      await h.signedIn(someone(2)),
      await h.signedIn(someone(3)),
      await h.signedIn(someone(4)),
    ];
    const keyOf = (b: Browser) => `${prefix}sess:${b.cookies.get('session')!}`;
    const raw = await rawOf(flipped);
    const at = Math.floor(raw.length / 2);
    const flip = raw.slice(0, at) + (raw[at] === 'A' ? 'B' : 'A') + raw.slice(at + 1);
    await redis.set(keyOf(flipped), flip, 'KEEPTTL');
    await assertAnonymous(flipped, 'a flipped byte');

    await redis.set(keyOf(moved), await rawOf(source), 'KEEPTTL');
    await assertAnonymous(moved, "another session's value under this id");
    assert.equal((await source.get('/account')).status, 200, 'the other session is untouched');

    const clear = JSON.stringify({
      csrf: 'x',
      auth: { username: 'admin', sub: 'admin', email: 'admin@example.com', groups: ['admin'] },
      owners: ['sub:admin'],
      _expire: Date.now() + HOUR,
      _maxAge: 1_800_000,
    });
    await redis.set(keyOf(forged), clear, 'KEEPTTL');
    await assertAnonymous(forged, 'a value written in clear (no key)');
  });

  test('rotation with the same list: a new key first, the old one still reads; the newest seals', async () => {
    const browser = await h.signedIn(someone(5));
    const sealedByKey1 = await rawOf(browser);
    await h.close();

    // The new key first: the session sealed with the old one still reads.
    h = await startFakeHarness({ env: env(`${KEY_2},${KEY_1}`) });
    const rotated = adopt(h, browser);
    assert.equal((await rotated.get('/account')).status, 200, 'the old key still opens the session');
    // Its access token due: the refresh writes the session again, sealed with the new key.
    h.cognito.on('refresh', () => h.tokens.issue(someone(5), { refresh: false }));
    h.clock.advance(HOUR);
    assert.equal((await rotated.get('/account')).status, 200);
    assert.equal(h.cognito.callCount('refresh'), 1);
    const sealedByKey2 = await rawOf(rotated);
    assert.notEqual(sealedByKey2, sealedByKey1);
    assertSealed(sealedByKey2, 'after the rotation');
    await h.close();

    // The old key gone: what the new one sealed still reads.
    h = await startFakeHarness({ env: env(KEY_2) });
    assert.equal((await adopt(h, rotated).get('/account')).status, 200, 'sealed with the newest key');
  });
});

describe('finding 6, session values in clear in the memory store', () => {
  let h: FakeHarness;
  before(async () => {
    h = await startFakeHarness();
  });
  after(() => h.close());

  test('the memory store holds no token, email address or name in clear; the app reads them', async () => {
    const b = await h.signedIn();
    const id = b.cookies.get('session')!;
    const raw = ((h.store as unknown as { inner?: SessionStore }).inner ?? h.store) as MemorySessionStore;
    assertSealed(JSON.stringify(await raw.get(id)), 'memory entry');
    const opened = (await h.store.get(id))!;
    assert.equal((opened.auth as { email: string }).email, JANE.email, 'the app reads its own sessions');
    assert.match((await b.get('/account')).body, /jane@example\.com/);
  });
});

describe('finding 6, the sealed store', () => {
  const inner = new MemorySessionStore({ maxEntries: 100 });
  after(() => inner.close());
  const sealed = (...keys: string[]) => new SealedSessionStore(inner, keys);
  let n = 0;
  const id = () => `${'e'.repeat(40)}${String(++n).padStart(3, '0')}`;
  const session = (email: string) => ({
    csrf: 'c',
    auth: { email, accessToken: 'fake-access-9', refreshToken: 'fake-refresh-9', name: 'Jane Doe' },
    owners: [`sub:${JANE.sub}`, `email:${email}`],
  });

  test('AES-256-GCM under the newest key; every listed key opens; a key dropped leaves anonymous sessions', async () => {
    const [old, fresh] = [id(), id()];
    await sealed(KEY_1).set(old, session('jane@example.com'), 60_000);
    assertSealed(JSON.stringify(await inner.get(old)), 'sealed value');
    const both = sealed(KEY_2, KEY_1);
    assert.deepEqual(await both.get(old), session('jane@example.com'), 'the old key still opens');
    await both.set(fresh, session('jane@example.com'), 60_000);
    assert.deepEqual(await sealed(KEY_2).get(fresh), session('jane@example.com'), 'the newest key sealed it');
    assert.equal(await sealed(KEY_1).get(fresh), undefined, 'the old key alone does not open it');
    assert.equal(await sealed(KEY_2).get(old), undefined, 'a dropped key: anonymous');
  });

  test('tampering is anonymous: a flipped byte, a value moved to another id, swapped owner tags, a clear value', async () => {
    const store = sealed(KEY_1);
    const [a, b] = [id(), id()];
    await store.set(a, session('jane@example.com'), 60_000);
    await store.set(b, session('kim@example.com'), 60_000);
    const envelope = (await inner.get(a)) as { sealed: string; owners: string[] };
    const at = Math.floor(envelope.sealed.length / 2);
    const flipped = envelope.sealed.slice(0, at) + (envelope.sealed[at] === 'A' ? 'B' : 'A');
    const c = id();
    await inner.set(c, { ...envelope, sealed: flipped + envelope.sealed.slice(at + 1) }, 60_000);
    assert.equal(await store.get(c), undefined, 'a flipped byte');
    const d = id();
    await inner.set(d, envelope, 60_000);
    assert.equal(await store.get(d), undefined, "another id's value");
    const other = (await inner.get(b)) as { owners: string[] };
    await inner.set(a, { ...envelope, owners: other.owners }, 60_000);
    assert.equal(await store.get(a), undefined, 'owner tags swapped');
    const f = id();
    await inner.set(f, session('jane@example.com'), 60_000);
    assert.equal(await store.get(f), undefined, 'a value in clear');
    assert.deepEqual(await store.get(b), session('kim@example.com'), 'the untouched one still reads');
  });

  test('destroyOwnedBy finds sessions sealed under any listed key and returns them opened', async () => {
    const [a, b] = [id(), id()];
    await sealed(KEY_1).set(a, session('lee@example.com'), 60_000);
    await sealed(KEY_2, KEY_1).set(b, session('lee@example.com'), 60_000);
    const ended = await sealed(KEY_2, KEY_1).destroyOwnedBy('email:lee@example.com');
    assert.deepEqual(ended, [session('lee@example.com'), session('lee@example.com')]);
    assert.equal(await sealed(KEY_2, KEY_1).get(a), undefined);
    assert.equal(await sealed(KEY_2, KEY_1).get(b), undefined);
  });
});
