// Sign-up shaped by configuration: fields and labels, the terms checkbox, a revealed taken email, turned off.
// Cognito is a scripted fake.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { cognitoError, startFakeHarness } from '../helpers/fake-harness.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'signup-config-'));
const messagesFile = path.join(dir, 'messages.json');
writeFileSync(messagesFile, JSON.stringify({ 'attribute.custom:company': 'Company name' }));
after(() => rmSync(dir, { recursive: true, force: true }));

test('configured fields appear in order with their catalogue labels, and the terms must be accepted', async () => {
  const h = await startFakeHarness({
    env: {
      SIGNUP_FIELDS: 'given_name,custom:company,phone_number?',
      MESSAGES_FILE: messagesFile,
      SIGNUP_TERMS_URL: 'https://example.com/terms',
    },
  });
  try {
    const b = h.browser();
    const page = await b.get('/signup');
    const labels = [...page.body.matchAll(/<label for="([^"]+)">([^<]+)/g)].map(
      (m) => `${m[1]}:${m[2]!.trim()}`,
    );
    assert.deepEqual(labels, [
      'email:Email address',
      'given_name:First name',
      'custom_company:Company name',
      'phone_number:Phone number',
      'password:Password',
      'terms:I agree to the terms of service',
    ]);
    assert.match(page.body, /autocomplete="given-name"/);
    assert.match(page.body, /autocomplete="tel"/);
    assert.match(page.body, /href="https:\/\/example\.com\/terms"/);
    const res = await b.submit('/signup', '/signup', {
      email: 'c@example.com',
      given_name: 'Jane',
      custom_company: 'Acme',
      password: 'Sunny-day-42',
    });
    assert.equal(res.status, 400);
    assert.match(res.body, /You need to agree to the terms/);
    assert.equal(h.cognito.callCount(), 0);
    h.cognito.on('signUp', { confirmed: false, session: undefined });
    const agreed = await b.submit('/signup', '/signup', {
      email: 'c@example.com',
      given_name: 'Jane',
      custom_company: 'Acme',
      phone_number: '',
      password: 'Sunny-day-42',
      terms: 'accepted',
    });
    assert.equal(agreed.location, '/confirm');
    assert.deepEqual(h.cognito.argsOf('signUp'), [
      [
        'c@example.com',
        'Sunny-day-42',
        { email: 'c@example.com', given_name: 'Jane', 'custom:company': 'Acme' },
      ],
    ]);
  } finally {
    await h.close();
  }
});

test('a custom field without a label stops the start, naming it', () => {
  const config = loadConfig({ SIGNUP_FIELDS: 'custom:team' });
  assert.throws(
    () =>
      createApp(
        {
          ...config,
          cognito: {
            region: 'us-east-1',
            userPoolId: 'us-east-1_x',
            clientId: 'c',
            clientSecret: 's',
            endpoint: undefined,
            domain: undefined,
            hostedUiUrl: undefined,
            timeoutMs: 1000,
            authFlow: 'USER_PASSWORD_AUTH',
          },
        },
        {
          cognito: {} as never,
          verifier: {} as never,
          sessionStore: {} as never,
          logger: createLogger('silent'),
        },
      ),
    (err) => err instanceof ConfigError && /custom:team has no label/.test(err.message),
  );
});

test('SIGNUP_REVEAL_EXISTING says an account exists', async () => {
  const h = await startFakeHarness({ env: { SIGNUP_REVEAL_EXISTING: 'true' } });
  try {
    const email = 'reveal@example.com';
    h.cognito.on(
      'signUp',
      cognitoError('UsernameExistsException', 'An account with the given email already exists.'),
    );
    const res = await h
      .browser()
      .submit('/signup', '/signup', { email, name: 'J', password: 'Sunny-day-42' });
    assert.equal(res.status, 400);
    assert.match(res.body, /An account with this email address already exists/);
    assert.match(res.body, /value="reveal@example\.com"/);
  } finally {
    await h.close();
  }
});

test('with sign-up turned off the page is gone and the link hidden', async () => {
  const h = await startFakeHarness({ env: { SIGNUP_ENABLED: 'false' } });
  try {
    const b = h.browser();
    assert.equal((await b.get('/signup')).status, 404);
    assert.doesNotMatch((await b.get('/login')).body, /href="\/signup"/);
  } finally {
    await h.close();
  }
});
