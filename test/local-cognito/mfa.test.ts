// MFA through the real AWS SDK: TOTP set-up with an AccessToken, SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP,
// SELECT_MFA_TYPE, MFA_SETUP (TOTP and email) on a pool that requires MFA, NEW_PASSWORD_REQUIRED with a
// required attribute, and the challenge Session rules (bound, single use, expiring, SECRET_HASH).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
  type AttributeType,
  type ChallengeNameType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { startLocalCognito, type LocalCognito } from '../../src/local-cognito/index.ts';
import { totpCode } from '../../src/local-cognito/totp.ts';
import { claimsOf, failure, fakeClock, hashFor, sdkClient } from './helpers.ts';

const PASSWORD = 'Correct-Horse-1';
const STEP = 30_000;

interface App {
  poolId: string;
  clientId: string;
  clientSecret: string;
}

describe('local cognito: MFA', () => {
  // Start mid-step, so "the same 30 s step" and "the next one" are unambiguous.
  const clock = fakeClock(Math.floor(Date.now() / STEP) * STEP + 5_000);
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  let local: App;
  let required: App;
  let n = 0;
  const email = (tag: string) => `${tag}-${(n += 1)}@example.com`;

  const hash = (app: App, username: string) => hashFor(app.clientSecret, username, app.clientId);
  const signIn = (app: App, username: string, password = PASSWORD) =>
    cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: app.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: hash(app, username) },
      }),
    );
  /** Answers with USERNAME = USER_ID_FOR_SRP and its SECRET_HASH (`secretHash` null: none sent). */
  const respond = (
    app: App,
    name: ChallengeNameType,
    session: string | undefined,
    username: string,
    responses: Record<string, string>,
    secretHash: string | null = hash(app, username),
  ) =>
    cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: app.clientId,
        ChallengeName: name,
        Session: session,
        ChallengeResponses: {
          USERNAME: username,
          ...(secretHash === null ? {} : { SECRET_HASH: secretHash }),
          ...responses,
        },
      }),
    );
  async function createUser(app: App, address: string, attributes: AttributeType[] = []): Promise<string> {
    const created = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: app.poolId,
        Username: address,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }, ...attributes],
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: app.poolId,
        Username: address,
        Password: PASSWORD,
        Permanent: true,
      }),
    );
    return created.User!.Username!;
  }
  const lastMessage = (to: string) =>
    emu
      .messages()
      .filter((m) => m.to === to)
      .at(-1);
  const otherThan = (code: string) => (code === '000000' ? '111111' : '000000');
  const mfaOf = async (app: App, username: string) => {
    const got = await cognito.send(new AdminGetUserCommand({ UserPoolId: app.poolId, Username: username }));
    return { preferred: got.PreferredMfaSetting, list: got.UserMFASettingList };
  };
  /** A signed-in user with a verified software token set as preferred MFA; returns the secret. */
  async function withTotp(app: App, address: string): Promise<{ username: string; secret: string }> {
    const username = await createUser(app, address);
    const tokens = (await signIn(app, address)).AuthenticationResult!;
    const { SecretCode } = await cognito.send(
      new AssociateSoftwareTokenCommand({ AccessToken: tokens.AccessToken }),
    );
    await cognito.send(
      new VerifySoftwareTokenCommand({
        AccessToken: tokens.AccessToken,
        UserCode: totpCode(SecretCode!, clock.now()),
      }),
    );
    await cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: tokens.AccessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    clock.advance(STEP); // the verification code's step is used up
    return { username, secret: SecretCode! };
  }

  before(async () => {
    emu = await startLocalCognito({ port: 0, clock: clock.now });
    cognito = sdkClient(emu);
    const seeded = await emu.ensureLocalPool();
    local = { poolId: seeded.userPoolId, clientId: seeded.clientId, clientSecret: seeded.clientSecret };
    const created = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: 'mfa-required',
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        Schema: [{ Name: 'name', AttributeDataType: 'String', Required: true, Mutable: true }],
      }),
    );
    const poolId = created.UserPool!.Id!;
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'ON',
        SoftwareTokenMfaConfiguration: { Enabled: true },
        EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Code' },
      }),
    );
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'app',
        GenerateSecret: true,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    required = {
      poolId,
      clientId: client.UserPoolClient!.ClientId!,
      clientSecret: client.UserPoolClient!.ClientSecret!,
    };
  });
  after(async () => {
    cognito.destroy();
    await emu.close();
  });

  it('reports the pool MFA configuration; the seeded pool is OPTIONAL with TOTP, SMS and email', async () => {
    const config = await cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: local.poolId }));
    assert.equal(config.MfaConfiguration, 'OPTIONAL');
    assert.deepEqual(config.SoftwareTokenMfaConfiguration, { Enabled: true });
    assert.ok(config.SmsMfaConfiguration?.SmsConfiguration);
    assert.ok(config.EmailMfaConfiguration);
    const described = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: required.poolId }));
    assert.equal(described.UserPool?.MfaConfiguration, 'ON');
  });

  it('TOTP: associate and verify with an AccessToken, prefer it, then sign in with SOFTWARE_TOKEN_MFA', async () => {
    const address = email('totp');
    const username = await createUser(local, address);
    const tokens = (await signIn(local, address)).AuthenticationResult!;
    assert.deepEqual(
      await failure(
        cognito.send(
          new SetUserMFAPreferenceCommand({
            AccessToken: tokens.AccessToken,
            SoftwareTokenMfaSettings: { Enabled: true },
          }),
        ),
      ),
      {
        name: 'InvalidParameterException',
        message: 'User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA',
      },
    );
    const { SecretCode, Session } = await cognito.send(
      new AssociateSoftwareTokenCommand({ AccessToken: tokens.AccessToken }),
    );
    assert.match(SecretCode!, /^[A-Z2-7]{32}$/); // 20 random bytes, base32 without padding
    assert.equal(Session, undefined);
    const code = totpCode(SecretCode!, clock.now());
    assert.deepEqual(
      await failure(
        cognito.send(
          new VerifySoftwareTokenCommand({ AccessToken: tokens.AccessToken, UserCode: otherThan(code) }),
        ),
      ),
      {
        name: 'EnableSoftwareTokenMFAException',
        message: 'Code mismatch and fail enable Software Token MFA',
      },
    );
    const verified = await cognito.send(
      new VerifySoftwareTokenCommand({
        AccessToken: tokens.AccessToken,
        UserCode: code,
        FriendlyDeviceName: 'phone',
      }),
    );
    assert.equal(verified.Status, 'SUCCESS');
    assert.equal(verified.Session, undefined);
    assert.deepEqual(await mfaOf(local, username), { preferred: undefined, list: undefined });
    await cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: tokens.AccessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const me = await cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    assert.equal(me.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
    assert.deepEqual(me.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);

    const challenge = await signIn(local, address);
    assert.equal(challenge.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    assert.equal(challenge.AuthenticationResult, undefined);
    assert.equal(challenge.ChallengeParameters?.USER_ID_FOR_SRP, username);
    const internal = challenge.ChallengeParameters?.USER_ID_FOR_SRP ?? username;
    // The verification used this step's code: Cognito refuses it once more.
    assert.deepEqual(
      await failure(
        respond(local, 'SOFTWARE_TOKEN_MFA', challenge.Session, internal, { SOFTWARE_TOKEN_MFA_CODE: code }),
      ),
      { name: 'ExpiredCodeException', message: 'Your software token has already been used once.' },
    );
    clock.advance(STEP);
    const done = await respond(local, 'SOFTWARE_TOKEN_MFA', challenge.Session, internal, {
      SOFTWARE_TOKEN_MFA_CODE: totpCode(SecretCode!, clock.now()),
    });
    assert.ok(done.AuthenticationResult?.AccessToken);
    assert.equal(claimsOf(done.AuthenticationResult.IdToken!).sub, username);
  });

  it('a wrong code: CodeMismatchException, the same session takes another try, five end it', async () => {
    const { username, secret } = await withTotp(local, email('wrong'));
    const first = await signIn(local, username);
    const right = totpCode(secret, clock.now());
    const wrong = { SOFTWARE_TOKEN_MFA_CODE: otherThan(right) };
    assert.deepEqual(await failure(respond(local, 'SOFTWARE_TOKEN_MFA', first.Session, username, wrong)), {
      name: 'CodeMismatchException',
      message: 'Invalid code received for user',
    });
    const ok = await respond(local, 'SOFTWARE_TOKEN_MFA', first.Session, username, {
      SOFTWARE_TOKEN_MFA_CODE: right,
    });
    assert.ok(ok.AuthenticationResult?.IdToken);

    clock.advance(STEP);
    const second = await signIn(local, username);
    for (let i = 0; i < 5; i += 1) {
      assert.equal(
        (await failure(respond(local, 'SOFTWARE_TOKEN_MFA', second.Session, username, wrong))).name,
        'CodeMismatchException',
      );
    }
    assert.deepEqual(
      await failure(
        respond(local, 'SOFTWARE_TOKEN_MFA', second.Session, username, {
          SOFTWARE_TOKEN_MFA_CODE: totpCode(secret, clock.now()),
        }),
      ),
      { name: 'NotAuthorizedException', message: 'Invalid session for the user.' },
    );
  });

  it('SMS_MFA: a code sent to the phone number, masked in the challenge; the session works once', async () => {
    const address = email('sms');
    const username = await createUser(local, address, [{ Name: 'phone_number', Value: '+15555550123' }]);
    await cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: local.poolId,
        Username: address,
        SMSMfaSettings: { Enabled: true },
      }),
    );
    const challenge = await signIn(local, address);
    assert.equal(challenge.ChallengeName, 'SMS_MFA');
    assert.deepEqual(challenge.ChallengeParameters, {
      CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS',
      CODE_DELIVERY_DESTINATION: '+*******0123',
      USER_ID_FOR_SRP: username,
    });
    const sent = lastMessage('+15555550123');
    assert.equal(sent?.kind, 'SMS_MFA');
    assert.equal(sent.username, username);
    assert.deepEqual(
      await failure(
        respond(local, 'SMS_MFA', challenge.Session, username, { SMS_MFA_CODE: otherThan(sent.code) }),
      ),
      { name: 'CodeMismatchException', message: 'Invalid code or auth state for the user.' },
    );
    // Bound to its challenge name: an SMS_MFA session does not answer EMAIL_OTP.
    assert.equal(
      (await failure(respond(local, 'EMAIL_OTP', challenge.Session, username, { EMAIL_OTP_CODE: sent.code })))
        .name,
      'NotAuthorizedException',
    );
    const done = await respond(local, 'SMS_MFA', challenge.Session, username, { SMS_MFA_CODE: sent.code });
    assert.ok(done.AuthenticationResult?.AccessToken);
    assert.deepEqual(
      await failure(respond(local, 'SMS_MFA', challenge.Session, username, { SMS_MFA_CODE: sent.code })),
      { name: 'NotAuthorizedException', message: 'Invalid session for the user.' },
    );
  });

  it('EMAIL_OTP: a code sent to the email address', async () => {
    const address = email('email-otp');
    const username = await createUser(local, address);
    await cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: local.poolId,
        Username: address,
        EmailMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    assert.deepEqual(await mfaOf(local, address), { preferred: 'EMAIL_OTP', list: ['EMAIL_OTP'] });
    const challenge = await signIn(local, address);
    assert.equal(challenge.ChallengeName, 'EMAIL_OTP');
    assert.deepEqual(challenge.ChallengeParameters, {
      CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL',
      CODE_DELIVERY_DESTINATION: 'e***@e***.com',
      USER_ID_FOR_SRP: username,
    });
    const sent = lastMessage(address)!;
    assert.equal(sent.kind, 'EMAIL_OTP');
    const done = await respond(local, 'EMAIL_OTP', challenge.Session, username, {
      EMAIL_OTP_CODE: sent.code,
    });
    assert.ok(done.AuthenticationResult?.RefreshToken);
  });

  it('SELECT_MFA_TYPE: several enabled and none preferred; the answer leads to that challenge', async () => {
    const address = email('select');
    const username = await createUser(local, address, [{ Name: 'phone_number', Value: '+15555550456' }]);
    await cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: local.poolId,
        Username: address,
        SMSMfaSettings: { Enabled: true },
        EmailMfaSettings: { Enabled: true },
      }),
    );
    const before = emu.messages().length;
    const challenge = await signIn(local, address);
    assert.equal(challenge.ChallengeName, 'SELECT_MFA_TYPE');
    assert.deepEqual(JSON.parse(challenge.ChallengeParameters!.MFAS_CAN_CHOOSE!), ['SMS_MFA', 'EMAIL_OTP']);
    assert.equal(emu.messages().length, before, 'no code before the choice');
    assert.equal(
      (
        await failure(
          respond(local, 'SELECT_MFA_TYPE', challenge.Session, username, { ANSWER: 'SOFTWARE_TOKEN_MFA' }),
        )
      ).name,
      'InvalidParameterException',
    );
    const chosen = await respond(local, 'SELECT_MFA_TYPE', challenge.Session, username, {
      ANSWER: 'EMAIL_OTP',
    });
    assert.equal(chosen.ChallengeName, 'EMAIL_OTP');
    assert.ok(chosen.Session && chosen.Session !== challenge.Session);
    const sent = lastMessage(address)!;
    assert.equal(sent.kind, 'EMAIL_OTP');
    const done = await respond(local, 'EMAIL_OTP', chosen.Session, username, { EMAIL_OTP_CODE: sent.code });
    assert.ok(done.AuthenticationResult?.AccessToken);
  });

  it('sessions expire after AuthSessionValidity (3 minutes); SECRET_HASH is checked on every answer', async () => {
    const address = email('expiry');
    const username = await createUser(local, address);
    await cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: local.poolId,
        Username: address,
        EmailMfaSettings: { Enabled: true },
      }),
    );
    const challenge = await signIn(local, address);
    const code = lastMessage(address)!.code;
    assert.deepEqual(
      await failure(respond(local, 'EMAIL_OTP', challenge.Session, username, { EMAIL_OTP_CODE: code }, null)),
      {
        name: 'NotAuthorizedException',
        message: `Client ${local.clientId} is configured with secret but SECRET_HASH was not received`,
      },
    );
    assert.deepEqual(
      await failure(
        respond(local, 'EMAIL_OTP', challenge.Session, username, { EMAIL_OTP_CODE: code }, hash(local, 'x')),
      ),
      {
        name: 'NotAuthorizedException',
        message: `Unable to verify secret hash for client ${local.clientId}`,
      },
    );
    assert.equal(
      (await failure(respond(local, 'BOGUS' as ChallengeNameType, challenge.Session, username, {}))).name,
      'InvalidParameterException',
    );
    clock.advance(3 * 60_000 + 1);
    assert.deepEqual(
      await failure(respond(local, 'EMAIL_OTP', challenge.Session, username, { EMAIL_OTP_CODE: code })),
      { name: 'NotAuthorizedException', message: 'Invalid session for the user, session is expired.' },
    );
  });

  it('MFA_SETUP with TOTP on a pool that requires MFA', async () => {
    const address = email('setup-totp');
    const username = await createUser(required, address, [{ Name: 'name', Value: 'Tess' }]);
    const challenge = await signIn(required, address);
    assert.equal(challenge.ChallengeName, 'MFA_SETUP');
    assert.deepEqual(JSON.parse(challenge.ChallengeParameters!.MFAS_CAN_SETUP!), [
      'SOFTWARE_TOKEN_MFA',
      'EMAIL_OTP',
    ]);
    assert.equal(challenge.ChallengeParameters!.USER_ID_FOR_SRP, username);
    const associated = await cognito.send(new AssociateSoftwareTokenCommand({ Session: challenge.Session }));
    assert.match(associated.SecretCode!, /^[A-Z2-7]{32}$/);
    assert.ok(associated.Session && associated.Session !== challenge.Session);
    assert.equal(
      (await failure(cognito.send(new AssociateSoftwareTokenCommand({ Session: challenge.Session })))).name,
      'NotAuthorizedException',
      'the first session is used up',
    );
    assert.equal(
      (await failure(respond(required, 'MFA_SETUP', associated.Session, username, {}))).name,
      'SoftwareTokenMFANotFoundException',
      'not verified yet',
    );
    const code = totpCode(associated.SecretCode!, clock.now());
    assert.equal(
      (
        await failure(
          cognito.send(
            new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: otherThan(code) }),
          ),
        )
      ).name,
      'EnableSoftwareTokenMFAException',
    );
    const verified = await cognito.send(
      new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: code }),
    );
    assert.equal(verified.Status, 'SUCCESS');
    assert.ok(verified.Session && verified.Session !== associated.Session);
    const done = await respond(required, 'MFA_SETUP', verified.Session, username, {});
    assert.ok(done.AuthenticationResult?.AccessToken);
    assert.deepEqual(await mfaOf(required, username), {
      preferred: 'SOFTWARE_TOKEN_MFA',
      list: ['SOFTWARE_TOKEN_MFA'],
    });
    clock.advance(STEP);
    const next = await signIn(required, address);
    assert.equal(next.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    const again = await respond(required, 'SOFTWARE_TOKEN_MFA', next.Session, username, {
      SOFTWARE_TOKEN_MFA_CODE: totpCode(associated.SecretCode!, clock.now()),
    });
    assert.ok(again.AuthenticationResult?.IdToken);
  });

  it('MFA_SETUP with email: EMAIL answer, then EMAIL_OTP with the code sent there', async () => {
    const address = email('setup-email');
    const username = await createUser(required, address, [{ Name: 'name', Value: 'Emma' }]);
    const challenge = await signIn(required, address);
    assert.equal(challenge.ChallengeName, 'MFA_SETUP');
    const otp = await respond(required, 'MFA_SETUP', challenge.Session, username, { EMAIL: address });
    assert.equal(otp.ChallengeName, 'EMAIL_OTP');
    assert.equal(otp.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
    const sent = lastMessage(address)!;
    assert.equal(sent.kind, 'EMAIL_OTP');
    const done = await respond(required, 'EMAIL_OTP', otp.Session, username, { EMAIL_OTP_CODE: sent.code });
    assert.ok(done.AuthenticationResult?.AccessToken);
    assert.deepEqual(await mfaOf(required, username), { preferred: 'EMAIL_OTP', list: ['EMAIL_OTP'] });
    const next = await signIn(required, address);
    assert.equal(next.ChallengeName, 'EMAIL_OTP');
  });

  it('NEW_PASSWORD_REQUIRED lists a missing required attribute, applies the answer, then MFA follows', async () => {
    const address = email('new-password');
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: required.poolId,
        Username: address,
        TemporaryPassword: 'Temp-Password-1',
        MessageAction: 'SUPPRESS',
      }),
    );
    const challenge = await signIn(required, address, 'Temp-Password-1');
    assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    assert.deepEqual(JSON.parse(challenge.ChallengeParameters!.requiredAttributes!), ['userAttributes.name']);
    const username = challenge.ChallengeParameters!.USER_ID_FOR_SRP!;
    assert.deepEqual(
      await failure(
        respond(required, 'NEW_PASSWORD_REQUIRED', challenge.Session, username, { NEW_PASSWORD: PASSWORD }),
      ),
      { name: 'InvalidParameterException', message: 'Invalid attributes given, name is missing' },
    );
    assert.equal(
      (
        await failure(
          respond(required, 'NEW_PASSWORD_REQUIRED', challenge.Session, username, {
            NEW_PASSWORD: 'weak',
            'userAttributes.name': 'Nina',
          }),
        )
      ).name,
      'InvalidPasswordException',
    );
    const next = await respond(required, 'NEW_PASSWORD_REQUIRED', challenge.Session, username, {
      NEW_PASSWORD: PASSWORD,
      'userAttributes.name': 'Nina',
    });
    assert.equal(next.ChallengeName, 'MFA_SETUP');
    const got = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: required.poolId, Username: address }),
    );
    assert.equal(got.UserStatus, 'CONFIRMED');
    assert.ok(got.UserAttributes?.some((a) => a.Name === 'name' && a.Value === 'Nina'));
  });

  it('the seeded demo user still signs in without MFA', async () => {
    const seeded = await emu.ensureLocalPool();
    const out = await signIn(local, seeded.demoUser.email, seeded.demoUser.password);
    assert.ok(out.AuthenticationResult?.AccessToken);
  });
});
