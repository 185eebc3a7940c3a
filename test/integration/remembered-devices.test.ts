// "Trust this browser": remembered devices with USER_SRP_AUTH, over HTTP against the emulator (whose seeded pool tracks
// devices, remembered on the user's word and then in place of MFA).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { AdminForgetDeviceCommand, AdminListDevicesCommand } from '@aws-sdk/client-cognito-identity-provider';
import { adminClient } from '../helpers/admin.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { countMessages, latestCode } from '../helpers/inbox.ts';
import { enableMfa, makeUser, PASSWORD } from '../helpers/mfa-users.ts';

const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

let h: Harness;
before(async () => {
  h = await startHarness({
    env: { AUTH_FLOW: 'USER_SRP_AUTH', REMEMBER_DEVICES: 'ask', REMEMBER_DEVICE_DAYS: '30' },
  });
});
after(() => h.close());
beforeEach(() => h.emulator.resetCalls());

let phones = 0;
/** A user with SMS MFA on, and the phone number its codes go to. */
async function smsUser(tag: string): Promise<{ email: string; phone: string }> {
  const phone = `+4477009${String(++phones).padStart(5, '0')}`;
  const email = await makeUser(h, tag, phone);
  await enableMfa(h, email, { sms: true });
  return { email, phone };
}

const signIn = (b: Browser, email: string, password = PASSWORD) =>
  b.submit('/login', '/login', { username: email, password });

/** Signs in through the SMS code; `remember` ticks "Trust this browser". Ends on /account. */
async function signInWithCode(b: Browser, user: { email: string; phone: string }, remember: boolean) {
  const start = await signIn(b, user.email);
  assert.equal(start.location, '/mfa', 'the second factor is asked');
  const page = await b.get('/mfa');
  assert.match(page.body, /Trust this browser for 30 days/);
  const code = await latestCode(h.emulator.endpoint, user.phone, 'SMS_MFA');
  const done = await b.post('/mfa', {
    _csrf: csrfOf(page.body),
    code,
    ...(remember ? { remember: 'on' } : {}),
  });
  assert.equal(done.location, '/account');
}

async function signOut(b: Browser): Promise<void> {
  const confirm = await b.get('/logout');
  assert.equal((await b.post('/logout', { _csrf: csrfOf(confirm.body) })).status, 302);
}

async function adminDevices(email: string) {
  const out = await adminClient(h.emulator.endpoint).send(
    new AdminListDevicesCommand({ UserPoolId: h.pool.userPoolId, Username: email }),
  );
  return (out.Devices ?? []).map((d) => ({
    key: d.DeviceKey!,
    status: d.DeviceAttributes?.find((a) => a.Name === 'device_status')?.Value,
    name: d.DeviceAttributes?.find((a) => a.Name === 'device_name')?.Value,
  }));
}

describe('trust this browser', () => {
  test('trusted: signed out and in again, no code is asked (device SRP instead), and refreshes keep working', async () => {
    const user = await smsUser('trusted');
    const b = h.browser();
    await signInWithCode(b, user, true);
    assert.ok(b.cookies.get('device') && b.cookies.get('device.sig'), 'a signed device cookie of its own');
    const [device] = await adminDevices(user.email);
    assert.equal(device?.status, 'remembered');
    await signOut(b);
    const codes = await countMessages(h.emulator.endpoint, user.phone, 'SMS_MFA');
    h.emulator.resetCalls();
    const again = await signIn(b, user.email);
    assert.equal(again.location, '/account', 'no second factor on a trusted browser');
    assert.equal(await countMessages(h.emulator.endpoint, user.phone, 'SMS_MFA'), codes, 'no code sent');
    // PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER.
    assert.equal(h.emulator.callCount('RespondToAuthChallenge'), 3);
    // The access token is refreshed with the device's key (Cognito refuses it without).
    h.clock.advance(61 * 60_000);
    try {
      assert.equal((await b.get('/account')).status, 200);
      assert.equal(h.emulator.callCount('InitiateAuth'), 2, 'the sign-in and one refresh');
    } finally {
      h.clock.advance(-61 * 60_000);
    }
    assert.equal((await adminDevices(user.email)).length, 1, 'still the one device: none added per sign-in');
  });

  test('not ticked: the device is tracked but not trusted, and the code is asked again', async () => {
    const user = await smsUser('untrusted');
    const b = h.browser();
    await signInWithCode(b, user, false);
    assert.equal((await adminDevices(user.email))[0]?.status, 'not_remembered');
    await signOut(b);
    assert.equal((await signIn(b, user.email)).location, '/mfa');
  });

  test('another browser without the device cookie is asked for the code', async () => {
    const user = await smsUser('elsewhere');
    await signInWithCode(h.browser(), user, true);
    assert.equal((await signIn(h.browser(), user.email)).location, '/mfa');
  });

  test('a stolen device cookie alone signs nobody in: the password is still needed', async () => {
    const user = await smsUser('stolen');
    const b = h.browser();
    await signInWithCode(b, user, true);
    const thief = h.browser();
    thief.cookies.set('device', b.cookies.get('device')!);
    thief.cookies.set('device.sig', b.cookies.get('device.sig')!);
    assert.match((await thief.get('/account')).location ?? '', /^\/login/, 'not a session');
    const wrong = await signIn(thief, user.email, 'Wrong-horse-1');
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /Incorrect email address or password/);
    assert.match((await thief.get('/account')).location ?? '', /^\/login/);
  });

  test('a tampered device cookie is ignored: the code is asked, nothing breaks', async () => {
    const user = await smsUser('tampered');
    const b = h.browser();
    await signInWithCode(b, user, true);
    await signOut(b);
    const value = b.cookies.get('device')!;
    for (const [name, forged] of [
      ['device', value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A')],
      ['device.sig', 'forged'],
    ] as const) {
      const other = b.clone();
      other.cookies.set(name, forged);
      assert.equal((await signIn(other, user.email)).location, '/mfa', name);
    }
    assert.equal((await signIn(b, user.email)).location, '/account', 'the real cookie still works');
  });

  test("a device the user's pool no longer knows is dropped: the code is asked, the sign-in goes on", async () => {
    const user = await smsUser('forgotten-at-cognito');
    const b = h.browser();
    await signInWithCode(b, user, true);
    await signOut(b);
    const [device] = await adminDevices(user.email);
    await adminClient(h.emulator.endpoint).send(
      new AdminForgetDeviceCommand({
        UserPoolId: h.pool.userPoolId,
        Username: user.email,
        DeviceKey: device!.key,
      }),
    );
    assert.equal((await signIn(b, user.email)).location, '/mfa');
    // Trusted again from the same request's empty vault: a new cookie, not the dead one, and it works.
    const page = await b.get('/mfa');
    const code = await latestCode(h.emulator.endpoint, user.phone, 'SMS_MFA');
    assert.equal(
      (await b.post('/mfa', { _csrf: csrfOf(page.body), code, remember: 'on' })).location,
      '/account',
    );
    await signOut(b);
    assert.equal((await signIn(b, user.email)).location, '/account', 'trusted again');
  });

  test('a trust that ran out asks for the code again, and its old device is forgotten at Cognito', async () => {
    const user = await smsUser('ran-out');
    const b = h.browser();
    await signInWithCode(b, user, true);
    await signOut(b);
    const [old] = await adminDevices(user.email);
    const DAYS_31 = 31 * 24 * 60 * 60_000;
    h.clock.advance(DAYS_31);
    try {
      await signInWithCode(b, user, true);
    } finally {
      h.clock.advance(-DAYS_31);
    }
    const now = await adminDevices(user.email);
    assert.equal(now.length, 1, 'only the new device is left');
    assert.notEqual(now[0]!.key, old!.key);
    assert.equal(now[0]!.status, 'remembered');
  });

  test('changing the password withdraws the trust of every browser', async () => {
    const user = await smsUser('password-changed');
    const b = h.browser();
    await signInWithCode(b, user, true);
    const form = await b.get('/account/password');
    const changed = await b.post('/account/password', {
      _csrf: csrfOf(form.body),
      currentPassword: PASSWORD,
      newPassword: 'Another-horse-2',
    });
    assert.match(changed.location ?? '', /^\/account\?notice=password-changed/);
    assert.deepEqual(
      (await adminDevices(user.email)).map((d) => d.status),
      ['not_remembered'],
    );
    await signOut(b);
    assert.equal((await signIn(b, user.email, 'Another-horse-2')).location, '/mfa');
  });
});

describe('REMEMBER_DEVICES=always', () => {
  let always: Harness;
  before(async () => {
    always = await startHarness({ env: { AUTH_FLOW: 'USER_SRP_AUTH', REMEMBER_DEVICES: 'always' } });
  });
  after(() => always.close());

  test('only a browser that passed the second factor is trusted: none before MFA was on, no checkbox', async () => {
    const email = await makeUser(always, 'always', '+447700911111');
    const b = always.browser();
    assert.equal((await signIn(b, email)).location, '/account', 'no MFA yet');
    const devices = async () =>
      (
        await adminClient(always.emulator.endpoint).send(
          new AdminListDevicesCommand({ UserPoolId: always.pool.userPoolId, Username: email }),
        )
      ).Devices ?? [];
    const status = (d: { DeviceAttributes?: { Name?: string; Value?: string }[] }) =>
      d.DeviceAttributes?.find((a) => a.Name === 'device_status')?.Value;
    assert.deepEqual((await devices()).map(status), ['not_remembered'], 'no second factor: not trusted');
    await enableMfa(always, email, { sms: true });
    await signOut(b);
    assert.equal((await signIn(b, email)).location, '/mfa', 'a browser never trusted asks for the code');
    const page = await b.get('/mfa');
    assert.doesNotMatch(page.body, /Trust this browser/, 'no question: the configuration answers it');
    const code = await latestCode(always.emulator.endpoint, '+447700911111', 'SMS_MFA');
    assert.equal((await b.post('/mfa', { _csrf: csrfOf(page.body), code })).location, '/account');
    assert.deepEqual((await devices()).map(status), ['remembered']);
    await signOut(b);
    assert.equal((await signIn(b, email)).location, '/account');
  });
});

describe('the devices page', () => {
  test('lists the devices by browser, marks this one, and forgetting it brings the code back', async () => {
    const user = await smsUser('listed');
    const b = h.browser();
    const ua = { 'user-agent': CHROME };
    const start = await b.request(
      'POST',
      '/login',
      new URLSearchParams({
        _csrf: csrfOf((await b.get('/login')).body),
        username: user.email,
        password: PASSWORD,
      }).toString(),
      { 'content-type': 'application/x-www-form-urlencoded', ...ua },
    );
    assert.equal(start.location, '/mfa');
    const mfa = await b.get('/mfa');
    const code = await latestCode(h.emulator.endpoint, user.phone, 'SMS_MFA');
    const done = await b.request(
      'POST',
      '/mfa',
      new URLSearchParams({ _csrf: csrfOf(mfa.body), code, remember: 'on' }).toString(),
      { 'content-type': 'application/x-www-form-urlencoded', ...ua },
    );
    assert.equal(done.location, '/account');
    assert.match((await b.get('/account')).body, /href="\/account\/devices">Your devices</);
    const page = await b.get('/account/devices');
    assert.equal(page.status, 200);
    assert.match(page.body, /Chrome · Linux/);
    assert.match(page.body, /This browser/);
    assert.match(page.body, /Trusted: no code asked/);
    const key = /name="device" value="([^"]+)"/.exec(page.body)![1]!;
    const forgot = await b.post('/account/devices/forget', { _csrf: csrfOf(page.body), device: key });
    assert.equal(forgot.location, '/account/devices?notice=device-forgotten');
    const after = await b.get(forgot.location ?? '');
    assert.match(after.body, /The browser has been forgotten/);
    assert.match(after.body, /No browser is known for your account yet/);
    assert.equal((await adminDevices(user.email)).length, 0);
    await signOut(b);
    assert.equal((await signIn(b, user.email)).location, '/mfa', 'the code is asked again');
  });

  test('forget all, and a malformed device key gets a friendly error', async () => {
    const user = await smsUser('forget-all');
    const one = h.browser();
    const two = h.browser();
    await signInWithCode(one, user, true);
    await signInWithCode(two, user, false);
    const page = await one.get('/account/devices');
    assert.equal((page.body.match(/class="device"/g) ?? []).length, 2);
    const bad = await one.post('/account/devices/forget', { _csrf: csrfOf(page.body), device: '<script>' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /This device is not known/);
    assert.doesNotMatch(bad.body, /<script>/);
    const all = await one.post('/account/devices/forget', { _csrf: csrfOf(page.body), all: 'true' });
    assert.equal(all.location, '/account/devices?notice=devices-forgotten');
    assert.equal((await adminDevices(user.email)).length, 0);
  });

  test('signing out everywhere says trusted browsers stay trusted, and they do (as on Cognito)', async () => {
    const user = await smsUser('everywhere');
    const b = h.browser();
    await signInWithCode(b, user, true);
    const page = await b.get('/account/sign-out-everywhere');
    assert.match(page.body, /Browsers you trusted stay trusted/);
    const out = await b.post('/account/sign-out-everywhere', { _csrf: csrfOf(page.body) });
    assert.equal(out.status, 302);
    assert.equal((await signIn(b, user.email)).location, '/account', 'still trusted');
  });
});
