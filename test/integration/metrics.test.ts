// /metrics for Prometheus: requests by route pattern and status, Cognito calls by operation and outcome.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

test('requests are counted by route pattern and status, Cognito calls by operation and outcome', async () => {
  const b = await h.signedIn();
  await b.get('/account');
  await h
    .browser()
    .submit('/login', '/login', { username: 'nobody@example.com', password: 'Wrong-password-1' });
  await b.get('/no/such/page/12345');
  const res = await h.browser().get('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain/);
  assert.match(res.body, /login_http_requests_total\{method="POST",route="\/login",status="302"\} 1/);
  assert.match(res.body, /login_http_requests_total\{method="GET",route="\/account",status="200"\} 1/);
  assert.match(res.body, /login_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
  assert.doesNotMatch(res.body, /12345/, 'raw paths never become labels');
  assert.match(res.body, /login_cognito_calls_total\{operation="InitiateAuth",outcome="ok"\} 1/);
  assert.match(
    res.body,
    /login_cognito_calls_total\{operation="InitiateAuth",outcome="NotAuthorizedException"\} 1/,
  );
  assert.match(res.body, /login_cognito_call_duration_seconds_count\{operation="InitiateAuth"\} 2/);
  assert.equal(res.headers.getSetCookie().length, 0, 'no session for the scraper');
});

test('with METRICS_TOKEN, /metrics needs the bearer token', async () => {
  const token = 'a-long-metrics-token-123';
  const guarded = await startHarness({ env: { METRICS_TOKEN: token } });
  try {
    assert.equal((await guarded.browser().get('/metrics')).status, 401);
    assert.equal(
      (await guarded.browser().get('/metrics', { authorization: 'Bearer wrong-token-1234567' })).status,
      401,
    );
    assert.equal((await guarded.browser().get('/metrics', { authorization: `Bearer ${token}` })).status, 200);
  } finally {
    await guarded.close();
  }
});
