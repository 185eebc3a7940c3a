// Secrets at start, on moto_server: COGNITO_CLIENT_SECRET from Secrets Manager and SESSION_KEYS from an SSM
// SecureString, the errors naming each variable and where it was looked for (never a value), and no AWS call when
// nothing is kept there.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { resolveSecretSources } from '../../src/config/secret-sources.ts';
import { findMotoServer, freePort, startMotoServer, type MotoServer } from '../conformance/targets.ts';

function motoSkipReason(): string | undefined {
  if (findMotoServer() || process.env.CI) return undefined;
  const reason = "moto_server is not on PATH (pip install 'moto[server]==5.2.1' to run these tests)";
  process.stderr.write(`\n!!! WARNING: ${reason}: SKIPPING the secret source tests !!!\n\n`);
  return reason;
}

const CLOUD = {
  COGNITO_USER_POOL_ID: 'us-east-1_AbC123xyz',
  COGNITO_CLIENT_ID: 'abc123',
  AWS_REGION: 'us-east-1',
};

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const err = await promise.then(
    () => assert.fail('expected a ConfigError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConfigError, `a ConfigError, got ${String(err)}`);
  return err;
}

describe('secrets from Secrets Manager and SSM on moto_server', { skip: motoSkipReason() }, () => {
  const suffix = randomBytes(4).toString('hex');
  const clientSecret = `client-secret-${randomBytes(16).toString('hex')}`;
  const sessionKeys = `${randomBytes(32).toString('base64')},${randomBytes(32).toString('base64')}`;
  const parameterName = `/login/${suffix}/session-keys`;
  let moto: MotoServer;
  let secretArn: string;
  let env: Record<string, string>;

  before(async () => {
    const executable = findMotoServer();
    if (!executable) {
      throw new Error(
        '!!! moto_server is required (CI is set) but is not on PATH: install moto[server]==5.2.1 !!!',
      );
    }
    moto = await startMotoServer(executable);
    env = { ...CLOUD, AWS_ENDPOINT_URL: moto.endpoint };
    const settings = {
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    const secrets = new SecretsManagerClient(settings);
    const ssm = new SSMClient(settings);
    try {
      const created = await secrets.send(
        new CreateSecretCommand({ Name: `login-${suffix}/client-secret`, SecretString: clientSecret }),
      );
      secretArn = created.ARN!;
      await ssm.send(
        new PutParameterCommand({ Name: parameterName, Value: sessionKeys, Type: 'SecureString' }),
      );
    } finally {
      secrets.destroy();
      ssm.destroy();
    }
  });
  after(() => moto?.stop());

  test('a secret and a SecureString parameter fill COGNITO_CLIENT_SECRET and SESSION_KEYS', async () => {
    const resolved = await resolveSecretSources({
      ...env,
      COGNITO_CLIENT_SECRET_SECRET_ARN: secretArn,
      SESSION_KEYS_PARAMETER: parameterName,
    });
    assert.equal(resolved.COGNITO_CLIENT_SECRET, clientSecret);
    assert.equal(resolved.SESSION_KEYS, sessionKeys);
    const config = loadConfig(resolved);
    assert.equal(config.cognito?.clientSecret, clientSecret);
    assert.deepEqual(config.session.keys, sessionKeys.split(','));
  });

  test('a variable set twice is refused, naming both', async () => {
    const err = await configError(
      resolveSecretSources({
        ...env,
        COGNITO_CLIENT_SECRET: 'plain',
        COGNITO_CLIENT_SECRET_SECRET_ARN: secretArn,
      }),
    );
    assert.match(
      err.message,
      /COGNITO_CLIENT_SECRET: set only one of COGNITO_CLIENT_SECRET, COGNITO_CLIENT_SECRET_SECRET_ARN/,
    );
    const both = await configError(
      resolveSecretSources({
        ...env,
        SESSION_KEYS_SECRET_ARN: secretArn,
        SESSION_KEYS_PARAMETER: parameterName,
      }),
    );
    assert.match(
      both.message,
      /SESSION_KEYS: set only one of SESSION_KEYS_SECRET_ARN, SESSION_KEYS_PARAMETER/,
    );
  });

  test('a missing secret and parameter are named with where they were looked for, and no value is shown', async () => {
    const missingArn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-${suffix}-AbCdEf`;
    const missingParameter = `/login/${suffix}/missing`;
    const err = await configError(
      resolveSecretSources({
        ...env,
        COGNITO_CLIENT_SECRET_SECRET_ARN: missingArn,
        SESSION_KEYS_PARAMETER: parameterName,
        METRICS_TOKEN_PARAMETER: missingParameter,
      }),
    );
    assert.equal(err.problems.length, 2, err.message);
    assert.match(err.problems[0]!, /^COGNITO_CLIENT_SECRET: could not read COGNITO_CLIENT_SECRET_SECRET_ARN/);
    assert.ok(err.problems[0]!.includes(missingArn), err.message);
    assert.match(err.problems[1]!, /^METRICS_TOKEN: could not read METRICS_TOKEN_PARAMETER/);
    assert.ok(err.problems[1]!.includes(missingParameter), err.message);
    assert.match(err.message, /ResourceNotFound/);
    assert.match(err.message, /ParameterNotFound/);
    for (const value of [clientSecret, ...sessionKeys.split(',')]) assert.ok(!err.message.includes(value));
  });

  test('nothing kept in AWS: no call is made, the environment is returned as it is', async () => {
    const refused = `http://127.0.0.1:${await freePort()}`;
    const plain = {
      ...CLOUD,
      AWS_ENDPOINT_URL: refused,
      COGNITO_CLIENT_SECRET: clientSecret,
      SESSION_KEYS: sessionKeys,
    };
    assert.equal(await resolveSecretSources(plain), plain);
    const local = { AWS_ENDPOINT_URL: refused };
    assert.equal(await resolveSecretSources(local), local);
    // The same endpoint does fail a read, so the two calls above made none.
    const err = await configError(
      resolveSecretSources({ ...local, AWS_REGION: 'us-east-1', SESSION_KEYS_PARAMETER: '/x' }),
    );
    assert.match(
      err.message,
      /^ {2}- SESSION_KEYS: could not read SESSION_KEYS_PARAMETER \(SSM parameter \/x\)/m,
    );
  });
});
