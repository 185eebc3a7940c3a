// The gateway against a tiny fake Cognito: which operation each method sends, SECRET_HASH, retries, deadline, errors.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { AuthError } from '../../src/cognito/errors.ts';
import { createCognitoGateway, type CognitoGateway } from '../../src/cognito/gateway.ts';
import { secretHash } from '../../src/cognito/secret-hash.ts';
import type { CognitoSettings } from '../../src/cognito/settings.ts';
import { DEFAULT_PASSWORD_POLICY } from '../../src/password-policy.ts';

const CLIENT_ID = 'test-client-id';
const CLIENT_SECRET = 'test-client-secret';
const hashOf = (username: string) => secretHash(username, CLIENT_ID, CLIENT_SECRET);

/** One request as the fake Cognito saw it: the operation (X-Amz-Target without the service) and the JSON body. */
interface Seen {
  operation: string;
  body: Record<string, unknown>;
}
/** How the fake answers one request: a status and JSON body, or never (a hung Cognito). */
type Answer = { status: number; body: unknown } | 'hang';

const seen: Seen[] = [];
let answers: Answer[] = [];
let url = '';
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const target = req.headers['x-amz-target'];
    const text = Buffer.concat(chunks).toString('utf8');
    seen.push({
      operation: String(target).replace(/^AWSCognitoIdentityProviderService\./, ''),
      body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    });
    const answer = answers.shift() ?? { status: 200, body: {} };
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(answer.body));
  });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  seen.length = 0;
  answers = [];
});

function gateway(timeoutMs = 2000, observe?: (operation: string, outcome: string) => void): CognitoGateway {
  const settings: CognitoSettings = {
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_TestPool',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    endpoint: url,
    domain: undefined,
    hostedUiUrl: undefined,
    timeoutMs,
  };
  return createCognitoGateway(settings, observe);
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const fault = (status: number, type: string, message: string): Answer => ({
  status,
  body: { __type: type, message },
});
const TOKENS = {
  IdToken: 'id-token',
  AccessToken: 'access-token',
  RefreshToken: 'refresh-token',
  ExpiresIn: 300,
};
const TOKEN_SET = {
  idToken: 'id-token',
  accessToken: 'access-token',
  refreshToken: 'refresh-token',
  expiresIn: 300,
};

/** Rejects with an AuthError of `code`; returns it for further checks. */
async function authError(promise: Promise<unknown>, code: string): Promise<AuthError> {
  const err = await promise.then(
    () => assert.fail(`expected AuthError ${code}, got a result`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AuthError, `expected AuthError, got ${String(err)}`);
  assert.equal(err.code, code);
  return err;
}

interface Case {
  name: string;
  answer: unknown;
  call: (g: CognitoGateway) => Promise<unknown>;
  operation: string;
  body: Record<string, unknown>;
  result: unknown;
}

const cases: Case[] = [
  {
    name: 'signInWithPassword',
    answer: { AuthenticationResult: TOKENS },
    call: (g) => g.signInWithPassword('jane@example.com', 'Pa55word!'),
    operation: 'InitiateAuth',
    body: {
      ClientId: CLIENT_ID,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: {
        USERNAME: 'jane@example.com',
        PASSWORD: 'Pa55word!',
        SECRET_HASH: hashOf('jane@example.com'),
      },
    },
    result: { kind: 'tokens', tokens: TOKEN_SET },
  },
  {
    name: 'signInWithSession',
    answer: { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'next-session', ChallengeParameters: { A: 'b' } },
    call: (g) => g.signInWithSession('jane@example.com', 'signup-session'),
    operation: 'InitiateAuth',
    body: {
      ClientId: CLIENT_ID,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: 'jane@example.com', SECRET_HASH: hashOf('jane@example.com') },
      Session: 'signup-session',
    },
    result: {
      kind: 'challenge',
      challengeName: 'SOFTWARE_TOKEN_MFA',
      session: 'next-session',
      parameters: { A: 'b' },
    },
  },
  {
    name: 'signUp',
    answer: { UserConfirmed: false, Session: 'signup-session', UserSub: 'sub-1' },
    call: (g) => g.signUp('jane@example.com', 'Pa55word!', { email: 'jane@example.com', name: 'Jane' }),
    operation: 'SignUp',
    body: {
      ClientId: CLIENT_ID,
      SecretHash: hashOf('jane@example.com'),
      Username: 'jane@example.com',
      Password: 'Pa55word!',
      UserAttributes: [
        { Name: 'email', Value: 'jane@example.com' },
        { Name: 'name', Value: 'Jane' },
      ],
    },
    result: { confirmed: false, session: 'signup-session' },
  },
  {
    name: 'confirmSignUp with a session',
    answer: { Session: 'confirmed-session' },
    call: (g) => g.confirmSignUp('jane@example.com', '123456', 'signup-session'),
    operation: 'ConfirmSignUp',
    body: {
      ClientId: CLIENT_ID,
      SecretHash: hashOf('jane@example.com'),
      Username: 'jane@example.com',
      ConfirmationCode: '123456',
      Session: 'signup-session',
    },
    result: 'confirmed-session',
  },
  {
    name: 'confirmSignUp without a session',
    answer: {},
    call: (g) => g.confirmSignUp('jane@example.com', '123456', undefined),
    operation: 'ConfirmSignUp',
    body: {
      ClientId: CLIENT_ID,
      SecretHash: hashOf('jane@example.com'),
      Username: 'jane@example.com',
      ConfirmationCode: '123456',
    },
    result: undefined,
  },
  {
    name: 'resendConfirmationCode',
    answer: { CodeDeliveryDetails: { DeliveryMedium: 'EMAIL' } },
    call: (g) => g.resendConfirmationCode('jane@example.com'),
    operation: 'ResendConfirmationCode',
    body: { ClientId: CLIENT_ID, SecretHash: hashOf('jane@example.com'), Username: 'jane@example.com' },
    result: undefined,
  },
  {
    name: 'forgotPassword',
    answer: {},
    call: (g) => g.forgotPassword('jane@example.com'),
    operation: 'ForgotPassword',
    body: { ClientId: CLIENT_ID, SecretHash: hashOf('jane@example.com'), Username: 'jane@example.com' },
    result: undefined,
  },
  {
    name: 'confirmForgotPassword',
    answer: {},
    call: (g) => g.confirmForgotPassword('jane@example.com', '654321', 'N3w-password'),
    operation: 'ConfirmForgotPassword',
    body: {
      ClientId: CLIENT_ID,
      SecretHash: hashOf('jane@example.com'),
      Username: 'jane@example.com',
      ConfirmationCode: '654321',
      Password: 'N3w-password',
    },
    result: undefined,
  },
  {
    name: 'respondToChallenge (SECRET_HASH over the internal username)',
    answer: { AuthenticationResult: TOKENS },
    call: (g) =>
      g.respondToChallenge('SOFTWARE_TOKEN_MFA', 'mfa-session', '0b3c9d2e-uuid', {
        SOFTWARE_TOKEN_MFA_CODE: '123456',
      }),
    operation: 'RespondToAuthChallenge',
    body: {
      ClientId: CLIENT_ID,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: 'mfa-session',
      ChallengeResponses: {
        SOFTWARE_TOKEN_MFA_CODE: '123456',
        USERNAME: '0b3c9d2e-uuid',
        SECRET_HASH: hashOf('0b3c9d2e-uuid'),
      },
    },
    result: { kind: 'tokens', tokens: TOKEN_SET },
  },
  {
    name: 'associateSoftwareTokenForChallenge',
    answer: { SecretCode: 'JBSWY3DPEHPK3PXP', Session: 'setup-session-2' },
    call: (g) => g.associateSoftwareTokenForChallenge('setup-session'),
    operation: 'AssociateSoftwareToken',
    body: { Session: 'setup-session' },
    result: { secret: 'JBSWY3DPEHPK3PXP', session: 'setup-session-2' },
  },
  {
    name: 'verifySoftwareTokenForChallenge',
    answer: { Status: 'SUCCESS', Session: 'setup-session-3' },
    call: (g) => g.verifySoftwareTokenForChallenge('setup-session-2', '123456'),
    operation: 'VerifySoftwareToken',
    body: { Session: 'setup-session-2', UserCode: '123456' },
    result: 'setup-session-3',
  },
  {
    name: 'associateSoftwareToken',
    answer: { SecretCode: 'JBSWY3DPEHPK3PXP' },
    call: (g) => g.associateSoftwareToken('access-token'),
    operation: 'AssociateSoftwareToken',
    body: { AccessToken: 'access-token' },
    result: 'JBSWY3DPEHPK3PXP',
  },
  {
    name: 'verifySoftwareToken',
    answer: { Status: 'SUCCESS' },
    call: (g) => g.verifySoftwareToken('access-token', '123456'),
    operation: 'VerifySoftwareToken',
    body: { AccessToken: 'access-token', UserCode: '123456' },
    result: undefined,
  },
  {
    name: 'setMfaPreference (methods left out are not sent)',
    answer: {},
    call: (g) =>
      g.setMfaPreference('access-token', {
        SOFTWARE_TOKEN_MFA: { enabled: true, preferred: true },
        EMAIL_OTP: { enabled: false, preferred: false },
      }),
    operation: 'SetUserMFAPreference',
    body: {
      AccessToken: 'access-token',
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      EmailMfaSettings: { Enabled: false, PreferredMfa: false },
    },
    result: undefined,
  },
  {
    name: 'describePasswordPolicy',
    answer: {
      UserPool: {
        Policies: {
          PasswordPolicy: {
            MinimumLength: 14,
            RequireLowercase: false,
            RequireUppercase: true,
            RequireNumbers: false,
            RequireSymbols: true,
          },
        },
      },
    },
    call: (g) => g.describePasswordPolicy(),
    operation: 'DescribeUserPool',
    body: { UserPoolId: 'eu-west-1_TestPool' },
    result: {
      minimumLength: 14,
      requireLowercase: false,
      requireUppercase: true,
      requireNumbers: false,
      requireSymbols: true,
    },
  },
  {
    name: 'refresh (no new refresh token, default lifetime)',
    answer: { AuthenticationResult: { IdToken: 'id-2', AccessToken: 'access-2' } },
    call: (g) => g.refresh('0b3c9d2e-uuid', 'refresh-token'),
    operation: 'InitiateAuth',
    body: {
      ClientId: CLIENT_ID,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: {
        REFRESH_TOKEN: 'refresh-token',
        USERNAME: '0b3c9d2e-uuid',
        SECRET_HASH: hashOf('0b3c9d2e-uuid'),
      },
    },
    result: { idToken: 'id-2', accessToken: 'access-2', refreshToken: undefined, expiresIn: 3600 },
  },
  {
    name: 'revokeRefreshToken (client secret, no SECRET_HASH)',
    answer: {},
    call: (g) => g.revokeRefreshToken('refresh-token'),
    operation: 'RevokeToken',
    body: { Token: 'refresh-token', ClientId: CLIENT_ID, ClientSecret: CLIENT_SECRET },
    result: undefined,
  },
  {
    name: 'globalSignOut',
    answer: {},
    call: (g) => g.globalSignOut('access-token'),
    operation: 'GlobalSignOut',
    body: { AccessToken: 'access-token' },
    result: undefined,
  },
  {
    name: 'changePassword',
    answer: {},
    call: (g) => g.changePassword('access-token', 'Old-pass-1', 'New-pass-2'),
    operation: 'ChangePassword',
    body: { AccessToken: 'access-token', PreviousPassword: 'Old-pass-1', ProposedPassword: 'New-pass-2' },
    result: undefined,
  },
  {
    name: 'deleteUser',
    answer: {},
    call: (g) => g.deleteUser('access-token'),
    operation: 'DeleteUser',
    body: { AccessToken: 'access-token' },
    result: undefined,
  },
  {
    name: 'updateUserAttributes',
    answer: {
      CodeDeliveryDetailsList: [
        { AttributeName: 'email', Destination: 'j***@e***.com', DeliveryMedium: 'EMAIL' },
      ],
    },
    call: (g) => g.updateUserAttributes('access-token', { email: 'jane@example.com', name: 'Jane' }),
    operation: 'UpdateUserAttributes',
    body: {
      AccessToken: 'access-token',
      UserAttributes: [
        { Name: 'email', Value: 'jane@example.com' },
        { Name: 'name', Value: 'Jane' },
      ],
    },
    result: [{ attribute: 'email', destination: 'j***@e***.com', medium: 'EMAIL' }],
  },
  {
    name: 'sendAttributeCode (GetUserAttributeVerificationCode)',
    answer: {
      CodeDeliveryDetails: {
        AttributeName: 'phone_number',
        Destination: '+*******1234',
        DeliveryMedium: 'SMS',
      },
    },
    call: (g) => g.sendAttributeCode('access-token', 'phone_number'),
    operation: 'GetUserAttributeVerificationCode',
    body: { AccessToken: 'access-token', AttributeName: 'phone_number' },
    result: { attribute: 'phone_number', destination: '+*******1234', medium: 'SMS' },
  },
  {
    name: 'verifyAttribute (VerifyUserAttribute)',
    answer: {},
    call: (g) => g.verifyAttribute('access-token', 'email', '123456'),
    operation: 'VerifyUserAttribute',
    body: { AccessToken: 'access-token', AttributeName: 'email', Code: '123456' },
    result: undefined,
  },
  {
    name: 'getUser (unknown MFA methods dropped)',
    answer: {
      Username: '0b3c9d2e-uuid',
      UserAttributes: [{ Name: 'email', Value: 'jane@example.com' }, { Name: 'email_verified' }],
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA', 'WEB_AUTHN'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    },
    call: (g) => g.getUser('access-token'),
    operation: 'GetUser',
    body: { AccessToken: 'access-token' },
    result: {
      username: '0b3c9d2e-uuid',
      attributes: { email: 'jane@example.com', email_verified: '' },
      mfaEnabled: ['SOFTWARE_TOKEN_MFA'],
      mfaPreferred: 'SOFTWARE_TOKEN_MFA',
    },
  },
];

for (const c of cases) {
  test(`${c.name} sends ${c.operation} with the right input and maps the answer`, async () => {
    answers = [ok(c.answer)];
    const result = await c.call(gateway());
    assert.deepEqual(seen, [{ operation: c.operation, body: c.body }]);
    assert.deepEqual(result, c.result);
  });
}

test('every gateway method is covered by the table above', () => {
  const methods = Object.keys(gateway()).sort();
  const covered = new Set(cases.map((c) => c.name.split(' ')[0]));
  assert.deepEqual(
    methods.filter((m) => !covered.has(m)),
    [],
  );
  assert.equal(methods.length, 23);
});

test('a 500 is retried once, then the answer is used', async () => {
  const calls: string[] = [];
  answers = [fault(500, 'InternalErrorException', 'boom'), ok({ AuthenticationResult: TOKENS })];
  const result = await gateway(2000, (op, outcome) => calls.push(`${op} ${outcome}`)).signInWithPassword(
    'jane@example.com',
    'Pa55word!',
  );
  assert.deepEqual(result, { kind: 'tokens', tokens: TOKEN_SET });
  assert.equal(seen.length, 2);
  assert.deepEqual(seen[1], seen[0], 'the retry sends the same request');
  assert.deepEqual(calls, ['InitiateAuth InternalErrorException', 'InitiateAuth ok']);
});

test('a second 500 is not retried again: SERVICE_UNAVAILABLE after two requests', async () => {
  answers = [fault(500, 'InternalErrorException', 'boom'), fault(503, 'InternalErrorException', 'boom')];
  await authError(gateway().forgotPassword('jane@example.com'), 'SERVICE_UNAVAILABLE');
  assert.equal(seen.length, 2);
});

test('throttling is not retried and becomes THROTTLED', async () => {
  answers = [fault(400, 'TooManyRequestsException', 'Rate exceeded'), ok({ AuthenticationResult: TOKENS })];
  const err = await authError(gateway().signInWithPassword('jane@example.com', 'Pa55word!'), 'THROTTLED');
  assert.equal(err.cognitoName, 'TooManyRequestsException');
  assert.equal(seen.length, 1);
});

test('a wrong password becomes INVALID_CREDENTIALS after one request', async () => {
  answers = [fault(400, 'NotAuthorizedException', 'Incorrect username or password.')];
  const err = await authError(
    gateway().signInWithPassword('jane@example.com', 'wrong'),
    'INVALID_CREDENTIALS',
  );
  assert.equal(err.cognitoMessage, 'Incorrect username or password.');
  assert.equal(seen.length, 1);
});

test(
  'a hung Cognito yields SERVICE_UNAVAILABLE within the deadline, without a retry',
  { timeout: 5000 },
  async () => {
    answers = ['hang', 'hang'];
    const started = Date.now();
    await authError(gateway(300).signInWithPassword('jane@example.com', 'Pa55word!'), 'SERVICE_UNAVAILABLE');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250, `gave up after ${elapsed} ms, before the deadline`);
    assert.ok(elapsed < 1500, `took ${elapsed} ms for a 300 ms deadline`);
    assert.equal(seen.length, 1);
  },
);

test('describePasswordPolicy: rules Cognito leaves out follow DEFAULT_PASSWORD_POLICY', async () => {
  answers = [
    ok({ UserPool: { Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: false } } } }),
  ];
  assert.deepEqual(await gateway().describePasswordPolicy(), {
    ...DEFAULT_PASSWORD_POLICY,
    minimumLength: 12,
    requireSymbols: false,
  });
  answers = [ok({ UserPool: { Policies: { PasswordPolicy: {} } } })];
  assert.deepEqual(await gateway().describePasswordPolicy(), DEFAULT_PASSWORD_POLICY);
  answers = [ok({ UserPool: { Policies: {} } })];
  await authError(gateway().describePasswordPolicy(), 'UNEXPECTED_RESPONSE');
});

test('incomplete answers become UNEXPECTED_RESPONSE', async () => {
  const g = gateway();
  answers = [ok({})];
  await authError(g.signInWithPassword('jane@example.com', 'Pa55word!'), 'UNEXPECTED_RESPONSE');
  answers = [ok({ AuthenticationResult: { AccessToken: 'access-token' } })];
  await authError(g.signInWithPassword('jane@example.com', 'Pa55word!'), 'UNEXPECTED_RESPONSE');
  answers = [ok({})];
  await authError(g.refresh('0b3c9d2e-uuid', 'refresh-token'), 'UNEXPECTED_RESPONSE');
  answers = [ok({ SecretCode: 'JBSWY3DPEHPK3PXP' })];
  await authError(g.associateSoftwareTokenForChallenge('setup-session'), 'UNEXPECTED_RESPONSE');
  answers = [ok({ Session: 'setup-session-2' })];
  await authError(g.associateSoftwareTokenForChallenge('setup-session'), 'UNEXPECTED_RESPONSE');
  answers = [ok({})];
  await authError(g.associateSoftwareToken('access-token'), 'UNEXPECTED_RESPONSE');
  assert.equal(seen.length, 6, 'none of these is retried');
});

test('a code Cognito does not accept becomes MFA_SETUP_CODE_MISMATCH', async () => {
  const g = gateway();
  answers = [ok({ Status: 'ERROR' })];
  await authError(g.verifySoftwareToken('access-token', '000000'), 'MFA_SETUP_CODE_MISMATCH');
  answers = [ok({ Status: 'ERROR', Session: 'setup-session-3' })];
  await authError(g.verifySoftwareTokenForChallenge('setup-session-2', '000000'), 'MFA_SETUP_CODE_MISMATCH');
  answers = [ok({ Status: 'SUCCESS' })];
  await authError(g.verifySoftwareTokenForChallenge('setup-session-2', '123456'), 'MFA_SETUP_CODE_MISMATCH');
});
