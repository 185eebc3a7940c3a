// The idle timeout rolls with use, but a session is written again at most once a minute, not on every request; a
// session left idle longer than SESSION_IDLE_MINUTES is refused. Cognito is a scripted fake: only the session store
// matters here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeHarness, type FakeHarness } from '../helpers/fake-harness.ts';

/**
 * Wall-clock time as the session store and koa-session read it (`Date.now`), movable: the harness clock moves only
 * the app's own clock (token expiry, the absolute lifetime), and idleness is the store's. Replaced before any
 * harness starts, since the memory store keeps the `Date.now` it was built with.
 */
const realNow = Date.now.bind(Date);
let wallClockOffsetMs = 0;
Date.now = () => realNow() + wallClockOffsetMs;
const timePasses = (ms: number) => {
  wallClockOffsetMs += ms;
};

let h: FakeHarness;
let writes = 0;
before(async () => {
  h = await startFakeHarness();
  const set = h.store.set.bind(h.store);
  h.store.set = (...args) => {
    writes++;
    return set(...args);
  };
});
after(async () => {
  await h.close();
  Date.now = realNow;
});

test('requests within a minute of the last save neither write the store nor send a cookie', async () => {
  const b = await h.signedIn();
  writes = 0;
  for (let i = 0; i < 5; i++) {
    const res = await b.get('/account');
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.getSetCookie(), []);
  }
  assert.equal(writes, 0);
});

test('a request a minute or more after the last save pushes the idle deadline back', async () => {
  const b = await h.signedIn();
  const id = b.cookies.get('session')!;
  const stored = (await h.store.get(id))!;
  const expire = stored._expire as number;
  // As if the last save was two minutes ago.
  await h.store.set(id, { ...stored, _expire: expire - 120_000 }, 60_000);
  writes = 0;
  const res = await b.get('/account');
  assert.equal(res.status, 200);
  assert.equal(writes, 1);
  assert.ok(
    res.headers.getSetCookie().some((c) => c.startsWith('session=')),
    'the cookie expiry moves too',
  );
  const after = (await h.store.get(b.cookies.get('session')!))!;
  assert.ok((after._expire as number) > expire - 1000, 'the idle deadline moved forward');
});

describe('a session left idle', () => {
  const IDLE_MINUTES = 5;
  const MINUTE = 60_000;
  let idle: FakeHarness;
  before(async () => {
    idle = await startFakeHarness({ env: { SESSION_IDLE_MINUTES: String(IDLE_MINUTES) } });
  });
  after(() => idle.close());

  test('longer than SESSION_IDLE_MINUTES is refused, though the browser still sends its cookie', async () => {
    const b = await idle.signedIn();
    timePasses((IDLE_MINUTES - 1) * MINUTE);
    assert.equal((await b.get('/account')).status, 200, 'idle for less than the timeout: still signed in');
    const id = b.cookies.get('session')!;
    timePasses(IDLE_MINUTES * MINUTE + 1000);
    assert.equal(
      b.cookies.get('session'),
      id,
      'the cookie outlives the idle timeout (it lasts the absolute lifetime)',
    );
    const res = await b.get('/account');
    assert.equal(res.status, 302);
    assert.match(res.location!, /^\/login\?returnTo=%2Faccount\b/);
    assert.equal(await idle.store.get(id), undefined, 'the store no longer holds it');
    assert.equal(idle.cognito.callCount('refresh'), 0, 'refused by the store, not by a token refresh');
  });

  test('in use, each request within SESSION_IDLE_MINUTES of the last, it lives on past the timeout', async () => {
    const b = await idle.signedIn();
    const step = IDLE_MINUTES - 1;
    for (let inUse = step; inUse <= 3 * IDLE_MINUTES; inUse += step) {
      timePasses(step * MINUTE);
      assert.equal((await b.get('/account')).status, 200, `in use for ${inUse} minutes`);
    }
  });
});
