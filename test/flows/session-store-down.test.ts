// A session store that fails means fail closed: a friendly 503 page, no 500, no anonymous pass-through.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createApp } from '../../src/app.ts';
import type { CognitoGateway } from '../../src/cognito/gateway.ts';
import type { TokenVerifier } from '../../src/cognito/verifier.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { SessionStore } from '../../src/session/memory-store.ts';
import { Browser } from '../helpers/browser.ts';

let healthy = true;
const store: SessionStore = {
  get: () => (healthy ? Promise.resolve(undefined) : Promise.reject(new Error('ECONNREFUSED'))),
  set: () => (healthy ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED'))),
  destroy: () => (healthy ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED'))),
  destroyOwnedBy: () => (healthy ? Promise.resolve([]) : Promise.reject(new Error('ECONNREFUSED'))),
  ping: () => Promise.resolve(healthy),
  close: () => Promise.resolve(),
};
const SESSION_KEY = 'k'.repeat(40);
let cognitoCalls = 0;
const unreachable = () => {
  cognitoCalls++;
  return Promise.reject(new Error('not expected'));
};
// Every method of the gateway counts a call and fails: none may be reached here.
const cognito = new Proxy({}, { get: () => unreachable }) as CognitoGateway;
const verifier: TokenVerifier = {
  verify: unreachable,
  verifyAccessToken: unreachable,
  hydrate: () => Promise.resolve(),
  ready: () => true,
};

let server: ReturnType<ReturnType<typeof createApp>['listen']>;
let baseUrl: string;
before(async () => {
  const base = loadConfig({ LOG_LEVEL: 'silent', SESSION_KEYS: SESSION_KEY });
  const config = {
    ...base,
    cognito: {
      region: 'us-east-1',
      userPoolId: 'us-east-1_AbC123xyz',
      clientId: 'abcdefghijklmnopqrstuvwxyz',
      clientSecret: 's',
      endpoint: 'http://127.0.0.1:1',
      domain: undefined,
      hostedUiUrl: undefined,
      timeoutMs: 1000,
      authFlow: 'USER_PASSWORD_AUTH' as const,
    },
  };
  const app = createApp(config, { cognito, verifier, sessionStore: store, logger: createLogger('silent') });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve);
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('with the store down, pages that need a session answer 503, and recover when it returns', async () => {
  // A browser with a session cookie (signed as koa-session signs it: HMAC-SHA1 of `name=value`, base64url).
  const b = new Browser(baseUrl);
  const id = 'S'.repeat(43);
  b.cookies.set('session', id);
  b.cookies.set('session.sig', createHmac('sha1', SESSION_KEY).update(`session=${id}`).digest('base64url'));
  assert.equal((await b.get('/login')).status, 200, 'the store answers: an unknown session is anonymous');
  healthy = false;
  for (const path of ['/login', '/account']) {
    const res = await b.get(path);
    assert.equal(res.status, 503, path);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.match(res.body, /Temporarily unavailable/);
  }
  const ready = await b.get('/readyz');
  assert.equal(ready.status, 503);
  assert.match(ready.headers.get('content-type')!, /json/, 'probes answer before sessions are loaded');
  assert.equal((JSON.parse(ready.body) as { sessionStore: boolean }).sessionStore, false);
  healthy = true;
  assert.equal((await b.get('/login')).status, 200, 'recovers without a restart');
  assert.equal((await b.get('/readyz')).status, 200);
  assert.equal(cognitoCalls, 0);
});
