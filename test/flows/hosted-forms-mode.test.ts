// Forms mode with a hosted UI: social-provider buttons go through it; our own form stays the default. Nothing here
// calls Cognito (a scripted fake); the round trip itself is in test/integration/hosted-ui.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeHarness, type FakeHarness } from '../helpers/fake-harness.ts';

let h: FakeHarness;
before(async () => {
  h = await startFakeHarness({
    env: {
      LOGIN_MODE: 'forms',
      IDENTITY_PROVIDERS: 'Google,SignInWithApple',
      COGNITO_DOMAIN: 'https://auth.example.com',
    },
  });
});
after(() => h.close());

test('configured providers appear as "Continue with ..." links that start a hosted-UI sign-in', async () => {
  const b = h.browser();
  const page = await b.get('/login?returnTo=%2Faccount');
  assert.equal(page.status, 200);
  assert.match(page.body, /Continue with Google/);
  assert.match(page.body, /Continue with Apple/);
  const href = /href="(\/login\/hosted\?provider=Google[^"]*)"/.exec(page.body)![1]!.replace(/&amp;/g, '&');
  const res = await b.get(href);
  const authorize = new URL(res.location!);
  assert.equal(authorize.origin + authorize.pathname, 'https://auth.example.com/oauth2/authorize');
  assert.equal(authorize.searchParams.get('identity_provider'), 'Google');
  assert.equal(authorize.searchParams.get('redirect_uri'), `${h.baseUrl}/callback`);
  assert.equal(h.cognito.callCount(), 0);
});

test('a provider that is not configured is refused', async () => {
  const res = await h.browser().get('/login/hosted?provider=Evil');
  assert.equal(res.status, 404);
});
