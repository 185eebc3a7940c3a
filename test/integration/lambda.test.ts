// The Lambda handler end to end without AWS: API Gateway v2 events (cookies carried from event to event) against the
// emulator, sessions in DynamoDB on moto_server; then an ALB and a REST API (1.0) event, and the static assets.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { startLocalCognito, type LocalCognito, type LocalPoolInfo } from '../../src/local-cognito/index.ts';
import type { LambdaEvent, LambdaResult } from '../../src/lambda.ts';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import { csrfOf, keepCookies } from '../helpers/browser.ts';
import { dynamoSkipReason, startTestDynamo, type TestDynamo } from '../helpers/dynamodb.ts';
import { latestCode } from '../helpers/inbox.ts';
import { PASSWORD } from '../helpers/mfa-users.ts';
import {
  AdminSetUserMFAPreferenceCommand,
  AdminUpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';

const HOST = 'login.example.com';
const ORIGIN = `https://${HOST}`;
const PHONE = '+447700900456';

type Handler = (event: LambdaEvent, context?: object) => Promise<LambdaResult>;

/** A browser speaking to the handler through API Gateway HTTP API (payload 2.0) events. */
class V2Client {
  readonly cookies = new Map<string, string>();
  constructor(private readonly handler: Handler) {}

  async send(method: string, target: string, form?: Record<string, string>): Promise<LambdaResult> {
    const url = new URL(target, ORIGIN);
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const event: LambdaEvent = {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers: {
        host: HOST,
        'user-agent': 'lambda-test',
        accept: 'text/html',
        'x-forwarded-for': '198.51.100.7',
        'x-forwarded-proto': 'https',
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN } : {}),
      },
      ...(this.cookies.size ? { cookies: [...this.cookies].map(([k, v]) => `${k}=${v}`) } : {}),
      requestContext: {
        accountId: '123456789012',
        apiId: 'api',
        domainName: HOST,
        requestId: `req-${Math.random().toString(36).slice(2)}`,
        stage: '$default',
        http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'x' },
      },
      // As API Gateway sends a form: base64.
      ...(body
        ? { body: Buffer.from(body).toString('base64'), isBase64Encoded: true }
        : { isBase64Encoded: false }),
    };
    const res = await this.handler(event, {});
    assert.equal(res.multiValueHeaders, undefined, 'v2 answers carry cookies in `cookies`');
    keepCookies(this.cookies, res.cookies ?? []);
    return res;
  }
}

const text = (res: LambdaResult) => Buffer.from(res.body, res.isBase64Encoded ? 'base64' : 'utf8').toString();
const header = (res: LambdaResult, name: string) =>
  res.headers?.[name] ?? res.multiValueHeaders?.[name]?.join(', ');

describe('the Lambda handler', { skip: dynamoSkipReason() }, () => {
  let dynamo: TestDynamo;
  let emulator: LocalCognito;
  let pool: LocalPoolInfo;
  let handler: Handler;
  let close: () => Promise<void> = () => Promise.resolve();

  before(async () => {
    dynamo = await startTestDynamo();
    emulator = await startLocalCognito({ port: 0 });
    pool = await emulator.ensureLocalPool();
    // The environment a Lambda function would have, set before the module (which builds the app at load) is read.
    Object.assign(process.env, {
      ...dynamo.env,
      COGNITO_USER_POOL_ID: pool.userPoolId,
      COGNITO_CLIENT_ID: pool.clientId,
      COGNITO_CLIENT_SECRET: pool.clientSecret,
      COGNITO_ENDPOINT: emulator.endpoint,
      COGNITO_TIMEOUT_MS: '30000',
      DYNAMODB_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      SESSION_KEYS: 'lambda-test-key-'.padEnd(40, 'x'),
      APP_BASE_URL: ORIGIN,
      TRUST_PROXY: '1',
      RATE_LIMIT_PER_IP: '100000',
      RATE_LIMIT_PER_ACCOUNT: '100000',
      LOG_LEVEL: 'error',
    });
    const lambda = await import('../../src/lambda.ts');
    handler = lambda.handler;
    const runtime = await lambda.containerRuntime();
    close = () => runtime.close();
  });

  after(async () => {
    await close();
    await emulator?.close();
    await dynamo?.stop();
  });

  test('refuses local mode: no COGNITO_USER_POOL_ID', async () => {
    const { lambdaConfig } = await import('../../src/lambda.ts');
    assert.throws(
      () => lambdaConfig({ SESSION_KEYS: 'k'.repeat(40) }),
      /COGNITO_USER_POOL_ID: required in AWS Lambda/,
    );
  });

  test('HTTP API v2: sign-in, SMS MFA, the account page and sign-out, cookies carried in `cookies`', async () => {
    const email = `lambda-${Date.now()}@example.com`;
    const admin = adminClient(emulator.endpoint);
    await createConfirmedUser(admin, pool.userPoolId, email, PASSWORD);
    await admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        UserAttributes: [
          { Name: 'phone_number', Value: PHONE },
          { Name: 'phone_number_verified', Value: 'true' },
        ],
      }),
    );
    await admin.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        SMSMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );

    const b = new V2Client(handler);
    const login = await b.send('GET', '/login');
    assert.equal(login.statusCode, 200);
    assert.equal(login.isBase64Encoded, false, 'HTML goes as text');
    assert.match(header(login, 'content-security-policy') ?? '', /default-src/);
    assert.match(header(login, 'content-type') ?? '', /^text\/html/);

    const password = await b.send('POST', '/login', {
      _csrf: csrfOf(text(login)),
      username: email,
      password: PASSWORD,
    });
    assert.equal(password.statusCode, 302, text(password));
    assert.equal(header(password, 'location'), '/mfa');
    assert.ok((password.cookies ?? []).length > 0, 'the session cookie is set through `cookies`');

    const mfa = await b.send('GET', '/mfa');
    assert.equal(mfa.statusCode, 200);
    const code = await latestCode(emulator.endpoint, PHONE, 'SMS_MFA');
    const done = await b.send('POST', '/mfa', { _csrf: csrfOf(text(mfa)), code });
    assert.equal(done.statusCode, 302, text(done));
    assert.equal(header(done, 'location'), '/account');

    // The signed-in session lives in the DynamoDB table.
    const items = (
      await dynamo.client.send(new ScanCommand({ TableName: dynamo.settings.table, ConsistentRead: true }))
    ).Items!;
    assert.ok(
      items.some((i) => i.pk!.S!.startsWith('sess#')),
      'a session item in the table',
    );

    const account = await b.send('GET', '/account');
    assert.equal(account.statusCode, 200);
    assert.ok(text(account).includes(email), 'the account page shows the email');
    assert.match(header(account, 'content-security-policy') ?? '', /default-src/);

    const confirm = await b.send('GET', '/logout');
    assert.equal(confirm.statusCode, 200);
    const out = await b.send('POST', '/logout', { _csrf: csrfOf(text(confirm)) });
    assert.equal(out.statusCode, 302, text(out));

    const after = await b.send('GET', '/account');
    assert.equal(after.statusCode, 302);
    assert.match(header(after, 'location') ?? '', /^\/login/);
  });

  test('HTTP API v2: the demo user signs in with a password alone', async () => {
    const b = new V2Client(handler);
    const login = await b.send('GET', '/login?returnTo=%2Faccount');
    const res = await b.send('POST', '/login?returnTo=%2Faccount', {
      _csrf: csrfOf(text(login)),
      username: pool.demoUser.email,
      password: pool.demoUser.password,
    });
    assert.equal(res.statusCode, 302, text(res));
    assert.equal(header(res, 'location'), '/account');
    const account = await b.send('GET', '/account');
    assert.ok(text(account).includes(pool.demoUser.email));
  });

  test('ALB target (multi-value headers): Set-Cookie in multiValueHeaders, the redirect survives', async () => {
    const albEvent = (method: string, path: string, cookie?: string, form?: string): LambdaEvent => ({
      requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1' } },
      httpMethod: method,
      path,
      multiValueQueryStringParameters: {},
      multiValueHeaders: {
        host: [HOST],
        'x-forwarded-for': ['198.51.100.8'],
        'x-forwarded-proto': ['https'],
        ...(cookie ? { cookie: [cookie] } : {}),
        ...(form ? { 'content-type': ['application/x-www-form-urlencoded'], origin: [ORIGIN] } : {}),
      },
      body: form ?? '',
      isBase64Encoded: false,
    });
    const page = await handler(albEvent('GET', '/login'));
    assert.equal(page.statusCode, 200);
    const setCookies = page.multiValueHeaders?.['set-cookie'] ?? [];
    assert.ok(setCookies.length > 0, 'Set-Cookie as multi-value headers');
    assert.match(page.multiValueHeaders?.['content-security-policy']?.[0] ?? '', /default-src/);
    const cookie = setCookies.map((c) => c.split(';')[0]).join('; ');
    const form = new URLSearchParams({
      _csrf: csrfOf(text(page)),
      username: pool.demoUser.email,
      password: pool.demoUser.password,
    }).toString();
    const signedIn = await handler(albEvent('POST', '/login', cookie, form));
    assert.equal(signedIn.statusCode, 302, text(signedIn));
    assert.deepEqual(signedIn.multiValueHeaders?.location, ['/account']);
    const session = (signedIn.multiValueHeaders?.['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    assert.ok(session, 'the signed-in session cookie');
    const account = await handler(albEvent('GET', '/account', session));
    assert.equal(account.statusCode, 200);
    assert.ok(text(account).includes(pool.demoUser.email));
  });

  test('ALB target without multi-value headers: the one Set-Cookie still goes as a plain header', async () => {
    const res = await handler({
      requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1' } },
      httpMethod: 'GET',
      path: '/login',
      queryStringParameters: {},
      headers: { host: HOST, 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.10' },
      body: '',
      isBase64Encoded: false,
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.multiValueHeaders, undefined);
    assert.match(res.headers?.['set-cookie'] ?? '', /=.*; path=\//i, 'the cookie is not dropped');
  });

  test('REST API (1.0): cookies in multiValueHeaders, the redirect to sign-in, the static assets', async () => {
    const restEvent = (path: string, query: Record<string, string> = {}): LambdaEvent => ({
      resource: '/{proxy+}',
      path,
      httpMethod: 'GET',
      headers: { Host: HOST, 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.9' },
      multiValueHeaders: {
        Host: [HOST],
        'X-Forwarded-Proto': ['https'],
        'X-Forwarded-For': ['198.51.100.9'],
      },
      queryStringParameters: Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: Object.keys(query).length
        ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
        : null,
      requestContext: { requestId: 'r', stage: 'prod', identity: { sourceIp: '198.51.100.9' } },
      body: null,
      isBase64Encoded: false,
    });
    const redirect = await handler(restEvent('/account'));
    assert.equal(redirect.statusCode, 302);
    assert.match(redirect.headers?.location ?? '', /^\/login/);

    const page = await handler(restEvent('/login', { returnTo: '/account' }));
    assert.equal(page.statusCode, 200);
    assert.ok((page.multiValueHeaders?.['set-cookie'] ?? []).length > 0, 'Set-Cookie as multi-value headers');
    assert.equal(page.headers?.['set-cookie'], undefined, 'never folded into one header');
    assert.match(page.headers?.['content-security-policy'] ?? '', /default-src/);
    assert.match(text(page), /name="returnTo" value="\/account"|returnTo=%2Faccount/);

    const css = await handler(restEvent('/assets/app.css'));
    assert.equal(css.statusCode, 200);
    assert.equal(css.isBase64Encoded, false, 'CSS goes as text (a REST API would not decode base64)');
    assert.match(css.headers?.['content-type'] ?? '', /^text\/css/);
    assert.equal(css.body, readFileSync(new URL('../../public/app.css', import.meta.url), 'utf8'));

    const favicon = await handler(restEvent('/favicon.svg'));
    assert.equal(favicon.statusCode, 200);
    assert.equal(favicon.isBase64Encoded, false, 'SVG is text');
    assert.equal(favicon.body, readFileSync(new URL('../../public/favicon.svg', import.meta.url), 'utf8'));
  });

  test('binary bodies go as base64, text as UTF-8', async () => {
    const { isBinaryResponse } = await import('../../src/lambda.ts');
    assert.equal(isBinaryResponse({ 'content-type': 'image/png' }), true);
    assert.equal(isBinaryResponse({ 'content-type': 'font/woff2' }), true);
    assert.equal(
      isBinaryResponse({ 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'br' }),
      true,
    );
    assert.equal(isBinaryResponse({ 'content-type': 'image/svg+xml' }), false);
    assert.equal(isBinaryResponse({ 'content-type': 'application/json' }), false);
    assert.equal(isBinaryResponse({ 'content-type': 'text/javascript; charset=utf-8' }), false);
    assert.equal(isBinaryResponse({}), false, 'a redirect without a body');
  });
});
