// Cognito misbehaving (slow, failing, throttling, odd answers): the right page, no session, the next request served.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type { FaultSpec } from '../../src/local-cognito/index.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

/**
 * COGNITO_TIMEOUT_MS here. Every call is held to it, the healthy ones too: on a busy machine a sign-in against the
 * emulator (scrypt) can take several hundred ms, so the deadline is roomy, and the slow fault far beyond it.
 */
const DEADLINE_MS = 2000;
const SLOW_MS = 15_000;
let h: Harness;
before(async () => {
  h = await startHarness({ env: { COGNITO_TIMEOUT_MS: String(DEADLINE_MS) } });
});
after(() => h.close());
beforeEach(() => h.emulator.resetCalls());
afterEach(() => h.emulator.clearFaults());

async function signInAttempt(b: Browser) {
  const page = await b.get('/login');
  const started = performance.now();
  const res = await b.post('/login', {
    _csrf: csrfOf(page.body),
    username: h.pool.demoUser.email,
    password: h.pool.demoUser.password,
  });
  return { res, ms: performance.now() - started };
}

/**
 * Each fault on InitiateAuth, the page and status it must give, and how many calls Cognito may see at most:
 * one retry only after a server error.
 */
const CASES: {
  name: string;
  fault: Omit<FaultSpec, 'operation'>;
  status: number;
  text: RegExp;
  maxCalls: number;
}[] = [
  {
    name: 'Cognito slower than the deadline',
    fault: { delayMs: SLOW_MS },
    status: 503,
    text: /Temporarily unavailable/,
    maxCalls: 1,
  },
  {
    name: 'Cognito answering 500',
    fault: { status: 500 },
    status: 503,
    text: /Temporarily unavailable/,
    maxCalls: 2,
  },
  {
    name: 'InternalErrorException',
    fault: { error: 'InternalErrorException' },
    status: 503,
    text: /Temporarily unavailable/,
    maxCalls: 2,
  },
  // Throttling is never retried: that would only add to the load that caused it.
  { name: 'throttling', fault: { throttle: true }, status: 429, text: /Too many requests/, maxCalls: 1 },
  {
    name: 'an unknown challenge',
    fault: { response: { ChallengeName: 'SOMETHING_NEW', Session: 'x'.repeat(40), ChallengeParameters: {} } },
    status: 302,
    text: /challenge-unsupported/,
    maxCalls: 1,
  },
  {
    name: 'a response with neither tokens nor a challenge',
    fault: { response: { ChallengeParameters: {} } },
    status: 503,
    text: /Temporarily unavailable/,
    maxCalls: 1,
  },
  {
    name: 'tokens that are not JWTs',
    fault: { response: { AuthenticationResult: { IdToken: 'x', AccessToken: 'y', RefreshToken: 'z' } } },
    status: 503,
    text: /Temporarily unavailable/,
    maxCalls: 1,
  },
];

for (const c of CASES) {
  test(`${c.name}: status ${c.status}, no session, the next request is served`, async () => {
    h.emulator.setFault({ operation: 'InitiateAuth', ...c.fault });
    const b = h.browser();
    const { res, ms } = await signInAttempt(b);
    assert.equal(res.status, c.status, res.body.slice(0, 300));
    assert.match(res.body, c.text);
    assert.doesNotMatch(res.body, /at \w+ \(|Error:|eyJ/, 'no stack trace and no token');
    assert.ok(
      h.emulator.callCount('InitiateAuth') <= c.maxCalls,
      `calls: ${h.emulator.callCount('InitiateAuth')}`,
    );
    if (c.fault.delayMs) {
      // The answer comes at the deadline (one retry allowed), long before Cognito's; never before the deadline.
      assert.ok(ms >= DEADLINE_MS - 50, `answered after ${ms} ms, before the deadline`);
      assert.ok(ms < DEADLINE_MS * 2 + 4000, `answered after ${ms} ms`);
    }
    if (c.status === 429 || c.status === 503) assert.ok(Number(res.headers.get('retry-after')) > 0);
    assert.equal((await b.get('/account')).status, 302, 'not signed in');
    h.emulator.clearFaults();
    const next = await signInAttempt(h.browser());
    assert.equal(next.res.status, 302, `the next sign-in works: ${h.logs.slice(-2).join('')}`);
    assert.equal(next.res.location, '/account');
  });
}

test('a failing refresh during an outage answers 503 and keeps the session for later', async () => {
  const b = await h.signedIn();
  h.clock.advance(61 * 60_000);
  try {
    h.emulator.setFault({ operation: 'InitiateAuth', error: 'InternalErrorException' });
    const res = await b.get('/account');
    assert.equal(res.status, 503);
    h.emulator.clearFaults();
    assert.equal((await b.get('/account')).status, 200, 'the session survived the outage');
  } finally {
    h.clock.advance(-61 * 60_000);
  }
});

test('sign-out works even when revocation fails', async () => {
  const b = await h.signedIn();
  h.emulator.setFault({ operation: 'RevokeToken', error: 'InternalErrorException' });
  const confirm = await b.get('/logout');
  const res = await b.post('/logout', { _csrf: csrfOf(confirm.body) });
  assert.equal(res.status, 302);
  assert.equal((await b.get('/account')).status, 302);
});

test('the hosted-UI token endpoint failing gives a friendly page and no session', async () => {
  const hosted = await startHarness({ env: { LOGIN_MODE: 'hosted' } });
  try {
    hosted.emulator.setFault({ operation: 'oauth2/token', status: 502 });
    const b = hosted.browser();
    const start = await b.get('/login');
    const state = new URL(start.location!).searchParams.get('state')!;
    const res = await b.get(`/callback?code=abc&state=${state}`);
    assert.equal(res.status, 503);
    assert.equal((await b.get('/account')).status, 302);
    assert.equal(hosted.emulator.callCount('oauth2/token'), 1);
  } finally {
    await hosted.close();
  }
});
