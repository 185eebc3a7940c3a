// Forgotten and reset passwords over HTTP against the emulator, reading codes from /_local/messages. Which error
// lands where, the sessions a reset ends and CSRF: test/flows/recovery.test.ts, through a scripted fake.
import assert from 'node:assert/strict';
import { AdminResetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { after, before, beforeEach, describe, test } from 'node:test';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { countMessages, latestCode } from '../helpers/inbox.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());
beforeEach(() => h.emulator.resetCalls());

const OLD = 'Old-password-1';
const NEW = 'Brand-new-pass-2';
let n = 0;
async function newUser(tag: string): Promise<string> {
  const email = `${tag}-${++n}-${Date.now()}@example.com`;
  await createConfirmedUser(adminClient(h.emulator.endpoint), h.pool.userPoolId, email, OLD);
  return email;
}
const signIn = (b: Browser, username: string, password: string) =>
  b.submit('/login', '/login', { username, password });

describe('forgot and reset password', () => {
  test('forgot, reset, sign in with the new password; the old one is refused; not signed in automatically', async () => {
    const email = await newUser('reset');
    const b = h.browser();
    const asked = await b.submit('/forgot-password', '/forgot-password', { email });
    assert.equal(asked.status, 302);
    assert.equal(asked.location, '/reset-password');
    const page = await b.get('/reset-password');
    assert.match(page.body, /If an account exists for r\*\*\*@e\*\*\*\.com, we sent it a code/);
    assert.match(page.body, /autocomplete="one-time-code"/);
    assert.match(page.body, /autocomplete="new-password"/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');

    const code = await latestCode(h.emulator.endpoint, email, 'FORGOT_PASSWORD');
    const done = await b.post('/reset-password', { _csrf: csrfOf(page.body), code, newPassword: NEW });
    assert.equal(done.status, 302);
    assert.equal(done.location, '/login?notice=password-changed');
    assert.equal((await b.get('/account')).status, 302, 'a reset does not sign you in');
    const login = await b.get(done.location);
    assert.match(login.body, /Your password has been changed/);

    assert.equal((await signIn(h.browser(), email, OLD)).status, 401);
    assert.equal((await signIn(h.browser(), email, NEW)).location, '/account');
  });

  test('an unknown account gets the very same pages, and no message is sent', async () => {
    const known = await newUser('known');
    const unknown = known.replace('known-', 'knowx-');
    const [a, b] = [h.browser(), h.browser()];
    const ra = await a.submit('/forgot-password', '/forgot-password', { email: known });
    const rb = await b.submit('/forgot-password', '/forgot-password', { email: unknown });
    assert.equal(ra.status, rb.status);
    assert.equal(ra.location, rb.location);
    const strip = (s: string) => s.replace(/name="_csrf" value="[^"]+"/g, '');
    const [pa, pb] = [await a.get('/reset-password'), await b.get('/reset-password')];
    assert.equal(strip(pa.body), strip(pb.body));
    assert.equal(await countMessages(h.emulator.endpoint, unknown, 'FORGOT_PASSWORD'), 0);
    const [wa, wb] = [
      await a.post('/reset-password', { _csrf: csrfOf(pa.body), code: '123456', newPassword: NEW }),
      await b.post('/reset-password', { _csrf: csrfOf(pb.body), code: '123456', newPassword: NEW }),
    ];
    assert.equal(wa.status, wb.status);
    assert.equal(strip(wa.body), strip(wb.body));
  });

  test('Cognito demanding a reset at sign-in sends a code and goes to the reset page', async () => {
    const email = await newUser('required');
    await adminClient(h.emulator.endpoint).send(
      new AdminResetUserPasswordCommand({ UserPoolId: h.pool.userPoolId, Username: email }),
    );
    const b = h.browser();
    const before = await countMessages(h.emulator.endpoint, email, 'FORGOT_PASSWORD');
    const res = await signIn(b, email, OLD);
    assert.equal(res.location, '/reset-password');
    const page = await b.get('/reset-password');
    assert.match(page.body, /You need to choose a new password/);
    assert.equal(await countMessages(h.emulator.endpoint, email, 'FORGOT_PASSWORD'), before + 1);
    const code = await latestCode(h.emulator.endpoint, email, 'FORGOT_PASSWORD');
    await b.post('/reset-password', { _csrf: csrfOf(page.body), code, newPassword: NEW });
    assert.equal((await signIn(h.browser(), email, NEW)).location, '/account');
  });
});
