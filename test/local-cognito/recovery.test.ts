// Password recovery (ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword) and ChangePassword,
// through the real AWS SDK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  SignUpCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { LocalCognito, LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { failure, fakeClock, hashFor, startSeededEmulator, stopSeededEmulator } from './helpers.ts';

const PASSWORD = 'Correct-Horse-1';
const NEW_PASSWORD = 'Battery-Staple-2';
const HOUR = 60 * 60 * 1000;

describe('local cognito: password recovery', () => {
  const clock = fakeClock();
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  let pool: LocalPoolInfo;

  const hash = (username: string) => hashFor(pool.clientSecret, username, pool.clientId);
  /** `secretHash` null: sent without SecretHash. */
  const forgot = (email: string, secretHash: string | null = hash(email)) =>
    cognito.send(
      new ForgotPasswordCommand({
        ClientId: pool.clientId,
        Username: email,
        ...(secretHash === null ? {} : { SecretHash: secretHash }),
      }),
    );
  const confirmForgot = (
    email: string,
    code: string,
    password = NEW_PASSWORD,
    secretHash: string | null = hash(email),
  ) =>
    cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: pool.clientId,
        Username: email,
        ConfirmationCode: code,
        Password: password,
        ...(secretHash === null ? {} : { SecretHash: secretHash }),
      }),
    );
  const signIn = (email: string, password: string) =>
    cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: pool.clientId,
        AuthParameters: { USERNAME: email, PASSWORD: password, SECRET_HASH: hash(email) },
      }),
    );
  const messagesTo = (email: string) => emu.messages().filter((m) => m.to === email);
  const lastCode = (email: string) => messagesTo(email).at(-1)!.code;
  const otherThan = (code: string) => (code === '000000' ? '111111' : '000000');
  const incorrect = { name: 'NotAuthorizedException', message: 'Incorrect username or password.' };
  const mismatch = {
    name: 'CodeMismatchException',
    message: 'Invalid verification code provided, please try again.',
  };
  const limit = {
    name: 'LimitExceededException',
    message: 'Attempt limit exceeded, please try after some time.',
  };

  async function createUser(email: string, verified = true): Promise<void> {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: verified ? [{ Name: 'email_verified', Value: 'true' }] : [],
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        Password: PASSWORD,
        Permanent: true,
      }),
    );
  }

  before(async () => {
    ({ emu, cognito, pool } = await startSeededEmulator(clock));
  });
  after(() => stopSeededEmulator({ emu, cognito, pool }));

  it('forgot -> code by email -> new password: the old one is refused, the new one works, the code works once', async () => {
    const email = 'forgot@example.com';
    await createUser(email);
    const out = await forgot(email);
    assert.deepEqual(out.CodeDeliveryDetails, {
      Destination: 'f***@e***.com',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    const [message] = messagesTo(email);
    assert.equal(message?.kind, 'FORGOT_PASSWORD');
    assert.match(message.code, /^\d{6}$/);
    assert.equal(typeof message.sentAt, 'string');

    await confirmForgot(email, message.code);
    assert.deepEqual(await failure(signIn(email, PASSWORD)), incorrect);
    assert.ok((await signIn(email, NEW_PASSWORD)).AuthenticationResult?.AccessToken);
    assert.deepEqual(await failure(confirmForgot(email, message.code, 'Third-Password-3')), mismatch);
  });

  it('a reset code expires after one hour', async () => {
    const email = 'reset-expiry@example.com';
    await createUser(email);
    await forgot(email);
    clock.advance(HOUR + 1);
    assert.deepEqual(await failure(confirmForgot(email, lastCode(email))), {
      name: 'ExpiredCodeException',
      message: 'Invalid code provided, please request a code again.',
    });
    assert.ok((await signIn(email, PASSWORD)).AuthenticationResult);
  });

  it('unknown user (PreventUserExistenceErrors ENABLED): simulated delivery, nothing sent; confirm says mismatch', async () => {
    const before = emu.messages().length;
    const out = await forgot('nobody@example.com');
    assert.deepEqual(out.CodeDeliveryDetails, {
      Destination: 'n***@e***.com',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    assert.equal(emu.messages().length, before);
    assert.deepEqual(await failure(confirmForgot('nobody@example.com', '123456')), mismatch);
  });

  it('unknown user (LEGACY client): UserNotFoundException', async () => {
    const created = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.userPoolId,
        ClientName: 'legacy',
        PreventUserExistenceErrors: 'LEGACY',
      }),
    );
    const clientId = created.UserPoolClient!.ClientId!;
    const notFound = { name: 'UserNotFoundException', message: 'User does not exist.' };
    assert.deepEqual(
      await failure(
        cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'nobody@example.com' })),
      ),
      notFound,
    );
    assert.deepEqual(
      await failure(
        cognito.send(
          new ConfirmForgotPasswordCommand({
            ClientId: clientId,
            Username: 'nobody@example.com',
            ConfirmationCode: '123456',
            Password: NEW_PASSWORD,
          }),
        ),
      ),
      notFound,
    );
  });

  it('a password the policy refuses names the rule and leaves the code usable', async () => {
    const email = 'policy@example.com';
    await createUser(email);
    await forgot(email);
    const code = lastCode(email);
    assert.deepEqual(await failure(confirmForgot(email, code, 'nouppercase-1!')), {
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password must have uppercase characters',
    });
    assert.deepEqual(await failure(confirmForgot(email, code, 'Short-1')), {
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password not long enough',
    });
    await confirmForgot(email, code);
    assert.ok((await signIn(email, NEW_PASSWORD)).AuthenticationResult);
  });

  it('checks SECRET_HASH on ForgotPassword and ConfirmForgotPassword', async () => {
    const email = 'hash@example.com';
    await createUser(email);
    const missing = {
      name: 'NotAuthorizedException',
      message: `Client ${pool.clientId} is configured with secret but SECRET_HASH was not received`,
    };
    const wrong = {
      name: 'NotAuthorizedException',
      message: `Unable to verify secret hash for client ${pool.clientId}`,
    };
    assert.deepEqual(await failure(forgot(email, null)), missing);
    assert.deepEqual(await failure(forgot(email, hash('other@example.com'))), wrong);
    assert.equal(messagesTo(email).length, 0);
    await forgot(email);
    const code = lastCode(email);
    assert.deepEqual(await failure(confirmForgot(email, code, NEW_PASSWORD, null)), missing);
    assert.deepEqual(
      await failure(confirmForgot(email, code, NEW_PASSWORD, hash('other@example.com'))),
      wrong,
    );
    await confirmForgot(email, code);
  });

  it('refuses unconfirmed, unverified, temporary-password and disabled users', async () => {
    const unconfirmed = 'unconfirmed@example.com';
    await cognito.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: unconfirmed,
        Password: PASSWORD,
        SecretHash: hash(unconfirmed),
      }),
    );
    const noVerifiedEmail = {
      name: 'InvalidParameterException',
      message: 'Cannot reset password for the user as there is no registered/verified email or phone_number',
    };
    assert.deepEqual(await failure(forgot(unconfirmed)), noVerifiedEmail);
    const unverified = 'unverified@example.com';
    await createUser(unverified, false);
    assert.deepEqual(await failure(forgot(unverified)), noVerifiedEmail);

    const temporary = 'temporary@example.com';
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: temporary,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
      }),
    );
    assert.deepEqual(await failure(forgot(temporary)), {
      name: 'NotAuthorizedException',
      message: 'User password cannot be reset in the current state.',
    });

    const disabled = 'disabled@example.com';
    await createUser(disabled);
    await forgot(disabled);
    const code = lastCode(disabled);
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: disabled }));
    const isDisabled = { name: 'NotAuthorizedException', message: 'User is disabled.' };
    assert.deepEqual(await failure(forgot(disabled)), isDisabled);
    assert.deepEqual(await failure(confirmForgot(disabled, code)), isDisabled);
  });

  it('ForgotPassword: 5 an hour per user, then LimitExceededException', async () => {
    const email = 'forgot-limit@example.com';
    await createUser(email);
    for (let i = 0; i < 5; i += 1) await forgot(email);
    assert.deepEqual(await failure(forgot(email)), limit);
    assert.equal(messagesTo(email).length, 5);
    await confirmForgot(email, lastCode(email)); // the last code still works
    clock.advance(HOUR + 1);
    await forgot(email);
    assert.equal(messagesTo(email).length, 6);
  });

  it('after 5 wrong codes the reset code is dead', async () => {
    const email = 'reset-wrong@example.com';
    await createUser(email);
    await forgot(email);
    const code = lastCode(email);
    for (let i = 0; i < 5; i += 1)
      assert.deepEqual(await failure(confirmForgot(email, otherThan(code))), mismatch);
    assert.deepEqual(await failure(confirmForgot(email, code)), limit);
    assert.ok((await signIn(email, PASSWORD)).AuthenticationResult);
    await forgot(email);
    await confirmForgot(email, lastCode(email));
    assert.ok((await signIn(email, NEW_PASSWORD)).AuthenticationResult);
  });

  it('a reset clears a lockout', async () => {
    const email = 'locked@example.com';
    await createUser(email);
    for (let i = 0; i < 5; i += 1)
      assert.deepEqual(await failure(signIn(email, 'Wrong-Password-9')), incorrect);
    assert.deepEqual(await failure(signIn(email, PASSWORD)), {
      name: 'NotAuthorizedException',
      message: 'Password attempts exceeded',
    });
    await forgot(email);
    await confirmForgot(email, lastCode(email));
    assert.ok((await signIn(email, NEW_PASSWORD)).AuthenticationResult);
  });

  it('AdminResetUserPassword: RESET_REQUIRED, PasswordResetRequiredException, then ConfirmForgotPassword', async () => {
    const email = 'admin-reset@example.com';
    await createUser(email);
    await cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: email }));
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: email }),
    );
    assert.equal(user.UserStatus, 'RESET_REQUIRED');
    assert.equal(messagesTo(email).at(-1)?.kind, 'FORGOT_PASSWORD');
    assert.deepEqual(await failure(signIn(email, PASSWORD)), {
      name: 'PasswordResetRequiredException',
      message: 'Password reset required for the user',
    });
    await forgot(email); // a RESET_REQUIRED user may ask for another code
    await confirmForgot(email, lastCode(email));
    const after = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: email }),
    );
    assert.equal(after.UserStatus, 'CONFIRMED');
    assert.ok((await signIn(email, NEW_PASSWORD)).AuthenticationResult);
  });

  it('ChangePassword with the access token', async () => {
    const email = 'change@example.com';
    await createUser(email);
    const accessToken = (await signIn(email, PASSWORD)).AuthenticationResult!.AccessToken!;
    const change = (previous: string, proposed: string) =>
      cognito.send(
        new ChangePasswordCommand({
          AccessToken: accessToken,
          PreviousPassword: previous,
          ProposedPassword: proposed,
        }),
      );
    assert.deepEqual(await failure(change('Wrong-Password-9', NEW_PASSWORD)), incorrect);
    assert.deepEqual(await failure(change(PASSWORD, 'nosymbols1A')), {
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password must have symbol characters',
    });
    await change(PASSWORD, NEW_PASSWORD);
    assert.deepEqual(await failure(signIn(email, PASSWORD)), incorrect);
    assert.ok((await signIn(email, NEW_PASSWORD)).AuthenticationResult);
    assert.deepEqual(await failure(change(PASSWORD, 'Whatever-Pass-4')), incorrect);
    assert.deepEqual(
      await failure(
        cognito.send(
          new ChangePasswordCommand({
            AccessToken: 'not.a.token',
            PreviousPassword: PASSWORD,
            ProposedPassword: NEW_PASSWORD,
          }),
        ),
      ),
      { name: 'NotAuthorizedException', message: 'Invalid Access Token' },
    );
  });
});
