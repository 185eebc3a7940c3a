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
import { effectiveLoginMode, loadConfig } from '../../src/config.ts';
import { RateLimiterDynamo } from 'rate-limiter-flexible';

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
    // The relying party is the public URL's host, as the server takes it (appBaseUrl.hostname): the URL has no
    // port or path (PublicUrl's pattern), so the third '/'-separated part is exactly that.
    const rp = (only(t, 'AWS::Cognito::UserPool') as { WebAuthnRelyingPartyID: unknown })
      .WebAuthnRelyingPartyID;
    assert.deepEqual(rp, {
      'Fn::Select': [
        2,
        { 'Fn::Split': ['/', { 'Fn::If': ['HasPublicUrl', { Ref: 'PublicUrl' }, apiEndpoint(t)] }] },
      ],
    });
    for (const url of ['https://login.example.com', 'https://abc123.execute-api.eu-west-1.amazonaws.com']) {
      assert.equal(url.split('/')[2], new URL(url).hostname);
    }
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
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        AuthSessionValidity: 3,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        SupportedIdentityProviders: ['COGNITO'],
      });
    }
    // USER_AUTH always: the sign-in right after a confirmed sign-up answers ConfirmSignUp's session with it.
    const srp = only(template({ authFlow: 'USER_SRP_AUTH' }), 'AWS::Cognito::UserPoolClient');
    assert.deepEqual(srp.ExplicitAuthFlows, [
      'ALLOW_USER_SRP_AUTH',
      'ALLOW_USER_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ]);
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
    // The function's whole policy: its tables' item calls and its three secrets; nothing else, no wildcard.
    const statements = policyStatements(lambda);
    const tableArn = (part: string) => ({ 'Fn::GetAtt': [tableId(lambda, part), 'Arn'] });
    const read = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
    const sorted = (list: unknown[]) => list.map((x) => JSON.stringify(x)).sort((a, b) => a.localeCompare(b));
    assert.deepEqual(
      sorted(statements.map(({ Action, Resource, Effect }) => ({ Action, Resource, Effect }))),
      sorted([
        {
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: [tableArn('Sessions')],
          Effect: 'Allow',
        },
        {
          Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          Resource: [tableArn('RateLimits')],
          Effect: 'Allow',
        },
        { Action: read, Resource: { Ref: secretId(lambda, 'SessionKeys') }, Effect: 'Allow' },
        { Action: read, Resource: { Ref: secretId(lambda, 'MetricsToken') }, Effect: 'Allow' },
        {
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: secretId(lambda, 'ClientSecret') },
          Effect: 'Allow',
        },
      ]),
    );
    // Its role's one managed policy writes its logs.
    const roles = Object.values(lambda.findResources('AWS::IAM::Role')).filter((r) =>
      JSON.stringify(r).includes('lambda.amazonaws.com'),
    );
    assert.equal(roles.length, 1);
    assert.match(JSON.stringify(roles[0]!.Properties), /AWSLambdaBasicExecutionRole/);
    assert.equal((roles[0]!.Properties as { Policies?: unknown }).Policies, undefined);
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

  test('two tables with the keys and TTL attributes the store and rate-limiter-flexible write', async () => {
    lambda.resourceCountIs('AWS::DynamoDB::Table', 2);
    const limiter = await rateLimiterTable();
    assert.deepEqual(limiter, { key: RATE_LIMIT_KEY, ttl: RATE_LIMIT_TTL });
    for (const [key, ttl] of [
      ['pk', TTL_ATTRIBUTE],
      [limiter.key, limiter.ttl],
    ]) {
      lambda.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
      });
    }
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
    const rules = ingressRules(container);
    const group = (part: string) => {
      const ids = Object.keys(container.findResources('AWS::EC2::SecurityGroup')).filter((k) =>
        k.includes(part),
      );
      assert.equal(ids.length, 1, part);
      return ids[0]!;
    };
    const redis = group('RedisSecurityGroup');
    const tasks = group('ServiceSecurityGroup');
    const balancer = group('LBSecurityGroup');
    // Who may reach what, the whole list: anyone the load balancer on 80 and 443, the load balancer the tasks on
    // the server's port, the tasks Redis.
    assert.deepEqual(
      rules.map((r) => `${r.from} -> ${r.group}:${r.port}`).sort(),
      [
        `0.0.0.0/0 -> ${balancer}:443`,
        `0.0.0.0/0 -> ${balancer}:80`,
        `${balancer} -> ${tasks}:3000`,
        `${tasks} -> ${redis}:6379`,
      ].sort(),
    );
    assert.match(JSON.stringify(containerEnv(container).REDIS_URL), /rediss:\/\//);
    container.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      SecurityGroupIds: [{ 'Fn::GetAtt': [redis, 'GroupId'] }],
    });
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
    const secretOf = Object.fromEntries(c.Secrets.map((s) => [s.Name, s.ValueFrom]));
    assert.deepEqual(secretOf.COGNITO_CLIENT_SECRET, { Ref: secretId(container, 'ClientSecret') });
    assert.deepEqual(secretOf.SESSION_KEYS, { Ref: secretId(container, 'SessionKeys') });
    assert.deepEqual(secretOf.METRICS_TOKEN, { Ref: secretId(container, 'MetricsToken') });
    const secretReads = policyStatements(container)
      .filter((st) => JSON.stringify(st.Action).includes('secretsmanager:'))
      .map((st) => JSON.stringify(st.Resource));
    assert.deepEqual(
      secretReads.sort(),
      ['ClientSecret', 'SessionKeys', 'MetricsToken']
        .map((p) => JSON.stringify({ Ref: secretId(container, p) }))
        .sort(),
    );
    for (const st of policyStatements(container)) {
      if (st.Resource === '*') assert.deepEqual(st.Action, 'ecr:GetAuthorizationToken', 'the one wildcard');
    }
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
        for (const domain of [true, false]) {
          const given = filledIn(env);
          // Without a DomainPrefix the template leaves COGNITO_DOMAIN out (AWS::NoValue).
          if (!domain) delete given.COGNITO_DOMAIN;
          const config = loadConfig({ ...given, ...secrets, AWS_REGION: 'eu-west-1' });
          assert.equal(config.mode, 'cloud', runtime);
          assert.equal(config.production, true, runtime);
          assert.equal(config.session.store, runtime === 'lambda' ? 'dynamodb' : 'redis');
          // The branded pages either way, and the pool's password policy without asking Cognito.
          assert.equal(effectiveLoginMode(config), 'forms', `${runtime}, domain ${domain}`);
          assert.deepEqual(config.passwordPolicy, DEFAULT_PASSWORD_POLICY);
        }
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
    for (const ok of ['', 'https://login.example.com', 'https://a.b-c.example']) assert.match(ok, pattern);
    for (const bad of [
      'http://login.example.com',
      'https://login.example.com/',
      'https://x.example/path',
      'https://login.example.com:8443',
      'https://Login.Example.com',
    ])
      assert.doesNotMatch(bad, pattern, bad);
    // Whatever the pattern lets through is written by the server exactly as given (its callback URL).
    for (const ok of ['https://login.example.com', 'https://a.b-c.example'])
      assert.equal(new URL('/callback', ok).href, `${ok}/callback`);
  });

  test("with a public URL the HTTP API's own address is closed; without one it is the address", () => {
    lambda.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      DisableExecuteApiEndpoint: { 'Fn::If': ['HasPublicUrl', true, false] },
    });
  });
});

// --- helpers over the template

function logicalId(t: Template, type: string): string {
  const ids = Object.keys(t.findResources(type));
  assert.equal(ids.length, 1, `one ${type}`);
  return ids[0]!;
}
const apiId = (t: Template) => logicalId(t, 'AWS::ApiGatewayV2::Api');
const apiEndpoint = (t: Template) => ({ 'Fn::GetAtt': [apiId(t), 'ApiEndpoint'] });
function tableId(t: Template, part: string): string {
  const id = Object.keys(t.findResources('AWS::DynamoDB::Table')).find((k) => k.includes(part));
  assert.ok(id, `a table named like ${part}`);
  return id;
}
interface IngressRule {
  CidrIp?: string;
  SourceSecurityGroupId?: { 'Fn::GetAtt': [string, string] };
  GroupId?: { 'Fn::GetAtt': [string, string] };
  FromPort: number;
  ToPort: number;
}
/** Every ingress rule of every security group, inline or a resource of its own: who, which group, which port. */
function ingressRules(t: Template): { from: string; group: string; port: number }[] {
  const rule = (r: IngressRule, group: string) => {
    assert.equal(r.FromPort, r.ToPort, 'one port a rule');
    const from = r.CidrIp ?? r.SourceSecurityGroupId?.['Fn::GetAtt'][0] ?? JSON.stringify(r);
    return { from, group, port: r.FromPort };
  };
  const inline = Object.entries(t.findResources('AWS::EC2::SecurityGroup')).flatMap(([id, g]) =>
    ((g.Properties as { SecurityGroupIngress?: IngressRule[] }).SecurityGroupIngress ?? []).map((r) =>
      rule(r, id),
    ),
  );
  const separate = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => {
    const p = r.Properties as IngressRule;
    return rule(p, p.GroupId!['Fn::GetAtt'][0]);
  });
  return [...inline, ...separate];
}
/**
 * The rate-limit table as rate-limiter-flexible's RateLimiterDynamo would make it itself: its key and its TTL
 * attribute, read off the calls it makes to a client that only records them.
 */
async function rateLimiterTable(): Promise<{ key: string; ttl: string }> {
  const seen: { key?: string; ttl?: string } = {};
  const client = {
    createTable: (params: { KeySchema: { AttributeName: string }[] }) => {
      seen.key = params.KeySchema[0]!.AttributeName;
      return Promise.resolve({});
    },
    describeTimeToLive: () =>
      Promise.resolve({ $metadata: { httpStatusCode: 200 }, TimeToLiveDescription: {} }),
    updateTimeToLive: (params: { TimeToLiveSpecification: { AttributeName: string } }) => {
      seen.ttl = params.TimeToLiveSpecification.AttributeName;
      return Promise.resolve({});
    },
  };
  await new Promise<void>((resolve, reject) => {
    const options = { storeClient: client, tableName: 'probe', tableCreated: false, points: 1, duration: 1 };
    new RateLimiterDynamo(options, (err?: Error) => (err ? reject(err) : resolve()));
  });
  return { key: seen.key!, ttl: seen.ttl! };
}

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
