// A challenge this server cannot answer fails closed: a friendly message, no session, nothing kept.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createApp } from '../../src/app.ts';
import type { CognitoGateway, SignInResult } from '../../src/cognito/gateway.ts';
import type { TokenVerifier } from '../../src/cognito/verifier.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { MemorySessionStore } from '../../src/session/memory-store.ts';
import { Browser } from '../helpers/browser.ts';

let calls = 0;
let challengeName = 'CUSTOM_CHALLENGE';
const cognito = new Proxy({} as CognitoGateway, {
  get: (_t, name) =>
    name === 'signInWithPassword'
      ? (): Promise<SignInResult> => {
          calls++;
          return Promise.resolve({
            kind: 'challenge',
            challengeName,
            session: 'S'.repeat(40),
            parameters: {},
          });
        }
      : () => Promise.reject(new Error(`unexpected call ${String(name)}`)),
});
const verifier: TokenVerifier = {
  verify: () => Promise.reject(new Error('no tokens expected')),
  verifyAccessToken: () => Promise.reject(new Error('no tokens expected')),
  hydrate: () => Promise.resolve(),
  ready: () => true,
};
const store = new MemorySessionStore({ maxEntries: 100 });
let server: ReturnType<ReturnType<typeof createApp>['listen']>;
let baseUrl: string;

before(async () => {
  const base = loadConfig({ LOG_LEVEL: 'silent' });
  const app = createApp(
    {
      ...base,
      cognito: {
        region: 'us-east-1',
        userPoolId: 'us-east-1_AbC123xyz',
        clientId: 'abcdefghijklmnopqrstuvwxyz',
        clientSecret: 's',
        endpoint: undefined,
        domain: undefined,
        hostedUiUrl: undefined,
        timeoutMs: 1000,
        authFlow: 'USER_PASSWORD_AUTH',
      },
    },
    { cognito, verifier, sessionStore: store, logger: createLogger('silent') },
  );
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve);
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
});

for (const name of ['CUSTOM_CHALLENGE', 'DEVICE_SRP_AUTH', 'PASSWORD_SRP', 'A_CHALLENGE_FROM_THE_FUTURE']) {
  test(`${name} ends the sign-in with a friendly message and keeps nothing`, async () => {
    challengeName = name;
    calls = 0;
    const b = new Browser(baseUrl);
    const res = await b.submit('/login', '/login', {
      username: 'jane@example.com',
      password: 'Sunny-day-42',
    });
    assert.equal(res.status, 302);
    assert.equal(res.location, '/login?notice=challenge-unsupported');
    const page = await b.get(res.location);
    assert.match(page.body, /needs a sign-in step that this page cannot handle/);
    assert.match(page.body, /value="jane@example\.com"/);
    assert.equal((await b.get('/account')).status, 302);
    assert.equal((await b.get('/mfa')).location, '/login?notice=sign-in-required', 'no challenge was kept');
    assert.equal(calls, 1);
  });
}
