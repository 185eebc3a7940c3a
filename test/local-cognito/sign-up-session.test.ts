// Sign-up Sessions (SignUp -> ConfirmSignUp -> InitiateAuth USER_AUTH) and the limits on confirmation codes,
// through the real AWS SDK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { LocalCognito, LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { claimsOf, failure, fakeClock, hashFor, startSeededEmulator, stopSeededEmulator } from './helpers.ts';

const PASSWORD = 'Good-Password-1';
const HOUR = 60 * 60 * 1000;

describe('local cognito: sign-up sessions and confirmation codes', () => {
  const clock = fakeClock();
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  let pool: LocalPoolInfo;

  const hash = (username: string) => hashFor(pool.clientSecret, username, pool.clientId);
  const signUp = (email: string) =>
    cognito.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: email,
        Password: PASSWORD,
        SecretHash: hash(email),
      }),
    );
  const confirm = (email: string, code: string, session?: string) =>
    cognito.send(
      new ConfirmSignUpCommand({
        ClientId: pool.clientId,
        Username: email,
        ConfirmationCode: code,
        SecretHash: hash(email),
        ...(session === undefined ? {} : { Session: session }),
      }),
    );
  const resend = (email: string) =>
    cognito.send(
      new ResendConfirmationCodeCommand({
        ClientId: pool.clientId,
        Username: email,
        SecretHash: hash(email),
      }),
    );
  const userAuth = (email: string, session: string | undefined, extra: Record<string, string> = {}) =>
    cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_AUTH',
        ClientId: pool.clientId,
        AuthParameters: { USERNAME: email, SECRET_HASH: hash(email), ...extra },
        ...(session === undefined ? {} : { Session: session }),
      }),
    );
  const codes = (email: string) =>
    emu
      .messages()
      .filter((m) => m.to === email)
      .map((m) => m.code);
  const lastCode = (email: string) => codes(email).at(-1)!;
  const otherThan = (code: string) => (code === '000000' ? '111111' : '000000');
  const status = async (email: string) =>
    (await cognito.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: email })))
      .UserStatus;

  before(async () => {
    ({ emu, cognito, pool } = await startSeededEmulator(clock));
  });
  after(() => stopSeededEmulator({ emu, cognito, pool }));

  it('SignUp -> ConfirmSignUp with its Session -> USER_AUTH with the new Session gives tokens, once', async () => {
    const email = 'session@example.com';
    const out = await signUp(email);
    assert.equal(typeof out.Session, 'string');
    const confirmed = await confirm(email, lastCode(email), out.Session);
    assert.equal(typeof confirmed.Session, 'string');
    assert.notEqual(confirmed.Session, out.Session);

    const signedIn = await userAuth(email, confirmed.Session);
    const result = signedIn.AuthenticationResult;
    assert.ok(result?.AccessToken && result.IdToken && result.RefreshToken);
    assert.equal(result.TokenType, 'Bearer');
    assert.equal(claimsOf(result.AccessToken).username, out.UserSub);
    assert.equal(claimsOf(result.IdToken).email, email);
    const me = await cognito.send(new GetUserCommand({ AccessToken: result.AccessToken }));
    assert.equal(me.Username, out.UserSub);

    assert.deepEqual(await failure(userAuth(email, confirmed.Session)), {
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user.',
    });
  });

  it('a confirm Session is bound to its user, to USER_AUTH, and expires', async () => {
    const a = 'bound-a@example.com';
    const b = 'bound-b@example.com';
    const signedUpA = await signUp(a);
    const signedUpB = await signUp(b);
    const sessionA = (await confirm(a, lastCode(a), signedUpA.Session)).Session!;
    await confirm(b, lastCode(b), signedUpB.Session);
    const invalid = { name: 'NotAuthorizedException', message: 'Invalid session for the user.' };

    assert.deepEqual(await failure(userAuth(b, sessionA)), invalid);
    assert.deepEqual(await failure(userAuth(a, signedUpA.Session)), invalid); // the SignUp one is not it
    assert.deepEqual(await failure(userAuth(a, 'not-a-session')), invalid);
    assert.deepEqual(
      await failure(
        cognito.send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: sessionA,
            ChallengeResponses: { USERNAME: a, NEW_PASSWORD: 'Other-Password-2', SECRET_HASH: hash(a) },
          }),
        ),
      ),
      invalid,
    );

    clock.advance(3 * 60_000 + 1); // the client's AuthSessionValidity (3 minutes)
    assert.deepEqual(await failure(userAuth(a, sessionA)), {
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user, session is expired.',
    });
  });

  it('ConfirmSignUp refuses another user`s sign-up Session and confirms nothing; without one, no Session', async () => {
    const a = 'theirs-a@example.com';
    const b = 'theirs-b@example.com';
    await signUp(a);
    const signedUpB = await signUp(b);
    assert.deepEqual(await failure(confirm(a, lastCode(a), signedUpB.Session)), {
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user.',
    });
    assert.equal(await status(a), 'UNCONFIRMED');
    const out = await confirm(a, lastCode(a));
    assert.equal(out.Session, undefined);
    assert.equal(await status(a), 'CONFIRMED');
  });

  it('USER_AUTH without a Session: PREFERRED_CHALLENGE PASSWORD signs in; without one, the choice', async () => {
    const email = 'choice@example.com';
    await signUp(email);
    await confirm(email, lastCode(email));
    const out = await userAuth(email, undefined, { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
    assert.ok(out.AuthenticationResult?.AccessToken);
    assert.deepEqual(
      await failure(
        userAuth(email, undefined, { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: 'Wrong-Pass-1' }),
      ),
      { name: 'NotAuthorizedException', message: 'Incorrect username or password.' },
    );
    // The seeded pool allows every first factor: this user (a verified email, no phone, no passkey) gets these.
    const bare = await userAuth(email, undefined);
    assert.equal(bare.ChallengeName, 'SELECT_CHALLENGE');
    assert.deepEqual(bare.AvailableChallenges, ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP']);
    assert.deepEqual(await failure(userAuth(email, 'x', { SECRET_HASH: hash('other@example.com') })), {
      name: 'NotAuthorizedException',
      message: `Unable to verify secret hash for client ${pool.clientId}`,
    });
  });

  it('USER_AUTH needs ALLOW_USER_AUTH on the client', async () => {
    const created = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.userPoolId,
        ClientName: 'no-user-auth',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const err = await failure(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_AUTH',
          ClientId: created.UserPoolClient!.ClientId!,
          AuthParameters: { USERNAME: 'choice@example.com', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD },
        }),
      ),
    );
    assert.deepEqual(err, {
      name: 'InvalidParameterException',
      message: 'USER_AUTH flow not enabled for this client',
    });
  });

  it('a resent code supersedes the old one', async () => {
    const email = 'supersede@example.com';
    await signUp(email);
    let first = lastCode(email);
    await resend(email);
    // Two random codes may be equal (one in a million): resend until they differ.
    while (lastCode(email) === first) {
      first = lastCode(email);
      await resend(email);
    }
    assert.deepEqual(await failure(confirm(email, first)), {
      name: 'CodeMismatchException',
      message: 'Invalid verification code provided, please try again.',
    });
    await confirm(email, lastCode(email));
    assert.equal(await status(email), 'CONFIRMED');
  });

  it('a code expires after 24 hours', async () => {
    const email = 'expire@example.com';
    await signUp(email);
    clock.advance(24 * HOUR - 1000);
    const code = lastCode(email);
    assert.equal((await failure(confirm(email, otherThan(code)))).name, 'CodeMismatchException');
    clock.advance(1001);
    assert.deepEqual(await failure(confirm(email, code)), {
      name: 'ExpiredCodeException',
      message: 'Invalid code provided, please request a code again.',
    });
    assert.equal(await status(email), 'UNCONFIRMED');
  });

  it('after 5 wrong codes the code is dead; a new code works', async () => {
    const email = 'wrong@example.com';
    await signUp(email);
    const code = lastCode(email);
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await failure(confirm(email, otherThan(code)))).name, 'CodeMismatchException');
    }
    const limit = {
      name: 'LimitExceededException',
      message: 'Attempt limit exceeded, please try after some time.',
    };
    assert.deepEqual(await failure(confirm(email, code)), limit);
    assert.deepEqual(await failure(confirm(email, otherThan(code))), limit);
    await resend(email);
    await confirm(email, lastCode(email));
    assert.equal(await status(email), 'CONFIRMED');
  });

  it('ResendConfirmationCode: 5 an hour per user, then LimitExceededException', async () => {
    const email = 'resend-limit@example.com';
    await signUp(email);
    for (let i = 0; i < 5; i += 1) await resend(email);
    const sent = codes(email).length;
    assert.equal(sent, 6); // SignUp's code and 5 resends
    assert.deepEqual(await failure(resend(email)), {
      name: 'LimitExceededException',
      message: 'Attempt limit exceeded, please try after some time.',
    });
    assert.equal(codes(email).length, sent);
    await signUp('resend-other@example.com');
    await resend('resend-other@example.com'); // the limit is per user
    await confirm(email, lastCode(email)); // the last code still works
    clock.advance(HOUR);
    assert.equal((await failure(resend(email))).name, 'InvalidParameterException'); // confirmed by now
  });

  it('ResendConfirmationCode is allowed again an hour later', async () => {
    const email = 'resend-later@example.com';
    await signUp(email);
    for (let i = 0; i < 5; i += 1) await resend(email);
    assert.equal((await failure(resend(email))).name, 'LimitExceededException');
    clock.advance(HOUR + 1);
    await resend(email);
    await confirm(email, lastCode(email));
  });
});
