// Behind TLS (an https APP_BASE_URL) the session cookie is __Host- prefixed and Secure; sign-in (Cognito a scripted
// fake) still works.
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
  h = await startFakeHarness({ env: { APP_BASE_URL: 'https://login.example.test' } });
});
after(() => h.close());

test('an https origin gives a __Host- cookie that is Secure, HttpOnly and SameSite=Lax', async () => {
  const b = h.browser();
  const form = await b.get('/login');
  // The form stores no session: its CSRF token is bound to a __Host- cookie of its own.
  const csrfCookie = form.headers.getSetCookie().find((c) => c.startsWith('__Host-csrf='));
  assert.ok(csrfCookie, 'the __Host- CSRF cookie is set');
  assert.match(csrfCookie, /; secure/i);
  assert.match(form.headers.get('strict-transport-security') ?? '', /max-age=\d+/);

  h.cognito.once('signInWithPassword', signedInWith(h.tokens.issue(JANE)));
  const res = await b.post('/login', {
    _csrf: csrfOf(form.body),
    username: JANE.email!,
    password: FAKE_PASSWORD,
  });
  assert.equal(res.status, 302);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-session='));
  assert.ok(cookie, 'the __Host- session cookie is set at sign-in');
  assert.match(cookie, /; secure/i);
  assert.match(cookie, /; httponly/i);
  assert.match(cookie, /; samesite=lax/i);
  assert.match(cookie, /; path=\//i);
  assert.doesNotMatch(cookie, /domain=/i);
  assert.equal((await b.get('/account')).status, 200);
  const other = await b.post(
    '/logout',
    { _csrf: csrfOf((await b.get('/logout')).body) },
    { origin: 'http://login.example.test' },
  );
  assert.equal(other.status, 403, 'the http origin is not our https origin');
});
