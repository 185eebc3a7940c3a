// UsernameConfiguration.CaseSensitive: true by default (exact names only), false for the seeded local pool.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
  UpdateUserPoolCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startLocalCognito, type LocalCognito, type LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { failure, hashFor, sdkClient } from './helpers.ts';

const PASSWORD = 'Case-Password-1';

interface TestPool {
  poolId: string;
  clientId: string;
  clientSecret: string;
}

describe('local cognito: username case sensitivity', () => {
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  let seeded: LocalPoolInfo;

  before(async () => {
    emu = await startLocalCognito({ port: 0 });
    cognito = sdkClient(emu);
    seeded = await emu.ensureLocalPool();
  });
  after(async () => {
    cognito.destroy();
    await emu.close();
  });

  async function newPool(input: Omit<CreateUserPoolCommandInput, 'PoolName'>): Promise<TestPool> {
    const created = await cognito.send(new CreateUserPoolCommand({ PoolName: 'case', ...input }));
    const poolId = created.UserPool!.Id!;
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'case-app',
        GenerateSecret: true,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    return {
      poolId,
      clientId: client.UserPoolClient!.ClientId!,
      clientSecret: client.UserPoolClient!.ClientSecret!,
    };
  }

  async function createConfirmedUser(pool: TestPool, username: string, attrs: Record<string, string> = {}) {
    const created = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.poolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.poolId,
        Username: username,
        Password: PASSWORD,
        Permanent: true,
      }),
    );
    return created.User!.Username!;
  }

  const passwordAuth = (pool: TestPool, username: string, password = PASSWORD) =>
    cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: pool.clientId,
        AuthParameters: {
          USERNAME: username,
          PASSWORD: password,
          SECRET_HASH: hashFor(pool.clientSecret, username, pool.clientId),
        },
      }),
    );
  const refresh = (pool: TestPool, refreshToken: string, internalUsername: string) =>
    cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: pool.clientId,
        AuthParameters: {
          REFRESH_TOKEN: refreshToken,
          SECRET_HASH: hashFor(pool.clientSecret, internalUsername, pool.clientId),
        },
      }),
    );
  const adminGet = (pool: TestPool, username: string) =>
    cognito.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: username }));
  const caseSensitiveOf = async (poolId: string) =>
    (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.UsernameConfiguration
      ?.CaseSensitive;
  const notFound = { name: 'UserNotFoundException', message: 'User does not exist.' };

  it('the seeded pool is case-insensitive: Demo@Example.com signs in and is found as any capitalization', async () => {
    assert.equal(await caseSensitiveOf(seeded.userPoolId), false);
    const pool = { poolId: seeded.userPoolId, clientId: seeded.clientId, clientSecret: seeded.clientSecret };
    const out = await passwordAuth(pool, 'Demo@Example.com', seeded.demoUser.password);
    assert.ok(out.AuthenticationResult?.AccessToken);
    const exact = await adminGet(pool, seeded.demoUser.email);
    const shouted = await adminGet(pool, seeded.demoUser.email.toUpperCase());
    assert.equal(shouted.Username, exact.Username);
    const taken = await failure(
      cognito.send(
        new SignUpCommand({
          ClientId: pool.clientId,
          Username: 'DEMO@example.com',
          Password: PASSWORD,
          SecretHash: hashFor(pool.clientSecret, 'DEMO@example.com', pool.clientId),
        }),
      ),
    );
    assert.equal(taken.name, 'UsernameExistsException');
  });

  it('a pool created without UsernameConfiguration is case-sensitive (email as username)', async () => {
    const pool = await newPool({ UsernameAttributes: ['email'] });
    assert.equal(await caseSensitiveOf(pool.poolId), true);
    const username = await createConfirmedUser(pool, 'Mixed.Case@example.com');

    const signedIn = await passwordAuth(pool, 'Mixed.Case@example.com');
    assert.ok(signedIn.AuthenticationResult?.AccessToken);
    assert.deepEqual(await failure(passwordAuth(pool, 'mixed.case@example.com')), notFound);
    assert.deepEqual(await failure(passwordAuth(pool, 'MIXED.CASE@EXAMPLE.COM')), notFound);

    assert.equal((await adminGet(pool, 'Mixed.Case@example.com')).Username, username);
    assert.equal((await adminGet(pool, username)).Username, username);
    assert.deepEqual(await failure(adminGet(pool, 'mixed.case@example.com')), notFound);
    assert.deepEqual(await failure(adminGet(pool, username.toUpperCase())), notFound);

    // Tokens still lead back to the user (the internal username is matched exactly).
    const tokens = signedIn.AuthenticationResult;
    const me = await cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken! }));
    assert.equal(me.Username, username);
    const refreshed = await refresh(pool, tokens.RefreshToken!, username);
    assert.ok(refreshed.AuthenticationResult?.AccessToken);
  });

  it('a case-sensitive pool with plain usernames matches them exactly', async () => {
    const pool = await newPool({ UsernameConfiguration: { CaseSensitive: true } });
    assert.equal(await caseSensitiveOf(pool.poolId), true);
    await createConfirmedUser(pool, 'Alice');
    assert.ok((await passwordAuth(pool, 'Alice')).AuthenticationResult?.AccessToken);
    assert.deepEqual(await failure(passwordAuth(pool, 'alice')), notFound);
    assert.equal((await adminGet(pool, 'Alice')).Username, 'Alice');
    assert.deepEqual(await failure(adminGet(pool, 'ALICE')), notFound);
  });

  it('a case-insensitive pool with plain usernames matches any capitalization, keeping the name as created', async () => {
    const pool = await newPool({ UsernameConfiguration: { CaseSensitive: false } });
    assert.equal(await caseSensitiveOf(pool.poolId), false);
    await createConfirmedUser(pool, 'Bob');
    for (const typed of ['Bob', 'bob', 'BOB']) {
      const out = await passwordAuth(pool, typed);
      assert.ok(out.AuthenticationResult?.AccessToken, typed);
      const me = await cognito.send(
        new GetUserCommand({ AccessToken: out.AuthenticationResult.AccessToken }),
      );
      assert.equal(me.Username, 'Bob');
      assert.equal((await adminGet(pool, typed)).Username, 'Bob');
    }
    const again = await failure(
      cognito.send(new AdminCreateUserCommand({ UserPoolId: pool.poolId, Username: 'BOB' })),
    );
    assert.equal(again.name, 'UsernameExistsException');
  });

  it('the email alias follows the pool setting', async () => {
    const insensitive = await newPool({
      AliasAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
    });
    await createConfirmedUser(insensitive, 'carol', { email: 'Carol@example.com', email_verified: 'true' });
    assert.ok((await passwordAuth(insensitive, 'carol@EXAMPLE.com')).AuthenticationResult?.AccessToken);
    assert.equal((await adminGet(insensitive, 'CAROL@example.com')).Username, 'carol');

    const sensitive = await newPool({ AliasAttributes: ['email'] });
    await createConfirmedUser(sensitive, 'dave', { email: 'Dave@example.com', email_verified: 'true' });
    assert.ok((await passwordAuth(sensitive, 'Dave@example.com')).AuthenticationResult?.AccessToken);
    assert.deepEqual(await failure(passwordAuth(sensitive, 'dave@example.com')), notFound);
    assert.deepEqual(await failure(adminGet(sensitive, 'DAVE@example.com')), notFound);
  });

  it('rejects UsernameConfiguration without CaseSensitive; UpdateUserPool leaves the setting alone', async () => {
    const missing = await failure(
      cognito.send(
        new CreateUserPoolCommand({
          PoolName: 'bad',
          UsernameConfiguration: {} as { CaseSensitive: boolean },
        }),
      ),
    );
    assert.deepEqual(missing, {
      name: 'InvalidParameterException',
      message:
        "1 validation error detected: Value null at 'usernameConfiguration.caseSensitive' failed to satisfy constraint: Member must not be null",
    });
    const pool = await newPool({ UsernameConfiguration: { CaseSensitive: false } });
    await cognito.send(new UpdateUserPoolCommand({ UserPoolId: pool.poolId }));
    assert.equal(await caseSensitiveOf(pool.poolId), false);
  });
});

describe('local cognito: case sensitivity of pools in an older state.json', () => {
  let dir = '';
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the seeded pool case-insensitive and defaults other pools to case-sensitive', async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-cognito-case-'));
    const dataDir = join(dir, 'state');
    const first = await startLocalCognito({ port: 0, dataDir });
    const seeded = await first.ensureLocalPool();
    const admin = sdkClient(first);
    const plain = (await admin.send(new CreateUserPoolCommand({ PoolName: 'plain' }))).UserPool!.Id!;
    const legacyFalse = (
      await admin.send(
        new CreateUserPoolCommand({ PoolName: 'legacy', UsernameConfiguration: { CaseSensitive: false } }),
      )
    ).UserPool!.Id!;
    admin.destroy();
    await first.close();

    // Rewrite the file as older versions wrote it: no `caseSensitive`, and UsernameConfiguration (when given
    // at creation) kept in `extra`. The seeded pool gets neither: it must stay case-insensitive regardless.
    const file = join(dataDir, 'state.json');
    const data = JSON.parse(await readFile(file, 'utf8')) as {
      pools: { id: string; caseSensitive?: boolean; extra: Record<string, unknown> }[];
    };
    for (const pool of data.pools) {
      delete pool.caseSensitive;
      if (pool.id === legacyFalse) pool.extra.UsernameConfiguration = { CaseSensitive: false };
    }
    await writeFile(file, JSON.stringify(data));

    const second = await startLocalCognito({ port: 0, dataDir });
    const cognito = sdkClient(second);
    try {
      const describe = async (poolId: string) =>
        (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;
      assert.deepEqual((await describe(seeded.userPoolId)).UsernameConfiguration, { CaseSensitive: false });
      assert.deepEqual((await describe(plain)).UsernameConfiguration, { CaseSensitive: true });
      assert.deepEqual((await describe(legacyFalse)).UsernameConfiguration, { CaseSensitive: false });
      const out = await cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: seeded.clientId,
          AuthParameters: {
            USERNAME: 'Demo@Example.com',
            PASSWORD: seeded.demoUser.password,
            SECRET_HASH: hashFor(seeded.clientSecret, 'Demo@Example.com', seeded.clientId),
          },
        }),
      );
      assert.ok(out.AuthenticationResult?.AccessToken);
    } finally {
      cognito.destroy();
      await second.close();
    }
  });
});
