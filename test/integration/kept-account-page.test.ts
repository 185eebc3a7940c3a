// A signed-in session's account page sent again before Koa (src/flows/account/kept-account-page.ts): the same page
// Koa sent, without reading the store, and never once anything could have changed it.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
let reads = 0;
before(async () => {
  h = await startHarness();
  const get = h.store.get.bind(h.store);
  h.store.get = (key) => {
    reads++;
    return get(key);
  };
});
after(() => h.close());
beforeEach(() => {
  reads = 0;
});

/** The page without what differs from one response to the next anyway (the date). */
function shape(p: Page) {
  const headers = [...p.headers.entries()]
    .filter(([name]) => name !== 'date')
    .sort(([a], [b]) => a.localeCompare(b));
  return { status: p.status, headers, body: p.body };
}

/** Signs in, visits /account once through Koa (which keeps it), and returns the browser and that page. */
async function keptFor(): Promise<{ b: Browser; first: Page }> {
  const b = await h.signedIn();
  const first = await b.get('/account');
  assert.equal(first.status, 200);
  reads = 0;
  return { b, first };
}

describe('the account page of a signed-in session', () => {
  test('its next visits get the page Koa sent, without reading the store', async () => {
    const { b, first } = await keptFor();
    const again = await b.get('/account');
    const third = await b.get('/account');
    assert.equal(reads, 0, 'answered without the store');
    assert.deepEqual(shape(again), shape(first));
    assert.deepEqual(shape(third), shape(first));
    assert.match(again.body, /demo@example\.com/);
  });

  test("the kept page's CSRF token is the session's: signing out from it works, and then no page is sent", async () => {
    const { b } = await keptFor();
    const kept = await b.get('/account');
    assert.equal(reads, 0);
    const out = await b.post('/logout', { _csrf: csrfOf(kept.body) });
    assert.equal(out.status, 302);
    const after = await b.get('/account');
    assert.equal(after.status, 302, 'signed out: to the sign-in page');
  });

  test('a session ended elsewhere (a copy of the cookie signs out) gets no kept page', async () => {
    const { b } = await keptFor();
    const copy = b.clone();
    const confirm = await copy.get('/logout');
    assert.equal((await copy.post('/logout', { _csrf: csrfOf(confirm.body) })).status, 302);
    const res = await b.get('/account');
    assert.equal(res.status, 302);
    assert.match(res.location!, /^\/login/);
  });

  test('a session destroyed in the store (sign-out everywhere, a reset) gets no kept page', async () => {
    const { b } = await keptFor();
    await h.store.destroy(b.cookies.get('session')!);
    assert.equal((await b.get('/account')).status, 302);
  });

  test('another language, a query, or another cookie: Koa answers (and reads the store)', async () => {
    const { b } = await keptFor();
    const german = await b.get('/account', { 'accept-language': 'de' });
    assert.match(german.body, /<html lang="de"/);
    assert.ok(reads > 0);
    reads = 0;
    await b.get('/account');
    await b.get('/account?notice=password-changed');
    assert.ok(reads > 0, 'a query is Koa’s');
    reads = 0;
    b.cookies.set('lang', 'de');
    assert.match((await b.get('/account')).body, /<html lang="de"/);
    assert.ok(reads > 0, 'another cookie header is Koa’s');
  });

  test('when the access token is due for a refresh, Koa answers (and refreshes)', async () => {
    const { b } = await keptFor();
    h.clock.advance(61 * 60_000);
    try {
      const res = await b.get('/account');
      assert.equal(res.status, 200);
      assert.ok(reads > 0, 'read from the store, not kept');
    } finally {
      h.clock.advance(-61 * 60_000);
    }
  });

  test('a forged or unsigned session cookie never gets a kept page', async () => {
    const { b } = await keptFor();
    const id = b.cookies.get('session')!;
    const forged = h.browser();
    forged.cookies.set('session', id);
    forged.cookies.set('session.sig', 'forged');
    assert.equal((await forged.get('/account')).status, 302);
    const unsigned = h.browser();
    unsigned.cookies.set('session', id);
    assert.equal((await unsigned.get('/account')).status, 302);
  });
});
