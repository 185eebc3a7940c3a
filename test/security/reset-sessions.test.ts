// Finding 12, "a reset typed as the internal username leaves other sessions alive": sessions were found by the
// email only. Each session is now owned under the user's sub, email and internal username, and a reset ends
// every session any of them names, whichever the reset was typed as.
import assert from 'node:assert/strict';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { after, before, describe, test } from 'node:test';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { latestCode } from '../helpers/inbox.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const OLD = 'Old-password-1';
let n = 0;

/** A confirmed user: its email and Cognito's internal username (a UUID, equal to the sub, in local mode). */
async function newUser(): Promise<{ email: string; username: string }> {
  const email = `reset-sessions-${++n}-${Date.now()}@example.com`;
  const admin = adminClient(h.emulator.endpoint);
  await createConfirmedUser(admin, h.pool.userPoolId, email, OLD);
  const user = await admin.send(new AdminGetUserCommand({ UserPoolId: h.pool.userPoolId, Username: email }));
  return { email, username: user.Username! };
}

async function signIn(email: string, password: string): Promise<Browser> {
  const b = h.browser();
  const res = await b.submit('/login', '/login', { username: email, password });
  assert.equal(res.location, '/account', 'signed in');
  return b;
}

/** Asks for a reset code as `typed`, reads it from the user's inbox and sets `password`. */
async function reset(typed: string, email: string, password: string): Promise<void> {
  const b = h.browser();
  const asked = await b.submit('/forgot-password', '/forgot-password', { email: typed });
  assert.equal(asked.location, '/reset-password');
  const page = await b.get('/reset-password');
  const code = await latestCode(h.emulator.endpoint, email, 'FORGOT_PASSWORD');
  const done = await b.post('/reset-password', { _csrf: csrfOf(page.body), code, newPassword: password });
  assert.equal(done.location, '/login?notice=password-changed', 'the reset went through');
}

describe('finding 12: a reset ends the same sessions whichever sign-in name it was typed as', () => {
  test('a reset typed as the internal username (the sub) ends the session signed in by email', async () => {
    const { email, username } = await newUser();
    assert.notEqual(username.toLowerCase(), email.toLowerCase(), 'the internal username is not the email');
    const first = await signIn(email, OLD);
    const second = await signIn(email, OLD);
    assert.equal((await first.get('/account')).status, 200);
    await reset(username, email, 'Brand-new-pass-2');
    assert.equal((await first.get('/account')).status, 302, 'the first session ended');
    assert.equal((await second.get('/account')).status, 302, 'and every other one');
    await signIn(email, 'Brand-new-pass-2');
  });

  test('the same reset typed in capitals, or as the email, ends them too; another user keeps theirs', async () => {
    const { email, username } = await newUser();
    const bystander = await newUser();
    const mine = await signIn(email, OLD);
    const theirs = await signIn(bystander.email, OLD);
    await reset(username.toUpperCase(), email, 'Brand-new-pass-3');
    assert.equal((await mine.get('/account')).status, 302);
    assert.equal((await theirs.get('/account')).status, 200, "another user's session stays");

    const again = await signIn(email, 'Brand-new-pass-3');
    await reset(email.toUpperCase(), email, 'Brand-new-pass-4');
    assert.equal((await again.get('/account')).status, 302);
  });
});
