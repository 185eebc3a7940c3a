// The session middleware on its own: 256-bit ids, the hardened cookie, a new id at regeneration (the old one dead),
// creates versus updates in the store, the idle deadline moved at most once a minute, and a failing store as a 503.
// A small Koa app with the real middleware over a recording memory store, on a loopback port.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Koa, { type Context } from 'koa';
import { HttpError } from '../../src/http-error.ts';
import { MemorySessionStore, type SessionWriteOptions } from '../../src/session/memory-store.ts';
import {
  newSessionId,
  renewSessionId,
  sessionCookieName,
  sessionMiddleware,
  sessionStoreReady,
  TOUCH_INTERVAL_MS,
} from '../../src/session/session-middleware.ts';
import { LocalChanges } from '../../src/session/session-changes.ts';
import { SessionCopies } from '../../src/session/session-copies.ts';
import { Browser } from '../helpers/browser.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const IDLE = 30 * MINUTE;
const ABSOLUTE = 12 * HOUR;

/** A memory store that records what it is asked, and can be taken down (every operation then fails). */
class RecordingStore extends MemorySessionStore {
  readonly gets: string[] = [];
  readonly sets: { key: string; ttl: number; mode: SessionWriteOptions['mode'] }[] = [];
  readonly destroys: string[] = [];
  down = false;
  override get(key: string) {
    this.gets.push(key);
    return this.down ? Promise.reject(new Error('store down')) : super.get(key);
  }
  override set(key: string, session: Record<string, unknown>, ttl: number, options?: SessionWriteOptions) {
    this.sets.push({ key, ttl, mode: options?.mode });
    return this.down ? Promise.reject(new Error('store down')) : super.set(key, session, ttl, options);
  }
  override destroy(key: string) {
    this.destroys.push(key);
    return this.down ? Promise.reject(new Error('store down')) : super.destroy(key);
  }
  clear() {
    this.gets.length = 0;
    this.sets.length = 0;
    this.destroys.length = 0;
  }
}

type Session = Record<string, unknown> & { regenerate(): Promise<void> };

/**
 * Routes: /put?k=v stores a value; /sign-in stores a value, regenerates, then stores another (as a sign-in does);
 * /renew?user= signs in with renewSessionId (as the app's sign-in does); /save-then-renew writes first, then renews;
 * /sign-in-at?at=ms marks the session signed in at that time; /end ends the session; /read shows the session;
 * /ready answers sessionStoreReady; /plant?id= sets a signed session cookie holding any id.
 */
async function startApp(
  settings: {
    secure?: boolean;
    cookieDomain?: string;
    idleTimeoutMs?: number;
    copies?: SessionCopies<string>;
  } = {},
) {
  const app = new Koa({ keys: ['session-unit-test-key-'.padEnd(40, 'k')], proxy: true });
  const store = new RecordingStore({ maxEntries: 100 });
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      ctx.status = err.status;
      ctx.body = `refused: ${err.message}`;
    }
  });
  const cookieName = sessionCookieName(settings.secure ?? false, settings.cookieDomain);
  app.use(
    sessionMiddleware(
      app,
      {
        secure: settings.secure ?? false,
        idleTimeoutMs: settings.idleTimeoutMs ?? IDLE,
        absoluteTimeoutMs: ABSOLUTE,
        cookieDomain: settings.cookieDomain,
      },
      store,
      settings.copies as SessionCopies<unknown> | undefined,
    ),
  );
  app.use(async (ctx: Context) => {
    const session = ctx.session as unknown as Session;
    const q = ctx.query as Record<string, string>;
    switch (ctx.path) {
      case '/put':
        for (const [k, v] of Object.entries(q)) session[k] = v;
        ctx.body = 'put';
        return;
      case '/sign-in':
        session.before = 'regenerate';
        await session.regenerate();
        session.after = 'regenerate';
        ctx.body = 'signed in';
        return;
      case '/sign-in-last':
        session.auth = { user: q.user, groups: ['a'] };
        await session.regenerate();
        ctx.body = 'signed in';
        return;
      case '/sign-in-then-nested':
        session.auth = { user: q.user, groups: ['a'] };
        await session.regenerate();
        (session.auth as { groups: string[] }).groups.push('b');
        ctx.body = 'signed in';
        return;
      case '/renew':
        session.auth = { user: q.user };
        await renewSessionId(ctx);
        ctx.body = 'signed in';
        return;
      case '/save-then-renew':
        session.first = 'saved';
        await session.regenerate();
        session.auth = { user: q.user };
        await renewSessionId(ctx);
        ctx.body = 'signed in';
        return;
      case '/sign-in-at':
        session.auth = { signedInAt: Number(q.at) };
        ctx.body = 'marked';
        return;
      case '/keep':
        settings.copies?.keep(ctx, 'kept', Number.MAX_SAFE_INTEGER);
        ctx.body = 'kept';
        return;
      case '/end':
        ctx.session = null;
        ctx.body = 'ended';
        return;
      case '/ready':
        ctx.body = String(await sessionStoreReady(ctx));
        return;
      case '/plant':
        ctx.cookies.set(cookieName, q.id, { signed: true });
        ctx.body = 'planted';
        return;
      default:
        ctx.body = JSON.stringify(
          Object.fromEntries(Object.entries(session).filter(([k]) => !k.startsWith('_') && k !== 'isNew')),
        );
    }
  });
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store,
    cookieName,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}

let t: Awaited<ReturnType<typeof startApp>>;
before(async () => {
  t = await startApp();
});
after(() => t.close());

const read = async (b: Browser) => JSON.parse((await b.get('/read')).body) as Record<string, unknown>;

describe('ids and cookies', () => {
  test('a session id is 256 random bits, base64url: 43 characters, never repeated', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newSessionId()));
    assert.equal(ids.size, 200);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{43}$/);
  });

  test('the cookie is named for where it may go: __Host- on https, __Secure- when shared with subdomains', () => {
    assert.equal(sessionCookieName(false), 'session');
    assert.equal(sessionCookieName(true), '__Host-session');
    assert.equal(sessionCookieName(true, 'example.com'), '__Secure-session');
    assert.equal(sessionCookieName(false, 'example.com'), '__Secure-session');
  });

  test('the cookie is signed, HttpOnly, SameSite=Lax, host-only, and lasts the absolute lifetime', async () => {
    const b = new Browser(t.origin);
    const res = await b.get('/put?a=1');
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('session='))!;
    assert.ok(session, cookies.join(' | '));
    assert.ok(
      cookies.some((c) => c.startsWith('session.sig=')),
      'signed',
    );
    assert.match(session, /; httponly/);
    assert.match(session, /; samesite=lax/);
    assert.match(session, /; path=\//);
    assert.doesNotMatch(session, /; domain=/);
    assert.doesNotMatch(session, /; secure/);
    const expires = Date.parse(/expires=([^;]+)/.exec(session)![1]!);
    assert.ok(Math.abs(expires - (Date.now() + ABSOLUTE)) < 5000, 'expires with the absolute lifetime');
  });

  test('on https the cookie is __Host-session and Secure; with a domain, __Secure-session for that domain', async () => {
    const secure = await startApp({ secure: true });
    const shared = await startApp({ secure: true, cookieDomain: 'example.test' });
    try {
      const https = { 'x-forwarded-proto': 'https' };
      const own = (await new Browser(secure.origin).get('/put?a=1', https)).headers.getSetCookie();
      assert.match(
        own.find((c) => c.startsWith('__Host-session='))!,
        /; secure/,
      );
      const wide = (await new Browser(shared.origin).get('/put?a=1', https)).headers.getSetCookie();
      const cookie = wide.find((c) => c.startsWith('__Secure-session='))!;
      assert.match(cookie, /; domain=example\.test/);
      assert.match(cookie, /; secure/);
    } finally {
      await Promise.all([secure.close(), shared.close()]);
    }
  });

  test('a signed cookie that is not one of our ids never reaches the store: anonymous', async () => {
    for (const id of ['short', 'x'.repeat(42), 'x'.repeat(44), `${'x'.repeat(42)}.`, `${'x'.repeat(42)} `]) {
      const b = new Browser(t.origin);
      assert.equal((await b.get(`/plant?id=${encodeURIComponent(id)}`)).status, 200);
      assert.ok(b.cookies.get('session.sig'), 'a validly signed cookie');
      t.store.clear();
      assert.deepEqual(await read(b), {}, id);
      assert.deepEqual(t.store.gets, [], `${JSON.stringify(id)} was looked up`);
    }
    const b = new Browser(t.origin);
    await b.get(`/plant?id=${'x'.repeat(43)}`);
    t.store.clear();
    await read(b);
    assert.deepEqual(t.store.gets, ['x'.repeat(43)], 'an id of our shape is looked up');
  });
});

describe('writes', () => {
  test('a visitor who stores nothing costs no write and gets no cookie', async () => {
    t.store.clear();
    const res = await new Browser(t.origin).get('/read');
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.deepEqual(t.store.sets, []);
  });

  test('a new session is created once, under the id in its cookie, kept for the idle timeout', async () => {
    const b = new Browser(t.origin);
    t.store.clear();
    await b.get('/put?a=1');
    const id = b.cookies.get('session')!;
    assert.deepEqual(t.store.sets, [{ key: id, ttl: IDLE, mode: 'create' }]);
    t.store.clear();
    await b.get('/put?b=2');
    assert.deepEqual(t.store.sets, [{ key: id, ttl: IDLE, mode: 'update' }], 'then updated');
    assert.deepEqual(await read(b), { a: '1', b: '2' });
  });

  test('a signed-in session is never kept past its absolute lifetime', async () => {
    const b = new Browser(t.origin);
    await b.get('/put?a=1');
    t.store.clear();
    await b.get(`/sign-in-at?at=${Date.now() - ABSOLUTE + 10 * MINUTE}`);
    const [write] = t.store.sets;
    assert.ok(write && write.ttl <= 10 * MINUTE && write.ttl > 9 * MINUTE, `ttl ${write?.ttl}`);
  });

  test('regenerating gives a new id: created, then updated with what the request did after; the old id is dead', async () => {
    const b = new Browser(t.origin);
    await b.get('/put?a=1');
    const old = b.cookies.get('session')!;
    const copy = b.clone();
    t.store.clear();
    await b.get('/sign-in');
    const id = b.cookies.get('session')!;
    assert.notEqual(id, old);
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(t.store.destroys, [old]);
    assert.deepEqual(
      t.store.sets.map((s) => [s.key, s.mode]),
      [
        [id, 'create'],
        [id, 'update'],
      ],
    );
    assert.deepEqual(await read(b), { a: '1', before: 'regenerate', after: 'regenerate' });
    assert.deepEqual(await read(copy), {}, 'the old cookie resolves to nothing');
    assert.equal(await t.store.get(old), undefined);
  });

  test("a regenerate that is the request's last change writes the session once, under its new id", async () => {
    const b = new Browser(t.origin);
    await b.get('/put?a=1');
    t.store.clear();
    await b.get('/sign-in-last?user=ann');
    const id = b.cookies.get('session')!;
    assert.deepEqual(
      t.store.sets.map((s) => [s.key, s.mode]),
      [[id, 'create']],
    );
    assert.deepEqual(await read(b), { a: '1', auth: { user: 'ann', groups: ['a'] } });
  });

  test("a change after the regenerate, even inside a kept object, is written at the request's end", async () => {
    const b = new Browser(t.origin);
    await b.get('/put?a=1');
    t.store.clear();
    await b.get('/sign-in-then-nested?user=bo');
    const id = b.cookies.get('session')!;
    assert.deepEqual(
      t.store.sets.map((s) => [s.key, s.mode]),
      [
        [id, 'create'],
        [id, 'update'],
      ],
    );
    assert.deepEqual(await read(b), { a: '1', auth: { user: 'bo', groups: ['a', 'b'] } });
  });

  test('renewing a stored session gives it a new id and kills the old one, as regenerating does', async () => {
    const b = new Browser(t.origin);
    await b.get('/put?a=1');
    const old = b.cookies.get('session')!;
    const copy = b.clone();
    t.store.clear();
    await b.get('/renew?user=cy');
    const id = b.cookies.get('session')!;
    assert.notEqual(id, old);
    assert.deepEqual(t.store.destroys, [old]);
    assert.deepEqual(await read(b), { a: '1', auth: { user: 'cy' } });
    assert.deepEqual(await read(copy), {}, 'the old cookie resolves to nothing');
  });

  test('renewing a session made in this request keeps its unseen id: one create, no destroy, no cleared cookie', async () => {
    const b = new Browser(t.origin);
    t.store.clear();
    const res = await b.get('/renew?user=di');
    const id = b.cookies.get('session')!;
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(
      t.store.sets.map((s) => [s.key, s.mode]),
      [[id, 'create']],
    );
    assert.deepEqual(t.store.destroys, [], 'no id to kill: none was ever sent');
    assert.deepEqual(
      res.headers.getSetCookie().map((c) => c.split('=', 1)[0]),
      ['session', 'session.sig'],
      'one cookie and its signature, no clearing of the id first',
    );
    assert.deepEqual(await read(b), { auth: { user: 'di' } });
  });

  test('a planted id that the store does not know is never adopted by a renew', async () => {
    const b = new Browser(t.origin);
    const planted = 'p'.repeat(43);
    await b.get(`/plant?id=${planted}`);
    await b.get('/renew?user=ed');
    const id = b.cookies.get('session')!;
    assert.notEqual(id, planted);
    assert.deepEqual(await read(b), { auth: { user: 'ed' } });
    assert.equal(await t.store.get(planted), undefined);
  });

  test('an id this request already wrote (so sent) is renewed: the second id is the one kept', async () => {
    const b = new Browser(t.origin);
    t.store.clear();
    await b.get('/save-then-renew?user=fa');
    const id = b.cookies.get('session')!;
    const [first] = t.store.sets;
    assert.ok(first && first.key !== id, 'the id written first is not the one kept');
    assert.equal(t.store.destroys.at(-1), first.key, 'the id written first is destroyed');
    assert.equal(await t.store.get(first.key), undefined);
    assert.deepEqual(await read(b), { first: 'saved', auth: { user: 'fa' } });
  });

  test('an ended session is destroyed and its cookie cleared', async () => {
    const b = new Browser(t.origin);
    await b.get('/put?a=1');
    const id = b.cookies.get('session')!;
    const copy = b.clone();
    t.store.clear();
    const res = await b.get('/end');
    assert.deepEqual(t.store.destroys, [id]);
    assert.match(res.headers.getSetCookie().join(), /session=;.*expires=Thu, 01 Jan 1970/);
    assert.deepEqual(await read(copy), {});
  });
});

describe('the idle deadline', () => {
  /** Moves the stored session's last save `ms` into the past, as the idle-timeout flow test does. */
  async function savedAgo(b: Browser, ms: number): Promise<number> {
    const id = b.cookies.get('session')!;
    const stored = (await t.store.get(id))!;
    const expire = (stored._expire as number) - ms;
    await t.store.set(id, { ...stored, _expire: expire }, IDLE);
    t.store.clear();
    return expire;
  }

  test('a request within a minute of the last save writes nothing', async () => {
    const b = new Browser(t.origin);
    await b.get('/put?a=1');
    await savedAgo(b, TOUCH_INTERVAL_MS - 5000);
    const res = await b.get('/read');
    assert.deepEqual(t.store.sets, []);
    assert.deepEqual(res.headers.getSetCookie(), []);
  });

  test('a request a minute or more after the last save moves the deadline: one update for the idle timeout', async () => {
    const b = new Browser(t.origin);
    await b.get('/put?a=1');
    const expire = await savedAgo(b, TOUCH_INTERVAL_MS + 5000);
    await b.get('/read');
    const id = b.cookies.get('session')!;
    assert.deepEqual(t.store.sets, [{ key: id, ttl: IDLE, mode: 'update' }]);
    const stored = (await t.store.get(id))!;
    assert.ok((stored._expire as number) > expire + TOUCH_INTERVAL_MS, 'the cookie expiry moved too');
    assert.equal(typeof stored.seenAt, 'number');
  });
});

describe('a store that fails', () => {
  test('reading, writing or destroying a session is a 503, never a 500 or a silent anonymous', async () => {
    const b = new Browser(t.origin);
    await b.get('/put?a=1');
    t.store.down = true;
    try {
      assert.equal((await b.get('/read')).status, 503, 'read');
      t.store.down = false;
      const writer = new Browser(t.origin);
      t.store.down = true;
      assert.equal((await writer.get('/put?a=1')).status, 503, 'write');
    } finally {
      t.store.down = false;
    }
    const ender = new Browser(t.origin);
    await ender.get('/put?a=1');
    t.store.down = true;
    try {
      assert.equal((await ender.get('/end')).status, 503, 'destroy');
    } finally {
      t.store.down = false;
    }
  });

  test('readiness: a store that answers is ready, trusted for a second; a failure forgets that at once', async () => {
    const app = await startApp();
    try {
      const b = new Browser(app.origin);
      assert.equal((await b.get('/ready')).body, 'true');
      app.store.down = true;
      assert.equal((await b.get('/ready')).body, 'true', 'a good read a moment ago is trusted');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await b.get('/ready')).body, 'false', 'a second later the store is asked again');
      app.store.down = false;
      assert.equal((await b.get('/ready')).body, 'true');
      const stored = new Browser(app.origin);
      await stored.get('/put?a=1');
      app.store.down = true;
      assert.equal((await stored.get('/read')).status, 503);
      assert.equal((await b.get('/ready')).body, 'false', 'a failed operation forgets the last good read');
    } finally {
      app.store.down = false;
      await app.close();
    }
  });

  test('an app without a session store is always ready', async () => {
    const ctx = { app: new Koa() } as unknown as Context;
    assert.equal(await sessionStoreReady(ctx), true);
  });
});

describe('what a read tells the kept copies (protect/fast-path.ts)', () => {
  /** Copies that record each read the middleware reports. */
  class RecordingCopies extends SessionCopies<string> {
    readonly reads: { id: string; epoch: number; touchAt: number }[] = [];
    override loaded(request: object, id: string, epoch: number, touchAt: number): void {
      this.reads.push({ id, epoch, touchAt });
      super.loaded(request, id, epoch, touchAt);
    }
  }

  async function withCopies(idleTimeoutMs = IDLE) {
    const copies = new RecordingCopies(new LocalChanges(), 10);
    const app = await startApp({ copies, idleTimeoutMs });
    return { app, copies };
  }

  /** The stored session's last save, from koa-session's `_expire` (the cookie lives the absolute lifetime). */
  const lastSaveOf = async (app: Awaited<ReturnType<typeof startApp>>, id: string) =>
    ((await app.store.get(id)) as { _expire: number })._expire - ABSOLUTE;

  test('a read session is reported with its id and its next idle-timeout write; a copy is kept for it', async () => {
    const { app, copies } = await withCopies();
    try {
      const b = new Browser(app.origin);
      await b.get('/put?k=v');
      const id = b.cookies.get(app.cookieName)!;
      await b.get('/keep');
      assert.equal(copies.reads.length, 1, 'one read, reported once');
      assert.equal(copies.reads[0]!.id, id);
      assert.equal(copies.reads[0]!.epoch, 0, 'read before any change was heard');
      assert.equal(copies.reads[0]!.touchAt, (await lastSaveOf(app, id)) + TOUCH_INTERVAL_MS);
      assert.equal(copies.get(id, 0), 'kept');
    } finally {
      await app.close();
    }
  });

  test('with an idle timeout under a minute, the next write is due at the idle timeout', async () => {
    const { app, copies } = await withCopies(20_000);
    try {
      const b = new Browser(app.origin);
      await b.get('/put?k=v');
      const id = b.cookies.get(app.cookieName)!;
      await b.get('/read');
      assert.equal(copies.reads[0]!.touchAt, (await lastSaveOf(app, id)) + 20_000);
    } finally {
      await app.close();
    }
  });

  test('nothing is reported for a visitor without a session, a malformed id, or a stored value without _expire', async () => {
    const { app, copies } = await withCopies();
    try {
      await new Browser(app.origin).get('/read');
      const planted = new Browser(app.origin);
      await planted.get('/plant?id=not-a-session-id');
      await planted.get('/read');
      const foreign = 'f'.repeat(43);
      await app.store.set(foreign, { owners: ['x'] }, 60_000);
      const b = new Browser(app.origin);
      await b.get(`/plant?id=${foreign}`);
      await b.get('/keep');
      assert.deepEqual(copies.reads, []);
      assert.equal(copies.get(foreign, 0), undefined);
    } finally {
      await app.close();
    }
  });
});
