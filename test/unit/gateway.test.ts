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
import { fromHex, padHex } from '../../src/srp-math.ts';

const CLIENT_ID = 'test-client-id';
const CLIENT_SECRET = 'test-client-secret';
const hashOf = (username: string) => secretHash(username, CLIENT_ID, CLIENT_SECRET);

/** One request as the fake Cognito saw it: the operation (X-Amz-Target without the service) and the JSON body. */
interface Seen {
  operation: string;
  body: Record<string, unknown>;
}
/**
 * How the fake answers one request: a status and JSON body, never (a hung Cognito), or by closing the connection
 * without a word (what a client sees when it reuses a kept-alive socket the server has just closed).
 */
type Answer = { status: number; body: unknown } | 'hang' | 'drop';

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
    if (answer === 'drop') return req.socket.destroy();
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

function gateway(
  timeoutMs = 2000,
  observe?: (operation: string, outcome: string) => void,
  authFlow: CognitoSettings['authFlow'] = 'USER_PASSWORD_AUTH',
): CognitoGateway {
  const settings: CognitoSettings = {
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_TestPool',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    endpoint: url,
    domain: undefined,
    hostedUiUrl: undefined,
    timeoutMs,
    authFlow,
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
    name: 'refresh (with the sign-in device: DEVICE_KEY)',
    answer: { AuthenticationResult: { IdToken: 'id-2', AccessToken: 'access-2', ExpiresIn: 300 } },
    call: (g) => g.refresh('0b3c9d2e-uuid', 'refresh-token', 'eu-west-1_device'),
    operation: 'InitiateAuth',
    body: {
      ClientId: CLIENT_ID,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: {
        REFRESH_TOKEN: 'refresh-token',
        DEVICE_KEY: 'eu-west-1_device',
        USERNAME: '0b3c9d2e-uuid',
        SECRET_HASH: hashOf('0b3c9d2e-uuid'),
      },
    },
    result: { idToken: 'id-2', accessToken: 'access-2', refreshToken: undefined, expiresIn: 300 },
  },
  {
    name: 'setDeviceRemembered (UpdateDeviceStatus)',
    answer: {},
    call: (g) => g.setDeviceRemembered('access-token', 'eu-west-1_device', true),
    operation: 'UpdateDeviceStatus',
    body: {
      AccessToken: 'access-token',
      DeviceKey: 'eu-west-1_device',
      DeviceRememberedStatus: 'remembered',
    },
    result: undefined,
  },
  {
    name: 'setDeviceRemembered (not remembered)',
    answer: {},
    call: (g) => g.setDeviceRemembered('access-token', 'eu-west-1_device', false),
    operation: 'UpdateDeviceStatus',
    body: {
      AccessToken: 'access-token',
      DeviceKey: 'eu-west-1_device',
      DeviceRememberedStatus: 'not_remembered',
    },
    result: undefined,
  },
  {
    name: 'listDevices (attributes read, devices without a key skipped)',
    answer: {
      Devices: [
        {
          DeviceKey: 'eu-west-1_a',
          DeviceAttributes: [
            { Name: 'device_status', Value: 'remembered' },
            { Name: 'device_name', Value: 'Firefox · Windows' },
            { Name: 'last_ip_used', Value: '192.0.2.1' },
          ],
          DeviceCreateDate: 1_700_000_000,
          DeviceLastAuthenticatedDate: 1_700_000_100,
        },
        { DeviceAttributes: [] },
        { DeviceKey: 'eu-west-1_b', DeviceAttributes: [{ Name: 'device_status', Value: 'not_remembered' }] },
      ],
    },
    call: (g) => g.listDevices('access-token'),
    operation: 'ListDevices',
    body: { AccessToken: 'access-token', Limit: 60 },
    result: [
      {
        key: 'eu-west-1_a',
        name: 'Firefox · Windows',
        remembered: true,
        lastAuthenticatedAt: 1_700_000_100_000,
        createdAt: 1_700_000_000_000,
        lastIp: '192.0.2.1',
      },
      {
        key: 'eu-west-1_b',
        name: undefined,
        remembered: false,
        lastAuthenticatedAt: undefined,
        createdAt: undefined,
        lastIp: undefined,
      },
    ],
  },
  {
    name: 'startChoiceSignIn (USER_AUTH, the choice with AvailableChallenges)',
    answer: {
      ChallengeName: 'SELECT_CHALLENGE',
      Session: 'choice-session',
      ChallengeParameters: { USERNAME: '0b3c9d2e-uuid' },
      AvailableChallenges: ['EMAIL_OTP', 'PASSWORD'],
    },
    call: (g) => g.startChoiceSignIn('Jane@Example.com'),
    operation: 'InitiateAuth',
    body: {
      ClientId: CLIENT_ID,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: 'Jane@Example.com', SECRET_HASH: hashOf('Jane@Example.com') },
    },
    result: {
      kind: 'challenge',
      challengeName: 'SELECT_CHALLENGE',
      session: 'choice-session',
      parameters: { USERNAME: '0b3c9d2e-uuid' },
      available: ['EMAIL_OTP', 'PASSWORD'],
    },
  },
  {
    name: 'chooseFactor (SELECT_CHALLENGE answered)',
    answer: {
      ChallengeName: 'EMAIL_OTP',
      Session: 'otp-session',
      ChallengeParameters: { CODE_DELIVERY_DESTINATION: 'j***@e***.com' },
    },
    call: (g) => g.chooseFactor('choice-session', '0b3c9d2e-uuid', 'EMAIL_OTP'),
    operation: 'RespondToAuthChallenge',
    body: {
      ClientId: CLIENT_ID,
      ChallengeName: 'SELECT_CHALLENGE',
      Session: 'choice-session',
      ChallengeResponses: {
        ANSWER: 'EMAIL_OTP',
        USERNAME: '0b3c9d2e-uuid',
        SECRET_HASH: hashOf('0b3c9d2e-uuid'),
      },
    },
    result: {
      kind: 'challenge',
      challengeName: 'EMAIL_OTP',
      session: 'otp-session',
      parameters: { CODE_DELIVERY_DESTINATION: 'j***@e***.com' },
    },
  },
  {
    name: 'startPasskeyRegistration (the creation options as JSON)',
    answer: { CredentialCreationOptions: { challenge: 'abc', rp: { id: 'example.com', name: 'Example' } } },
    call: (g) => g.startPasskeyRegistration('access-token'),
    operation: 'StartWebAuthnRegistration',
    body: { AccessToken: 'access-token' },
    result: JSON.stringify({ challenge: 'abc', rp: { id: 'example.com', name: 'Example' } }),
  },
  {
    name: 'completePasskeyRegistration',
    answer: {},
    call: (g) => g.completePasskeyRegistration('access-token', { id: 'cred', type: 'public-key' }),
    operation: 'CompleteWebAuthnRegistration',
    body: { AccessToken: 'access-token', Credential: { id: 'cred', type: 'public-key' } },
    result: undefined,
  },
  {
    name: 'listPasskeys',
    answer: {
      Credentials: [
        {
          CredentialId: 'cred-1',
          FriendlyCredentialName: 'iCloud Keychain',
          RelyingPartyId: 'example.com',
          AuthenticatorAttachment: 'platform',
          CreatedAt: 1_700_000_000,
        },
        { FriendlyCredentialName: 'no id' },
      ],
    },
    call: (g) => g.listPasskeys('access-token'),
    operation: 'ListWebAuthnCredentials',
    body: { AccessToken: 'access-token', MaxResults: 20 },
    result: [{ id: 'cred-1', name: 'iCloud Keychain', createdAt: 1_700_000_000_000, attachment: 'platform' }],
  },
  {
    name: 'deletePasskey',
    answer: {},
    call: (g) => g.deletePasskey('access-token', 'cred-1'),
    operation: 'DeleteWebAuthnCredential',
    body: { AccessToken: 'access-token', CredentialId: 'cred-1' },
    result: undefined,
  },
  {
    name: 'signUp (passwordless: no Password member)',
    answer: { UserConfirmed: false, Session: 'sign-up-session' },
    call: (g) => g.signUp('jane@example.com', undefined, { email: 'jane@example.com' }),
    operation: 'SignUp',
    body: {
      ClientId: CLIENT_ID,
      SecretHash: hashOf('jane@example.com'),
      Username: 'jane@example.com',
      UserAttributes: [{ Name: 'email', Value: 'jane@example.com' }],
    },
    result: { confirmed: false, session: 'sign-up-session' },
  },
  {
    name: 'forgetDevice',
    answer: {},
    call: (g) => g.forgetDevice('access-token', 'eu-west-1_device'),
    operation: 'ForgetDevice',
    body: { AccessToken: 'access-token', DeviceKey: 'eu-west-1_device' },
    result: undefined,
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
  // Random values in the request (a device verifier): tested on their own below.
  for (const m of ['confirmDevice']) covered.add(m);
  assert.deepEqual(
    methods.filter((m) => !covered.has(m)),
    [],
  );
  assert.equal(methods.length, 33);
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

test('a connection dropped before any answer is retried once, then the answer is used', async () => {
  const calls: string[] = [];
  answers = ['drop', ok({})];
  await gateway(2000, (op, outcome) => calls.push(`${op} ${outcome}`)).forgotPassword('jane@example.com');
  assert.equal(seen.length, 2);
  assert.deepEqual(seen[1], seen[0], 'the retry sends the same request');
  assert.deepEqual(calls, ['ForgotPassword TimeoutError', 'ForgotPassword ok']);
});

test('a second dropped connection is not retried again: SERVICE_UNAVAILABLE, its cause kept for the log', async () => {
  answers = ['drop', 'drop', ok({})];
  const err = await authError(gateway().forgotPassword('jane@example.com'), 'SERVICE_UNAVAILABLE');
  assert.match(err.cognitoMessage ?? '', /socket hang up|ECONNRESET/);
  assert.equal(seen.length, 2);
});

test('a drop then a 500 is the one retry spent: SERVICE_UNAVAILABLE after two requests', async () => {
  answers = ['drop', fault(500, 'InternalErrorException', 'boom'), ok({})];
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

// ---- USER_SRP_AUTH and devices ----

/** A PASSWORD_VERIFIER challenge as Cognito words it (any B that is not 0 mod N does for the client's side). */
const verifierChallenge = (userId: string) =>
  ok({
    ChallengeName: 'PASSWORD_VERIFIER',
    Session: 'session-1',
    ChallengeParameters: {
      SALT: 'a1b2c3d4e5f60718',
      SRP_B: 'ab'.repeat(384),
      SECRET_BLOCK: Buffer.from('secret block').toString('base64'),
      USERNAME: userId,
      USER_ID_FOR_SRP: userId,
    },
  });
const DEVICE = { key: 'eu-west-1_device', groupKey: '-group', password: 'device-password' };

test('USER_SRP_AUTH: SRP_A goes out, never the password; the proof answers over the internal username', async () => {
  answers = [verifierChallenge('0b3c9d2e-uuid'), ok({ AuthenticationResult: TOKENS })];
  const result = await gateway(2000, undefined, 'USER_SRP_AUTH').signInWithPassword(
    'Jane@Example.com',
    'Pw-1!',
  );
  assert.deepEqual(result, { kind: 'tokens', tokens: TOKEN_SET });
  assert.deepEqual(
    seen.map((s) => s.operation),
    ['InitiateAuth', 'RespondToAuthChallenge'],
  );
  assert.doesNotMatch(JSON.stringify(seen), /Pw-1!/, 'the password is never sent');
  const init = seen[0]!.body as { AuthFlow: string; AuthParameters: Record<string, string> };
  assert.equal(init.AuthFlow, 'USER_SRP_AUTH');
  assert.match(init.AuthParameters.SRP_A!, /^[0-9a-f]{500,}$/);
  assert.equal(init.AuthParameters.SECRET_HASH, hashOf('Jane@Example.com'), 'over the name typed');
  const answer = seen[1]!.body as {
    ChallengeName: string;
    Session: string;
    ChallengeResponses: Record<string, string>;
  };
  assert.equal(answer.ChallengeName, 'PASSWORD_VERIFIER');
  assert.equal(answer.Session, 'session-1');
  const r = answer.ChallengeResponses;
  assert.equal(r.USERNAME, '0b3c9d2e-uuid');
  assert.equal(r.SECRET_HASH, hashOf('0b3c9d2e-uuid'), 'over USER_ID_FOR_SRP');
  assert.equal(r.PASSWORD_CLAIM_SECRET_BLOCK, Buffer.from('secret block').toString('base64'));
  assert.match(r.PASSWORD_CLAIM_SIGNATURE!, /^[A-Za-z0-9+/]{43}=$/);
  assert.match(r.TIMESTAMP!, /^[A-Z][a-z]{2} [A-Z][a-z]{2} [1-9]\d? \d{2}:\d{2}:\d{2} UTC \d{4}$/);
  assert.equal(r.DEVICE_KEY, undefined, 'no device given');
});

test('USER_SRP_AUTH: a challenge without SRP_B is not an answer to trust', async () => {
  answers = [ok({ ChallengeName: 'PASSWORD_VERIFIER', Session: 's', ChallengeParameters: { SALT: 'ab' } })];
  await authError(
    gateway(2000, undefined, 'USER_SRP_AUTH').signInWithPassword('jane', 'Pw-1!'),
    'UNEXPECTED_RESPONSE',
  );
});

test('a remembered device of the user proves itself: DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER', async () => {
  answers = [
    verifierChallenge('0b3c9d2e-uuid'),
    ok({ ChallengeName: 'DEVICE_SRP_AUTH', Session: 'session-2', ChallengeParameters: {} }),
    ok({
      ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
      Session: 'session-3',
      ChallengeParameters: {
        SALT: 'ffeeddcc',
        SRP_B: 'cd'.repeat(384),
        SECRET_BLOCK: 'ZGV2aWNl',
        USERNAME: '0b3c9d2e-uuid',
        DEVICE_KEY: DEVICE.key,
      },
    }),
    ok({ AuthenticationResult: TOKENS }),
  ];
  const asked: string[] = [];
  const result = await gateway(2000, undefined, 'USER_SRP_AUTH').signInWithPassword('jane', 'Pw-1!', {
    forUser: (userId) => (asked.push(userId), DEVICE),
    refused: () => assert.fail('not refused'),
  });
  assert.equal(result.kind, 'tokens');
  assert.deepEqual(asked, ['0b3c9d2e-uuid'], 'found by the internal username');
  const bodies = seen.map(
    (s) => s.body as { ChallengeName?: string; ChallengeResponses?: Record<string, string> },
  );
  assert.deepEqual(
    bodies.slice(1).map((b) => b.ChallengeName),
    ['PASSWORD_VERIFIER', 'DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER'],
  );
  assert.equal(bodies[1]!.ChallengeResponses!.DEVICE_KEY, DEVICE.key);
  assert.match(bodies[2]!.ChallengeResponses!.SRP_A!, /^[0-9a-f]{500,}$/);
  assert.equal(bodies[3]!.ChallengeResponses!.PASSWORD_CLAIM_SECRET_BLOCK, 'ZGV2aWNl');
  assert.doesNotMatch(JSON.stringify(seen), /device-password/, 'the device password is never sent');
});

test('a device Cognito refuses is dropped and the sign-in starts again without it; outages are not', async () => {
  const refused: string[] = [];
  const devices = {
    forUser: () => DEVICE,
    refused: (_user: string, d: typeof DEVICE) => {
      refused.push(d.key);
      return Promise.resolve();
    },
  };
  answers = [
    verifierChallenge('u-1'),
    ok({ ChallengeName: 'DEVICE_SRP_AUTH', Session: 'session-2', ChallengeParameters: {} }),
    fault(400, 'ResourceNotFoundException', 'Device does not exist.'),
    verifierChallenge('u-1'),
    ok({ ChallengeName: 'SMS_MFA', Session: 'mfa', ChallengeParameters: { USER_ID_FOR_SRP: 'u-1' } }),
  ];
  const g = gateway(2000, undefined, 'USER_SRP_AUTH');
  const result = await g.signInWithPassword('jane', 'Pw-1!', devices);
  assert.equal(result.kind === 'challenge' && result.challengeName, 'SMS_MFA');
  assert.deepEqual(refused, [DEVICE.key]);
  const again = seen[4]!.body as { ChallengeResponses: Record<string, string> };
  assert.equal(again.ChallengeResponses.DEVICE_KEY, undefined, 'the second try names no device');
  seen.length = 0;
  answers = [
    verifierChallenge('u-1'),
    ok({ ChallengeName: 'DEVICE_SRP_AUTH', Session: 'session-2', ChallengeParameters: {} }),
    fault(500, 'InternalErrorException', 'down'),
    fault(500, 'InternalErrorException', 'down'),
  ];
  await authError(g.signInWithPassword('jane', 'Pw-1!', devices), 'SERVICE_UNAVAILABLE');
  assert.deepEqual(refused, [DEVICE.key], 'an outage drops nothing');
});

test('a device the user no longer has (ResourceNotFound at PASSWORD_VERIFIER) is dropped; signed in without', async () => {
  const refused: string[] = [];
  answers = [
    verifierChallenge('u-1'),
    fault(400, 'ResourceNotFoundException', 'Device does not exist.'),
    verifierChallenge('u-1'),
    ok({ AuthenticationResult: TOKENS }),
  ];
  const result = await gateway(2000, undefined, 'USER_SRP_AUTH').signInWithPassword('jane', 'Pw-1!', {
    forUser: () => DEVICE,
    refused: (_user, d) => {
      refused.push(d.key);
      return Promise.resolve();
    },
  });
  assert.deepEqual(result, { kind: 'tokens', tokens: TOKEN_SET });
  assert.deepEqual(refused, [DEVICE.key]);
  const bodies = seen.map((s) => s.body as { ChallengeResponses?: Record<string, string> });
  assert.equal(bodies[1]!.ChallengeResponses!.DEVICE_KEY, DEVICE.key);
  assert.equal(bodies[3]!.ChallengeResponses!.DEVICE_KEY, undefined);
  seen.length = 0;
  answers = [verifierChallenge('u-1'), fault(400, 'ResourceNotFoundException', 'Device does not exist.')];
  await authError(
    gateway(2000, undefined, 'USER_SRP_AUTH').signInWithPassword('jane', 'Pw-1!'),
    'MISCONFIGURED',
  );
  assert.equal(seen.length, 2, 'without a device of ours, nothing is retried');
});

test('confirmDevice sends a verifier of a new random password and keeps the password', async () => {
  answers = [ok({ UserConfirmationNecessary: true })];
  const out = await gateway().confirmDevice(
    'access-token',
    { key: DEVICE.key, groupKey: '-group' },
    'Chrome · Linux',
  );
  assert.equal(out.confirmationNecessary, true);
  assert.equal(out.secrets.key, DEVICE.key);
  assert.equal(out.secrets.groupKey, '-group');
  assert.ok(out.secrets.password.length >= 40);
  const body = seen[0]!.body as {
    DeviceKey: string;
    DeviceName: string;
    DeviceSecretVerifierConfig: { Salt: string; PasswordVerifier: string };
  };
  assert.equal(seen[0]!.operation, 'ConfirmDevice');
  assert.equal(body.DeviceKey, DEVICE.key);
  assert.equal(body.DeviceName, 'Chrome · Linux');
  // 128 random bits in SRP's padded hex, as Amplify sends them: leading zero bytes dropped (one salt in 256 is 15
  // bytes or fewer), a 00 put before a high bit (17 bytes).
  const salt = Buffer.from(body.DeviceSecretVerifierConfig.Salt, 'base64').toString('hex');
  assert.equal(salt, padHex(fromHex(salt)), 'padded as SRP pads it');
  assert.ok(fromHex(salt) < 1n << 128n, 'at most 128 bits');
  assert.ok(Buffer.from(body.DeviceSecretVerifierConfig.PasswordVerifier, 'base64').length >= 380);
  assert.doesNotMatch(JSON.stringify(body), new RegExp(out.secrets.password.replace(/[+/]/g, '.')));
});

test('a device step failing for another reason (limits, an expired step) ends the sign-in and keeps the device', async () => {
  for (const [type, message, code] of [
    ['LimitExceededException', 'Attempt limit exceeded, please try after some time.', 'TOO_MANY_ATTEMPTS'],
    ['NotAuthorizedException', 'Invalid session for the user, session is expired.', 'SESSION_EXPIRED'],
  ] as const) {
    seen.length = 0;
    answers = [
      verifierChallenge('u-1'),
      ok({ ChallengeName: 'DEVICE_SRP_AUTH', Session: 'session-2', ChallengeParameters: {} }),
      fault(400, type, message),
    ];
    const refused: string[] = [];
    const devices = {
      forUser: () => DEVICE,
      refused: (_user: string, d: typeof DEVICE) => {
        refused.push(d.key);
        return Promise.resolve();
      },
    };
    await authError(
      gateway(2000, undefined, 'USER_SRP_AUTH').signInWithPassword('jane', 'Pw-1!', devices),
      code,
    );
    assert.deepEqual(refused, [], `${type}: the device is kept`);
    assert.equal(seen.length, 3, `${type}: no second sign-in`);
  }
});

test('a refresh refused because its device was forgotten ends the session (TOKEN_REVOKED)', async () => {
  answers = [fault(400, 'ResourceNotFoundException', 'Device does not exist.')];
  await authError(gateway().refresh('u-1', 'refresh-token', DEVICE.key), 'TOKEN_REVOKED');
});
