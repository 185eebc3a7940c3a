// Behind TLS (an https APP_BASE_URL) the session cookie is __Host- prefixed and Secure; sign-in still works.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { csrfOf } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness({ env: { APP_BASE_URL: 'https://login.example.test' } });
});
after(() => h.close());

test('an https origin gives a __Host- cookie that is Secure, HttpOnly and SameSite=Lax', async () => {
  const b = h.browser();
  const form = await b.get('/login');
  const cookie = form.headers.getSetCookie().find((c) => c.startsWith('__Host-session='));
  assert.ok(cookie, 'the __Host- cookie is set');
  assert.match(cookie, /; secure/i);
  assert.match(cookie, /; httponly/i);
  assert.match(cookie, /; samesite=lax/i);
  assert.match(cookie, /; path=\//i);
  assert.doesNotMatch(cookie, /domain=/i);
  assert.match(form.headers.get('strict-transport-security') ?? '', /max-age=\d+/);

  const res = await b.post('/login', {
    _csrf: csrfOf(form.body),
    username: h.pool.demoUser.email,
    password: h.pool.demoUser.password,
  });
  assert.equal(res.status, 302);
  assert.equal((await b.get('/account')).status, 200);
  const other = await b.post(
    '/logout',
    { _csrf: csrfOf((await b.get('/logout')).body) },
    { origin: 'http://login.example.test' },
  );
  assert.equal(other.status, 403, 'the http origin is not our https origin');
});
