// Deviations: moto 5.2.1 does not follow Cognito's documentation here. The emulator is held to the
// documentation (`cognito`), moto to what it was observed to do (`moto`), so a moto upgrade that fixes one
// fails the suite: then move the row to scenarios.ts.
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  ConfirmSignUpCommand,
  DeleteUserCommand,
  InitiateAuthCommand,
  ListUserPoolsCommand,
  ResendConfirmationCodeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  type InitiateAuthCommandOutput,
  type ListUserPoolsCommandInput,
  type SignUpCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { deviation, fails, assertTokens, assertClaims, type Deviation } from './expect.ts';
import {
  PASSWORD,
  WEAK_PASSWORD,
  createConfirmedUser,
  newEmail,
  passwordAuth,
  refreshAuth,
  secretHash,
  signUp,
  signedInUser,
} from './targets.ts';

// ---- deviations: moto 5.2.1 does not follow Cognito here ----

const SECRET_HASH_DOCS =
  'API reference, InitiateAuth AuthParameters / SignUp SecretHash / ConfirmSignUp SecretHash: "SECRET_HASH ' +
  '(required if the app client is configured with a client secret)"; developer guide "Computing secret hash ' +
  'values": a missing or wrong hash answers NotAuthorizedException "Unable to verify secret hash for client <id>".';

export const deviations: Deviation<unknown>[] = [
  deviation({
    name: "DeleteUser with the user's own access token, then sign in",
    cognitoDocs:
      'API reference, DeleteUser: "Allows a user to delete their own user profile." Once deleted, InitiateAuth ' +
      'for the name answers UserNotFoundException (as after AdminDeleteUser). moto 5.2.1 has no DeleteUser: it ' +
      'answers its HTML 404 page, which the SDK cannot read.',
    run: async (t) => {
      const { email, tokens } = await signedInUser(t, 'self-deleted');
      await t.cognito.send(new DeleteUserCommand({ AccessToken: tokens.AccessToken }));
      return passwordAuth(t, t.app, email);
    },
    cognito: fails('UserNotFoundException'),
    moto: fails('SyntaxError'),
  }),
  deviation({
    name: 'USER_PASSWORD_AUTH with a wrong SECRET_HASH',
    cognitoDocs: SECRET_HASH_DOCS,
    run: async (t) => {
      const email = newEmail('badhash');
      await createConfirmedUser(t, email);
      return passwordAuth(t, t.app, email, PASSWORD, { SECRET_HASH: secretHash(t.app, 'someone-else') });
    },
    cognito: fails('NotAuthorizedException', /^Unable to verify secret hash for client /),
    moto: { ok: (out: InitiateAuthCommandOutput) => assertTokens(out.AuthenticationResult, true) },
  }),
  deviation({
    name: 'USER_PASSWORD_AUTH with no SECRET_HASH at all (existing user)',
    cognitoDocs: SECRET_HASH_DOCS,
    run: async (t) => {
      const email = newEmail('nohash-existing');
      await createConfirmedUser(t, email);
      return t.cognito.send(
        new InitiateAuthCommand({
          ClientId: t.app.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD },
        }),
      );
    },
    cognito: fails('NotAuthorizedException'),
    moto: { ok: (out: InitiateAuthCommandOutput) => assertTokens(out.AuthenticationResult, true) },
  }),
  deviation({
    name: 'SignUp without SecretHash on a client with a secret',
    cognitoDocs: SECRET_HASH_DOCS,
    run: (t) => {
      const email = newEmail('signup-nohash');
      return t.cognito.send(
        new SignUpCommand({
          ClientId: t.app.clientId,
          Username: email,
          Password: PASSWORD,
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
    },
    cognito: fails('NotAuthorizedException'),
    moto: { ok: (out: SignUpCommandOutput) => assert.equal(out.UserConfirmed, false) },
  }),
  deviation({
    name: 'SignUp with a wrong SecretHash',
    cognitoDocs: SECRET_HASH_DOCS,
    run: (t) => {
      const email = newEmail('signup-badhash');
      return t.cognito.send(
        new SignUpCommand({
          ClientId: t.app.clientId,
          Username: email,
          Password: PASSWORD,
          SecretHash: secretHash(t.app, 'someone-else'),
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
    },
    cognito: fails('NotAuthorizedException', /^Unable to verify secret hash for client /),
    moto: { ok: (out: SignUpCommandOutput) => assert.equal(out.UserConfirmed, false) },
  }),
  deviation({
    name: 'ConfirmSignUp with a wrong SecretHash',
    cognitoDocs: SECRET_HASH_DOCS,
    run: async (t) => {
      const email = newEmail('confirm-badhash');
      await signUp(t, email);
      return t.cognito.send(
        new ConfirmSignUpCommand({
          ClientId: t.app.clientId,
          Username: email,
          ConfirmationCode: '123456',
          SecretHash: secretHash(t.app, 'someone-else'),
        }),
      );
    },
    cognito: fails('NotAuthorizedException', /^Unable to verify secret hash for client /),
    moto: { ok: () => undefined },
  }),
  deviation({
    name: 'ConfirmSignUp with a wrong code',
    cognitoDocs:
      'API reference, ConfirmSignUp: errors CodeMismatchException "a provided code doesn\'t match what the ' +
      'server was expecting"; the user stays UNCONFIRMED.',
    run: async (t) => {
      const email = newEmail('confirm-badcode');
      await signUp(t, email);
      return t.cognito.send(
        new ConfirmSignUpCommand({
          ClientId: t.app.clientId,
          Username: email,
          ConfirmationCode: 'not-the-code',
          SecretHash: secretHash(t.app, email),
        }),
      );
    },
    cognito: fails('CodeMismatchException'),
    // moto confirms the user whatever the code.
    moto: { ok: () => undefined },
  }),
  deviation({
    name: 'REFRESH_TOKEN_AUTH with SECRET_HASH over the internal username (sub)',
    cognitoDocs:
      'Developer guide "Computing secret hash values" and COGNITO.md: with an alias (email) as sign-in name, the ' +
      'username that counts after sign-in is the internal one (cognito:username, a UUID); REFRESH_TOKEN_AUTH ' +
      'succeeds with a SECRET_HASH over it (boto/boto3#2736, aws/aws-sdk-net-extensions-cognito#122).',
    run: async (t) => {
      const u = await signedInUser(t, 'refresh-sub');
      return { ...u, out: await refreshAuth(t, t.app, u.tokens.RefreshToken, u.username) };
    },
    cognito: {
      ok: (
        { email, username, out }: { email: string; username: string; out: InitiateAuthCommandOutput },
        t,
      ) => {
        assertTokens(out.AuthenticationResult, false);
        assertClaims(out.AuthenticationResult, t, t.app.clientId, username, email);
      },
    },
    // moto computes the expected hash over the address the user typed and rejects the internal username
    // (its message is the hash it received).
    moto: fails('NotAuthorizedException'),
  }),
  deviation({
    name: 'REFRESH_TOKEN_AUTH with SECRET_HASH over the typed email',
    cognitoDocs:
      'Same as above: a hash over the alias fails on Cognito with NotAuthorizedException "Unable to verify secret ' +
      'hash for client <id>" (boto/boto3#2736).',
    run: async (t) => {
      const u = await signedInUser(t, 'refresh-email');
      return refreshAuth(t, t.app, u.tokens.RefreshToken, u.email);
    },
    cognito: fails('NotAuthorizedException', /^Unable to verify secret hash for client /),
    moto: { ok: (out: InitiateAuthCommandOutput) => assertTokens(out.AuthenticationResult, false) },
  }),
  deviation({
    name: 'PreventUserExistenceErrors ENABLED: unknown user',
    cognitoDocs:
      'Developer guide "Managing user existence error responses": with ENABLED, authentication of a user that ' +
      'does not exist returns the generic NotAuthorizedException "Incorrect username or password.", never ' +
      'UserNotFoundException.',
    run: (t) => passwordAuth(t, t.strictApp, newEmail('unknown-strict')),
    cognito: fails('NotAuthorizedException', 'Incorrect username or password.'),
    moto: fails('UserNotFoundException'),
  }),
  deviation({
    name: 'PreventUserExistenceErrors ENABLED: ConfirmSignUp of an unknown user',
    cognitoDocs:
      'Developer guide "Managing user existence error responses": with ENABLED, account confirmation of a user ' +
      'that does not exist does not reveal it (ConfirmSignUp answers CodeMismatchException or ' +
      'ExpiredCodeException), never UserNotFoundException.',
    run: (t) => {
      const email = newEmail('confirm-unknown');
      return t.cognito.send(
        new ConfirmSignUpCommand({
          ClientId: t.strictApp.clientId,
          Username: email,
          ConfirmationCode: '123456',
          SecretHash: secretHash(t.strictApp, email),
        }),
      );
    },
    cognito: fails(['CodeMismatchException', 'ExpiredCodeException']),
    moto: fails('UserNotFoundException'),
  }),
  deviation({
    name: 'RevokeToken ends the refresh token',
    cognitoDocs:
      'API reference, RevokeToken: "Revokes all of the access tokens generated by, and at the same time as, the ' +
      'specified refresh token"; the refresh token can no longer be used (NotAuthorizedException).',
    run: async (t) => {
      const { tokens } = await signedInUser(t, 'revoke', t.publicApp);
      await t.cognito.send(
        new RevokeTokenCommand({ Token: tokens.RefreshToken, ClientId: t.publicApp.clientId }),
      );
      return refreshAuth(t, t.publicApp, tokens.RefreshToken, '');
    },
    cognito: fails('NotAuthorizedException', 'Refresh Token has been revoked'),
    // moto_server has no RevokeToken: it answers an HTML 404 page, which the SDK cannot parse.
    moto: fails('SyntaxError'),
  }),
  deviation({
    name: 'ResendConfirmationCode of an unconfirmed user',
    cognitoDocs:
      'API reference, ResendConfirmationCode: resends the confirmation code and returns CodeDeliveryDetails ' +
      '(Destination, DeliveryMedium, AttributeName).',
    run: async (t) => {
      const email = newEmail('resend');
      await signUp(t, email);
      return t.cognito.send(
        new ResendConfirmationCodeCommand({
          ClientId: t.app.clientId,
          Username: email,
          SecretHash: secretHash(t.app, email),
        }),
      );
    },
    cognito: {
      ok: (out: { CodeDeliveryDetails?: { DeliveryMedium?: string; AttributeName?: string } }) => {
        assert.equal(out.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
        assert.equal(out.CodeDeliveryDetails?.AttributeName, 'email');
      },
    },
    // moto_server has no ResendConfirmationCode (HTML 404 page).
    moto: fails('SyntaxError'),
  }),
  deviation({
    name: 'USER_PASSWORD_AUTH on a client whose ExplicitAuthFlows lack ALLOW_USER_PASSWORD_AUTH',
    cognitoDocs:
      'API reference, CreateUserPoolClient ExplicitAuthFlows: the flows the client allows; InitiateAuth with ' +
      'another flow fails with InvalidParameterException "USER_PASSWORD_AUTH flow not enabled for this client".',
    run: async (t) => {
      const email = newEmail('srp-only');
      await createConfirmedUser(t, email);
      return passwordAuth(t, t.srpOnlyApp, email);
    },
    cognito: fails('InvalidParameterException'),
    moto: { ok: (out: InitiateAuthCommandOutput) => assertTokens(out.AuthenticationResult, true) },
  }),
  deviation({
    name: 'ListUserPools without MaxResults',
    cognitoDocs: 'API reference, ListUserPools: MaxResults "Required: Yes", range 1-60.',
    run: (t) => t.cognito.send(new ListUserPoolsCommand({} as ListUserPoolsCommandInput)),
    cognito: fails('InvalidParameterException'),
    moto: { ok: () => undefined },
  }),
  deviation({
    name: 'InvalidPasswordException names the broken rule',
    cognitoDocs:
      'Cognito answers "Password did not conform with policy: <rule>" (e.g. "Password not long enough"), which ' +
      'the app shows as the broken rule (COGNITO.md error table).',
    run: (t) => {
      const email = newEmail('weak-message');
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
    cognito: fails('InvalidPasswordException', /^Password did not conform with policy: /),
    moto: fails(
      'InvalidPasswordException',
      'The provided password does not confirm to the configured password policy',
    ),
  }),
  deviation({
    name: 'NEW_PASSWORD_REQUIRED challenge parameters',
    cognitoDocs:
      'API reference, InitiateAuth ChallengeName NEW_PASSWORD_REQUIRED: respond with NEW_PASSWORD and the ' +
      'attributes Cognito returned in the requiredAttributes parameter (with userAttributes and USER_ID_FOR_SRP).',
    run: async (t) => {
      const email = newEmail('temp-params');
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
    cognito: {
      ok: (out: InitiateAuthCommandOutput) => {
        const p = out.ChallengeParameters ?? {};
        assert.equal(out.ChallengeName, 'NEW_PASSWORD_REQUIRED');
        assert.equal(typeof p.requiredAttributes, 'string');
        assert.equal(typeof p.userAttributes, 'string');
        assert.equal(typeof p.USER_ID_FOR_SRP, 'string');
      },
    },
    moto: {
      ok: (out: InitiateAuthCommandOutput) => {
        assert.equal(out.ChallengeName, 'NEW_PASSWORD_REQUIRED');
        assert.deepEqual(Object.keys(out.ChallengeParameters ?? {}), ['USERNAME']);
      },
    },
  }),
  deviation({
    name: 'user pool id shape',
    cognitoDocs:
      'API reference, UserPoolType Id: "<region>_<id>"; real ids are the region, "_" and 9 alphanumerics ' +
      '(DESIGN.md: aws-jwt-verify checks the pool id and the issuer).',
    run: (t) => Promise.resolve(t.poolId),
    cognito: { ok: (id: string) => assert.match(id, /^us-east-1_[0-9A-Za-z]{9}$/) },
    moto: { ok: (id: string) => assert.match(id, /^us-east-1_[0-9a-f]{32}$/) },
  }),
];
