// Two instances sharing Redis and one emulator: sessions, sign-out, resets and rate limits hold across both.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { latestCode } from '../helpers/inbox.ts';
import {
  startInstance,
  startSharedEmulator,
  type Instance,
  type SharedEmulator,
} from '../helpers/instances.ts';
import {
  cleanUp,
  keysUnder,
  redisSkipReason,
  requireRedis,
  testRedis,
  uniquePrefix,
} from '../helpers/redis.ts';

const skip = await redisSkipReason();

describe('two instances on one Redis', { skip }, () => {
  let shared: SharedEmulator;
  let a: Instance;
  let b: Instance;
  let redis: Redis;
  const prefix = uniquePrefix('instances');
  const extra: Instance[] = [];
  // Limits high enough for the suite, except where a test starts instances with its own.
  const generous = { RATE_LIMIT_PER_IP: '100000', RATE_LIMIT_PER_ACCOUNT: '100000' };

  before(async () => {
    await requireRedis();
    shared = await startSharedEmulator();
    a = await startInstance({ shared, keyPrefix: prefix, env: generous });
    b = await startInstance({ shared, keyPrefix: prefix, env: generous });
    redis = testRedis();
  });
  after(async () => {
    for (const i of [a, b, ...extra]) await i?.close();
    await shared?.emulator.close();
    if (redis) await cleanUp(redis, prefix);
  });

  const demo = () => ({ username: shared.pool.demoUser.email, password: shared.pool.demoUser.password });
  async function signIn(on: Instance, form = demo()): Promise<Browser> {
    const browser = on.browser();
    const res = await browser.submit('/login', '/login', form);
    assert.equal(res.status, 302, `sign-in answered ${res.status}`);
    assert.equal(res.location, '/account');
    return browser;
  }
  let users = 0;
  async function newUser(password: string): Promise<string> {
    const email = `instances-${++users}-${Date.now()}@example.com`;
    await createConfirmedUser(adminClient(shared.emulator.endpoint), shared.pool.userPoolId, email, password);
    return email;
  }

  test('signed in on A, the cookie works on B', async () => {
    const onA = await signIn(a);
    const onB = b.adopt(onA);
    const account = await onB.get('/account');
    assert.equal(account.status, 200);
    assert.match(account.body, /demo@example\.com/);
  });

  test('signed out on B, the cookie is dead on A', async () => {
    const onA = await signIn(a);
    const copy = onA.clone();
    const onB = b.adopt(onA);
    const confirm = await onB.get('/logout');
    const out = await onB.post('/logout', { _csrf: csrfOf(confirm.body) });
    assert.equal(out.status, 302);
    const stale = await copy.get('/account');
    assert.equal(stale.status, 302, 'the copied cookie no longer signs anyone in on A');
    assert.match(stale.location!, /^\/login\?/);
  });

  test('sessions live in Redis under the prefix, expire with the idle timeout, and no key names a person', async () => {
    await signIn(a);
    const keys = await keysUnder(redis, prefix);
    const sessions = keys.filter((k) => k.startsWith(`${prefix}sess:`));
    assert.ok(sessions.length > 0);
    // koa-session asks external stores to keep a session 10 s past its cookie.
    const idleMs = a.config.session.idleTimeoutMs + 10_000;
    for (const key of sessions) {
      const ttl = await redis.pttl(key);
      assert.ok(ttl > 0 && ttl <= idleMs, `TTL ${ttl} of ${key}`);
    }
    const owners = keys.filter((k) => k.startsWith(`${prefix}owner:`));
    assert.ok(owners.length > 0, 'an owner index per user');
    for (const key of owners) assert.ok((await redis.pttl(key)) > 0, `owner set ${key} expires`);
    assert.ok(!keys.some((k) => /@|example\.com/.test(k)), 'no email address in a key');
  });

  test('a password reset on B ends the sessions the user has on A', async () => {
    const email = await newUser('Old-password-1');
    const onA = await signIn(a, { username: email, password: 'Old-password-1' });
    const asking = b.browser();
    await asking.submit('/forgot-password', '/forgot-password', { email });
    const code = await latestCode(shared.emulator.endpoint, email, 'FORGOT_PASSWORD');
    const done = await asking.submit('/reset-password', '/reset-password', {
      code,
      newPassword: 'Brand-new-pass-2',
    });
    assert.equal(done.location, '/login?notice=password-changed');
    assert.equal((await onA.get('/account')).status, 302, 'the session on A ended');
  });

  test('an instance restarted keeps every session', async () => {
    const browsers = [await signIn(a), await signIn(a), await signIn(b)];
    await a.close();
    a = await startInstance({ shared, keyPrefix: prefix, env: generous });
    for (const browser of browsers) {
      const account = await a.adopt(browser).get('/account');
      assert.equal(account.status, 200);
      assert.match(account.body, /demo@example\.com/);
    }
  });

  test('the per-account limit counts across both instances, and then Cognito is not called', async () => {
    const limits = { RATE_LIMIT_PER_ACCOUNT: '3', RATE_LIMIT_PER_IP: '100000' };
    const [c, d] = [
      await startInstance({ shared, keyPrefix: prefix, env: limits }),
      await startInstance({ shared, keyPrefix: prefix, env: limits }),
    ];
    extra.push(c, d);
    const email = await newUser('Right-password-1');
    const attempt = (on: Instance) =>
      on.browser().submit('/login', '/login', { username: email, password: 'Wrong-password-1' });
    shared.emulator.resetCalls();
    assert.equal((await attempt(c)).status, 401);
    assert.equal((await attempt(d)).status, 401);
    assert.equal((await attempt(c)).status, 401);
    assert.equal(shared.emulator.callCount('InitiateAuth'), 3);
    for (const on of [d, c]) {
      const refused = await attempt(on);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) > 0, 'Retry-After');
      assert.match(refused.body, /Too many requests/);
    }
    assert.equal(shared.emulator.callCount('InitiateAuth'), 3, 'no Cognito call once limited');
    // The limit is the account's: another one still signs in.
    const other = await newUser('Right-password-1');
    const res = await c
      .browser()
      .submit('/login', '/login', { username: other, password: 'Right-password-1' });
    assert.equal(res.status, 302);
  });

  test('the per-IP limit counts across both instances, with the address the proxy saw', async () => {
    const limits = { RATE_LIMIT_PER_IP: '3', RATE_LIMIT_PER_ACCOUNT: '100000', TRUST_PROXY: '1' };
    const [c, d] = [
      await startInstance({ shared, keyPrefix: prefix, env: limits }),
      await startInstance({ shared, keyPrefix: prefix, env: limits }),
    ];
    extra.push(c, d);
    const client = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    let n = 0;
    const attempt = (on: Instance, forwardedFor: string) => {
      const browser = on.browser();
      return browser
        .get('/login')
        .then((page) =>
          browser.post(
            '/login',
            { _csrf: csrfOf(page.body), username: `ip-${++n}@example.com`, password: 'Wrong-password-1' },
            { 'x-forwarded-for': forwardedFor },
          ),
        );
    };
    shared.emulator.resetCalls();
    assert.equal((await attempt(c, client)).status, 401);
    assert.equal((await attempt(d, client)).status, 401);
    assert.equal((await attempt(c, client)).status, 401);
    // A client cannot escape by putting another address first: only the proxy's own entry counts.
    assert.equal((await attempt(d, `203.0.113.7, ${client}`)).status, 429);
    assert.equal(shared.emulator.callCount('InitiateAuth'), 3);
    assert.equal((await attempt(c, '198.51.100.251')).status === 429, false, 'another client is not limited');
  });
});
