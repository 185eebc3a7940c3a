// CSRF defence on its own: the synchronizer token of a session, the signed double-submit token of a visitor without
// one (bound to a random cookie, signed with keys derived from SESSION_KEYS), and the Origin / Sec-Fetch-Site checks.
// A small Koa app with the real session middleware and form parser, on a loopback port.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Koa, { type Context } from 'koa';
import { csrfToken, verifyCsrf } from '../../src/middleware/csrf.ts';
import { formBody } from '../../src/middleware/form-body.ts';
import { HttpError } from '../../src/http-error.ts';
import { MemorySessionStore } from '../../src/session/memory-store.ts';
import {
  anonymousCsrfToken,
  csrfCookieName,
  forgetCsrfBinding,
  newCsrfToken,
} from '../../src/session/csrf-token.ts';
import { sessionMiddleware } from '../../src/session/session-middleware.ts';
import { Browser, type Page } from '../helpers/browser.ts';

const KEY = 'csrf-unit-test-key-'.padEnd(40, 'k');
const OLD_KEY = 'csrf-unit-test-old-key-'.padEnd(40, 'o');
const HOUR = 3_600_000;

/** A memory store that can be taken down: every operation then fails, as a Redis outage does. */
class FlakyStore extends MemorySessionStore {
  down = false;
  override get(key: string) {
    return this.down ? Promise.reject(new Error('store down')) : super.get(key);
  }
}

/**
 * Routes: GET /form shows csrfToken twice (a page with two forms); POST /act answers `acted`; POST /keep puts
 * something in the session (a visitor who submitted a form); POST /sign-in marks the session signed in;
 * GET /forget ends the double-submit binding.
 */
async function startApp({ secure = false, keys = [KEY] }: { secure?: boolean; keys?: string[] } = {}) {
  const app = new Koa({ keys, proxy: secure });
  const store = new FlakyStore({ maxEntries: 100 });
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      ctx.status = err.status;
      ctx.body = `refused: ${err.message}`;
    }
  });
  app.use(
    sessionMiddleware(
      app,
      { secure, idleTimeoutMs: 30 * 60_000, absoluteTimeoutMs: 12 * HOUR, cookieDomain: undefined },
      store,
    ),
  );
  app.use(formBody());
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.use(verifyCsrf(origin));
  app.use((ctx: Context) => {
    const session = ctx.session as unknown as Record<string, unknown>;
    if (ctx.method === 'GET' && ctx.path === '/form') ctx.body = `${csrfToken(ctx)} ${csrfToken(ctx)}`;
    else if (ctx.method === 'GET' && ctx.path === '/forget') {
      forgetCsrfBinding(ctx);
      ctx.body = 'forgotten';
    } else if (ctx.method === 'GET' && ctx.path === '/plain') ctx.body = 'plain';
    else if (ctx.path === '/keep') {
      session.kept = true;
      ctx.body = 'kept';
    } else if (ctx.path === '/sign-in') {
      session.auth = { username: 'jane' };
      ctx.body = 'signed in';
    } else ctx.body = 'acted';
  });
  const handle = app.callback();
  server.on('request', (req, res) => void handle(req, res));
  return {
    origin,
    app,
    store,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}

type TestApp = Awaited<ReturnType<typeof startApp>>;

/** The token the form page shows (both of its forms carry the same one). */
async function tokenOf(b: Browser, headers: Record<string, string> = {}): Promise<string> {
  const page = await b.get('/form', headers);
  assert.equal(page.status, 200, page.body);
  const [first, second] = page.body.split(' ');
  assert.equal(first, second, 'one token per page');
  return first!;
}

const acted = (page: Page) => page.status === 200 && page.body === 'acted';

let t: TestApp;
before(async () => {
  t = await startApp();
});
after(() => t.close());

/** A browser whose session is stored (it submitted a form), and the session's token. */
async function withSession(): Promise<[Browser, string]> {
  const b = new Browser(t.origin);
  assert.equal((await b.post('/keep', { _csrf: await tokenOf(b) })).body, 'kept');
  assert.ok(b.cookies.get('session'), 'a session cookie');
  const token = await tokenOf(b);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'a synchronizer token, not a double-submit one');
  return [b, token];
}

/**
 * Takes the store down, and lets the app see it at once: a stored session that cannot be read is a 503, and the
 * failure forgets the last good read (trusted for a second otherwise).
 */
async function takeStoreDown(): Promise<void> {
  const [b] = await withSession();
  t.store.down = true;
  assert.equal((await b.get('/plain')).status, 503, 'a stored session that cannot be read');
}

describe('what is checked', () => {
  test('GET, HEAD and OPTIONS pass without a token', async () => {
    const b = new Browser(t.origin);
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const res = await b.request(method, '/plain', undefined, {});
      assert.equal(res.status, 200, method);
    }
  });

  test('a POST without a token, or with an empty one, is refused', async () => {
    const b = new Browser(t.origin);
    await tokenOf(b);
    assert.equal((await b.post('/act', {})).status, 403);
    assert.equal((await b.post('/act', { _csrf: '' })).status, 403);
  });

  test('every state-changing method is checked, not only POST', async () => {
    const b = new Browser(t.origin);
    await tokenOf(b);
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      assert.equal((await b.request(method, '/act', undefined, {})).status, 403, method);
    }
  });
});

describe('the double-submit token of a visitor without a session', () => {
  test('showing a form stores nothing and sets one HttpOnly, SameSite=Lax binding cookie', async () => {
    const b = new Browser(t.origin);
    const before = t.store.size;
    const page = await b.get('/form');
    assert.equal(t.store.size, before, 'no session stored');
    const cookies = page.headers.getSetCookie();
    assert.equal(cookies.length, 1, cookies.join(' | '));
    assert.match(cookies[0]!, /^csrf=[A-Za-z0-9_-]{43};/);
    assert.match(cookies[0]!, /; path=\//);
    assert.match(cookies[0]!, /; samesite=lax/);
    assert.match(cookies[0]!, /; httponly/);
    assert.doesNotMatch(cookies[0]!, /; secure/);
  });

  test('its token is `b.` and an HMAC: the same for the browser until its binding ends', async () => {
    const b = new Browser(t.origin);
    const first = await tokenOf(b);
    assert.match(first, /^b\.[A-Za-z0-9_-]{43}$/);
    assert.equal(await tokenOf(b), first, 'the page shown again is the same page');
    assert.notEqual(await tokenOf(new Browser(t.origin)), first, 'another browser, another token');
  });

  test('it is accepted with its binding cookie, and the POST alone stores nothing', async () => {
    const b = new Browser(t.origin);
    const token = await tokenOf(b);
    const before = t.store.size;
    assert.ok(acted(await b.post('/act', { _csrf: token })));
    assert.equal(t.store.size, before);
  });

  test('it is refused without its binding cookie, or with another browser’s', async () => {
    const mine = new Browser(t.origin);
    const token = await tokenOf(mine);
    const without = new Browser(t.origin);
    assert.equal((await without.post('/act', { _csrf: token })).status, 403);
    const theirs = new Browser(t.origin);
    await tokenOf(theirs);
    assert.equal((await theirs.post('/act', { _csrf: token })).status, 403);
  });

  test('a malformed binding cookie counts as none: a new one is made, and old tokens fail', async () => {
    const b = new Browser(t.origin);
    const token = await tokenOf(b);
    const binding = b.cookies.get('csrf')!;
    for (const bad of [binding.slice(1), `${binding}A`, `.${binding}`, `${binding}.`]) {
      b.cookies.set('csrf', bad);
      assert.equal((await b.post('/act', { _csrf: token })).status, 403, bad);
      const page = await b.get('/form');
      assert.equal(page.headers.getSetCookie().length, 1, 'a new binding is set');
      assert.notEqual(b.cookies.get('csrf'), bad);
    }
  });

  test('the token must carry its `b.` mark and match exactly', async () => {
    const b = new Browser(t.origin);
    const token = await tokenOf(b);
    const mac = token.slice(2);
    for (const forged of [mac, `x.${mac}`, `${token}A`, token.slice(0, -1), `B.${mac}`]) {
      assert.equal((await b.post('/act', { _csrf: forged })).status, 403, forged);
    }
  });

  test('a synchronizer-shaped token (no session) is refused', async () => {
    const b = new Browser(t.origin);
    await tokenOf(b);
    assert.equal((await b.post('/act', { _csrf: newCsrfToken() })).status, 403);
  });

  test('the newest key signs; older keys still verify (rotation); other keys do not', async () => {
    const old = await startApp({ keys: [OLD_KEY] });
    const rotated = await startApp({ keys: [KEY, OLD_KEY] });
    const other = await startApp({ keys: ['another-key-'.padEnd(40, 'x')] });
    try {
      const b = new Browser(old.origin);
      const oldToken = await tokenOf(b);
      const binding = b.cookies.get('csrf')!;
      const at = (app: TestApp) => {
        const browser = new Browser(app.origin);
        browser.cookies.set('csrf', binding);
        return browser;
      };
      const inRotated = at(rotated);
      assert.ok(acted(await inRotated.post('/act', { _csrf: oldToken })), 'an old key still verifies');
      const newToken = await tokenOf(inRotated);
      assert.notEqual(newToken, oldToken, 'the newest key signs');
      assert.ok(acted(await at(t).post('/act', { _csrf: newToken })), 'made with the newest key');
      assert.equal((await at(other).post('/act', { _csrf: oldToken })).status, 403, 'an unlisted key');
    } finally {
      await Promise.all([old.close(), rotated.close(), other.close()]);
    }
  });

  test('with Secure cookies the binding is `__Host-csrf`, Secure', async () => {
    const secure = await startApp({ secure: true });
    try {
      const b = new Browser(secure.origin);
      const https = { 'x-forwarded-proto': 'https' };
      const page = await b.get('/form', https);
      const [cookie] = page.headers.getSetCookie();
      assert.match(cookie!, /^__Host-csrf=[A-Za-z0-9_-]{43};/);
      assert.match(cookie!, /; secure/);
      assert.match(cookie!, /; path=\//);
      const token = page.body.split(' ')[0]!;
      assert.ok(acted(await b.post('/act', { _csrf: token }, https)));
      b.cookies.set('csrf', b.cookies.get('__Host-csrf')!);
      b.cookies.delete('__Host-csrf');
      assert.equal((await b.post('/act', { _csrf: token }, https)).status, 403, 'not under the plain name');
      assert.equal(csrfCookieName(true), '__Host-csrf');
      assert.equal(csrfCookieName(false), 'csrf');
    } finally {
      await secure.close();
    }
  });

  test('without app keys no double-submit token can be made (nothing would sign it)', () => {
    for (const keys of [undefined, []]) {
      const ctx = {
        app: { keys },
        cookies: { get: () => undefined, set: () => undefined },
      } as unknown as Context;
      assert.throws(() => anonymousCsrfToken(ctx), /CSRF tokens need app\.keys/);
    }
  });

  test('ending the binding clears the cookie; with no binding it sets nothing', async () => {
    const b = new Browser(t.origin);
    const token = await tokenOf(b);
    const cleared = await b.get('/forget');
    assert.match(cleared.headers.getSetCookie().join(), /^csrf=;.*expires=Thu, 01 Jan 1970/);
    assert.equal((await b.post('/act', { _csrf: token })).status, 403);
    const none = await new Browser(t.origin).get('/forget');
    assert.deepEqual(none.headers.getSetCookie(), []);
  });

  test('a form shown with the store down fails closed (503); a page without a form does not', async () => {
    const b = new Browser(t.origin);
    await takeStoreDown();
    try {
      assert.equal((await b.get('/form')).status, 503);
      assert.equal((await b.get('/plain')).status, 200);
    } finally {
      t.store.down = false;
    }
  });

  test('its POST with the store down fails closed (503) before the handler', async () => {
    const b = new Browser(t.origin);
    const token = await tokenOf(b);
    await takeStoreDown();
    try {
      const res = await b.post('/act', { _csrf: token });
      assert.equal(res.status, 503);
      assert.ok(!acted(res));
    } finally {
      t.store.down = false;
    }
  });
});

describe('the synchronizer token of a session', () => {
  test('once there is a session, its token is used, kept in it and stable', async () => {
    const [b, token] = await withSession();
    assert.equal(await tokenOf(b), token);
    assert.ok(acted(await b.post('/act', { _csrf: token })));
  });

  test('another session’s token is refused', async () => {
    const [b] = await withSession();
    const [, theirs] = await withSession();
    assert.equal((await b.post('/act', { _csrf: theirs })).status, 403);
  });

  test('a session not signed in still takes the double-submit token of its browser', async () => {
    const b = new Browser(t.origin);
    const anonymous = await tokenOf(b);
    assert.equal((await b.post('/keep', { _csrf: anonymous })).body, 'kept');
    assert.ok(acted(await b.post('/act', { _csrf: anonymous })));
  });

  test('a signed-in session takes its own token only, never a double-submit one', async () => {
    const b = new Browser(t.origin);
    const anonymous = await tokenOf(b);
    assert.equal((await b.post('/sign-in', { _csrf: anonymous })).body, 'signed in');
    assert.equal((await b.post('/act', { _csrf: anonymous })).status, 403);
    assert.ok(acted(await b.post('/act', { _csrf: await tokenOf(b) })));
  });
});

describe('where the request comes from', () => {
  test('Sec-Fetch-Site other than same-origin or none is refused, even with a valid token', async () => {
    const b = new Browser(t.origin);
    const token = await tokenOf(b);
    for (const site of ['cross-site', 'same-site']) {
      assert.equal((await b.post('/act', { _csrf: token }, { 'sec-fetch-site': site })).status, 403, site);
    }
    for (const site of ['same-origin', 'none']) {
      assert.ok(acted(await b.post('/act', { _csrf: token }, { 'sec-fetch-site': site })), site);
    }
  });

  test('an Origin other than ours is refused; ours and `null` leave it to the token', async () => {
    const b = new Browser(t.origin);
    const token = await tokenOf(b);
    for (const origin of [
      'https://evil.example',
      `${t.origin}.evil.example`,
      t.origin.replace('http', 'https'),
    ]) {
      assert.equal((await b.post('/act', { _csrf: token }, { origin })).status, 403, origin);
    }
    assert.ok(acted(await b.post('/act', { _csrf: token }, { origin: t.origin })));
    assert.ok(acted(await b.post('/act', { _csrf: token }, { origin: 'null' })));
    assert.equal((await b.post('/act', { _csrf: 'b.wrong' }, { origin: 'null' })).status, 403);
  });
});
