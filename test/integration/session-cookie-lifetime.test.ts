// The session cookie outlives the idle timeout: proxies that never pass our Set-Cookie on (nginx auth_request, Caddy
// forward_auth) must not end an active user's session; the idle timeout is the store's, renewed by our writes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness({ env: { SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_HOURS: '12' } });
});
after(() => h.close());

test('the session cookie lives as long as a sign-in may, not just the idle timeout', async () => {
  const b = h.browser();
  const page = await b.get('/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const res = await b.post('/login', {
    _csrf: csrf,
    username: h.pool.demoUser.email,
    password: h.pool.demoUser.password,
  });
  assert.equal(res.status, 302);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='))!;
  const expires = Date.parse(/expires=([^;]+)/i.exec(cookie)![1]!);
  const hours = (expires - Date.now()) / 3_600_000;
  assert.ok(hours > 11.9 && hours <= 12, `the cookie expires in ${hours.toFixed(2)} h`);
});

test('the store keeps a signed-in session for the idle timeout only', async () => {
  const kept: number[] = [];
  const set = h.store.set.bind(h.store);
  h.store.set = (key, session, maxAgeMs, options) => {
    if (session.auth) kept.push(maxAgeMs);
    return set(key, session, maxAgeMs, options);
  };
  try {
    const b = await h.signedIn();
    assert.equal((await b.get('/account')).status, 200);
  } finally {
    h.store.set = set;
  }
  assert.ok(kept.length > 0, 'the sign-in wrote the session');
  for (const ms of kept) assert.ok(ms <= 30 * 60_000, `kept for ${ms} ms: at most the idle timeout`);
});
