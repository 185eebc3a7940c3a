// SESSION_STORE=dynamodb and its tables, region and endpoint, as read from the environment.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

const cloud = {
  COGNITO_USER_POOL_ID: 'eu-west-1_AbC123xyz',
  COGNITO_CLIENT_ID: 'abc123',
  COGNITO_CLIENT_SECRET: 'secret',
  SESSION_KEYS: 'k'.repeat(40),
};

test('SESSION_STORE=dynamodb: default tables, the region of the pool, no endpoint', () => {
  const config = loadConfig({ ...cloud, SESSION_STORE: 'dynamodb' });
  assert.equal(config.session.store, 'dynamodb');
  assert.equal(config.redis, undefined);
  assert.deepEqual(config.dynamodb, {
    region: 'eu-west-1',
    table: 'cognito-login-sessions',
    rateLimitTable: 'cognito-login-rate-limits',
    endpoint: undefined,
    timeoutMs: 2000,
  });
  assert.equal(loadConfig({ ...cloud }).dynamodb, undefined);
});

test('DYNAMODB_REGION, then AWS_REGION, then the pool decide the region', () => {
  const env = { ...cloud, SESSION_STORE: 'dynamodb', AWS_REGION: 'us-west-2' };
  assert.equal(loadConfig(env).dynamodb?.region, 'us-west-2');
  assert.equal(loadConfig({ ...env, DYNAMODB_REGION: 'ap-south-1' }).dynamodb?.region, 'ap-south-1');
});

test('every DynamoDB mistake is named', () => {
  assert.ok(
    problems({ SESSION_STORE: 'dynamodb' }).some((p) => p.startsWith('DYNAMODB_REGION: required')),
    'local mode without a region or an endpoint',
  );
  assert.deepEqual(problems({ DYNAMODB_TABLE: 'sessions' }), [
    'DYNAMODB_TABLE: set, but SESSION_STORE is not dynamodb',
  ]);
  const prod = problems({
    ...cloud,
    NODE_ENV: 'production',
    APP_BASE_URL: 'https://login.example.com',
    METRICS_PORT: '9100',
    SESSION_STORE: 'dynamodb',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  });
  assert.ok(
    prod.some((p) => p.startsWith('DYNAMODB_ENDPOINT: refused when NODE_ENV=production')),
    prod.join('\n'),
  );
  assert.ok(
    problems({
      ...cloud,
      SESSION_STORE: 'dynamodb',
      DYNAMODB_TABLE: 'same',
      DYNAMODB_RATE_LIMIT_TABLE: 'same',
    }).some((p) => p.startsWith('DYNAMODB_RATE_LIMIT_TABLE: must differ')),
  );
  assert.ok(
    problems({ ...cloud, SESSION_STORE: 'dynamodb', DYNAMODB_TABLE: 'a b' }).some((p) =>
      p.startsWith('DYNAMODB_TABLE:'),
    ),
  );
  assert.ok(
    problems({ SESSION_STORE: 'cassandra' }).some((p) => /^SESSION_STORE: must be memory .*dynamodb/.test(p)),
  );
  const local = loadConfig({ SESSION_STORE: 'dynamodb', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' });
  assert.equal(local.dynamodb?.endpoint, 'http://127.0.0.1:8000');
});
