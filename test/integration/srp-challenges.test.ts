// The sign-in challenge suites again, with the password proved by SRP (AUTH_FLOW=USER_SRP_AUTH) instead of sent:
// every later step (each MFA challenge, choosing a method, setting one up, a new password) works exactly as with the
// password flow. The suites themselves: login.test.ts, mfa.test.ts, mfa-setup.test.ts (their harnesses read
// HARNESS_AUTH_FLOW when they start).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHarness } from '../helpers/harness.ts';

process.env.HARNESS_AUTH_FLOW = 'USER_SRP_AUTH';
await import('./login.test.ts');
await import('./mfa.test.ts');
await import('./mfa-setup.test.ts');

test('the suites above really sign in with SRP: no password reaches Cognito, a PASSWORD_VERIFIER answer does', async () => {
  const h = await startHarness();
  try {
    assert.equal(h.config.signIn.authFlow, 'USER_SRP_AUTH');
    const b = await h.signedIn();
    assert.equal((await b.get('/account')).status, 200);
    assert.equal(h.emulator.callCount('InitiateAuth'), 1);
    assert.equal(h.emulator.callCount('RespondToAuthChallenge'), 1, 'the PASSWORD_VERIFIER answer');
  } finally {
    await h.close();
  }
});
