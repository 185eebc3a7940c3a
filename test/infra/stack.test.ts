// The CDK app (infra/): every security-relevant property of the user pool, the app client and both runtimes,
// checked on the synthesised template with aws-cdk-lib/assertions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_SETTINGS, type StackSettings } from '../../infra/lib/settings.ts';
import { buildStack } from '../../infra/lib/synth.ts';
import { RATE_LIMIT_KEY, RATE_LIMIT_TTL } from '../../infra/lib/lambda-runtime.ts';
import { DEFAULT_PASSWORD_POLICY } from '../../src/password-policy.ts';
import { paths } from '../../src/paths.ts';
import { TTL_ATTRIBUTE } from '../../src/session/dynamodb-store.ts';
import { SECRET_VARIABLES } from '../../src/config/env-schema.ts';
import { loadConfig } from '../../src/config.ts';

const template = (overrides: Partial<StackSettings> = {}) =>
  Template.fromStack(buildStack({ ...DEFAULT_SETTINGS, image: 'parameter', ...overrides }));

const lambda = template();
const container = template({ runtime: 'container' });

/** The one resource of `type` in `t`, its properties. */
function only(t: Template, type: string): Record<string, unknown> {
  const found = Object.values(t.findResources(type));
  assert.equal(found.length, 1, `one ${type}`);
  return found[0]!.Properties as Record<string, unknown>;
}

describe('the user pool', () => {
  for (const [name, t] of [
    ['lambda', lambda],
    ['container', container],
  ] as const) {
    test(`${name}: kept on delete, deletion protection on, email as the user name, verified, case-insensitive`, () => {
      t.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      t.hasResourceProperties('AWS::Cognito::UserPool', {
        DeletionProtection: 'ACTIVE',
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
        UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      });
    });
  }

  test("its password policy is the server's own (src/password-policy.ts)", () => {
    lambda.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: DEFAULT_PASSWORD_POLICY.minimumLength,
          RequireLowercase: DEFAULT_PASSWORD_POLICY.requireLowercase,
          RequireUppercase: DEFAULT_PASSWORD_POLICY.requireUppercase,
          RequireNumbers: DEFAULT_PASSWORD_POLICY.requireNumbers,
          RequireSymbols: DEFAULT_PASSWORD_POLICY.requireSymbols,
        },
      },
    });
    assert.ok(DEFAULT_PASSWORD_POLICY.minimumLength >= 8);
  });

  test('MFA is optional with TOTP and SMS; email codes too when SES sends the mail', () => {
    lambda.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA'],
      SmsConfiguration: Match.objectLike({ SnsCallerArn: Match.anyValue() }),
    });
    const withSes = template({ sesFromEmail: 'no-reply@example.com' });
    withSes.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'],
      EmailConfiguration: Match.objectLike({
        EmailSendingAccount: 'DEVELOPER',
        From: 'no-reply@example.com',
      }),
    });
    const env = serverEnvironment(withSes);
    assert.equal(
      env.MFA_METHODS,
      'SOFTWARE_TOKEN_MFA,SMS_MFA,EMAIL_OTP',
      'the server offers what the pool has',
    );
    assert.equal(serverEnvironment(lambda).MFA_METHODS, 'SOFTWARE_TOKEN_MFA,SMS_MFA');
  });

  test('passwordless: the first factors and the relying party follow the settings, on the Essentials plan', () => {
    const t = template({ passwordless: ['sms', 'passkey'] });
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      Policies: Match.objectLike({
        SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP', 'WEB_AUTHN'] },
      }),
      WebAuthnRelyingPartyID: Match.anyValue(),
    });
    assert.equal(serverEnvironment(t).PASSWORDLESS, 'sms,passkey');
    lambda.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'LITE',
      Policies: Match.not(Match.objectLike({ SignInPolicy: Match.anyValue() })),
    });
  });

  test('a domain only when a prefix is given', () => {
    lambda.hasResource('AWS::Cognito::UserPoolDomain', { Condition: Match.stringLikeRegexp('HasDomain') });
    const condition = Object.entries(lambda.toJSON().Conditions as Record<string, unknown>).find(([k]) =>
      k.includes('HasDomain'),
    )![1];
    assert.deepEqual(condition, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'DomainPrefix' }, ''] }] });
  });
});

describe('the app client', () => {
  test('confidential, exactly the flows the server uses, no user-existence errors, revocable tokens', () => {
    for (const t of [lambda, container]) {
      t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: true,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        AuthSessionValidity: 3,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        SupportedIdentityProviders: ['COGNITO'],
      });
    }
    const srp = only(template({ authFlow: 'USER_SRP_AUTH' }), 'AWS::Cognito::UserPoolClient');
    assert.deepEqual(srp.ExplicitAuthFlows, ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    const passwordless = only(template({ passwordless: ['sms'] }), 'AWS::Cognito::UserPoolClient');
    assert.deepEqual(passwordless.ExplicitAuthFlows, [
      'ALLOW_USER_PASSWORD_AUTH',
      'ALLOW_USER_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ]);
  });

  test("callback and sign-out URLs are the server's own paths under the public URL", () => {
    const client = only(container, 'AWS::Cognito::UserPoolClient');
    assert.deepEqual(client.CallbackURLs, [{ 'Fn::Join': ['', [{ Ref: 'PublicUrl' }, paths.callback]] }]);
    assert.deepEqual(client.LogoutURLs, [{ 'Fn::Join': ['', [{ Ref: 'PublicUrl' }, paths.signedOut]] }]);
    // Lambda: the public URL, or the HTTP API's own when it is blank.
    const lambdaClient = only(lambda, 'AWS::Cognito::UserPoolClient');
    const joined = (lambdaClient.CallbackURLs as { 'Fn::Join': [string, unknown[]] }[])[0]!['Fn::Join'][1];
    assert.deepEqual(joined[0], {
      'Fn::If': ['HasPublicUrl', { Ref: 'PublicUrl' }, { 'Fn::GetAtt': [apiId(lambda), 'ApiEndpoint'] }],
    });
    assert.equal(joined[1], paths.callback);
  });

  test('its secret goes to Secrets Manager from the client itself, never into the template', () => {
    for (const t of [lambda, container]) {
      const secrets = t.findResources('AWS::SecretsManager::Secret');
      const copied = Object.values(secrets).find((s) => JSON.stringify(s).includes('ClientSecret"]'));
      assert.ok(copied, 'a secret holds the client secret');
      assert.deepEqual((copied.Properties as { SecretString: unknown }).SecretString, {
        'Fn::GetAtt': [logicalId(t, 'AWS::Cognito::UserPoolClient'), 'ClientSecret'],
      });
      t.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 64 },
      });
    }
  });
});

describe('the Lambda runtime', () => {
  test('the server gets no secret value: it reads them at start by ARN, allowed to read only those', () => {
    const env = serverEnvironment(lambda);
    for (const name of SECRET_VARIABLES)
      assert.equal(env[name], undefined, `${name} is not in the environment`);
    assert.deepEqual(env.COGNITO_CLIENT_SECRET_SECRET_ARN, { Ref: secretId(lambda, 'ClientSecret') });
    assert.deepEqual(env.SESSION_KEYS_SECRET_ARN, { Ref: secretId(lambda, 'SessionKeys') });
    assert.deepEqual(env.METRICS_TOKEN_SECRET_ARN, { Ref: secretId(lambda, 'MetricsToken') });
    const statements = policyStatements(lambda);
    const reads = statements.filter((s) =>
      JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'),
    );
    const byText = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    assert.deepEqual(
      reads.map((s) => s.Resource).sort(byText),
      ['ClientSecret', 'SessionKeys', 'MetricsToken'].map((p) => ({ Ref: secretId(lambda, p) })).sort(byText),
    );
  });

  test('production mode, DynamoDB sessions, the pool and client of this stack', () => {
    const env = serverEnvironment(lambda);
    assert.equal(env.NODE_ENV, 'production');
    assert.equal(env.SESSION_STORE, 'dynamodb');
    assert.deepEqual(env.COGNITO_USER_POOL_ID, { Ref: logicalId(lambda, 'AWS::Cognito::UserPool') });
    assert.deepEqual(env.COGNITO_CLIENT_ID, { Ref: logicalId(lambda, 'AWS::Cognito::UserPoolClient') });
    assert.equal(env.AUTH_FLOW, 'USER_PASSWORD_AUTH');
    assert.equal(env.COGNITO_ENDPOINT, undefined, 'the real Cognito');
  });

  test('two tables with the TTL attributes the store and the limiter write; the function may use only them', () => {
    lambda.resourceCountIs('AWS::DynamoDB::Table', 2);
    for (const [key, ttl] of [
      ['pk', TTL_ATTRIBUTE],
      [RATE_LIMIT_KEY, RATE_LIMIT_TTL],
    ]) {
      lambda.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
      });
    }
    const tables = Object.keys(lambda.findResources('AWS::DynamoDB::Table'));
    const dynamo = policyStatements(lambda).filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    const touched = new Set(
      JSON.stringify(dynamo.map((s) => s.Resource)).match(/Lambda(Sessions|RateLimits)\w+/g),
    );
    assert.deepEqual([...touched].sort(), tables.sort());
    assert.ok(!JSON.stringify(dynamo).includes('"*"'), 'no wildcard resource');
  });

  test('an HTTP API with payload 2.0 sends every path to the function', () => {
    lambda.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    lambda.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    lambda.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      Timeout: 15,
      MemorySize: 1024,
    });
  });
});

describe('the container runtime', () => {
  test('Redis: TLS in transit, encrypted at rest, two zones, reachable from the tasks only', () => {
    container.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
    });
    const ingress = Object.values(container.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => (r.Properties as { FromPort?: number }).FromPort === 6379,
    );
    assert.equal(ingress.length, 1);
    const props = ingress[0]!.Properties as Record<string, unknown>;
    assert.equal(props.CidrIp, undefined, 'no address range: only the service security group');
    assert.match(JSON.stringify(props.SourceSecurityGroupId), /ContainerServiceSecurityGroup/);
    assert.equal(
      serverContainer(container).Environment.find((e) => e.Name === 'REDIS_URL')?.Value !== undefined,
      true,
    );
    assert.match(JSON.stringify(containerEnv(container).REDIS_URL), /rediss:\/\//);
  });

  test('HTTPS only: the certificate on 443, plain HTTP redirected, a current TLS policy', () => {
    container.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: { Ref: 'CertificateArn' } }],
      SslPolicy: Match.stringLikeRegexp('TLS13|TLS-1-2'),
    });
    container.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [
        Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS' }) }),
      ],
    });
    container.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/healthz',
    });
  });

  test('secrets injected by ECS from Secrets Manager, not in the task definition; Redis sessions behind one proxy', () => {
    const c = serverContainer(container);
    assert.deepEqual(c.Secrets.map((s) => s.Name).sort(), [
      'COGNITO_CLIENT_SECRET',
      'METRICS_TOKEN',
      'SESSION_KEYS',
    ]);
    const env = containerEnv(container);
    for (const name of SECRET_VARIABLES)
      assert.equal(env[name], undefined, `${name} is not in the environment`);
    assert.equal(env.NODE_ENV, 'production');
    assert.equal(env.SESSION_STORE, 'redis');
    assert.equal(env.TRUST_PROXY, '1');
    assert.deepEqual(env.APP_BASE_URL, { Ref: 'PublicUrl' });
  });

  test('tasks run in private subnets without public addresses', () => {
    container.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }),
      },
      DesiredCount: 2,
    });
  });
});

describe('what the server is given', () => {
  /** The secrets as the server has them once read (by ARN in a Lambda, injected by ECS in a container). */
  const secrets = {
    COGNITO_CLIENT_SECRET: 'x'.repeat(40),
    SESSION_KEYS: 'k'.repeat(64),
    METRICS_TOKEN: 'm'.repeat(48),
  };
  const filledIn = (env: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(env)
        .filter(([k]) => !k.endsWith('_SECRET_ARN'))
        .map(([k, v]) => [k, typeof v === 'string' ? v : placeholder(k)]),
    );

  for (const settings of [
    {},
    { authFlow: 'USER_SRP_AUTH' as const, passwordless: ['sms' as const, 'passkey' as const] },
    { sesFromEmail: 'no-reply@example.com', passwordless: ['email' as const] },
  ]) {
    test(`an environment the server starts with in production: ${JSON.stringify(settings)}`, () => {
      for (const [runtime, env] of [
        ['lambda', serverEnvironment(template(settings))],
        ['container', containerEnv(template({ ...settings, runtime: 'container' }))],
      ] as const) {
        const config = loadConfig({ ...filledIn(env), ...secrets, AWS_REGION: 'eu-west-1' });
        assert.equal(config.mode, 'cloud', runtime);
        assert.equal(config.production, true, runtime);
        assert.equal(config.session.store, runtime === 'lambda' ? 'dynamodb' : 'redis');
      }
    });
  }
});

describe('settings and parameters', () => {
  test('the container runtime needs a public URL and a certificate; the Lambda one takes the API URL', () => {
    const params = container.toJSON().Parameters as Record<
      string,
      { Default?: string; AllowedPattern?: string }
    >;
    assert.equal(params.PublicUrl!.Default, undefined);
    assert.equal(params.CertificateArn!.Default, undefined);
    const lambdaParams = lambda.toJSON().Parameters as Record<
      string,
      { Default?: string; AllowedPattern: string }
    >;
    assert.equal(lambdaParams.PublicUrl!.Default, '');
    const pattern = new RegExp(lambdaParams.PublicUrl!.AllowedPattern);
    for (const ok of ['', 'https://login.example.com', 'https://login.example.com:8443'])
      assert.match(ok, pattern);
    for (const bad of ['http://login.example.com', 'https://login.example.com/', 'https://x.example/path'])
      assert.doesNotMatch(bad, pattern, bad);
  });
});

// --- helpers over the template

function logicalId(t: Template, type: string): string {
  const ids = Object.keys(t.findResources(type));
  assert.equal(ids.length, 1, `one ${type}`);
  return ids[0]!;
}
const apiId = (t: Template) => logicalId(t, 'AWS::ApiGatewayV2::Api');
function secretId(t: Template, part: string): string {
  const id = Object.keys(t.findResources('AWS::SecretsManager::Secret')).find((k) => k.includes(part));
  assert.ok(id, `a secret named like ${part}`);
  return id;
}
function serverEnvironment(t: Template): Record<string, unknown> {
  const fn = only(t, 'AWS::Lambda::Function') as { Environment: { Variables: Record<string, unknown> } };
  return fn.Environment.Variables;
}
function policyStatements(t: Template): { Action: unknown; Resource: unknown; Effect: string }[] {
  return Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p.Properties as { PolicyDocument: { Statement: never[] } }).PolicyDocument.Statement,
  );
}
interface ContainerDefinition {
  Environment: { Name: string; Value: unknown }[];
  Secrets: { Name: string; ValueFrom: unknown }[];
}
function serverContainer(t: Template): ContainerDefinition {
  const task = only(t, 'AWS::ECS::TaskDefinition') as { ContainerDefinitions: ContainerDefinition[] };
  assert.equal(task.ContainerDefinitions.length, 1);
  return task.ContainerDefinitions[0]!;
}
const containerEnv = (t: Template) =>
  Object.fromEntries(serverContainer(t).Environment.map((e) => [e.Name, e.Value])) as Record<string, unknown>;
/** A value for a variable the template fills in at deploy time, of the shape the server checks. */
function placeholder(name: string): string {
  const values: Record<string, string> = {
    APP_BASE_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
    COGNITO_REGION: 'eu-west-1',
    COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123',
    COGNITO_CLIENT_ID: 'a'.repeat(26),
    COGNITO_DOMAIN: 'login.auth.eu-west-1.amazoncognito.com',
    DYNAMODB_TABLE: 'CognitoLogin-LambdaSessions-ABC',
    DYNAMODB_RATE_LIMIT_TABLE: 'CognitoLogin-LambdaRateLimits-ABC',
    REDIS_URL: 'rediss://master.abc.cache.amazonaws.com:6379',
  };
  return values[name] ?? assert.fail(`no placeholder for ${name}`);
}
