// Configuration for protecting apps: upstream, base path, redirect hosts, the shared cookie domain, signing keys.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
};

test('nothing set: no upstream, our routes at the root, no extra redirect hosts', () => {
  const { protect, allowedRedirectHosts, session } = loadConfig({});
  assert.equal(protect.upstreamUrl, undefined);
  assert.equal(protect.basePath, '');
  assert.equal(protect.upstreamTimeoutMs, 30_000);
  assert.equal(protect.passAccessToken, false);
  assert.deepEqual(allowedRedirectHosts, []);
  assert.equal(session.cookieDomain, undefined);
});

test('UPSTREAM_URL, BASE_PATH and ALLOWED_REDIRECT_HOSTS are read and normalised', () => {
  const { protect, allowedRedirectHosts } = loadConfig({
    UPSTREAM_URL: 'http://127.0.0.1:8501',
    BASE_PATH: '/auth/',
    ALLOWED_REDIRECT_HOSTS: 'App1.Example.com, *.example.org',
    PASS_ACCESS_TOKEN: 'true',
  });
  assert.equal(protect.upstreamUrl?.href, 'http://127.0.0.1:8501/');
  assert.equal(protect.basePath, '/auth');
  assert.equal(protect.passAccessToken, true);
  assert.deepEqual(allowedRedirectHosts, ['app1.example.com', '*.example.org']);
});

test('bad values are named', () => {
  const found = problems({
    UPSTREAM_URL: 'ftp://x',
    BASE_PATH: 'auth',
    ALLOWED_REDIRECT_HOSTS: 'https://evil.com/',
    IDENTITY_SIGNER_ARN: 'arn:aws:iam::1:role/x',
  }).join('\n');
  for (const name of ['UPSTREAM_URL', 'BASE_PATH', 'ALLOWED_REDIRECT_HOSTS', 'IDENTITY_SIGNER_ARN']) {
    assert.match(found, new RegExp(`${name}:`));
  }
});

test('a shared cookie domain needs https and must contain the public host', () => {
  assert.match(
    problems({ SESSION_COOKIE_DOMAIN: 'example.com', APP_BASE_URL: 'http://auth.example.com' }).join('\n'),
    /SESSION_COOKIE_DOMAIN: needs an https APP_BASE_URL/,
  );
  assert.match(
    problems({ SESSION_COOKIE_DOMAIN: 'example.com', APP_BASE_URL: 'https://auth.example.org' }).join('\n'),
    /does not contain the host/,
  );
  const ok = loadConfig({ SESSION_COOKIE_DOMAIN: '.Example.com', APP_BASE_URL: 'https://auth.example.com' });
  assert.equal(ok.session.cookieDomain, 'example.com');
});

test('signing keys: PEM blocks are kept whole, escaped newlines allowed; production with an upstream needs them', () => {
  const pem = (): string =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
  const [a, b] = [pem(), pem()];
  const { protect } = loadConfig({ IDENTITY_SIGNING_KEYS: `${a}\n${b}`.replace(/\n/g, '\\n') });
  assert.deepEqual(protect.identitySigningKeys, [a, b]);
  assert.match(
    problems({ IDENTITY_SIGNING_KEYS: 'not a key' }).join('\n'),
    /IDENTITY_SIGNING_KEYS: no PEM private key found/,
  );
  assert.match(
    problems({
      NODE_ENV: 'production',
      APP_BASE_URL: 'https://auth.example.com',
      COGNITO_USER_POOL_ID: 'eu-west-1_AbC123xyz',
      COGNITO_CLIENT_ID: 'a'.repeat(26),
      COGNITO_CLIENT_SECRET: 'secret',
      SESSION_KEYS: 'k'.repeat(40),
      UPSTREAM_URL: 'http://127.0.0.1:8501',
    }).join('\n'),
    /IDENTITY_SIGNING_KEYS: required with UPSTREAM_URL/,
  );
});
