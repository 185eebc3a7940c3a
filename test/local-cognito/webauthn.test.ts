// Passkeys through the real AWS SDK: the pool's WebAuthnConfiguration and sign-in policy, StartWebAuthnRegistration /
// CompleteWebAuthnRegistration (verified for real against a software authenticator) and their refusals,
// ListWebAuthnCredentials pages, DeleteWebAuthnCredential, the per-user limit, persistence; then the WEB_AUTHN
// sign-in helpers (webAuthnChallenge, verifyWebAuthnAnswer) on the emulator's own state.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CompleteWebAuthnRegistrationCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteWebAuthnCredentialCommand,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand,
  UpdateUserPoolCommand,
  type AuthFactorType,
  type CognitoIdentityProviderClient,
  type WebAuthnConfigurationType,
} from '@aws-sdk/client-cognito-identity-provider';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { startLocalCognito, type LocalCognito } from '../../src/local-cognito/index.ts';
import { createRequestListener } from '../../src/local-cognito/http-server.ts';
import { FaultInjector } from '../../src/local-cognito/faults.ts';
import { ChallengeSessions } from '../../src/local-cognito/sessions.ts';
import { StateStore, userKey, type PoolRecord, type UserRecord } from '../../src/local-cognito/state.ts';
import { SigningKeys } from '../../src/local-cognito/tokens.ts';
import type { OpContext } from '../../src/local-cognito/operations/context.ts';
import { allowedFirstFactors } from '../../src/local-cognito/operations/sign-in-policy.ts';
import {
  hasPasskeys,
  originAllowed,
  verifyWebAuthnAnswer,
  webAuthnChallenge,
} from '../../src/local-cognito/operations/webauthn.ts';
import { SoftAuthenticator } from '../helpers/soft-authenticator.ts';
import { claimsOf, failure, fakeClock, sdkClient } from './helpers.ts';

const PASSWORD = 'Correct-Horse-1';
const ORIGIN = 'http://localhost:3000';
const PASSKEYS: AuthFactorType[] = ['PASSWORD', 'WEB_AUTHN'];

interface App {
  poolId: string;
  clientId: string;
}

/** Pool, client and user helpers over one SDK client. */
function harness(cognito: () => CognitoIdentityProviderClient) {
  let n = 0;
  const email = (tag: string) => `${tag}-${(n += 1)}@example.com`;

  async function createApp(
    factors: AuthFactorType[] | null = PASSKEYS,
    webAuthn?: WebAuthnConfigurationType,
  ): Promise<App> {
    const created = await cognito().send(
      new CreateUserPoolCommand({
        PoolName: `passkeys-${(n += 1)}`,
        UsernameAttributes: ['email'],
        ...(factors ? { Policies: { SignInPolicy: { AllowedFirstAuthFactors: factors } } } : {}),
      }),
    );
    const poolId = created.UserPool!.Id!;
    if (webAuthn) {
      await cognito().send(
        new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: webAuthn }),
      );
    }
    return { poolId, clientId: await createClient(poolId) };
  }

  async function createClient(poolId: string): Promise<string> {
    const client = await cognito().send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'app',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    return client.UserPoolClient!.ClientId!;
  }

  /** A confirmed user; its sign-in name (email) and internal username. */
  async function createUser(app: App, tag = 'user'): Promise<{ address: string; username: string }> {
    const address = email(tag);
    const created = await cognito().send(
      new AdminCreateUserCommand({
        UserPoolId: app.poolId,
        Username: address,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: 'Jane Doe' },
        ],
      }),
    );
    await cognito().send(
      new AdminSetUserPasswordCommand({
        UserPoolId: app.poolId,
        Username: address,
        Password: PASSWORD,
        Permanent: true,
      }),
    );
    return { address, username: created.User!.Username! };
  }

  async function accessToken(address: string, clientId: string): Promise<string> {
    const out = await cognito().send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: address, PASSWORD },
      }),
    );
    return out.AuthenticationResult!.AccessToken!;
  }

  /** A signed-in user: its access token, sign-in name and internal username. */
  async function signedInUser(app: App, tag?: string) {
    const user = await createUser(app, tag);
    return { ...user, token: await accessToken(user.address, app.clientId) };
  }

  async function start(token: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const out = await cognito().send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
    assert.ok(out.CredentialCreationOptions, 'CredentialCreationOptions');
    return out.CredentialCreationOptions as unknown as PublicKeyCredentialCreationOptionsJSON;
  }

  const complete = (token: string, credential: RegistrationResponseJSON) =>
    cognito().send(
      new CompleteWebAuthnRegistrationCommand({
        AccessToken: token,
        Credential: credential as unknown as Record<string, never>,
      }),
    );

  /** Start, make the passkey on `authenticator`, complete: the credential id. */
  async function register(token: string, authenticator: SoftAuthenticator, origin = ORIGIN): Promise<string> {
    const { response } = authenticator.register(await start(token), origin);
    await complete(token, response);
    return response.id;
  }

  const list = (token: string, input: { MaxResults?: number; NextToken?: string } = {}) =>
    cognito().send(new ListWebAuthnCredentialsCommand({ AccessToken: token, ...input }));

  return { createApp, createClient, createUser, accessToken, signedInUser, start, complete, register, list };
}

describe('local cognito: passkey registration and management', () => {
  const clock = fakeClock();
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  const h = harness(() => cognito);

  before(async () => {
    emu = await startLocalCognito({ port: 0, clock: clock.now });
    cognito = sdkClient(emu);
  });
  after(async () => {
    cognito.destroy();
    await emu.close();
  });

  it('keeps the pool sign-in policy: PASSWORD only by default, set by CreateUserPool and UpdateUserPool', async () => {
    const plain = await h.createApp(null);
    const described = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: plain.poolId }));
    assert.deepEqual(described.UserPool?.Policies?.SignInPolicy, { AllowedFirstAuthFactors: ['PASSWORD'] });
    assert.equal(described.UserPool?.Policies?.PasswordPolicy?.MinimumLength, 8);

    const app = await h.createApp(['PASSWORD', 'WEB_AUTHN', 'EMAIL_OTP']);
    const withPasskeys = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: app.poolId }));
    assert.deepEqual(withPasskeys.UserPool?.Policies?.SignInPolicy?.AllowedFirstAuthFactors, [
      'PASSWORD',
      'WEB_AUTHN',
      'EMAIL_OTP',
    ]);
    await cognito.send(
      new UpdateUserPoolCommand({
        UserPoolId: app.poolId,
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] } },
      }),
    );
    const updated = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: app.poolId }));
    assert.deepEqual(updated.UserPool?.Policies?.SignInPolicy?.AllowedFirstAuthFactors, [
      'PASSWORD',
      'SMS_OTP',
    ]);

    const bad = await failure(
      cognito.send(
        new CreateUserPoolCommand({
          PoolName: 'bad-policy',
          Policies: {
            SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SOFTWARE_TOKEN'] },
          },
        }),
      ),
    );
    assert.equal(bad.name, 'InvalidParameterException');
  });

  it('round-trips WebAuthnConfiguration through SetUserPoolMfaConfig and GetUserPoolMfaConfig', async () => {
    const app = await h.createApp();
    const initial = await cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: app.poolId }));
    assert.deepEqual(initial.WebAuthnConfiguration, { UserVerification: 'preferred' });

    const set = await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: app.poolId,
        WebAuthnConfiguration: { RelyingPartyId: 'auth.example.com', UserVerification: 'required' },
      }),
    );
    assert.deepEqual(set.WebAuthnConfiguration, {
      RelyingPartyId: 'auth.example.com',
      UserVerification: 'required',
    });
    const got = await cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: app.poolId }));
    assert.deepEqual(got.WebAuthnConfiguration, {
      RelyingPartyId: 'auth.example.com',
      UserVerification: 'required',
    });
    assert.equal(got.MfaConfiguration, 'OFF');

    // A call that leaves WebAuthnConfiguration out keeps it.
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: app.poolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const kept = await cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: app.poolId }));
    assert.deepEqual(kept.WebAuthnConfiguration, {
      RelyingPartyId: 'auth.example.com',
      UserVerification: 'required',
    });

    const bad = await failure(
      cognito.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: app.poolId,
          WebAuthnConfiguration: { UserVerification: 'sometimes' as 'required' },
        }),
      ),
    );
    assert.equal(bad.name, 'InvalidParameterException');
    const unchanged = await cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: app.poolId }));
    assert.equal(unchanged.WebAuthnConfiguration?.UserVerification, 'required');
  });

  it('refuses registration where the sign-in policy does not allow passkeys', async () => {
    const app = await h.createApp(['PASSWORD']);
    const { token } = await h.signedInUser(app);
    const started = await failure(h.start(token));
    assert.equal(started.name, 'WebAuthnNotEnabledException');
    const completed = await failure(
      h.complete(token, new SoftAuthenticator().register(options(), ORIGIN).response),
    );
    assert.equal(completed.name, 'WebAuthnNotEnabledException');
    assert.deepEqual((await h.list(token)).Credentials, []);
  });

  it('gives creation options, verifies the attestation, and lists the passkey', async () => {
    clock.advance(1000);
    const app = await h.createApp();
    const { token, address } = await h.signedInUser(app);
    const sub = claimsOf(token).sub as string;
    const opts = await h.start(token);
    assert.deepEqual(opts.rp, { id: 'localhost', name: (await poolName(app.poolId)) ?? '' });
    assert.deepEqual(opts.user, {
      id: Buffer.from(sub).toString('base64url'),
      name: address,
      displayName: 'Jane Doe',
    });
    assert.match(opts.challenge, /^[\w-]{43}$/);
    assert.deepEqual(
      opts.pubKeyCredParams.map((p) => p.alg),
      [-7, -257],
    );
    assert.deepEqual(opts.excludeCredentials, []);
    assert.equal(opts.authenticatorSelection?.residentKey, 'required');
    assert.equal(opts.authenticatorSelection?.userVerification, 'preferred');
    assert.ok((opts.timeout ?? 0) > 0);
    assert.notEqual((await h.start(token)).challenge, opts.challenge, 'a new challenge each time');

    const authenticator = new SoftAuthenticator();
    const first = await h.register(token, authenticator);
    const listed = await h.list(token);
    assert.equal(listed.NextToken, undefined);
    assert.equal(listed.Credentials?.length, 1);
    const c = listed.Credentials[0]!;
    assert.equal(c.CredentialId, first);
    assert.equal(c.FriendlyCredentialName, 'Passkey');
    assert.equal(c.RelyingPartyId, 'localhost');
    assert.equal(c.AuthenticatorAttachment, 'platform');
    assert.deepEqual(c.AuthenticatorTransports, ['internal', 'hybrid']);
    assert.equal(c.CreatedAt?.getTime(), clock.now());

    // The next registration excludes it: the same authenticator refuses, another one registers.
    const again = await h.start(token);
    assert.deepEqual(again.excludeCredentials, [
      { id: first, type: 'public-key', transports: ['internal', 'hybrid'] },
    ]);
    assert.throws(() => authenticator.register(again, ORIGIN), { name: 'InvalidStateError' });
    const second = new SoftAuthenticator();
    const { response } = second.register(again, ORIGIN);
    await h.complete(token, response);
    assert.deepEqual(
      (await h.list(token)).Credentials?.map((x) => x.CredentialId),
      [first, response.id],
    );
  });

  it('names passkeys of known providers by their AAGUID', async () => {
    const app = await h.createApp();
    const { token } = await h.signedInUser(app);
    const google = Buffer.from('ea9b8d664d011d213ce4b6b48cb575d4', 'hex');
    await h.register(token, new SoftAuthenticator({ aaguid: google }));
    assert.equal((await h.list(token)).Credentials?.[0]?.FriendlyCredentialName, 'Google Password Manager');
  });

  it('uses each registration challenge once, until it expires, for the client that asked', async () => {
    const app = await h.createApp();
    const { token, address } = await h.signedInUser(app);
    // A new authenticator each time: one that holds a passkey of this user is excluded by the options.
    const authenticator = () => new SoftAuthenticator();

    const none = await failure(h.complete(token, authenticator().register(options(), ORIGIN).response));
    assert.equal(none.name, 'WebAuthnChallengeNotFoundException');

    const { response } = authenticator().register(await h.start(token), ORIGIN);
    await h.complete(token, response);
    const replayed = await failure(h.complete(token, response));
    assert.equal(replayed.name, 'WebAuthnChallengeNotFoundException');

    const late = authenticator().register(await h.start(token), ORIGIN).response;
    clock.advance(5 * 60_000 + 1);
    assert.equal((await failure(h.complete(token, late))).name, 'WebAuthnChallengeNotFoundException');

    const wrong = authenticator().register(await h.start(token), ORIGIN, {
      challenge: 'AAAAAAAAAAAAAAAAAAAAAA',
    });
    assert.equal(
      (await failure(h.complete(token, wrong.response))).name,
      'WebAuthnChallengeNotFoundException',
    );

    // Started with one app client's token, completed with another's.
    const otherClient = await h.createClient(app.poolId);
    const otherToken = await h.accessToken(address, otherClient);
    const crossed = authenticator().register(await h.start(token), ORIGIN).response;
    assert.equal((await failure(h.complete(otherToken, crossed))).name, 'WebAuthnClientMismatchException');

    assert.equal((await h.list(token)).Credentials?.length, 1, 'only the first registration counted');
  });

  it('refuses origins outside the relying party and credentials made for another one', async () => {
    const app = await h.createApp(PASSKEYS, { RelyingPartyId: 'example.com' });
    const { token } = await h.signedInUser(app);
    const authenticator = new SoftAuthenticator();
    const opts = await h.start(token);
    assert.equal(opts.rp.id, 'example.com');

    for (const origin of [
      'https://evil.test',
      'https://evilexample.com',
      'http://app.example.com',
      'https://example.com.evil.test',
      'https://app.example.com/path',
    ]) {
      const { response } = authenticator.register(await h.start(token), origin);
      const refused = await failure(h.complete(token, response));
      assert.equal(refused.name, 'WebAuthnOriginNotAllowedException', origin);
    }

    const otherRp = authenticator.register(await h.start(token), 'https://example.com', {
      rpId: 'evil.test',
    });
    assert.equal(
      (await failure(h.complete(token, otherRp.response))).name,
      'WebAuthnRelyingPartyMismatchException',
    );

    // The RP id itself and its subdomains, over https, are fine.
    await h.register(token, new SoftAuthenticator(), 'https://example.com');
    await h.register(token, new SoftAuthenticator(), 'https://login.example.com:8443');
    assert.equal((await h.list(token)).Credentials?.length, 2);
  });

  it('requires user verification when the pool says so', async () => {
    const app = await h.createApp(PASSKEYS, { UserVerification: 'required' });
    const { token } = await h.signedInUser(app);
    const opts = await h.start(token);
    assert.equal(opts.authenticatorSelection?.userVerification, 'required');
    const { response } = new SoftAuthenticator({ userVerifying: false }).register(opts, ORIGIN);
    assert.equal(
      (await failure(h.complete(token, response))).name,
      'WebAuthnCredentialNotSupportedException',
    );
    await h.register(token, new SoftAuthenticator({ userVerifying: true }));
    assert.equal((await h.list(token)).Credentials?.length, 1);
  });

  it('refuses a malformed credential as an invalid parameter', async () => {
    const app = await h.createApp();
    const { token } = await h.signedInUser(app);
    const { response } = new SoftAuthenticator().register(await h.start(token), ORIGIN);
    const broken = { ...response, response: { ...response.response, attestationObject: 'AAAA' } };
    assert.equal((await failure(h.complete(token, broken))).name, 'InvalidParameterException');
    const missing = await failure(
      cognito.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: undefined })),
    );
    assert.equal(missing.name, 'InvalidParameterException');
  });

  it('deletes passkeys, and only the signed-in user’s', async () => {
    const app = await h.createApp();
    const jane = await h.signedInUser(app, 'jane');
    const john = await h.signedInUser(app, 'john');
    const a = await h.register(jane.token, new SoftAuthenticator());
    const b = await h.register(jane.token, new SoftAuthenticator());
    const johns = await h.register(john.token, new SoftAuthenticator());

    const foreign = await failure(
      cognito.send(new DeleteWebAuthnCredentialCommand({ AccessToken: jane.token, CredentialId: johns })),
    );
    assert.equal(foreign.name, 'ResourceNotFoundException');
    assert.deepEqual(
      await cognito
        .send(new DeleteWebAuthnCredentialCommand({ AccessToken: jane.token, CredentialId: a }))
        .then((out) => Object.keys(out).filter((k) => k !== '$metadata')),
      [],
    );
    assert.deepEqual(
      (await h.list(jane.token)).Credentials?.map((c) => c.CredentialId),
      [b],
    );
    const twice = await failure(
      cognito.send(new DeleteWebAuthnCredentialCommand({ AccessToken: jane.token, CredentialId: a })),
    );
    assert.equal(twice.name, 'ResourceNotFoundException');
    assert.equal((await h.list(john.token)).Credentials?.length, 1);
  });

  it('allows 20 passkeys per user, and lists them in pages', async () => {
    const app = await h.createApp();
    const { token } = await h.signedInUser(app);
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) ids.push(await h.register(token, new SoftAuthenticator()));
    assert.equal((await failure(h.start(token))).name, 'LimitExceededException');

    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await h.list(token, { MaxResults: 7, ...(next ? { NextToken: next } : {}) });
      assert.ok((page.Credentials?.length ?? 0) <= 7);
      seen.push(...(page.Credentials ?? []).map((c) => c.CredentialId!));
      next = page.NextToken;
      pages += 1;
    } while (next);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ids);
    assert.equal((await h.list(token)).Credentials?.length, 20);
    assert.equal((await failure(h.list(token, { MaxResults: 21 }))).name, 'InvalidParameterException');
    assert.equal(
      (await failure(h.list(token, { NextToken: 'bm90LWFuLWluZGV4' }))).name,
      'InvalidParameterException',
    );

    // Deleting one makes room again.
    await cognito.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: ids[3] }));
    await h.register(token, new SoftAuthenticator());
    assert.equal((await h.list(token)).Credentials?.length, 20);
  });

  it('takes only live access tokens', async () => {
    const app = await h.createApp();
    const { token } = await h.signedInUser(app);
    await cognito.send(new GlobalSignOutCommand({ AccessToken: token }));
    // One call at a time: a second one started at once could be refused before its failure() awaits it.
    for (const call of [() => h.start(token), () => h.list(token)]) {
      assert.equal((await failure(call())).name, 'NotAuthorizedException');
    }
    assert.equal((await failure(h.list('not-a-token'))).name, 'NotAuthorizedException');
  });

  /** The name CreateUserPool gave the pool. */
  async function poolName(poolId: string): Promise<string | undefined> {
    return (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.Name;
  }
});

describe('local cognito: passkeys survive a restart', () => {
  it('keeps registered passkeys and the pool settings in state.json', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'webauthn-'));
    try {
      let emu = await startLocalCognito({ port: 0, dataDir: dir });
      let cognito = sdkClient(emu);
      const h = harness(() => cognito);
      const app = await h.createApp(PASSKEYS, { RelyingPartyId: 'localhost', UserVerification: 'required' });
      const { token, address } = await h.signedInUser(app);
      const id = await h.register(token, new SoftAuthenticator());
      cognito.destroy();
      await emu.close();

      emu = await startLocalCognito({ port: 0, dataDir: dir });
      cognito = sdkClient(emu);
      try {
        const fresh = await h.accessToken(address, app.clientId);
        assert.deepEqual(
          (await h.list(fresh)).Credentials?.map((c) => c.CredentialId),
          [id],
        );
        const config = await cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: app.poolId }));
        assert.deepEqual(config.WebAuthnConfiguration, {
          RelyingPartyId: 'localhost',
          UserVerification: 'required',
        });
        const pool = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: app.poolId }));
        assert.deepEqual(pool.UserPool?.Policies?.SignInPolicy?.AllowedFirstAuthFactors, PASSKEYS);
      } finally {
        cognito.destroy();
        await emu.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('local cognito: WEB_AUTHN sign-in helpers', () => {
  const clock = fakeClock();
  let ctx: OpContext;
  let server: Server;
  let faults: FaultInjector;
  let cognito: CognitoIdentityProviderClient;
  const h = harness(() => cognito);

  before(async () => {
    ctx = {
      store: await StateStore.open(undefined, clock.now),
      keys: await SigningKeys.load(undefined),
      clock: clock.now,
      sessions: new ChallengeSessions(),
      region: 'us-east-1',
    };
    faults = new FaultInjector();
    let endpoint = '';
    server = createServer(createRequestListener({ ctx, calls: new Map(), faults, endpoint: () => endpoint }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cognito = sdkClient({ endpoint } as LocalCognito);
  });
  after(async () => {
    cognito.destroy();
    faults.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const records = (poolId: string, username: string): { pool: PoolRecord; user: UserRecord } => {
    const pool = ctx.store.state.pools.get(poolId)!;
    return { pool, user: pool.users.get(userKey(pool, username))! };
  };
  const requestOptions = (json: string) => JSON.parse(json) as PublicKeyCredentialRequestOptionsJSON;

  /** A pool with two users, each with a passkey on their own authenticator. */
  async function setUp(webAuthn?: WebAuthnConfigurationType) {
    const app = await h.createApp(PASSKEYS, webAuthn);
    const jane = await h.signedInUser(app, 'jane');
    const john = await h.signedInUser(app, 'john');
    const janes = new SoftAuthenticator();
    const johns = new SoftAuthenticator();
    const { pool, user } = records(app.poolId, jane.username);
    assert.equal(hasPasskeys(user), false);
    await h.register(jane.token, janes);
    await h.register(john.token, johns);
    assert.equal(hasPasskeys(user), true);
    return { app, pool, user, other: records(app.poolId, john.username).user, janes, johns };
  }

  it('offers the user’s passkeys and accepts a real assertion, keeping the counter', async () => {
    const { pool, user, janes } = await setUp();
    assert.deepEqual(allowedFirstFactors(pool), PASSKEYS);
    const { parameters, challenge } = webAuthnChallenge(ctx, pool, user);
    const opts = requestOptions(parameters.CREDENTIAL_REQUEST_OPTIONS);
    assert.equal(opts.challenge, challenge);
    assert.equal(opts.rpId, 'localhost');
    assert.equal(opts.userVerification, 'preferred');
    assert.ok((opts.timeout ?? 0) > 0);
    assert.deepEqual(opts.allowCredentials, [
      { id: janes.credentials[0]!.id, type: 'public-key', transports: ['internal', 'hybrid'] },
    ]);
    assert.notEqual(webAuthnChallenge(ctx, pool, user).challenge, challenge);

    const assertion = janes.authenticate(opts, ORIGIN);
    await verifyWebAuthnAnswer(ctx, pool, user, challenge, JSON.stringify(assertion));
    assert.equal(user.webAuthnCredentials?.[0]?.counter, 1);

    // A replay of the same assertion (its counter no longer moves on) is refused.
    const replay = await failure(verifyWebAuthnAnswer(ctx, pool, user, challenge, JSON.stringify(assertion)));
    assert.deepEqual(replay, { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });

    const next = webAuthnChallenge(ctx, pool, user);
    const again = janes.authenticate(requestOptions(next.parameters.CREDENTIAL_REQUEST_OPTIONS), ORIGIN);
    await verifyWebAuthnAnswer(ctx, pool, user, next.challenge, JSON.stringify(again));
    assert.equal(user.webAuthnCredentials?.[0]?.counter, 2);
  });

  it('refuses wrong challenges, other users’ passkeys, tampered signatures and foreign origins', async () => {
    const { pool, user, other, janes, johns } = await setUp();
    const refused = async (answer: string, challenge: string) => {
      const err = await failure(verifyWebAuthnAnswer(ctx, pool, user, challenge, answer));
      assert.deepEqual(err, { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    };
    const { parameters, challenge } = webAuthnChallenge(ctx, pool, user);
    const opts = requestOptions(parameters.CREDENTIAL_REQUEST_OPTIONS);
    const credential = janes.credentials[0]!;

    // Signed over another challenge (an older one, say).
    const stale = webAuthnChallenge(ctx, pool, user).challenge;
    await refused(JSON.stringify(janes.assert(credential, stale, ORIGIN)), challenge);
    // John's passkey answering for Jane: not one of hers (and with his user handle).
    await refused(JSON.stringify(johns.authenticate({ ...opts, allowCredentials: [] }, ORIGIN)), challenge);
    // Jane's passkey id with John's key behind it: the signature does not verify.
    const forged = johns.assert(
      { ...johns.credentials[0]!, id: credential.id, userHandle: credential.userHandle },
      challenge,
      ORIGIN,
    );
    await refused(JSON.stringify(forged), challenge);
    await refused(JSON.stringify(janes.authenticate(opts, ORIGIN, { tamperSignature: true })), challenge);
    await refused(JSON.stringify(janes.authenticate(opts, 'https://evil.test')), challenge);
    await refused(JSON.stringify(janes.authenticate(opts, ORIGIN, { rpId: 'evil.test' })), challenge);
    await refused('not json', challenge);
    await refused('{}', challenge);
    assert.equal(hasPasskeys(other), true);

    // None of that moved the counter: the real thing still works.
    const before = user.webAuthnCredentials![0]!.counter;
    await verifyWebAuthnAnswer(ctx, pool, user, challenge, JSON.stringify(janes.authenticate(opts, ORIGIN)));
    assert.ok(user.webAuthnCredentials![0]!.counter > before);
  });

  it('requires user verification when the pool says so', async () => {
    const { pool, user, janes } = await setUp({ UserVerification: 'required' });
    const { parameters, challenge } = webAuthnChallenge(ctx, pool, user);
    const opts = requestOptions(parameters.CREDENTIAL_REQUEST_OPTIONS);
    assert.equal(opts.userVerification, 'required');
    const unverified = janes.authenticate(opts, ORIGIN, { userVerified: false });
    const err = await failure(verifyWebAuthnAnswer(ctx, pool, user, challenge, JSON.stringify(unverified)));
    assert.equal(err.name, 'NotAuthorizedException');
    await verifyWebAuthnAnswer(ctx, pool, user, challenge, JSON.stringify(janes.authenticate(opts, ORIGIN)));
  });
});

describe('local cognito: passkey origins', () => {
  it('accepts the RP id and its subdomains over https, http only on loopback', () => {
    assert.equal(originAllowed('https://example.com', 'example.com'), true);
    assert.equal(originAllowed('https://a.b.example.com:8443', 'example.com'), true);
    assert.equal(originAllowed('http://example.com', 'example.com'), false);
    assert.equal(originAllowed('https://badexample.com', 'example.com'), false);
    assert.equal(originAllowed('https://example.com.evil.test', 'example.com'), false);
    assert.equal(originAllowed('https://example.com/', 'example.com'), false);
    assert.equal(originAllowed('ftp://example.com', 'example.com'), false);
    assert.equal(originAllowed('not a url', 'example.com'), false);
    assert.equal(originAllowed('http://localhost:3000', 'localhost'), true);
    assert.equal(originAllowed('http://app.localhost:3000', 'localhost'), true);
    assert.equal(originAllowed('http://127.0.0.1:3000', '127.0.0.1'), true);
    assert.equal(originAllowed('http://127.0.0.1:3000', 'localhost'), false);
  });
});

/** Creation options for a ceremony the emulator never started (its challenge is unknown to it). */
function options(): PublicKeyCredentialCreationOptionsJSON {
  return {
    rp: { id: 'localhost', name: 'x' },
    user: { id: 'dXNlcg', name: 'user', displayName: 'user' },
    challenge: Buffer.from('never issued').toString('base64url'),
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  };
}
