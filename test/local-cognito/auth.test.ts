// The emulator's sign-in, refresh, revocation and token behaviour, through the real AWS SDK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import type { LocalCognito, LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { claimsOf, failure, fakeClock, hashFor, startSeededEmulator, stopSeededEmulator } from './helpers.ts';

const PASSWORD = 'Correct-Horse-1';

describe('local cognito: sign-in and tokens', () => {
  const clock = fakeClock();
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  let pool: LocalPoolInfo;

  const hash = (username: string) => hashFor(pool.clientSecret, username, pool.clientId);
  /** `secretHash` null: sent without SECRET_HASH. */
  const passwordAuth = (username: string, password: string, secretHash: string | null = hash(username)) =>
    cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: pool.clientId,
        AuthParameters: {
          USERNAME: username,
          PASSWORD: password,
          ...(secretHash === null ? {} : { SECRET_HASH: secretHash }),
        },
      }),
    );
  const refresh = (refreshToken: string, hashedName: string) =>
    cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: pool.clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken, SECRET_HASH: hash(hashedName), USERNAME: hashedName },
      }),
    );
  async function createConfirmedUser(email: string): Promise<string> {
    const created = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
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
    return created.User!.Username!;
  }

  before(async () => {
    ({ emu, cognito, pool } = await startSeededEmulator(clock));
  });
  after(() => stopSeededEmulator({ emu, cognito, pool }));

  it('signs the demo user in by email and returns Cognito-shaped tokens', async () => {
    const out = await passwordAuth(pool.demoUser.email, pool.demoUser.password);
    const result = out.AuthenticationResult!;
    assert.equal(result.TokenType, 'Bearer');
    assert.equal(result.ExpiresIn, 3600);
    assert.ok(result.RefreshToken && result.RefreshToken.split('.').length !== 3);
    assert.deepEqual(out.ChallengeParameters, {});
    const id = claimsOf(result.IdToken!);
    const access = claimsOf(result.AccessToken!);
    assert.equal(id.iss, `https://cognito-idp.us-east-1.amazonaws.com/${pool.userPoolId}`);
    assert.equal(id.token_use, 'id');
    assert.equal(id.aud, pool.clientId);
    assert.equal(id.email, pool.demoUser.email);
    assert.equal(id.email_verified, true);
    assert.equal(id.name, 'Demo User');
    assert.equal(id['cognito:username'], id.sub);
    assert.deepEqual(id['cognito:groups'], ['demo']);
    assert.equal(access.token_use, 'access');
    assert.equal(access.client_id, pool.clientId);
    assert.equal(access.username, id.sub);
    assert.equal(access.scope, 'aws.cognito.signin.user.admin');
    assert.equal(access.origin_jti, id.origin_jti);
    assert.match(pool.userPoolId, /^us-east-1_[0-9A-Za-z]{9}$/);
    assert.match(pool.clientId, /^[a-z0-9]{26}$/);
  });

  it('tokens verify with aws-jwt-verify against the JWKS served over HTTP', async () => {
    const res = await fetch(`${emu.endpoint}/${pool.userPoolId}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    const jwks = (await res.json()) as Parameters<JwksCache['addJwks']>[1];
    const out = await passwordAuth(pool.demoUser.email, pool.demoUser.password);
    const idVerifier = CognitoJwtVerifier.create({
      userPoolId: pool.userPoolId,
      tokenUse: 'id',
      clientId: pool.clientId,
    });
    const accessVerifier = CognitoJwtVerifier.create({
      userPoolId: pool.userPoolId,
      tokenUse: 'access',
      clientId: pool.clientId,
      groups: 'demo',
    });
    idVerifier.cacheJwks(jwks);
    accessVerifier.cacheJwks(jwks);
    const id = await idVerifier.verify(out.AuthenticationResult!.IdToken!);
    const access = await accessVerifier.verify(out.AuthenticationResult!.AccessToken!);
    assert.equal(id.email, pool.demoUser.email);
    assert.equal(access.client_id, pool.clientId);
    await assert.rejects(idVerifier.verify(out.AuthenticationResult!.AccessToken!));
  });

  it('refuses a missing or wrong SECRET_HASH on InitiateAuth', async () => {
    assert.deepEqual(await failure(passwordAuth(pool.demoUser.email, pool.demoUser.password, null)), {
      name: 'NotAuthorizedException',
      message: `Client ${pool.clientId} is configured with secret but SECRET_HASH was not received`,
    });
    assert.deepEqual(
      await failure(passwordAuth(pool.demoUser.email, pool.demoUser.password, hash('someone-else'))),
      {
        name: 'NotAuthorizedException',
        message: `Unable to verify secret hash for client ${pool.clientId}`,
      },
    );
  });

  it('unknown user and wrong password look the same', async () => {
    const wrong = await failure(passwordAuth(pool.demoUser.email, 'Wrong-Password-1'));
    const unknown = await failure(passwordAuth('nobody@example.com', 'Wrong-Password-1'));
    assert.deepEqual(wrong, { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    assert.deepEqual(unknown, wrong);
  });

  it('answers UserNotFoundException for unknown users when PreventUserExistenceErrors is LEGACY', async () => {
    const legacy = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.userPoolId,
        ClientName: 'legacy',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
      }),
    );
    const clientId = legacy.UserPoolClient!.ClientId!;
    assert.equal(legacy.UserPoolClient!.ClientSecret, undefined);
    const err = await failure(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: clientId,
          AuthParameters: { USERNAME: 'nobody@example.com', PASSWORD: 'Whatever-1' },
        }),
      ),
    );
    assert.deepEqual(err, { name: 'UserNotFoundException', message: 'User does not exist.' });
    const refreshOnly = await failure(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: (
            await cognito.send(
              new CreateUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientName: 'srp-only' }),
            )
          ).UserPoolClient!.ClientId!,
          AuthParameters: { USERNAME: 'a@example.com', PASSWORD: 'x' },
        }),
      ),
    );
    assert.deepEqual(refreshOnly, {
      name: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
    const unknownClient = await failure(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: 'abcdefghijklmnopqrstuvwxyz',
          AuthParameters: { USERNAME: 'a@example.com', PASSWORD: 'x' },
        }),
      ),
    );
    assert.deepEqual(unknownClient, {
      name: 'ResourceNotFoundException',
      message: 'User pool client abcdefghijklmnopqrstuvwxyz does not exist.',
    });
  });

  it('locks the account after 5 failed passwords, doubling from 1 s, and a success resets it', async () => {
    const email = 'locked@example.com';
    await createConfirmedUser(email);
    for (let i = 0; i < 5; i += 1) {
      assert.equal(
        (await failure(passwordAuth(email, 'Wrong-Password-1'))).message,
        'Incorrect username or password.',
      );
    }
    const locked = { name: 'NotAuthorizedException', message: 'Password attempts exceeded' };
    assert.deepEqual(
      await failure(passwordAuth(email, PASSWORD)),
      locked,
      'even the right password is refused',
    );
    clock.advance(1_001);
    assert.deepEqual(await failure(passwordAuth(email, 'Wrong-Password-1')), {
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    clock.advance(1_500); // the 6th failure locks for 2 s
    assert.deepEqual(await failure(passwordAuth(email, PASSWORD)), locked);
    clock.advance(600);
    assert.ok((await passwordAuth(email, PASSWORD)).AuthenticationResult?.AccessToken);
    assert.equal(
      (await failure(passwordAuth(email, 'Wrong-Password-1'))).message,
      'Incorrect username or password.',
    );
    assert.ok(
      (await passwordAuth(email, PASSWORD)).AuthenticationResult,
      'one failure after a reset does not lock',
    );
  });

  it('refreshes with a SECRET_HASH over the internal username, not over the email', async () => {
    const out = await passwordAuth(pool.demoUser.email, pool.demoUser.password);
    const { RefreshToken, IdToken } = out.AuthenticationResult!;
    const internal = claimsOf(IdToken!)['cognito:username'] as string;
    assert.deepEqual(await failure(refresh(RefreshToken!, pool.demoUser.email)), {
      name: 'NotAuthorizedException',
      message: `Unable to verify secret hash for client ${pool.clientId}`,
    });
    const refreshed = await refresh(RefreshToken!, internal);
    const result = refreshed.AuthenticationResult!;
    assert.ok(result.AccessToken && result.IdToken);
    assert.equal(result.RefreshToken, undefined);
    assert.equal(claimsOf(result.IdToken).origin_jti, claimsOf(IdToken!).origin_jti);
    assert.notEqual(claimsOf(result.IdToken).jti, claimsOf(IdToken!).jti);
    assert.deepEqual(await failure(refresh('not-a-token', internal)), {
      name: 'NotAuthorizedException',
      message: 'Invalid Refresh Token',
    });
  });

  it('RevokeToken ends the refresh token and the access tokens minted from it', async () => {
    const out = await passwordAuth(pool.demoUser.email, pool.demoUser.password);
    const { RefreshToken, AccessToken, IdToken } = out.AuthenticationResult!;
    const internal = claimsOf(IdToken!)['cognito:username'] as string;
    const other = await passwordAuth(pool.demoUser.email, pool.demoUser.password);
    const me = await cognito.send(new GetUserCommand({ AccessToken }));
    assert.equal(me.Username, internal);
    assert.ok(me.UserAttributes?.some((a) => a.Name === 'email' && a.Value === pool.demoUser.email));
    assert.equal(
      (
        await failure(
          cognito.send(
            new RevokeTokenCommand({
              Token: RefreshToken,
              ClientId: pool.clientId,
              ClientSecret: 'wrong-secret-wrong-secret',
            }),
          ),
        )
      ).name,
      'UnauthorizedException',
    );
    await cognito.send(
      new RevokeTokenCommand({
        Token: RefreshToken,
        ClientId: pool.clientId,
        ClientSecret: pool.clientSecret,
      }),
    );
    assert.deepEqual(await failure(refresh(RefreshToken!, internal)), {
      name: 'NotAuthorizedException',
      message: 'Refresh Token has been revoked',
    });
    assert.deepEqual(await failure(cognito.send(new GetUserCommand({ AccessToken }))), {
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
    // Another sign-in of the same user is untouched.
    assert.ok(
      await cognito.send(new GetUserCommand({ AccessToken: other.AuthenticationResult!.AccessToken })),
    );
  });

  it('GlobalSignOut ends every refresh and access token of the user', async () => {
    const email = 'global@example.com';
    const internal = await createConfirmedUser(email);
    const first = (await passwordAuth(email, PASSWORD)).AuthenticationResult!;
    const second = (await passwordAuth(email, PASSWORD)).AuthenticationResult!;
    await cognito.send(new GlobalSignOutCommand({ AccessToken: first.AccessToken }));
    for (const tokens of [first, second]) {
      assert.equal(
        (await failure(refresh(tokens.RefreshToken!, internal))).message,
        'Refresh Token has been revoked',
      );
      assert.equal(
        (await failure(cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken })))).message,
        'Access Token has been revoked',
      );
    }
    const again = (await passwordAuth(email, PASSWORD)).AuthenticationResult!;
    assert.ok(await cognito.send(new GetUserCommand({ AccessToken: again.AccessToken })));
  });

  it('GetUser refuses tampered and expired access tokens', async () => {
    const { AccessToken } = (await passwordAuth(pool.demoUser.email, pool.demoUser.password))
      .AuthenticationResult!;
    const [h, p, s] = AccessToken!.split('.');
    const flipped = `${h}.${p}.${s!.slice(0, -2)}${s!.at(-2) === 'A' ? 'B' : 'A'}${s!.slice(-1)}`;
    assert.deepEqual(await failure(cognito.send(new GetUserCommand({ AccessToken: flipped }))), {
      name: 'NotAuthorizedException',
      message: 'Invalid Access Token',
    });
    clock.advance(3_601_000);
    try {
      assert.deepEqual(await failure(cognito.send(new GetUserCommand({ AccessToken }))), {
        name: 'NotAuthorizedException',
        message: 'Access Token has expired',
      });
    } finally {
      clock.advance(-3_601_000);
    }
  });

  it('disabled users are refused, even with the right password', async () => {
    const email = 'disabled@example.com';
    await createConfirmedUser(email);
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: email }));
    assert.deepEqual(await failure(passwordAuth(email, PASSWORD)), {
      name: 'NotAuthorizedException',
      message: 'User is disabled.',
    });
  });

  it('NEW_PASSWORD_REQUIRED: a single-use, expiring Session bound to the client', async () => {
    const email = 'temp@example.com';
    const temp = 'Temporary-Pass-1';
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        TemporaryPassword: temp,
        MessageAction: 'SUPPRESS',
      }),
    );
    const challenge = await passwordAuth(email, temp);
    assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    const internal = challenge.ChallengeParameters!.USER_ID_FOR_SRP!;
    assert.match(internal, /^[0-9a-f-]{36}$/);
    assert.equal(challenge.ChallengeParameters!.requiredAttributes, '[]');
    assert.equal(
      (JSON.parse(challenge.ChallengeParameters!.userAttributes!) as { email: string }).email,
      email,
    );
    const answer = (session: string | undefined, newPassword: string) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: session,
          ChallengeResponses: { USERNAME: internal, NEW_PASSWORD: newPassword, SECRET_HASH: hash(internal) },
        }),
      );
    assert.deepEqual(await failure(answer(challenge.Session, 'weakpassword')), {
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password must have uppercase characters',
    });
    const done = await answer(challenge.Session, 'Brand-New-Pass-2');
    assert.ok(done.AuthenticationResult?.RefreshToken);
    assert.match(
      (await failure(answer(challenge.Session, 'Brand-New-Pass-3'))).message,
      /^Invalid session for the user/,
    );
    assert.ok((await passwordAuth(email, 'Brand-New-Pass-2')).AuthenticationResult);

    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        Password: temp,
        Permanent: false,
      }),
    );
    const second = await passwordAuth(email, temp);
    clock.advance(3 * 60_000 + 1);
    try {
      assert.deepEqual(await failure(answer(second.Session, 'Brand-New-Pass-4')), {
        name: 'NotAuthorizedException',
        message: 'Invalid session for the user, session is expired.',
      });
    } finally {
      clock.advance(-(3 * 60_000 + 1));
    }
  });

  it('counts calls per operation', () => {
    assert.ok(emu.callCount('InitiateAuth') > 10);
    assert.equal(emu.callCount('NoSuchOperation'), 0);
    const total = emu.callCount();
    assert.ok(total >= emu.callCount('InitiateAuth') + emu.callCount('GetUser'));
    emu.resetCalls();
    assert.equal(emu.callCount(), 0);
  });
});
