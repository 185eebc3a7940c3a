// The JSON protocol (targets, errors, limits), the helper endpoints, and the admin set-up operations.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserMFAPreferenceCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SetUserPoolMfaConfigCommand,
  UpdateUserPoolCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { startLocalCognito, type LocalCognito } from '../../src/local-cognito/index.ts';
import { failure, sdkClient } from './helpers.ts';

describe('local cognito: protocol and admin operations', () => {
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;

  const post = (target: string | undefined, body: string) =>
    fetch(emu.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        ...(target ? { 'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}` } : {}),
      },
      body,
    });

  before(async () => {
    emu = await startLocalCognito({ port: 0 });
    cognito = sdkClient(emu);
  });
  after(async () => {
    cognito.destroy();
    await emu.close();
  });

  it('speaks errors as Cognito does: 400, __type, x-amzn-ErrorType', async () => {
    const res = await post('DescribeUserPool', '{"UserPoolId":"us-east-1_nope12345"}');
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.deepEqual(await res.json(), {
      __type: 'ResourceNotFoundException',
      message: 'User pool us-east-1_nope12345 does not exist.',
    });
    const unknown = await post('LaunchRockets', '{}');
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as { __type: string }).__type, 'UnknownOperationException');
    const noTarget = await post(undefined, '{}');
    assert.equal(((await noTarget.json()) as { __type: string }).__type, 'UnknownOperationException');
    const badJson = await post('ListUserPools', '{"MaxResults": ');
    assert.equal(badJson.status, 400);
    assert.equal(((await badJson.json()) as { __type: string }).__type, 'SerializationException');
    const tooBig = await post('ListUserPools', JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }));
    assert.equal(tooBig.status, 413);
  });

  it('reports missing required members as InvalidParameterException', async () => {
    assert.deepEqual(await failure(cognito.send(new ListUserPoolsCommand({} as never))), {
      name: 'InvalidParameterException',
      message:
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null",
    });
    const res = await post('InitiateAuth', '{"AuthFlow":"USER_PASSWORD_AUTH"}');
    assert.equal(((await res.json()) as { __type: string }).__type, 'InvalidParameterException');
  });

  it('serves health, calls, 404s, and the JWKS of known pools only', async () => {
    assert.deepEqual(await (await fetch(`${emu.endpoint}/_local/health`)).json(), { ok: true });
    assert.equal((await fetch(`${emu.endpoint}/nope`)).status, 404);
    assert.equal((await fetch(`${emu.endpoint}/us-east-1_nope12345/.well-known/jwks.json`)).status, 404);
    const { userPoolId } = await emu.ensureLocalPool();
    const jwks = (await (await fetch(`${emu.endpoint}/${userPoolId}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, string>[];
    };
    assert.equal(jwks.keys.length, 1);
    const key = jwks.keys[0]!;
    assert.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.equal(key.alg, 'RS256');
    const oidc = (await (
      await fetch(`${emu.endpoint}/${userPoolId}/.well-known/openid-configuration`)
    ).json()) as {
      issuer: string;
    };
    assert.equal(oidc.issuer, `https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`);
    emu.resetCalls();
    await cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    await cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    assert.deepEqual(await (await fetch(`${emu.endpoint}/_local/calls`)).json(), { DescribeUserPool: 2 });
    assert.equal(emu.callCount('DescribeUserPool'), 2);
    assert.equal(
      (
        await fetch(`${emu.endpoint}/_local/calls`, {
          method: 'DELETE',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
      200,
    );
    assert.equal(emu.callCount(), 0);
  });

  it('ensureLocalPool seeds the documented pool and client once', async () => {
    const a = await emu.ensureLocalPool();
    const b = await emu.ensureLocalPool();
    assert.deepEqual(a, b);
    assert.equal(a.region, 'us-east-1');
    assert.equal(a.demoUser.email, 'demo@example.com');
    assert.match(a.clientSecret, /^[a-z0-9]{51}$/);
    const { UserPool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: a.userPoolId }));
    assert.equal(UserPool?.Name, 'local');
    assert.deepEqual(UserPool?.UsernameAttributes, ['email']);
    assert.deepEqual(UserPool?.AutoVerifiedAttributes, ['email']);
    assert.equal(UserPool?.MfaConfiguration, 'OPTIONAL');
    assert.equal(UserPool?.Policies?.PasswordPolicy?.MinimumLength, 8);
    const { UserPoolClient } = await cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: a.userPoolId, ClientId: a.clientId }),
    );
    assert.equal(UserPoolClient?.ClientName, 'local-app');
    assert.equal(UserPoolClient?.PreventUserExistenceErrors, 'ENABLED');
    assert.equal(UserPoolClient?.EnableTokenRevocation, true);
    assert.deepEqual(UserPoolClient?.CallbackURLs, ['http://localhost:3000/callback']);
    assert.deepEqual(UserPoolClient?.AllowedOAuthScopes, ['openid', 'email', 'profile']);
    assert.equal(UserPoolClient?.AccessTokenValidity, 60);
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: a.userPoolId, Username: a.demoUser.email }),
    );
    assert.equal(user.UserStatus, 'CONFIRMED');
    assert.match(user.Username!, /^[0-9a-f-]{36}$/);
    const groups = await cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: a.userPoolId, Username: user.Username }),
    );
    assert.deepEqual(
      groups.Groups?.map((g) => g.GroupName),
      ['demo'],
    );
  });

  it('creates, lists, updates pools and clients with pagination', async () => {
    const created = await cognito.send(
      new CreateUserPoolCommand({ PoolName: 'p1', Policies: { PasswordPolicy: { MinimumLength: 12 } } }),
    );
    const poolId = created.UserPool!.Id!;
    assert.equal(created.UserPool?.Policies?.PasswordPolicy?.MinimumLength, 12);
    assert.equal(created.UserPool?.Policies?.PasswordPolicy?.RequireSymbols, true);
    await cognito.send(new CreateUserPoolCommand({ PoolName: 'p2' }));
    const page1 = await cognito.send(new ListUserPoolsCommand({ MaxResults: 2 }));
    assert.equal(page1.UserPools?.length, 2);
    assert.ok(page1.NextToken);
    const page2 = await cognito.send(new ListUserPoolsCommand({ MaxResults: 2, NextToken: page1.NextToken }));
    assert.ok((page2.UserPools?.length ?? 0) >= 1);
    assert.ok(page1.UserPools?.[0]?.CreationDate instanceof Date);

    await cognito.send(new UpdateUserPoolCommand({ UserPoolId: poolId, AutoVerifiedAttributes: ['email'] }));
    const described = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    assert.equal(
      described.UserPool?.Policies?.PasswordPolicy?.MinimumLength,
      8,
      'omitted settings reset to defaults',
    );
    const mfa = await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    assert.equal(mfa.MfaConfiguration, 'OPTIONAL');
    assert.deepEqual(mfa.SoftwareTokenMfaConfiguration, { Enabled: true });

    const client = await cognito.send(
      new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'c', GenerateSecret: true }),
    );
    assert.match(client.UserPoolClient!.ClientId!, /^[a-z0-9]{26}$/);
    assert.ok(client.UserPoolClient?.ClientSecret);
    const clients = await cognito.send(new ListUserPoolClientsCommand({ UserPoolId: poolId }));
    assert.deepEqual(clients.UserPoolClients, [
      { ClientId: client.UserPoolClient.ClientId, UserPoolId: poolId, ClientName: 'c' },
    ]);
  });

  it('manages users and groups by email alias, with Cognito errors', async () => {
    const { userPoolId } = await emu.ensureLocalPool();
    const created = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: 'ann@example.com',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'name', Value: 'Ann' }],
      }),
    );
    assert.equal(created.User?.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.ok(created.User?.Attributes?.some((a) => a.Name === 'email' && a.Value === 'ann@example.com'));
    assert.deepEqual(
      await failure(
        cognito.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: 'ann@example.com' })),
      ),
      { name: 'UsernameExistsException', message: 'An account with the given email already exists.' },
    );
    assert.deepEqual(
      await failure(
        cognito.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: 'not-an-email' })),
      ),
      { name: 'InvalidParameterException', message: 'Username should be an email.' },
    );
    const polluted = await failure(
      cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: 'bob@example.com',
          UserAttributes: [{ Name: '__proto__', Value: 'x' }],
        }),
      ),
    );
    assert.equal(polluted.name, 'InvalidParameterException');
    assert.match(polluted.message, /Attribute does not exist in the schema/);
    assert.deepEqual(
      await failure(
        cognito.send(
          new AdminSetUserMFAPreferenceCommand({
            UserPoolId: userPoolId,
            Username: 'ann@example.com',
            SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
          }),
        ),
      ),
      {
        name: 'InvalidParameterException',
        message: 'User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA',
      },
    );
    await cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: userPoolId,
        Username: 'ann@example.com',
        EmailMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const got = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: userPoolId, Username: created.User.Username }),
    );
    assert.equal(got.PreferredMfaSetting, 'EMAIL_OTP');
    assert.deepEqual(got.UserMFASettingList, ['EMAIL_OTP']);
    assert.equal(got.Enabled, true);

    await cognito.send(
      new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: 'admins', Precedence: 1 }),
    );
    assert.equal(
      (await failure(cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: 'admins' }))))
        .name,
      'GroupExistsException',
    );
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: userPoolId,
        Username: 'ann@example.com',
        GroupName: 'admins',
      }),
    );
    const groups = await cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: 'ann@example.com' }),
    );
    assert.deepEqual(
      groups.Groups?.map((g) => g.GroupName),
      ['admins'],
    );

    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: 'ann@example.com' }));
    assert.deepEqual(
      await failure(
        cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: 'ann@example.com' })),
      ),
      { name: 'UserNotFoundException', message: 'User does not exist.' },
    );
  });
});
