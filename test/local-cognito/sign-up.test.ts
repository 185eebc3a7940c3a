// Sign-up, confirmation codes and the password policy, through the real AWS SDK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { LocalCognito, LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { failure, fakeClock, hashFor, startSeededEmulator, stopSeededEmulator } from './helpers.ts';

describe('local cognito: sign-up and confirmation', () => {
  const clock = fakeClock();
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  let pool: LocalPoolInfo;

  const hash = (username: string) => hashFor(pool.clientSecret, username, pool.clientId);
  const signUp = (email: string, password: string, secretHash: string | null = hash(email)) =>
    cognito.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: email,
        Password: password,
        ...(secretHash === null ? {} : { SecretHash: secretHash }),
        UserAttributes: [{ Name: 'name', Value: 'Jane' }],
      }),
    );
  const confirm = (email: string, code: string) =>
    cognito.send(
      new ConfirmSignUpCommand({
        ClientId: pool.clientId,
        Username: email,
        ConfirmationCode: code,
        SecretHash: hash(email),
      }),
    );
  const lastCode = (email: string) =>
    emu
      .messages()
      .filter((m) => m.to === email)
      .at(-1)!.code;

  before(async () => {
    ({ emu, cognito, pool } = await startSeededEmulator(clock));
  });
  after(() => stopSeededEmulator({ emu, cognito, pool }));

  it('refuses a missing or wrong SecretHash on SignUp', async () => {
    assert.deepEqual(await failure(signUp('jane@example.com', 'Good-Password-1', null)), {
      name: 'NotAuthorizedException',
      message: `Client ${pool.clientId} is configured with secret but SECRET_HASH was not received`,
    });
    assert.deepEqual(
      await failure(signUp('jane@example.com', 'Good-Password-1', hash('other@example.com'))),
      {
        name: 'NotAuthorizedException',
        message: `Unable to verify secret hash for client ${pool.clientId}`,
      },
    );
    assert.equal(emu.messages().length, 0);
  });

  it('enforces the password policy with its messages', async () => {
    const cases: [string, string][] = [
      ['Sh0rt!', 'Password not long enough'],
      ['lowercase-only-1', 'Password must have uppercase characters'],
      ['UPPERCASE-ONLY-1', 'Password must have lowercase characters'],
      ['No-Numbers-Here', 'Password must have numeric characters'],
      ['NoSymbols123', 'Password must have symbol characters'],
    ];
    for (const [password, rule] of cases) {
      assert.deepEqual(await failure(signUp('policy@example.com', password)), {
        name: 'InvalidPasswordException',
        message: `Password did not conform with policy: ${rule}`,
      });
    }
  });

  it('signs up UNCONFIRMED, emails a 6-digit code, and confirms with it', async () => {
    const email = 'jane@example.com';
    const out = await signUp(email, 'Good-Password-1');
    assert.equal(out.UserConfirmed, false);
    assert.match(out.UserSub!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(out.CodeDeliveryDetails, {
      Destination: 'j***@e***.com',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    const [message] = emu.messages();
    assert.equal(message?.kind, 'SIGN_UP');
    assert.equal(message?.to, email);
    assert.equal(message?.username, out.UserSub);
    assert.match(message.code, /^\d{6}$/);
    const viaHttp = (await (await fetch(`${emu.endpoint}/_local/messages`)).json()) as unknown[];
    assert.deepEqual(viaHttp, emu.messages());

    const notYet = await failure(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: pool.clientId,
          AuthParameters: { USERNAME: email, PASSWORD: 'Good-Password-1', SECRET_HASH: hash(email) },
        }),
      ),
    );
    assert.deepEqual(notYet, { name: 'UserNotConfirmedException', message: 'User is not confirmed.' });

    const wrong = message.code === '000000' ? '111111' : '000000';
    assert.deepEqual(await failure(confirm(email, wrong)), {
      name: 'CodeMismatchException',
      message: 'Invalid verification code provided, please try again.',
    });
    await confirm(email, message.code);
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: email }),
    );
    assert.equal(user.UserStatus, 'CONFIRMED');
    assert.ok(user.UserAttributes?.some((a) => a.Name === 'email_verified' && a.Value === 'true'));
    assert.ok(user.UserCreateDate instanceof Date);
    assert.deepEqual(await failure(signUp(email, 'Good-Password-1')), {
      name: 'UsernameExistsException',
      message: 'An account with the given email already exists.',
    });
  });

  it('a resent code supersedes the old one, and codes expire after 24 hours', async () => {
    const email = 'resend@example.com';
    await signUp(email, 'Good-Password-1');
    const first = lastCode(email);
    const resent = await cognito.send(
      new ResendConfirmationCodeCommand({
        ClientId: pool.clientId,
        Username: email,
        SecretHash: hash(email),
      }),
    );
    assert.equal(resent.CodeDeliveryDetails?.Destination, 'r***@e***.com');
    const second = lastCode(email);
    if (first !== second) assert.equal((await failure(confirm(email, first))).name, 'CodeMismatchException');
    clock.advance(24 * 3600 * 1000 + 1);
    assert.deepEqual(await failure(confirm(email, second)), {
      name: 'ExpiredCodeException',
      message: 'Invalid code provided, please request a code again.',
    });
    await cognito.send(
      new ResendConfirmationCodeCommand({
        ClientId: pool.clientId,
        Username: email,
        SecretHash: hash(email),
      }),
    );
    await confirm(email, lastCode(email));
  });

  it('the inbox page lists codes, escaped', async () => {
    await signUp('<b>x</b>@example.com', 'Good-Password-1');
    const res = await fetch(`${emu.endpoint}/_local/inbox`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    assert.ok(html.includes(lastCode('jane@example.com')));
    assert.ok(!html.includes('<b>x</b>'));
    assert.ok(html.includes('&#60;b&#62;x&#60;/b&#62;@example.com'));
  });
});
