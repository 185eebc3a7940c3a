// The idle timeout rolls with use, but a session is written again at most once a minute, not on every request.
// Cognito is a scripted fake: only the session store matters here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeHarness, type FakeHarness } from '../helpers/fake-harness.ts';

let h: FakeHarness;
let writes = 0;
before(async () => {
  h = await startFakeHarness();
  const set = h.store.set.bind(h.store);
  h.store.set = (key, session, maxAge) => {
    writes++;
    return set(key, session, maxAge);
  };
});
after(() => h.close());

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
