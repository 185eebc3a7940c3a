// Finding 4, "a stolen cookie comes back to life": requests in flight with a cookie while its owner signs out or
// resets the password elsewhere must not write the session back, on every store. Cognito is a scripted fake; a
// request is held open on a slow token refresh or a slow store read while the session is destroyed.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Koa from 'koa';
import { Browser, csrfOf } from '../helpers/browser.ts';
import { JANE, startFakeHarness, type FakeHarness } from '../helpers/fake-harness.ts';
import {
  cleanUp,
  redisSkipReason,
  requireRedis,
  TEST_REDIS_URL,
  testRedis,
  uniquePrefix,
} from '../helpers/redis.ts';
import { MemorySessionStore } from '../../src/session/memory-store.ts';
import { sessionMiddleware } from '../../src/session/session-middleware.ts';

const redisSkip = await redisSkipReason();

/** A promise the test settles when it wants the held request to go on. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !condition();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const HOUR = 3_600_000;

interface StoreCase {
  name: string;
  skip: string | undefined;
  env: () => Record<string, string>;
  cleanUp: () => Promise<void>;
}

const redisPrefix = uniquePrefix('revival');
const STORES: readonly StoreCase[] = [
  { name: 'memory store', skip: undefined, env: () => ({}), cleanUp: () => Promise.resolve() },
  {
    name: 'Redis store',
    skip: redisSkip,
    env: () => ({ SESSION_STORE: 'redis', REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redisPrefix }),
    cleanUp: () => cleanUp(testRedis(), redisPrefix),
  },
];

for (const store of STORES) {
  describe(`finding 4, a stolen cookie comes back to life (${store.name})`, { skip: store.skip }, () => {
    let h: FakeHarness;
    before(async () => {
      if (store.skip === undefined && store.name.startsWith('Redis')) await requireRedis();
      h = await startFakeHarness({ env: store.env() });
    });
    after(async () => {
      await h?.close();
      await store.cleanUp();
    });

    /**
     * The stolen copy's request is in flight on a token refresh that Cognito holds (its access token is due), while
     * `destroy` ends the session; then Cognito answers, with fresh tokens.
     */
    async function inFlightDuring(thief: Browser, destroy: () => Promise<void>): Promise<void> {
      const refreshing = gate();
      h.cognito.on('refresh', async () => {
        await refreshing.promise;
        return h.tokens.issue(JANE, { refresh: false });
      });
      h.clock.advance(HOUR);
      const refreshesBefore = h.cognito.callCount('refresh');
      const inFlight = thief.get('/account');
      await until(() => h.cognito.callCount('refresh') > refreshesBefore, 'the refresh to reach Cognito');
      await destroy();
      refreshing.open();
      const answered = await inFlight;
      assert.ok(answered.status < 500, `the request in flight answered ${answered.status}`);
    }

    async function assertDead(thief: Browser, id: string): Promise<void> {
      assert.equal(await h.store.get(id), undefined, 'the destroyed session was written back');
      const later = await thief.get('/account');
      assert.equal(later.status, 302, 'the stolen cookie signs nobody in');
      assert.match(later.location ?? '', /^\/login\?/);
    }

    test('sign-out while a stolen copy waits on a token refresh: the session is not written back', async () => {
      h.cognito.on('revokeRefreshToken', undefined);
      const owner = await h.signedIn();
      const thief = owner.clone();
      const id = owner.cookies.get('session')!;
      const confirm = await owner.get('/logout');
      await inFlightDuring(thief, async () => {
        const out = await owner.post('/logout', { _csrf: csrfOf(confirm.body) });
        assert.equal(out.status, 302);
      });
      await assertDead(thief, id);
    });

    test('a password reset in another browser while a stolen copy waits on a token refresh: not written back', async () => {
      h.cognito.on('revokeRefreshToken', undefined);
      h.cognito.on('forgotPassword', undefined);
      h.cognito.on('confirmForgotPassword', undefined);
      const owner = await h.signedIn();
      const thief = owner.clone();
      const id = owner.cookies.get('session')!;
      const resetting = h.browser();
      const asked = await resetting.submit('/forgot-password', '/forgot-password', { email: JANE.email! });
      assert.equal(asked.location, '/reset-password');
      const form = await resetting.get('/reset-password');
      await inFlightDuring(thief, async () => {
        const done = await resetting.post('/reset-password', {
          _csrf: csrfOf(form.body),
          code: '123456',
          newPassword: 'Brand-new-pass-2',
        });
        assert.equal(done.status, 302);
        assert.match(done.location ?? '', /password-changed/);
      });
      await assertDead(thief, id);
    });

    test('sign-out while a stolen copy is held on a slow store read: its idle-deadline write is refused', async () => {
      h.cognito.on('revokeRefreshToken', undefined);
      const owner = await h.signedIn();
      const thief = owner.clone();
      const id = owner.cookies.get('session')!;
      const confirm = await owner.get('/logout');
      const stored = (await h.store.get(id))!;
      // As if the last save was two minutes ago: the next request pushes the idle deadline back (a store write).
      await h.store.set(id, { ...stored, _expire: (stored._expire as number) - 120_000 }, 60_000);

      const reading = gate();
      let held = false;
      let writes = 0;
      const get = h.store.get.bind(h.store);
      const set = h.store.set.bind(h.store);
      h.store.set = (key, ...rest) => {
        if (key === id) writes++;
        return set(key, ...rest);
      };
      h.store.get = async (key) => {
        const value = await get(key);
        if (key === id && !held) {
          held = true;
          await reading.promise;
        }
        return value;
      };
      try {
        const inFlight = thief.get('/account');
        await until(() => held, 'the slow read');
        const out = await owner.post('/logout', { _csrf: csrfOf(confirm.body) });
        assert.equal(out.status, 302);
        reading.open();
        const answered = await inFlight;
        assert.equal(answered.status, 200, 'the request in flight was served as it was loaded');
        assert.equal(writes, 1, 'and it tried to write the session (its idle deadline)');
      } finally {
        h.store.get = get;
        h.store.set = set;
      }
      await assertDead(thief, id);
    });
  });
}

// The rule every store keeps, checked on each store directly (memory, Redis, DynamoDB), is in the shared store
// contract: test/helpers/store-contract.ts, run by test/integration/session-stores.test.ts.

describe('finding 4, the write rule keeps what a request itself saves', () => {
  test('a change after a regenerate in the same request is kept: the new id is created once, then updated', async () => {
    const app = new Koa({ keys: ['revival-test-key-'.padEnd(40, 'k')] });
    const store = new MemorySessionStore({ maxEntries: 100 });
    app.use(
      sessionMiddleware(
        app,
        { secure: false, idleTimeoutMs: 60_000, absoluteTimeoutMs: HOUR, cookieDomain: undefined },
        store,
      ),
    );
    app.use(async (ctx) => {
      const session = ctx.session as unknown as Record<string, unknown> & { regenerate(): Promise<void> };
      if (ctx.path === '/start') {
        session.step = 'before';
        await session.regenerate();
        session.after = 'kept';
        ctx.body = 'started';
      } else {
        ctx.body = JSON.stringify({ step: session.step, after: session.after });
      }
    });
    const handle = app.callback();
    const server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const b = new Browser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      assert.equal((await b.get('/start')).status, 200);
      assert.deepEqual(JSON.parse((await b.get('/read')).body), { step: 'before', after: 'kept' });
    } finally {
      server.close();
      await store.close();
    }
  });
});
