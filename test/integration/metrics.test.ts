// /metrics for Prometheus: requests by route pattern and status, Cognito calls by operation and coarse outcome;
// behind METRICS_TOKEN on the app, or on a listener of its own (METRICS_PORT).
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Router } from '@koa/router';
import { listenForMetrics, metricsRoutes } from '../../src/flows/health/metrics-routes.ts';
import { createMetrics } from '../../src/metrics.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

const TOKEN = 'a-long-metrics-token-123';
const bearer = { authorization: `Bearer ${TOKEN}` };

let h: Harness;
before(async () => {
  h = await startHarness({ env: { METRICS_TOKEN: TOKEN } });
});
after(() => h.close());

test('requests are counted by route pattern and status, Cognito calls by operation and outcome', async () => {
  const b = await h.signedIn();
  await b.get('/account');
  await h
    .browser()
    .submit('/login', '/login', { username: 'nobody@example.com', password: 'Wrong-password-1' });
  await b.get('/no/such/page/12345');
  const res = await h.browser().get('/metrics', bearer);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain/);
  assert.match(res.body, /login_http_requests_total\{method="POST",route="\/login",status="302"\} 1/);
  assert.match(res.body, /login_http_requests_total\{method="GET",route="\/account",status="200"\} 1/);
  assert.match(res.body, /login_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
  assert.doesNotMatch(res.body, /12345/, 'raw paths never become labels');
  assert.match(res.body, /login_cognito_calls_total\{operation="InitiateAuth",outcome="ok"\} 1/);
  assert.match(res.body, /login_cognito_calls_total\{operation="InitiateAuth",outcome="refused"\} 1/);
  assert.match(res.body, /login_cognito_call_duration_seconds_count\{operation="InitiateAuth"\} 2/);
  assert.equal(res.headers.getSetCookie().length, 0, 'no session for the scraper');
});

test('with METRICS_TOKEN, /metrics needs the bearer token', async () => {
  assert.equal((await h.browser().get('/metrics')).status, 401);
  assert.equal(
    (await h.browser().get('/metrics', { authorization: 'Bearer wrong-token-1234567' })).status,
    401,
  );
  assert.equal((await h.browser().get('/metrics', bearer)).status, 200);
});

/** GET `path` on `server` (a metrics listener), with `headers`. */
async function scrape(server: Server, path: string, init: RequestInit = {}) {
  const { address, port } = server.address() as AddressInfo;
  const res = await fetch(`http://${address}:${port}${path}`, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

test('METRICS_PORT: a listener of its own on loopback serves /metrics and nothing else', async () => {
  const metrics = createMetrics();
  metrics.cognitoCall('InitiateAuth', 'ok', 0.01);
  const server = await listenForMetrics(metrics.registry, { port: 0 });
  try {
    assert.equal((server.address() as AddressInfo).address, '127.0.0.1', 'loopback by default');
    const res = await scrape(server, '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain/);
    assert.match(res.body, /login_cognito_calls_total\{operation="InitiateAuth",outcome="ok"\} 1/);
    for (const path of ['/', '/login', '/healthz', '/metrics/x', '/_local/inbox']) {
      assert.equal((await scrape(server, path)).status, 404, path);
    }
    assert.equal((await scrape(server, '/metrics', { method: 'POST' })).status, 405);
  } finally {
    server.close();
  }
});

test('METRICS_PORT with METRICS_TOKEN: the listener asks for the token too', async () => {
  const metrics = createMetrics();
  const server = await listenForMetrics(metrics.registry, { port: 0, token: TOKEN });
  try {
    assert.equal((await scrape(server, '/metrics')).status, 401);
    assert.equal(
      (await scrape(server, '/metrics', { headers: { authorization: 'Bearer nope' } })).status,
      401,
    );
    assert.equal((await scrape(server, '/metrics', { headers: bearer })).status, 200);
  } finally {
    server.close();
  }
});

test('the app serves /metrics only with a token, or open when told (local mode), never with its own port', () => {
  const registry = createMetrics().registry;
  const served = (token: string | undefined, options?: Parameters<typeof metricsRoutes>[3]) => {
    const router = new Router();
    metricsRoutes(router, registry, token, options);
    return router.stack.some((layer) => layer.path === '/metrics');
  };
  assert.equal(served(undefined), false, 'no token: not served');
  assert.equal(served(TOKEN), true);
  assert.equal(served(undefined, { open: true }), true, 'local mode');
  assert.equal(served(TOKEN, { ownPort: true }), false);
  assert.equal(served(undefined, { open: true, ownPort: true }), false);
});
