// First visits to the form pages answered from the page Koa made for the last one (src/middleware/first-visit.ts):
// the same page, headers and cookie as Koa's own, a binding and token of the visitor's own, and Koa for anything else.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { firstVisitsReplayed } from '../../src/middleware/first-visit.ts';
import { csrfOf, type Page } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const replays = () => firstVisitsReplayed(h.app);
const bindingOf = (p: Page) => /^csrf=([^;]+)/.exec(p.headers.getSetCookie()[0] ?? '')?.[1];
/** A page with its visitor's own parts taken out: the token in the body, the binding in the cookie, the date. */
function shape(p: Page) {
  const token = csrfOf(p.body);
  const headers = [...p.headers.entries()]
    .filter(([name]) => name !== 'date' && name !== 'set-cookie')
    .sort(([a], [b]) => a.localeCompare(b));
  const cookies = p.headers.getSetCookie().map((c) => c.replace(/^csrf=[^;]+/, 'csrf=X'));
  return { status: p.status, headers, cookies, body: p.body.replaceAll(token, 'TOKEN') };
}

describe('first visits to the form pages', () => {
  for (const path of ['/login', '/signup', '/forgot-password']) {
    test(`${path}: the second first visit is the first one's page, with a binding and token of its own`, async () => {
      const before = replays();
      const made = await h.browser().get(path);
      const kept = await h.browser().get(path);
      assert.equal(replays(), before + 1, 'the second came from the kept page');
      assert.equal(made.status, 200);
      assert.deepEqual(shape(kept), shape(made));
      assert.notEqual(bindingOf(kept), bindingOf(made), 'each visitor its own binding');
      assert.notEqual(csrfOf(kept.body), csrfOf(made.body), 'and its own token');
      assert.match(bindingOf(kept)!, /^[A-Za-z0-9_-]{43}$/);
    });
  }

  test("a kept page's token and binding sign in; another visitor's token does not", async () => {
    await h.browser().get('/login');
    const b = h.browser();
    const before = replays();
    const page = await b.get('/login');
    assert.equal(replays(), before + 1);
    const right = await b.post('/login', {
      _csrf: csrfOf(page.body),
      username: h.pool.demoUser.email,
      password: h.pool.demoUser.password,
    });
    assert.equal(right.status, 302);
    assert.equal(right.location, '/account');
    const other = h.browser();
    const theirs = await h.browser().get('/login');
    await other.get('/login');
    const refused = await other.post('/login', {
      _csrf: csrfOf(theirs.body),
      username: 'x@example.com',
      password: 'x',
    });
    assert.equal(refused.status, 403, 'a token is bound to its own binding');
  });

  test('each language its own kept page', async () => {
    const de = { 'accept-language': 'de-DE,de;q=0.9' };
    await h.browser().get('/login', de);
    const before = replays();
    const german = await h.browser().get('/login', de);
    const english = await h.browser().get('/login', { 'accept-language': 'en' });
    assert.match(german.body, /<html lang="de"/);
    assert.match(english.body, /<html lang="en"/);
    assert.ok(replays() >= before + 1);
  });

  test('a cookie, a query, another method or a signed-in visitor: Koa answers', async () => {
    await h.browser().get('/login');
    // Signing in starts with a first visit of its own: before counting.
    const signedIn = await h.signedIn();
    const before = replays();
    const withCookie = h.browser();
    withCookie.cookies.set('lang', 'de');
    assert.match((await withCookie.get('/login')).body, /<html lang="de"/);
    assert.equal((await h.browser().get('/login?notice=signed-out')).status, 200);
    assert.equal((await h.browser().get('/login?lang=de')).status, 200);
    assert.equal((await h.browser().request('HEAD', '/login', undefined, {})).status, 200);
    assert.equal((await signedIn.get('/login')).status, 302);
    assert.equal(replays(), before, 'none of these from a kept page');
  });

  test('a store that fails is asked again within a second: its first visits fail closed (503), as Koa answers them', async () => {
    await h.browser().get('/login');
    const store = h.store as unknown as { get: (key: string) => Promise<unknown> };
    const get = store.get.bind(store);
    store.get = () => Promise.reject(new Error('store down'));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const before = replays();
      const page = await h.browser().get('/login');
      assert.equal(page.status, 503);
      assert.equal(replays(), before);
    } finally {
      store.get = get;
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await h.browser().get('/login')).status, 200, 'and serve again once it is back');
  });
});
