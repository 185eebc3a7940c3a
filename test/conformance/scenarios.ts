// Scenarios where moto follows Cognito: both targets must give the same outcome.
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUserPoolsCommand,
  SignUpCommand,
  type InitiateAuthCommandOutput,
  type SignUpCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  scenario,
  fails,
  assertTokens,
  assertClaims,
  MISSING_POOL,
  UNKNOWN_CLIENT,
  type Scenario,
} from './expect.ts';
import {
  PASSWORD,
  WEAK_PASSWORD,
  WRONG_PASSWORD,
  createConfirmedUser,
  newEmail,
  passwordAuth,
  refreshAuth,
  secretHash,
  signUp,
  signedInUser,
} from './targets.ts';

// ---- scenarios: moto follows Cognito ----

export const scenarios: Scenario<unknown>[] = [
  scenario({
    name: 'USER_PASSWORD_AUTH with SECRET_HASH signs in (tokens, ID token claims)',
    run: async (t) => {
      const email = newEmail('signin');
      const username = await createConfirmedUser(t, email);
      return { email, username, out: await passwordAuth(t, t.app, email) };
    },
    expect: {
      ok: ({ email, username, out }, t) => {
        assert.equal(out.ChallengeName, undefined);
        assertTokens(out.AuthenticationResult, true);
        assertClaims(out.AuthenticationResult, t, t.app.clientId, username, email);
      },
    },
  }),
  scenario({
    name: 'signed-up, unconfirmed user signs in -> UserNotConfirmedException',
    run: async (t) => {
      const email = newEmail('unconfirmed');
      await signUp(t, email);
      return passwordAuth(t, t.app, email);
    },
    expect: fails('UserNotConfirmedException'),
  }),
  scenario({
    name: 'unconfirmed user with a wrong password -> NotAuthorizedException',
    run: async (t) => {
      const email = newEmail('unconfirmed-wrong');
      await signUp(t, email);
      return passwordAuth(t, t.app, email, WRONG_PASSWORD);
    },
    expect: fails('NotAuthorizedException', 'Incorrect username or password.'),
  }),
  scenario({
    name: 'wrong password -> NotAuthorizedException',
    run: async (t) => {
      const email = newEmail('wrong');
      await createConfirmedUser(t, email);
      return passwordAuth(t, t.app, email, WRONG_PASSWORD);
    },
    expect: fails('NotAuthorizedException', 'Incorrect username or password.'),
  }),
  scenario({
    // PreventUserExistenceErrors defaults to LEGACY for a client created through the API.
    name: 'unknown user (PreventUserExistenceErrors LEGACY) -> UserNotFoundException',
    run: (t) => passwordAuth(t, t.app, newEmail('unknown')),
    expect: fails('UserNotFoundException'),
  }),
  scenario({
    // UsernameConfiguration.CaseSensitive is true unless set (API reference, UsernameConfigurationType: "True ...
    // This is the default value"; only False makes the email alias case insensitive).
    name: 'email typed with another capitalization (pool case-sensitive by default) -> UserNotFoundException',
    run: async (t) => {
      const email = newEmail('case');
      await createConfirmedUser(t, email);
      return passwordAuth(t, t.app, email.toUpperCase());
    },
    expect: fails('UserNotFoundException'),
  }),
  scenario({
    name: 'PreventUserExistenceErrors ENABLED: wrong password of an existing user -> NotAuthorizedException',
    run: async (t) => {
      const email = newEmail('strict-wrong');
      await createConfirmedUser(t, email);
      return passwordAuth(t, t.strictApp, email, WRONG_PASSWORD);
    },
    expect: fails('NotAuthorizedException', 'Incorrect username or password.'),
  }),
  scenario({
    name: 'AdminDeleteUser, then sign in -> UserNotFoundException',
    run: async (t) => {
      const email = newEmail('deleted');
      await createConfirmedUser(t, email);
      await t.cognito.send(new AdminDeleteUserCommand({ UserPoolId: t.poolId, Username: email }));
      return passwordAuth(t, t.app, email);
    },
    expect: fails('UserNotFoundException'),
  }),
  scenario({
    name: 'disabled user -> NotAuthorizedException "User is disabled."',
    run: async (t) => {
      const email = newEmail('disabled');
      await createConfirmedUser(t, email);
      await t.cognito.send(new AdminDisableUserCommand({ UserPoolId: t.poolId, Username: email }));
      return passwordAuth(t, t.app, email);
    },
    expect: fails('NotAuthorizedException', 'User is disabled.'),
  }),
  scenario({
    name: 'temporary password -> NEW_PASSWORD_REQUIRED challenge with a Session',
    run: async (t) => {
      const email = newEmail('temp');
      await t.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: t.poolId,
          Username: email,
          TemporaryPassword: PASSWORD,
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
      return passwordAuth(t, t.app, email);
    },
    expect: {
      ok: (out: InitiateAuthCommandOutput) => {
        assert.equal(out.ChallengeName, 'NEW_PASSWORD_REQUIRED');
        assert.equal(typeof out.Session, 'string');
        assert.equal(out.AuthenticationResult, undefined);
      },
    },
  }),
  scenario({
    name: 'GetUser with the access token returns the user',
    run: async (t) => {
      const u = await signedInUser(t, 'getuser');
      return { ...u, out: await t.cognito.send(new GetUserCommand({ AccessToken: u.tokens.AccessToken })) };
    },
    expect: {
      ok: ({ email, username, out }) => {
        assert.equal(out.Username, username);
        const attrs = new Map((out.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
        assert.equal(attrs.get('email'), email);
        assert.equal(attrs.get('sub'), username);
      },
    },
  }),
  scenario({
    name: 'GetUser after GlobalSignOut -> NotAuthorizedException',
    run: async (t) => {
      const { tokens } = await signedInUser(t, 'signout');
      await t.cognito.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken }));
      return t.cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    },
    expect: fails('NotAuthorizedException'),
  }),
  scenario({
    name: 'GetUser after AdminUserGlobalSignOut -> NotAuthorizedException',
    run: async (t) => {
      const { email, tokens } = await signedInUser(t, 'admin-signout');
      await t.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: t.poolId, Username: email }));
      return t.cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    },
    expect: fails('NotAuthorizedException'),
  }),
  scenario({
    name: 'REFRESH_TOKEN_AUTH after GlobalSignOut -> NotAuthorizedException',
    run: async (t) => {
      const { tokens } = await signedInUser(t, 'signout-refresh', t.publicApp);
      await t.cognito.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken }));
      return refreshAuth(t, t.publicApp, tokens.RefreshToken, '');
    },
    expect: fails('NotAuthorizedException', 'Refresh Token has been revoked'),
  }),
  scenario({
    name: 'GetUser with a malformed access token -> NotAuthorizedException',
    run: (t) => t.cognito.send(new GetUserCommand({ AccessToken: 'not-a-token' })),
    expect: fails('NotAuthorizedException'),
  }),
  scenario({
    // The SECRET_HASH question does not arise without a secret: see `deviations` for the client with one.
    name: 'REFRESH_TOKEN_AUTH (client without secret) returns new ID and access tokens',
    run: async (t) => {
      const u = await signedInUser(t, 'refresh', t.publicApp);
      return { ...u, out: await refreshAuth(t, t.publicApp, u.tokens.RefreshToken, '') };
    },
    expect: {
      ok: ({ email, username, out }, t) => {
        assertTokens(out.AuthenticationResult, false);
        assertClaims(out.AuthenticationResult, t, t.publicApp.clientId, username, email);
      },
    },
  }),
  scenario({
    name: 'REFRESH_TOKEN_AUTH without SECRET_HASH (client with secret) -> NotAuthorizedException',
    run: async (t) => {
      const { tokens } = await signedInUser(t, 'refresh-nohash');
      return t.cognito.send(
        new InitiateAuthCommand({
          ClientId: t.app.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
        }),
      );
    },
    expect: fails('NotAuthorizedException'),
  }),
  scenario({
    name: 'InitiateAuth with an unknown client id -> ResourceNotFoundException',
    run: (t) => passwordAuth(t, { clientId: UNKNOWN_CLIENT, clientSecret: '' }, newEmail('noclient')),
    expect: fails('ResourceNotFoundException'),
  }),
  scenario({
    name: 'SignUp with an unknown client id -> ResourceNotFoundException',
    run: (t) => signUp(t, newEmail('noclient'), { clientId: UNKNOWN_CLIENT, clientSecret: '' }),
    expect: fails('ResourceNotFoundException'),
  }),
  scenario({
    name: 'DescribeUserPool of a missing pool -> ResourceNotFoundException',
    run: (t) => t.cognito.send(new DescribeUserPoolCommand({ UserPoolId: MISSING_POOL })),
    expect: fails('ResourceNotFoundException', `User pool ${MISSING_POOL} does not exist.`),
  }),
  scenario({
    name: 'AdminCreateUser in a missing pool -> ResourceNotFoundException',
    run: (t) =>
      t.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: MISSING_POOL,
          Username: newEmail('nopool'),
          MessageAction: 'SUPPRESS',
        }),
      ),
    expect: fails('ResourceNotFoundException'),
  }),
  scenario({
    name: 'AdminGetUser of an unknown user -> UserNotFoundException',
    run: (t) =>
      t.cognito.send(new AdminGetUserCommand({ UserPoolId: t.poolId, Username: newEmail('nobody') })),
    expect: fails('UserNotFoundException', 'User does not exist.'),
  }),
  scenario({
    name: 'AdminSetUserPassword of an unknown user -> UserNotFoundException',
    run: (t) =>
      t.cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: t.poolId,
          Username: newEmail('nobody'),
          Password: PASSWORD,
          Permanent: true,
        }),
      ),
    expect: fails('UserNotFoundException'),
  }),
  scenario({
    name: 'AdminSetUserPassword with a weak password -> InvalidPasswordException',
    run: async (t) => {
      const email = newEmail('weak-admin');
      await createConfirmedUser(t, email);
      return t.cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: t.poolId,
          Username: email,
          Password: WEAK_PASSWORD,
          Permanent: true,
        }),
      );
    },
    expect: fails('InvalidPasswordException'),
  }),
  scenario({
    name: 'SignUp with a weak password -> InvalidPasswordException',
    run: (t) => {
      const email = newEmail('weak-signup');
      return t.cognito.send(
        new SignUpCommand({
          ClientId: t.app.clientId,
          Username: email,
          Password: WEAK_PASSWORD,
          SecretHash: secretHash(t.app, email),
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
    },
    expect: fails('InvalidPasswordException'),
  }),
  scenario({
    name: 'AdminCreateUser of an existing user -> UsernameExistsException',
    run: async (t) => {
      const email = newEmail('dup-admin');
      await createConfirmedUser(t, email);
      return t.cognito.send(
        new AdminCreateUserCommand({ UserPoolId: t.poolId, Username: email, MessageAction: 'SUPPRESS' }),
      );
    },
    expect: fails('UsernameExistsException'),
  }),
  scenario({
    name: 'SignUp of an existing user -> UsernameExistsException',
    run: async (t) => {
      const email = newEmail('dup-signup');
      await signUp(t, email);
      return signUp(t, email);
    },
    expect: fails('UsernameExistsException'),
  }),
  scenario({
    name: 'SignUp with a username that is not an email (UsernameAttributes email) -> InvalidParameterException',
    run: (t) =>
      t.cognito.send(
        new SignUpCommand({
          ClientId: t.app.clientId,
          Username: 'not-an-email',
          Password: PASSWORD,
          SecretHash: secretHash(t.app, 'not-an-email'),
        }),
      ),
    expect: fails('InvalidParameterException'),
  }),
  scenario({
    name: 'SignUp returns UserConfirmed false and the new user sub',
    run: async (t) => {
      const email = newEmail('signup');
      const out: SignUpCommandOutput = await t.cognito.send(
        new SignUpCommand({
          ClientId: t.app.clientId,
          Username: email,
          Password: PASSWORD,
          SecretHash: secretHash(t.app, email),
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
      const user = await t.cognito.send(new AdminGetUserCommand({ UserPoolId: t.poolId, Username: email }));
      return { out, user };
    },
    expect: {
      ok: ({ out, user }) => {
        assert.equal(out.UserConfirmed, false);
        assert.match(out.UserSub ?? '', /^[0-9a-f-]{36}$/);
        assert.equal(user.Username, out.UserSub);
        assert.equal(user.UserStatus, 'UNCONFIRMED');
        assert.equal(user.Enabled, true);
      },
    },
  }),
  scenario({
    name: 'AdminGetUser shape of a confirmed user',
    run: async (t) => {
      const email = newEmail('getuser-admin');
      const username = await createConfirmedUser(t, email);
      return {
        email,
        username,
        out: await t.cognito.send(new AdminGetUserCommand({ UserPoolId: t.poolId, Username: email })),
      };
    },
    expect: {
      ok: ({ email, username, out }) => {
        assert.equal(out.Username, username);
        assert.equal(out.UserStatus, 'CONFIRMED');
        assert.equal(out.Enabled, true);
        assert.ok(out.UserCreateDate instanceof Date);
        assert.ok(out.UserLastModifiedDate instanceof Date);
        const attrs = new Map((out.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
        assert.equal(attrs.get('email'), email);
        assert.equal(attrs.get('email_verified'), 'true');
        assert.equal(attrs.get('sub'), username);
      },
    },
  }),
  scenario({
    name: 'DescribeUserPool shape',
    run: (t) => t.cognito.send(new DescribeUserPoolCommand({ UserPoolId: t.poolId })),
    expect: {
      ok: (out, t) => {
        const p = out.UserPool;
        assert.ok(p);
        assert.equal(p.Id, t.poolId);
        assert.equal(p.Name, `conformance-${t.name}`);
        assert.match(p.Arn ?? '', new RegExp(`^arn:aws:cognito-idp:us-east-1:\\d{12}:userpool/${t.poolId}$`));
        assert.ok(p.CreationDate instanceof Date);
        assert.ok(p.LastModifiedDate instanceof Date);
        assert.deepEqual(p.UsernameAttributes, ['email']);
        assert.equal(p.MfaConfiguration, 'OFF');
        assert.equal(typeof p.EstimatedNumberOfUsers, 'number');
        // The default password policy.
        assert.deepEqual(p.Policies?.PasswordPolicy, {
          MinimumLength: 8,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 7,
        });
      },
    },
  }),
  scenario({
    name: 'ListUserPools shape',
    run: (t) => t.cognito.send(new ListUserPoolsCommand({ MaxResults: 60 })),
    expect: {
      ok: (out, t) => {
        const mine = (out.UserPools ?? []).find((p) => p.Id === t.poolId);
        assert.ok(mine, `pool ${t.poolId} listed`);
        assert.equal(mine.Name, `conformance-${t.name}`);
        assert.ok(mine.CreationDate instanceof Date);
        assert.ok(mine.LastModifiedDate instanceof Date);
      },
    },
  }),
  scenario({
    name: 'DescribeUserPoolClient shape',
    run: (t) =>
      t.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: t.poolId, ClientId: t.app.clientId })),
    expect: {
      ok: (out, t) => {
        const c = out.UserPoolClient;
        assert.ok(c);
        assert.equal(c.ClientId, t.app.clientId);
        assert.equal(c.ClientSecret, t.app.clientSecret);
        assert.equal(c.UserPoolId, t.poolId);
        assert.equal(c.ClientName, 'app');
        assert.deepEqual([...(c.ExplicitAuthFlows ?? [])].sort(), [
          'ALLOW_REFRESH_TOKEN_AUTH',
          'ALLOW_USER_PASSWORD_AUTH',
        ]);
      },
    },
  }),
];
