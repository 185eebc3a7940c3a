// Device tracking through the real AWS SDK: DeviceConfiguration on the pool, NewDeviceMetadata, ConfirmDevice and its
// refusals, UpdateDeviceStatus, GetDevice, ListDevices (pages, unconfirmed devices left out), ForgetDevice, the admin
// twins, revoked access tokens, and DEVICE_SRP_AUTH naming a device that is not the one the sign-in named.
// Device verifiers and device SRP come from cognito-srp-helper, not from the emulator's own code.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminForgetDeviceCommand,
  AdminGetDeviceCommand,
  AdminListDevicesCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateDeviceStatusCommand,
  AssociateSoftwareTokenCommand,
  ConfirmDeviceCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ForgetDeviceCommand,
  GetDeviceCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  UpdateDeviceStatusCommand,
  UpdateUserPoolCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  type DeviceConfigurationType,
  type DeviceRememberedStatusType,
  type DeviceType,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createDeviceVerifier,
  createSrpSession,
  signSrpSessionWithDevice,
  wrapAuthChallenge,
} from 'cognito-srp-helper';
import { startLocalCognito, type LocalCognito } from '../../src/local-cognito/index.ts';
import { totpCode } from '../../src/local-cognito/totp.ts';
import { claimsOf, failure, fakeClock, hashFor, sdkClient } from './helpers.ts';

const PASSWORD = 'Correct-Horse-1';
const STEP = 30_000;
const NOT_FOUND = { name: 'ResourceNotFoundException', message: 'Device does not exist.' };
/** ConfirmDevice's answer for a key not handed to this user, as reported from real pools (boto/boto3#4059). */
const INVALID_KEY = { name: 'InvalidParameterException', message: 'Invalid device key given.' };

interface App {
  poolId: string;
  clientId: string;
  clientSecret: string;
}

interface Device {
  key: string;
  groupKey: string;
  /** The device's random password (createDeviceVerifier's), for device SRP. */
  password: string;
}

describe('local cognito: device tracking', () => {
  const clock = fakeClock(Math.floor(Date.now() / STEP) * STEP + 5_000);
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  /** Tracks devices; a remembered device stands in for MFA; remembered at once. */
  let tracked: App;
  /** Tracks devices, remembered only on the user's word (DeviceOnlyRememberedOnUserPrompt). */
  let prompted: App;
  /** Tracks devices, but a remembered device does not stand in for MFA (ChallengeRequiredOnNewDevice false). */
  let mfaAnyway: App;
  /** No DeviceConfiguration. */
  let untracked: App;
  let n = 0;
  const email = (tag: string) => `${tag}-${(n += 1)}@example.com`;

  const hash = (app: App, name: string) => hashFor(app.clientSecret, name, app.clientId);

  async function createPool(name: string, config?: DeviceConfigurationType): Promise<App> {
    const created = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: name,
        UsernameAttributes: ['email'],
        ...(config ? { DeviceConfiguration: config } : {}),
      }),
    );
    const poolId = created.UserPool!.Id!;
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'app',
        GenerateSecret: true,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    return {
      poolId,
      clientId: client.UserPoolClient!.ClientId!,
      clientSecret: client.UserPoolClient!.ClientSecret!,
    };
  }

  /** A confirmed user (email as the sign-in name): its internal username. */
  async function createUser(app: App, address: string): Promise<string> {
    const created = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: app.poolId,
        Username: address,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
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

  /** USER_PASSWORD_AUTH, naming `deviceKey` when given. */
  const signIn = (app: App, address: string, deviceKey?: string) =>
    cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: app.clientId,
        AuthParameters: {
          USERNAME: address,
          PASSWORD,
          SECRET_HASH: hash(app, address),
          ...(deviceKey === undefined ? {} : { DEVICE_KEY: deviceKey }),
        },
      }),
    );
  /** A sign-in that must end in tokens. */
  async function tokensOf(app: App, address: string, deviceKey?: string): Promise<AuthenticationResultType> {
    const out = await signIn(app, address, deviceKey);
    assert.equal(out.ChallengeName, undefined, `expected tokens, got the challenge ${out.ChallengeName}`);
    return out.AuthenticationResult!;
  }
  const confirm = (accessToken: string, key: string, groupKey: string, name?: string) => {
    const { DeviceSecretVerifierConfig, DeviceRandomPassword } = createDeviceVerifier(key, groupKey);
    return {
      password: DeviceRandomPassword,
      send: () =>
        cognito.send(
          new ConfirmDeviceCommand({
            AccessToken: accessToken,
            DeviceKey: key,
            DeviceSecretVerifierConfig,
            ...(name === undefined ? {} : { DeviceName: name }),
          }),
        ),
    };
  };
  /** Signs in (new device), confirms the device: the device and the sign-in's access token. */
  async function confirmedDevice(app: App, address: string, name?: string) {
    const tokens = await tokensOf(app, address);
    const meta = tokens.NewDeviceMetadata!;
    assert.ok(meta?.DeviceKey && meta.DeviceGroupKey, 'NewDeviceMetadata');
    const c = confirm(tokens.AccessToken!, meta.DeviceKey, meta.DeviceGroupKey, name);
    await c.send();
    const device: Device = { key: meta.DeviceKey, groupKey: meta.DeviceGroupKey, password: c.password };
    return { device, accessToken: tokens.AccessToken!, refreshToken: tokens.RefreshToken! };
  }
  const attribute = (d: DeviceType | undefined, name: string) =>
    d?.DeviceAttributes?.find((a) => a.Name === name)?.Value;

  /** RespondToAuthChallenge with USERNAME and its SECRET_HASH. */
  const respond = (
    app: App,
    name: 'DEVICE_SRP_AUTH' | 'DEVICE_PASSWORD_VERIFIER' | 'SOFTWARE_TOKEN_MFA',
    session: string | undefined,
    username: string,
    responses: Record<string, string>,
  ) =>
    cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: app.clientId,
        ChallengeName: name,
        Session: session,
        ChallengeResponses: { USERNAME: username, SECRET_HASH: hash(app, username), ...responses },
      }),
    );
  /** DEVICE_SRP_AUTH for `device` in `session`, then DEVICE_PASSWORD_VERIFIER with the helper's proof. */
  async function proveDevice(
    app: App,
    username: string,
    session: string | undefined,
    device: Device,
  ): Promise<RespondToAuthChallengeCommandOutput> {
    const srp = createSrpSession(username, device.password, app.poolId, false);
    const challenge = await respond(app, 'DEVICE_SRP_AUTH', session, username, {
      DEVICE_KEY: device.key,
      SRP_A: srp.largeA,
    });
    assert.equal(challenge.ChallengeName, 'DEVICE_PASSWORD_VERIFIER');
    const signed = signSrpSessionWithDevice(srp, challenge, device.groupKey, device.password);
    return cognito.send(
      new RespondToAuthChallengeCommand(
        wrapAuthChallenge(signed, {
          ClientId: app.clientId,
          ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
          Session: challenge.Session,
          ChallengeResponses: {
            USERNAME: username,
            SECRET_HASH: hash(app, username),
            DEVICE_KEY: device.key,
          },
        }),
      ),
    );
  }

  before(async () => {
    emu = await startLocalCognito({ port: 0, clock: clock.now });
    cognito = sdkClient(emu);
    tracked = await createPool('tracked', {
      ChallengeRequiredOnNewDevice: true,
      DeviceOnlyRememberedOnUserPrompt: false,
    });
    prompted = await createPool('prompted', {
      ChallengeRequiredOnNewDevice: true,
      DeviceOnlyRememberedOnUserPrompt: true,
    });
    mfaAnyway = await createPool('mfa-anyway', {
      ChallengeRequiredOnNewDevice: false,
      DeviceOnlyRememberedOnUserPrompt: false,
    });
    untracked = await createPool('untracked');
  });
  after(async () => {
    cognito.destroy();
    await emu.close();
  });

  it('DescribeUserPool echoes DeviceConfiguration; UpdateUserPool without it turns tracking off', async () => {
    const described = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: prompted.poolId }));
    assert.deepEqual(described.UserPool?.DeviceConfiguration, {
      ChallengeRequiredOnNewDevice: true,
      DeviceOnlyRememberedOnUserPrompt: true,
    });
    const none = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: untracked.poolId }));
    assert.equal(none.UserPool?.DeviceConfiguration, undefined);

    const app = await createPool('toggled', { ChallengeRequiredOnNewDevice: false });
    const address = email('toggled');
    await createUser(app, address);
    assert.ok(
      (await tokensOf(app, address)).NewDeviceMetadata,
      'any member of DeviceConfiguration turns it on',
    );
    await cognito.send(new UpdateUserPoolCommand({ UserPoolId: app.poolId }));
    const after = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: app.poolId }));
    assert.equal(after.UserPool?.DeviceConfiguration, undefined);
    const tokens = await tokensOf(app, address);
    assert.equal(tokens.NewDeviceMetadata, undefined);
    assert.equal(claimsOf(tokens.AccessToken!).device_key, undefined);
    await cognito.send(
      new UpdateUserPoolCommand({
        UserPoolId: app.poolId,
        DeviceConfiguration: { DeviceOnlyRememberedOnUserPrompt: true },
      }),
    );
    assert.ok((await tokensOf(app, address)).NewDeviceMetadata);
  });

  it("a sign-in hands out a device in Cognito's shapes, named in the access token; each new sign-in another", async () => {
    const address = email('new-device');
    await createUser(tracked, address);
    const first = await tokensOf(tracked, address);
    const meta = first.NewDeviceMetadata!;
    assert.match(
      meta.DeviceKey ?? '',
      /^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    assert.match(meta.DeviceGroupKey ?? '', /^-[A-Za-z0-9]{9}$/);
    assert.equal(claimsOf(first.AccessToken!).device_key, meta.DeviceKey);
    assert.equal(claimsOf(first.IdToken!).device_key, undefined, 'the ID token does not carry it');
    const second = await tokensOf(tracked, address);
    assert.notEqual(second.NewDeviceMetadata?.DeviceKey, meta.DeviceKey);
    // Naming a device that was never confirmed is no device: a new one.
    const third = await tokensOf(tracked, address, meta.DeviceKey);
    assert.ok(third.NewDeviceMetadata?.DeviceKey);
    assert.notEqual(third.NewDeviceMetadata.DeviceKey, meta.DeviceKey);
  });

  describe('ConfirmDevice', () => {
    it('on a pool that does not track devices: InvalidParameterException', async () => {
      const address = email('untracked');
      await createUser(untracked, address);
      const tokens = await tokensOf(untracked, address);
      assert.equal(tokens.NewDeviceMetadata, undefined);
      assert.equal(claimsOf(tokens.AccessToken!).device_key, undefined);
      const c = confirm(tokens.AccessToken!, `us-east-1_${randomUUID()}`, '-abcdefghi');
      assert.equal((await failure(c.send())).name, 'InvalidParameterException');
    });

    it("an unknown device key, or another user's: InvalidParameterException (Cognito's wording)", async () => {
      const address = email('unknown-key');
      await createUser(tracked, address);
      const mine = await tokensOf(tracked, address);
      const unknown = confirm(mine.AccessToken!, `us-east-1_${randomUUID()}`, '-abcdefghi');
      assert.deepEqual(await failure(unknown.send()), INVALID_KEY);

      const otherAddress = email('other-user');
      await createUser(tracked, otherAddress);
      const theirs = (await tokensOf(tracked, otherAddress)).NewDeviceMetadata!;
      const foreign = confirm(mine.AccessToken!, theirs.DeviceKey!, theirs.DeviceGroupKey!);
      assert.deepEqual(await failure(foreign.send()), INVALID_KEY);
      // Neither attempt touched the other user's device: it can still be confirmed by its owner.
      const own = await tokensOf(tracked, otherAddress);
      assert.ok(own.NewDeviceMetadata);
    });

    it('a missing or malformed DeviceSecretVerifierConfig: InvalidParameterException, the device stays unconfirmed', async () => {
      const address = email('bad-verifier');
      const username = await createUser(tracked, address);
      const tokens = await tokensOf(tracked, address);
      const key = tokens.NewDeviceMetadata!.DeviceKey!;
      const good = createDeviceVerifier(
        key,
        tokens.NewDeviceMetadata!.DeviceGroupKey!,
      ).DeviceSecretVerifierConfig;
      const send = (config: Record<string, unknown> | undefined) =>
        cognito.send(
          new ConfirmDeviceCommand({
            AccessToken: tokens.AccessToken,
            DeviceKey: key,
            ...(config === undefined ? {} : { DeviceSecretVerifierConfig: config }),
          }),
        );
      for (const config of [
        undefined,
        {},
        { Salt: good.Salt },
        { PasswordVerifier: good.PasswordVerifier },
        { Salt: 'not base64!', PasswordVerifier: good.PasswordVerifier },
        { Salt: good.Salt, PasswordVerifier: '' },
        { Salt: good.Salt, PasswordVerifier: '%%%%' },
      ]) {
        assert.equal((await failure(send(config))).name, 'InvalidParameterException', JSON.stringify(config));
      }
      await assert.rejects(
        cognito.send(
          new AdminGetDeviceCommand({ UserPoolId: tracked.poolId, Username: username, DeviceKey: key }),
        ),
        NOT_FOUND,
      );
      await send({ ...good }); // still confirmable
      const got = await cognito.send(
        new AdminGetDeviceCommand({ UserPoolId: tracked.poolId, Username: username, DeviceKey: key }),
      );
      assert.equal(got.Device?.DeviceKey, key);
    });

    it('confirming twice is refused and keeps the first verifier', async () => {
      const address = email('twice');
      const username = await createUser(tracked, address);
      const tokens = await tokensOf(tracked, address);
      const meta = tokens.NewDeviceMetadata!;
      const first = confirm(tokens.AccessToken!, meta.DeviceKey!, meta.DeviceGroupKey!);
      assert.deepEqual(await first.send().then((o) => o.UserConfirmationNecessary), false);
      const second = confirm(tokens.AccessToken!, meta.DeviceKey!, meta.DeviceGroupKey!);
      assert.equal((await failure(second.send())).name, 'NotAuthorizedException');

      const proving = async (password: string) => {
        const challenge = await signIn(tracked, address, meta.DeviceKey);
        assert.equal(challenge.ChallengeName, 'DEVICE_SRP_AUTH');
        const device = { key: meta.DeviceKey!, groupKey: meta.DeviceGroupKey!, password };
        return proveDevice(tracked, username, challenge.Session, device);
      };
      assert.equal((await failure(proving(second.password))).name, 'NotAuthorizedException');
      const ok = await proving(first.password);
      assert.equal(claimsOf(ok.AuthenticationResult!.AccessToken!).device_key, meta.DeviceKey);
    });

    it('DeviceOnlyRememberedOnUserPrompt: UserConfirmationNecessary, not remembered until UpdateDeviceStatus', async () => {
      const address = email('prompted');
      const username = await createUser(prompted, address);
      const tokens = await tokensOf(prompted, address);
      const meta = tokens.NewDeviceMetadata!;
      const c = confirm(tokens.AccessToken!, meta.DeviceKey!, meta.DeviceGroupKey!, 'Firefox on Linux');
      assert.equal((await c.send()).UserConfirmationNecessary, true);
      const got = await cognito.send(
        new GetDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: meta.DeviceKey }),
      );
      assert.equal(attribute(got.Device, 'device_status'), 'not_remembered');
      assert.equal(attribute(got.Device, 'device_name'), 'Firefox on Linux');
      // A device that is not remembered is no stand-in: the sign-in goes on without device SRP.
      const plain = await tokensOf(prompted, address, meta.DeviceKey);
      assert.equal(plain.NewDeviceMetadata, undefined, 'the known device, not a new one');
      assert.equal(claimsOf(plain.AccessToken!).device_key, meta.DeviceKey);

      await cognito.send(
        new UpdateDeviceStatusCommand({
          AccessToken: tokens.AccessToken,
          DeviceKey: meta.DeviceKey,
          DeviceRememberedStatus: 'remembered',
        }),
      );
      const challenge = await signIn(prompted, address, meta.DeviceKey);
      assert.equal(challenge.ChallengeName, 'DEVICE_SRP_AUTH');
      const device = { key: meta.DeviceKey!, groupKey: meta.DeviceGroupKey!, password: c.password };
      const out = await proveDevice(prompted, username, challenge.Session, device);
      assert.equal(claimsOf(out.AuthenticationResult!.AccessToken!).device_key, meta.DeviceKey);
    });
  });

  describe('UpdateDeviceStatus, GetDevice, ForgetDevice', () => {
    it('UpdateDeviceStatus: a value outside the enum is InvalidParameterException; an unknown key ResourceNotFound', async () => {
      const address = email('status');
      await createUser(tracked, address);
      const { device, accessToken } = await confirmedDevice(tracked, address);
      const update = (status: string, key = device.key) =>
        cognito.send(
          new UpdateDeviceStatusCommand({
            AccessToken: accessToken,
            DeviceKey: key,
            DeviceRememberedStatus: status as DeviceRememberedStatusType,
          }),
        );
      for (const status of ['forgotten', 'REMEMBERED', '']) {
        const err = await failure(update(status));
        assert.equal(err.name, 'InvalidParameterException', status);
        assert.match(err.message, /deviceRememberedStatus/);
      }
      assert.deepEqual(await failure(update('not_remembered', `us-east-1_${randomUUID()}`)), NOT_FOUND);
      const status = async () =>
        attribute(
          (await cognito.send(new GetDeviceCommand({ AccessToken: accessToken, DeviceKey: device.key })))
            .Device,
          'device_status',
        );
      assert.equal(await status(), 'remembered', 'refused updates changed nothing');
      await update('not_remembered');
      assert.equal(await status(), 'not_remembered');
      await update('remembered');
      assert.equal(await status(), 'remembered');
    });

    it("GetDevice: the device's attributes and dates; an unconfirmed or unknown key is ResourceNotFound", async () => {
      const address = email('get');
      await createUser(tracked, address);
      const created = clock.now();
      const { device, accessToken } = await confirmedDevice(tracked, address, 'Safari on iPhone');
      const got = (
        await cognito.send(new GetDeviceCommand({ AccessToken: accessToken, DeviceKey: device.key }))
      ).Device!;
      assert.equal(got.DeviceKey, device.key);
      assert.equal(attribute(got, 'device_status'), 'remembered');
      assert.equal(attribute(got, 'device_name'), 'Safari on iPhone');
      assert.equal(got.DeviceCreateDate?.getTime(), Math.floor(created / 1000) * 1000);
      assert.ok(got.DeviceLastAuthenticatedDate instanceof Date);
      assert.ok(got.DeviceLastModifiedDate instanceof Date);

      const unconfirmed = (await tokensOf(tracked, address)).NewDeviceMetadata!.DeviceKey!;
      const get = (key: string) =>
        cognito.send(new GetDeviceCommand({ AccessToken: accessToken, DeviceKey: key }));
      assert.deepEqual(await failure(get(unconfirmed)), NOT_FOUND);
      assert.deepEqual(await failure(get(`us-east-1_${randomUUID()}`)), NOT_FOUND);
    });

    it('ForgetDevice: gone from GetDevice and the list, a second forget is ResourceNotFound, its key no longer proves', async () => {
      const address = email('forget');
      await createUser(tracked, address);
      const { device, accessToken } = await confirmedDevice(tracked, address);
      const forget = () =>
        cognito.send(new ForgetDeviceCommand({ AccessToken: accessToken, DeviceKey: device.key }));
      await forget();
      assert.deepEqual(
        await failure(
          cognito.send(new GetDeviceCommand({ AccessToken: accessToken, DeviceKey: device.key })),
        ),
        NOT_FOUND,
      );
      assert.deepEqual(
        (await cognito.send(new ListDevicesCommand({ AccessToken: accessToken }))).Devices ?? [],
        [],
      );
      assert.deepEqual(await failure(forget()), NOT_FOUND);
      const next = await tokensOf(tracked, address, device.key);
      assert.ok(next.NewDeviceMetadata, 'a forgotten key is no device: a new one is handed out');
    });
  });

  describe('ListDevices', () => {
    it('pages with Limit and PaginationToken, most recently used first, unconfirmed devices left out', async () => {
      const address = email('list');
      const username = await createUser(tracked, address);
      const devices: Device[] = [];
      let accessToken = '';
      for (let i = 0; i < 3; i += 1) {
        clock.advance(1_000);
        const confirmed = await confirmedDevice(tracked, address);
        devices.push(confirmed.device);
        accessToken = confirmed.accessToken;
      }
      const keys = devices.map((d) => d.key);
      clock.advance(1_000);
      const unconfirmed = (await tokensOf(tracked, address)).NewDeviceMetadata!.DeviceKey!;
      const newestFirst = [...keys].reverse();

      const list = (input: { Limit?: number; PaginationToken?: string }) =>
        cognito.send(new ListDevicesCommand({ AccessToken: accessToken, ...input }));
      const page1 = await list({ Limit: 2 });
      assert.deepEqual(
        page1.Devices?.map((d) => d.DeviceKey),
        newestFirst.slice(0, 2),
      );
      assert.ok(page1.PaginationToken);
      const page2 = await list({ Limit: 2, PaginationToken: page1.PaginationToken });
      assert.deepEqual(
        page2.Devices?.map((d) => d.DeviceKey),
        newestFirst.slice(2),
      );
      assert.equal(page2.PaginationToken, undefined);
      const all = await list({});
      assert.deepEqual(
        all.Devices?.map((d) => d.DeviceKey),
        newestFirst,
      );
      assert.ok(!all.Devices?.some((d) => d.DeviceKey === unconfirmed));
      assert.equal(all.PaginationToken, undefined);

      // The admin twin lists the same pages.
      const admin = await cognito.send(
        new AdminListDevicesCommand({ UserPoolId: tracked.poolId, Username: username, Limit: 1 }),
      );
      assert.deepEqual(
        admin.Devices?.map((d) => d.DeviceKey),
        newestFirst.slice(0, 1),
      );
      const adminNext = await cognito.send(
        new AdminListDevicesCommand({
          UserPoolId: tracked.poolId,
          Username: username,
          Limit: 5,
          PaginationToken: admin.PaginationToken,
        }),
      );
      assert.deepEqual(
        adminNext.Devices?.map((d) => d.DeviceKey),
        newestFirst.slice(1),
      );

      // A sign-in from the oldest device makes it the most recent.
      clock.advance(1_000);
      const oldest = devices[0]!;
      const started = await signIn(tracked, address, oldest.key);
      await proveDevice(tracked, username, started.Session, oldest);
      const reordered = await list({});
      assert.deepEqual(
        reordered.Devices?.map((d) => d.DeviceKey),
        [oldest.key, ...newestFirst.slice(0, 2)],
      );

      const err = await failure(list({ Limit: 61 }));
      assert.equal(err.name, 'InvalidParameterException');
      assert.equal((await failure(list({ PaginationToken: 'nonsense' }))).name, 'InvalidParameterException');
    });
  });

  describe('admin twins', () => {
    it('AdminGetDevice, AdminUpdateDeviceStatus, AdminForgetDevice; unknown pool, user and device', async () => {
      const address = email('admin');
      const username = await createUser(tracked, address);
      const { device } = await confirmedDevice(tracked, address);
      const get = (key = device.key, user = username, pool = tracked.poolId) =>
        cognito.send(new AdminGetDeviceCommand({ UserPoolId: pool, Username: user, DeviceKey: key }));
      const status = async () => attribute((await get()).Device, 'device_status');

      assert.equal(
        (await get(device.key, address)).Device?.DeviceKey,
        device.key,
        'found by the sign-in alias',
      );
      assert.deepEqual(await failure(get(`us-east-1_${randomUUID()}`)), NOT_FOUND);
      assert.equal((await failure(get(device.key, 'nobody@example.com'))).name, 'UserNotFoundException');
      assert.equal(
        (await failure(get(device.key, username, 'us-east-1_Missing00'))).name,
        'ResourceNotFoundException',
      );
      // The device belongs to this user only.
      const other = email('admin-other');
      await createUser(tracked, other);
      assert.deepEqual(await failure(get(device.key, other)), NOT_FOUND);

      const update = (value: string) =>
        cognito.send(
          new AdminUpdateDeviceStatusCommand({
            UserPoolId: tracked.poolId,
            Username: username,
            DeviceKey: device.key,
            DeviceRememberedStatus: value as DeviceRememberedStatusType,
          }),
        );
      assert.equal((await failure(update('sometimes'))).name, 'InvalidParameterException');
      assert.equal(await status(), 'remembered');
      await update('not_remembered');
      assert.equal(await status(), 'not_remembered');

      const forget = () =>
        cognito.send(
          new AdminForgetDeviceCommand({
            UserPoolId: tracked.poolId,
            Username: username,
            DeviceKey: device.key,
          }),
        );
      await forget();
      assert.deepEqual(await failure(get()), NOT_FOUND);
      assert.deepEqual(await failure(forget()), NOT_FOUND);
      const listed = await cognito.send(
        new AdminListDevicesCommand({ UserPoolId: tracked.poolId, Username: username }),
      );
      assert.deepEqual(listed.Devices ?? [], []);
    });
  });

  it('a revoked access token (GlobalSignOut) is refused by every device call; the devices stay', async () => {
    const address = email('revoked');
    const username = await createUser(tracked, address);
    const { device, accessToken } = await confirmedDevice(tracked, address);
    const fresh = (await tokensOf(tracked, address)).NewDeviceMetadata!; // a device still to confirm
    await cognito.send(new GlobalSignOutCommand({ AccessToken: accessToken }));

    const revoked = { name: 'NotAuthorizedException', message: 'Access Token has been revoked' };
    const calls: [string, () => Promise<unknown>][] = [
      ['ListDevices', () => cognito.send(new ListDevicesCommand({ AccessToken: accessToken }))],
      [
        'GetDevice',
        () => cognito.send(new GetDeviceCommand({ AccessToken: accessToken, DeviceKey: device.key })),
      ],
      [
        'UpdateDeviceStatus',
        () =>
          cognito.send(
            new UpdateDeviceStatusCommand({
              AccessToken: accessToken,
              DeviceKey: device.key,
              DeviceRememberedStatus: 'not_remembered',
            }),
          ),
      ],
      [
        'ForgetDevice',
        () => cognito.send(new ForgetDeviceCommand({ AccessToken: accessToken, DeviceKey: device.key })),
      ],
      ['ConfirmDevice', () => confirm(accessToken, fresh.DeviceKey!, fresh.DeviceGroupKey!).send()],
    ];
    for (const [name, call] of calls) assert.deepEqual(await failure(call()), revoked, name);

    // GlobalSignOut does not forget devices: the device is there, still remembered, and still proves itself.
    const listed = await cognito.send(
      new AdminListDevicesCommand({ UserPoolId: tracked.poolId, Username: username }),
    );
    assert.deepEqual(
      listed.Devices?.map((d) => [d.DeviceKey, attribute(d, 'device_status')]),
      [[device.key, 'remembered']],
    );
    const challenge = await signIn(tracked, address, device.key);
    assert.equal(challenge.ChallengeName, 'DEVICE_SRP_AUTH');
    const out = await proveDevice(tracked, username, challenge.Session, device);
    assert.equal(claimsOf(out.AuthenticationResult!.AccessToken!).device_key, device.key);
  });

  describe('device SRP', () => {
    it("DEVICE_SRP_AUTH naming another device than the sign-in did (the user's own or another user's): ResourceNotFound", async () => {
      const address = email('two-devices');
      const username = await createUser(tracked, address);
      const { device: one } = await confirmedDevice(tracked, address);
      const { device: two } = await confirmedDevice(tracked, address);
      const otherAddress = email('someone-else');
      await createUser(tracked, otherAddress);
      const { device: theirs } = await confirmedDevice(tracked, otherAddress);

      const started = await signIn(tracked, address, one.key);
      assert.equal(started.ChallengeName, 'DEVICE_SRP_AUTH');
      assert.deepEqual(started.ChallengeParameters, { USERNAME: username, USER_ID_FOR_SRP: username });
      const srp = createSrpSession(username, two.password, tracked.poolId, false);
      for (const key of [two.key, theirs.key, `us-east-1_${randomUUID()}`]) {
        const err = await failure(
          respond(tracked, 'DEVICE_SRP_AUTH', started.Session, username, {
            DEVICE_KEY: key,
            SRP_A: srp.largeA,
          }),
        );
        assert.deepEqual(err, NOT_FOUND, key);
      }
      // A proof for device two in a sign-in that named device one fails too.
      const again = await signIn(tracked, address, one.key);
      await assert.rejects(proveDevice(tracked, username, again.Session, two), NOT_FOUND);
      // The device the sign-in named proves itself.
      const fine = await signIn(tracked, address, one.key);
      const out = await proveDevice(tracked, username, fine.Session, one);
      assert.equal(claimsOf(out.AuthenticationResult!.AccessToken!).device_key, one.key);
    });

    it('DEVICE_PASSWORD_VERIFIER with a wrong device secret: NotAuthorizedException; its Session works once', async () => {
      const address = email('device-wrong');
      const username = await createUser(tracked, address);
      const { device } = await confirmedDevice(tracked, address);
      const started = await signIn(tracked, address, device.key);
      const srp = createSrpSession(username, device.password, tracked.poolId, false);
      const challenge = await respond(tracked, 'DEVICE_SRP_AUTH', started.Session, username, {
        DEVICE_KEY: device.key,
        SRP_A: srp.largeA,
      });
      const answer = (password: string) =>
        cognito.send(
          new RespondToAuthChallengeCommand(
            wrapAuthChallenge(signSrpSessionWithDevice(srp, challenge, device.groupKey, password), {
              ClientId: tracked.clientId,
              ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
              Session: challenge.Session,
              ChallengeResponses: {
                USERNAME: username,
                SECRET_HASH: hash(tracked, username),
                DEVICE_KEY: device.key,
              },
            }),
          ),
        );
      assert.equal((await failure(answer(`${device.password}!`))).name, 'NotAuthorizedException');
      assert.deepEqual(await failure(answer(device.password)), {
        name: 'NotAuthorizedException',
        message: 'Invalid session for the user.',
      });
    });

    it('a remembered device stands in for TOTP; with ChallengeRequiredOnNewDevice false, MFA follows the device', async () => {
      for (const app of [tracked, mfaAnyway]) {
        const address = email('device-mfa');
        const username = await createUser(app, address);
        const { device, accessToken } = await confirmedDevice(app, address);
        const { SecretCode } = await cognito.send(
          new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
        );
        await cognito.send(
          new VerifySoftwareTokenCommand({
            AccessToken: accessToken,
            UserCode: totpCode(SecretCode!, clock.now()),
          }),
        );
        await cognito.send(
          new AdminSetUserMFAPreferenceCommand({
            UserPoolId: app.poolId,
            Username: username,
            SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
          }),
        );
        clock.advance(STEP);
        assert.equal(
          (await signIn(app, address)).ChallengeName,
          'SOFTWARE_TOKEN_MFA',
          'no device named: MFA',
        );

        const started = await signIn(app, address, device.key);
        assert.equal(started.ChallengeName, 'DEVICE_SRP_AUTH');
        const proved = await proveDevice(app, username, started.Session, device);
        if (app === tracked) {
          assert.equal(proved.ChallengeName, undefined, 'the device stands in for MFA');
          assert.equal(claimsOf(proved.AuthenticationResult!.AccessToken!).device_key, device.key);
          continue;
        }
        assert.equal(proved.ChallengeName, 'SOFTWARE_TOKEN_MFA');
        const out = await respond(app, 'SOFTWARE_TOKEN_MFA', proved.Session, username, {
          SOFTWARE_TOKEN_MFA_CODE: totpCode(SecretCode!, clock.now()),
        });
        assert.equal(out.AuthenticationResult?.NewDeviceMetadata, undefined);
        assert.equal(claimsOf(out.AuthenticationResult!.AccessToken!).device_key, device.key);
      }
    });
  });
});
