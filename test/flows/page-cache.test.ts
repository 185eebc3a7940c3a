// Pages are rendered once and reused (src/render-cache.ts), but every visitor still gets a CSRF token of their own,
// every language and every address its own page, and a signed-in page only its own user's values.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { csrfOf } from '../helpers/browser.ts';
import {
  FAKE_PASSWORD,
  JANE,
  signedInWith,
  startFakeHarness,
  type FakeHarness,
} from '../helpers/fake-harness.ts';

let h: FakeHarness;
before(async () => {
  h = await startFakeHarness();
});
after(() => h.close());

/** Jane's sign-in name, as the sign-in form takes it. */
const JANE_NAME = JANE.email ?? JANE.username;

const withoutToken = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '');

test('two visitors get the same page with tokens of their own, and each token works only for its visitor', async () => {
  const [a, b] = [h.browser(), h.browser()];
  const [pageA, pageB] = [await a.get('/login'), await b.get('/login')];
  const [tokenA, tokenB] = [csrfOf(pageA.body), csrfOf(pageB.body)];
  assert.notEqual(tokenA, tokenB);
  assert.equal(withoutToken(pageA.body), withoutToken(pageB.body));
  assert.doesNotMatch(pageA.body, /csrf-token-[0-9a-f]{32}/, 'no placeholder is ever sent');
  const crossed = await b.post('/login', { _csrf: tokenA, username: JANE_NAME, password: FAKE_PASSWORD });
  assert.equal(crossed.status, 403, "another visitor's token is refused");
  h.cognito.once('signInWithPassword', signedInWith(h.tokens.issue(JANE)));
  const own = await a.post('/login', { _csrf: tokenA, username: JANE_NAME, password: FAKE_PASSWORD });
  assert.equal(own.status, 302);
  assert.equal(own.location, '/account');
});

test('the same visitor keeps one token on every page view, cached or not', async () => {
  const a = h.browser();
  const first = csrfOf((await a.get('/login')).body);
  assert.equal(csrfOf((await a.get('/login')).body), first);
});

test('each language and each address has its own page', async () => {
  const b = h.browser();
  const english = await b.get('/login');
  const german = await b.get('/login?lang=de');
  assert.match(english.body, /<html lang="en"/);
  assert.match(german.body, /<html lang="de"/);
  const withUser = await h.browser().get('/login?username=someone%40example.com');
  assert.notEqual(withoutToken(withUser.body), withoutToken(english.body));
});

test("a signed-in page shows its own user's values, never a page cached for someone else", async () => {
  const jane = await h.signedIn();
  const other = await h.signedIn({
    ...JANE,
    email: 'other@example.com',
    sub: 'other-sub',
    username: 'other',
  });
  const janePage = await jane.get('/account');
  const otherPage = await other.get('/account');
  assert.match(janePage.body, new RegExp(JANE_NAME));
  assert.match(otherPage.body, /other@example\.com/);
  assert.doesNotMatch(otherPage.body, new RegExp(JANE_NAME));
});
