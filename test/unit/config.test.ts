import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const KEY = 'k'.repeat(40);
const cloud = {
  COGNITO_USER_POOL_ID: 'eu-west-1_AbC123xyz',
  COGNITO_CLIENT_ID: 'abcdefghijklmnopqrstuvwxyz',
  COGNITO_CLIENT_SECRET: 'secret',
  SESSION_KEYS: KEY,
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('nothing configured means local mode with defaults', () => {
  const config = loadConfig({});
  assert.equal(config.mode, 'local');
  assert.equal(config.port, 3000);
  assert.equal(config.appBaseUrl.origin, 'http://localhost:3000');
  assert.equal(config.secureCookies, false);
  assert.equal(config.localCognito.port, 9229);
  assert.equal(config.cognito, undefined);
  assert.ok(Object.isFrozen(config));
});

test('cloud mode takes the region from the pool id', () => {
  const config = loadConfig({ ...cloud, APP_BASE_URL: 'https://login.example.com' });
  assert.equal(config.mode, 'cloud');
  assert.equal(config.cognito?.region, 'eu-west-1');
  assert.equal(config.secureCookies, true);
  assert.deepEqual(config.session.keys, [KEY]);
});

test('one error names every bad variable', () => {
  const list = problems({
    PORT: 'abc',
    LOGIN_MODE: 'weird',
    COGNITO_USER_POOL_ID: 'nope',
    LOG_LEVEL: 'loud',
  });
  const text = list.join('\n');
  for (const name of ['PORT', 'LOGIN_MODE', 'COGNITO_USER_POOL_ID', 'LOG_LEVEL', 'COGNITO_CLIENT_ID']) {
    assert.match(text, new RegExp(name), `${name} not named in:\n${text}`);
  }
});

test('the message of the error lists each problem on its own line', () => {
  try {
    loadConfig({ PORT: '-1', AUTH_FLOW: 'USER_SRP' });
    assert.fail('expected an error');
  } catch (err) {
    assert.match((err as Error).message, /^Invalid configuration:\n {2}- PORT: .*\n {2}- AUTH_FLOW: /);
  }
});

test('a partial Cognito configuration names the missing variables', () => {
  const list = problems({ COGNITO_USER_POOL_ID: 'eu-west-1_AbC123xyz' });
  assert.ok(list.some((p) => p.startsWith('COGNITO_CLIENT_ID')));
  assert.ok(list.some((p) => p.startsWith('COGNITO_CLIENT_SECRET')));
  assert.ok(list.some((p) => p.startsWith('SESSION_KEYS')));
});

test('production refuses local mode, emulator endpoints and plain http', () => {
  assert.ok(problems({ NODE_ENV: 'production' }).some((p) => p.startsWith('COGNITO_USER_POOL_ID')));
  const list = problems({
    ...cloud,
    NODE_ENV: 'production',
    COGNITO_ENDPOINT: 'http://127.0.0.1:9229',
    APP_BASE_URL: 'http://login.example.com',
  });
  assert.ok(list.some((p) => p.startsWith('COGNITO_ENDPOINT')));
  assert.ok(list.some((p) => p.startsWith('APP_BASE_URL')));
});

test('short session keys and a region that does not match the pool are refused', () => {
  const list = problems({ ...cloud, SESSION_KEYS: 'short', COGNITO_REGION: 'us-east-1' });
  assert.ok(list.some((p) => p.startsWith('SESSION_KEYS')));
  assert.ok(list.some((p) => p.startsWith('COGNITO_REGION')));
});

test('a hosted UI domain is a host or an origin; plain http only outside production', () => {
  assert.equal(
    loadConfig({ ...cloud, COGNITO_DOMAIN: 'auth.example.com' }).cognito?.hostedUiUrl,
    'https://auth.example.com',
  );
  assert.equal(
    loadConfig({ ...cloud, COGNITO_DOMAIN: 'https://auth.example.com/' }).cognito?.hostedUiUrl,
    'https://auth.example.com',
  );
  assert.ok(
    problems({ ...cloud, COGNITO_DOMAIN: 'auth.example.com/path' }).some((p) =>
      p.startsWith('COGNITO_DOMAIN'),
    ),
  );
  const prod = { ...cloud, NODE_ENV: 'production', APP_BASE_URL: 'https://login.example.com' };
  assert.ok(
    problems({ ...prod, COGNITO_DOMAIN: 'http://127.0.0.1:9229' }).some((p) =>
      p.startsWith('COGNITO_DOMAIN'),
    ),
  );
});

test('brand settings are checked: colours as hex, links as https URLs or paths', () => {
  const list = problems({ BRAND_PRIMARY_COLOR: 'blue', BRAND_PRIVACY_URL: 'javascript:alert(1)' });
  assert.ok(list.some((p) => p.startsWith('BRAND_PRIMARY_COLOR')));
  assert.ok(list.some((p) => p.startsWith('BRAND_PRIVACY_URL')));
  assert.equal(loadConfig({ BRAND_PRIMARY_COLOR: '#0a7' }).brand.primaryColor, '#0a7');
});

test('AUTH_FLOW picks the password flow; remembered devices need SRP and are off without it', () => {
  const password = loadConfig({});
  assert.equal(password.signIn.authFlow, 'USER_PASSWORD_AUTH');
  assert.equal(password.signIn.rememberDevices, 'off', 'the password flow cannot prove a device');
  const srp = loadConfig({ AUTH_FLOW: 'USER_SRP_AUTH' });
  assert.equal(srp.signIn.authFlow, 'USER_SRP_AUTH');
  assert.equal(srp.signIn.rememberDevices, 'ask');
  assert.equal(srp.signIn.rememberDeviceDays, 30);
  const cloudSrp = loadConfig({ ...cloud, AUTH_FLOW: 'USER_SRP_AUTH', REMEMBER_DEVICES: 'always' });
  assert.equal(cloudSrp.cognito?.authFlow, 'USER_SRP_AUTH');
  assert.equal(cloudSrp.signIn.rememberDevices, 'always');
  assert.equal(
    loadConfig({ AUTH_FLOW: 'USER_SRP_AUTH', REMEMBER_DEVICES: 'off' }).signIn.rememberDevices,
    'off',
  );
  assert.throws(
    () => loadConfig({ AUTH_FLOW: 'CUSTOM_AUTH' }),
    /AUTH_FLOW: must be USER_PASSWORD_AUTH or USER_SRP_AUTH/,
  );
  assert.throws(
    () => loadConfig({ REMEMBER_DEVICES: 'always' }),
    /REMEMBER_DEVICES: remembered devices need AUTH_FLOW=USER_SRP_AUTH/,
  );
  assert.throws(
    () => loadConfig({ REMEMBER_DEVICES: 'sometimes' }),
    /REMEMBER_DEVICES: must be ask, always or off/,
  );
  assert.throws(
    () => loadConfig({ AUTH_FLOW: 'USER_SRP_AUTH', REMEMBER_DEVICE_DAYS: '0' }),
    /REMEMBER_DEVICE_DAYS/,
  );
});

test('PASSWORDLESS picks the ways in besides the password; the layout and the passkey relying party', () => {
  const none = loadConfig({});
  assert.deepEqual(none.signIn.passwordless, []);
  assert.equal(none.signIn.layout, 'email-first');
  assert.equal(none.signIn.relyingPartyId, 'localhost', "APP_BASE_URL's host by default");
  const all = loadConfig({
    PASSWORDLESS: ' email, sms ,passkey,email',
    SIGN_IN_LAYOUT: 'one-page',
    WEBAUTHN_RELYING_PARTY_ID: 'Example.COM',
  });
  assert.deepEqual(all.signIn.passwordless, ['email', 'sms', 'passkey']);
  assert.equal(all.signIn.layout, 'one-page');
  assert.equal(all.signIn.relyingPartyId, 'example.com');
  assert.throws(
    () => loadConfig({ PASSWORDLESS: 'email,magic-link' }),
    /PASSWORDLESS: must be a comma-separated list/,
  );
  assert.throws(
    () => loadConfig({ SIGN_IN_LAYOUT: 'two-page' }),
    /SIGN_IN_LAYOUT: must be email-first or one-page/,
  );
  assert.throws(
    () => loadConfig({ WEBAUTHN_RELYING_PARTY_ID: 'https://example.com' }),
    /WEBAUTHN_RELYING_PARTY_ID/,
  );
});
