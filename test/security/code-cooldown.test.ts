// Finding 10, "resend cooldown per browser": a fresh cookie per request got 5 codes sent in under 5 seconds. Codes
// (sign-up, resend, recovery, MFA) now have a cooldown and an hourly cap per destination and per client address,
// whatever browser asks, counted in the limiter backend: across instances on Redis too.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import {
  challenge,
  FAKE_PASSWORD,
  JANE,
  startFakeHarness,
  type FakeHarness,
} from '../helpers/fake-harness.ts';
import {
  startInstance,
  startSharedEmulator,
  type Instance,
  type SharedEmulator,
} from '../helpers/instances.ts';
import { cleanUp, redisSkipReason, requireRedis, testRedis, uniquePrefix } from '../helpers/redis.ts';

const PASSWORD = 'Sunny-day-42';
let n = 0;
const newEmail = (tag: string) => `${tag}-${++n}-${Date.now()}@example.com`;
let clients = 0;
/** A client address of its own per test (the proxy's X-Forwarded-For, trusted with TRUST_PROXY=1). */
const newClient = () => `198.51.100.${++clients}`;

/** A form posted from a new browser (a fresh cookie jar) at `client`: GET its page, then POST with the token. */
async function fresh(
  h: { browser(): Browser },
  client: string,
  page: string,
  action: string,
  form: Record<string, string>,
): Promise<{ res: Page; b: Browser }> {
  const b = h.browser();
  const shown = await b.get(page, { 'x-forwarded-for': client });
  const res = await b.post(action, { _csrf: csrfOf(shown.body), ...form }, { 'x-forwarded-for': client });
  return { res, b };
}

/** Refused by a code limit: 429, Retry-After, the form's own message; not the limiter's error page. */
function assertCodeRefused(res: Page, what: string): void {
  assert.equal(res.status, 429, what);
  assert.ok(Number(res.headers.get('retry-after')) >= 1, `${what}: Retry-After`);
  assert.match(res.body, /Please wait \d+ seconds before asking for another code|Too many attempts/, what);
}

describe('finding 10: code cooldowns and caps per destination and client address, not per browser', () => {
  let h: FakeHarness;
  before(async () => {
    // The default account limit (10: one code per cooldown, five an hour per kind and address); a client address
    // may ask for five codes an hour. Each test comes from its own address through one trusted proxy.
    h = await startFakeHarness({
      env: { TRUST_PROXY: '1', RATE_LIMIT_PER_ACCOUNT: '10', RATE_LIMIT_PER_IP: '5' },
    });
  });
  after(() => h.close());
  beforeEach(() => {
    h.cognito.reset();
    h.cognito.on('signUp', { confirmed: false, session: 'sign-up-session' });
    h.cognito.on('resendConfirmationCode', undefined);
    h.cognito.on('forgotPassword', undefined);
  });

  test('resend: five new browsers in a row get one code for an address; the rest wait, Cognito not asked', async () => {
    const client = newClient();
    const email = newEmail('resend');
    const results: Page[] = [];
    for (let i = 0; i < 5; i++) {
      results.push((await fresh(h, client, '/confirm', '/confirm/resend', { email })).res);
    }
    assert.equal(results[0]!.status, 302);
    assert.equal(results[0]!.location, '/confirm?notice=resent');
    for (const [i, res] of results.slice(1).entries()) assertCodeRefused(res, `resend ${i + 2}`);
    assert.deepEqual(h.cognito.argsOf('resendConfirmationCode'), [[email]]);
  });

  test('recovery: five new browsers in a row get one reset code for an address, known or not alike', async () => {
    for (const email of [JANE.email!, newEmail('nobody')]) {
      const client = newClient();
      h.cognito.resetCalls();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { res } = await fresh(h, client, '/forgot-password', '/forgot-password', { email });
        statuses.push(res.status);
        if (i > 0) assertCodeRefused(res, `${email}: reset ${i + 1}`);
      }
      assert.deepEqual(statuses, [302, 429, 429, 429, 429], email);
      assert.equal(h.cognito.callCount('forgotPassword'), 1, email);
    }
  });

  test('sign-up sends a code: a resend from a new browser right after it waits too', async () => {
    const client = newClient();
    const email = newEmail('signup');
    const { res } = await fresh(h, client, '/signup', '/signup', {
      email,
      name: 'Jane Doe',
      password: PASSWORD,
    });
    assert.equal(res.location, '/confirm');
    const again = await fresh(h, client, '/confirm', '/confirm/resend', { email });
    assertCodeRefused(again.res, 'resend after sign-up');
    const signUpAgain = await fresh(h, client, '/signup', '/signup', {
      email,
      name: 'Jane Doe',
      password: PASSWORD,
    });
    assertCodeRefused(signUpAgain.res, 'sign-up again');
    assert.equal(h.cognito.callCount('signUp'), 1);
    assert.equal(h.cognito.callCount('resendConfirmationCode'), 0);
  });

  test('MFA codes: choosing email at sign-in in new browsers sends one code per cooldown', async () => {
    const select = challenge('SELECT_MFA_TYPE', {
      USER_ID_FOR_SRP: JANE.username,
      MFAS_CAN_CHOOSE: JSON.stringify(['SOFTWARE_TOKEN_MFA', 'EMAIL_OTP']),
    });
    h.cognito.on('signInWithPassword', select);
    h.cognito.on('respondToChallenge', challenge('EMAIL_OTP', { CODE_DELIVERY_DESTINATION: 'j***@e***' }));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      // From other addresses as well: the destination (the account's) is what is counted.
      const client = newClient();
      const { res: signedIn, b } = await fresh(h, client, '/login', '/login', {
        username: JANE.email!,
        password: FAKE_PASSWORD,
      });
      assert.equal(signedIn.location, '/mfa/select');
      const page = await b.get('/mfa/select', { 'x-forwarded-for': client });
      const chosen = await b.post(
        '/mfa/select',
        { _csrf: csrfOf(page.body), method: 'EMAIL_OTP' },
        { 'x-forwarded-for': client },
      );
      statuses.push(chosen.status);
      if (i > 0) assertCodeRefused(chosen, `choice ${i + 1}`);
    }
    assert.deepEqual(statuses, [302, 429, 429]);
    assert.equal(h.cognito.callCount('respondToChallenge'), 1, 'Cognito sent one code');
  });

  test('after each cooldown another code, but five an hour per address and kind at most', async () => {
    const email = newEmail('hourly');
    const results: Page[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        // A new browser from a new address each time: only the destination is the same.
        results.push((await fresh(h, newClient(), '/confirm', '/confirm/resend', { email })).res);
        h.clock.advance(61_000);
      }
    } finally {
      h.clock.advance(-6 * 61_000);
    }
    assert.deepEqual(
      results.map((r) => r.status),
      [302, 302, 302, 302, 302, 429],
    );
    assertCodeRefused(results[5]!, 'the sixth code within the hour');
    assert.match(results[5]!.body, /Too many attempts/);
    assert.equal(h.cognito.callCount('resendConfirmationCode'), 5);
  });

  test('one client address gets five codes an hour, whatever addresses and forms it uses', async () => {
    const client = newClient();
    const sends = [
      () => fresh(h, client, '/signup', '/signup', { email: newEmail('ip'), name: 'A', password: PASSWORD }),
      () => fresh(h, client, '/signup', '/signup', { email: newEmail('ip'), name: 'B', password: PASSWORD }),
      () => fresh(h, client, '/forgot-password', '/forgot-password', { email: newEmail('ip') }),
      () => fresh(h, client, '/forgot-password', '/forgot-password', { email: newEmail('ip') }),
      () => fresh(h, client, '/confirm', '/confirm/resend', { email: newEmail('ip') }),
      () => fresh(h, client, '/forgot-password', '/forgot-password', { email: newEmail('ip') }),
    ];
    const statuses: number[] = [];
    for (const send of sends) statuses.push((await send()).res.status);
    // Each form's own per-address limit (RATE_LIMIT_PER_IP a window) is not reached: three at most per form.
    assert.deepEqual(statuses, [302, 302, 302, 302, 302, 429]);
    assert.equal(h.cognito.callCount('forgotPassword'), 2, 'the sixth code was not asked for');
    // Another client is not held back by this one.
    const other = await fresh(h, newClient(), '/forgot-password', '/forgot-password', {
      email: newEmail('ip'),
    });
    assert.equal(other.res.status, 302);
  });
});

const skip = await redisSkipReason();

describe('finding 10 across instances: the cooldown holds on another instance (Redis)', { skip }, () => {
  let shared: SharedEmulator;
  let a: Instance;
  let b: Instance;
  let redis: Redis;
  const prefix = uniquePrefix('code-cooldown');

  before(async () => {
    await requireRedis();
    shared = await startSharedEmulator();
    const env = { RATE_LIMIT_PER_ACCOUNT: '10', RATE_LIMIT_PER_IP: '100000' };
    a = await startInstance({ shared, keyPrefix: prefix, env });
    b = await startInstance({ shared, keyPrefix: prefix, env });
    redis = testRedis();
  });
  after(async () => {
    for (const i of [a, b]) await i?.close();
    await shared?.emulator.close();
    if (redis) await cleanUp(redis, prefix);
  });

  test('a reset code asked on one instance: a new browser on the other waits', async () => {
    const email = newEmail('instances');
    shared.emulator.resetCalls();
    const first = await a.browser().submit('/forgot-password', '/forgot-password', { email });
    assert.equal(first.location, '/reset-password');
    const second = await b.browser().submit('/forgot-password', '/forgot-password', { email });
    assertCodeRefused(second, 'on the other instance');
    assert.equal(shared.emulator.callCount('ForgotPassword'), 1);
  });
});
