// Conformance of the emulator's SRP (USER_SRP_AUTH, PASSWORD_VERIFIER) and device SRP (DEVICE_SRP_AUTH,
// DEVICE_PASSWORD_VERIFIER) with clients nobody here wrote:
//
// - amazon-cognito-identity-js (Amplify v5's own SRP client; app clients without a secret only). It answers MFA,
//   confirms the device a sign-in hands out (NewDeviceMetadata), keeps its key and secret in its Storage, and proves
//   the device on later sign-ins. Every browser here has its own Storage.
// - cognito-srp-helper (the SRP maths for the AWS SDK v3) with a client WITH a secret: SECRET_HASH over the name
//   typed on InitiateAuth, over USER_ID_FOR_SRP on the challenge answers.
// - moto_server 5.2.1 for USER_SRP_AUTH, run as in moto.test.ts (missing: fails in CI, loudly skipped elsewhere).
//   moto does not check the SRP proof at all (any signature, any password signs in): the rows below hold moto to
//   what it does, so an upgrade that fixes it fails here. moto has no device operations (ConfirmDevice,
//   ListDevices, GetDevice, UpdateDeviceStatus, ForgetDevice and the admin twins answer its HTML 404 page) and hands
//   out no NewDeviceMetadata, so device SRP is tested against the emulator only.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminForgetDeviceCommand,
  AdminGetDeviceCommand,
  AdminListDevicesCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  ConfirmDeviceCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  type InitiateAuthCommandOutput,
  type RespondToAuthChallengeCommandInput,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoRefreshToken,
  type CognitoUserSession,
  type IAuthenticationCallback,
  type ICognitoStorage,
} from 'amazon-cognito-identity-js';
import {
  createDeviceVerifier,
  createSrpSession,
  signSrpSession,
  signSrpSessionWithDevice,
  wrapAuthChallenge,
  wrapInitiateAuth,
} from 'cognito-srp-helper';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { startLocalCognito, type LocalCognito } from '../../src/local-cognito/index.ts';
import { countMessages, latestCode } from '../helpers/inbox.ts';
import { totp } from '../helpers/totp.ts';
import { fakeClock } from '../local-cognito/helpers.ts';
import {
  assertClaims,
  assertTokens,
  check,
  describeOutcome,
  deviation,
  fails,
  outcomeOf,
  satisfies,
  scenario,
  type Deviation,
  type Scenario,
} from './expect.ts';
import {
  PASSWORD,
  WRONG_PASSWORD,
  claimsOf,
  createConfirmedUser,
  findMotoServer,
  newEmail,
  passwordAuth,
  prepareTarget,
  sdkClient,
  secretHash,
  startMotoServer,
  type AppClient,
  type MotoServer,
  type Target,
  type TargetName,
} from './targets.ts';

const STEP = 30_000;
const INCORRECT = 'Incorrect username or password.';
/** The helper's client half of one exchange (its type is not exported). */
type SrpSession = ReturnType<typeof createSrpSession>;

const DEVICE_KEY_SHAPE = /^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---- SRP through cognito-srp-helper and the AWS SDK ----

/** A pool and an app client of it (clientSecret '' when it has none). */
interface PoolApp extends AppClient {
  readonly poolId: string;
}

const hashOf = (app: AppClient, name: string): Record<string, string> =>
  app.clientSecret ? { SECRET_HASH: secretHash(app, name) } : {};

/** InitiateAuth USER_SRP_AUTH for `email` (SECRET_HASH over it), with the helper's SRP_A. */
async function startSrp(
  cognito: CognitoIdentityProviderClient,
  app: PoolApp,
  email: string,
  password: string,
  authParameters: Record<string, string> = {},
): Promise<{ srp: SrpSession; init: InitiateAuthCommandOutput }> {
  const srp = createSrpSession(email, password, app.poolId, false);
  const init = await cognito.send(
    new InitiateAuthCommand(
      wrapInitiateAuth(srp, {
        ClientId: app.clientId,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: email, ...hashOf(app, email), ...authParameters },
      }),
    ),
  );
  return { srp, init };
}

/**
 * The PASSWORD_VERIFIER request for a started exchange: USERNAME and SECRET_HASH over USER_ID_FOR_SRP, the
 * helper's signature; `tweak` may change any response before it is sent.
 */
function verifierAnswer(
  app: PoolApp,
  srp: SrpSession,
  init: InitiateAuthCommandOutput,
  tweak: (responses: Record<string, string>) => void = () => {},
  extra: Record<string, string> = {},
): RespondToAuthChallengeCommand {
  assert.equal(init.ChallengeName, 'PASSWORD_VERIFIER', 'USER_SRP_AUTH answers PASSWORD_VERIFIER');
  const userId = init.ChallengeParameters?.USER_ID_FOR_SRP ?? '';
  const request = wrapAuthChallenge<RespondToAuthChallengeCommandInput>(signSrpSession(srp, init), {
    ClientId: app.clientId,
    ChallengeName: 'PASSWORD_VERIFIER',
    Session: init.Session,
    ChallengeResponses: { USERNAME: userId, ...hashOf(app, userId), ...extra },
  });
  tweak(request.ChallengeResponses!);
  return new RespondToAuthChallengeCommand(request);
}

/** The whole USER_SRP_AUTH exchange: what the PASSWORD_VERIFIER answer returns. */
async function srpSignIn(
  cognito: CognitoIdentityProviderClient,
  app: PoolApp,
  email: string,
  password: string,
  tweak?: (responses: Record<string, string>) => void,
): Promise<RespondToAuthChallengeCommandOutput> {
  const { srp, init } = await startSrp(cognito, app, email, password);
  return cognito.send(verifierAnswer(app, srp, init, tweak));
}

const poolAppOf = (t: Target, app: AppClient): PoolApp => ({ ...app, poolId: t.poolId });

/** A base64 value of the same length with its first byte changed. */
function tampered(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = bytes[0]! ^ 0x01;
  return bytes.toString('base64');
}

// ---- amazon-cognito-identity-js ----

/** The Storage of one browser (the library's default is a process-wide memory store). */
class MemoryStorage implements ICognitoStorage {
  readonly items = new Map<string, string>();
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  clear(): void {
    this.items.clear();
  }
}

/** What one call of the library ended with: which callback it called, with what. */
type Step =
  | { step: 'signedIn'; session: CognitoUserSession; userConfirmationNecessary: boolean | undefined }
  | { step: 'challenge'; name: string }
  | { step: 'failed'; error: { name?: string; code?: string; message: string } };

function callbacks(resolve: (step: Step) => void): IAuthenticationCallback {
  const challenge = (name: string) => resolve({ step: 'challenge', name });
  return {
    onSuccess: (session, userConfirmationNecessary) =>
      resolve({ step: 'signedIn', session, userConfirmationNecessary }),
    onFailure: (error: { name?: string; code?: string; message: string }) =>
      resolve({ step: 'failed', error }),
    mfaRequired: (name) => challenge(name),
    totpRequired: (name) => challenge(name),
    mfaSetup: (name) => challenge(name),
    selectMFAType: (name) => challenge(name),
    newPasswordRequired: () => challenge('NEW_PASSWORD_REQUIRED'),
    customChallenge: () => challenge('CUSTOM_CHALLENGE'),
  };
}

const describeStep = (s: Step): string =>
  s.step === 'signedIn'
    ? 'signed in'
    : s.step === 'challenge'
      ? `challenge ${s.name}`
      : `failure ${s.error.code ?? s.error.name}: ${s.error.message}`;

function signedInSession(s: Step): { session: CognitoUserSession; confirm: boolean | undefined } {
  assert.equal(s.step, 'signedIn', `expected a sign-in, got ${describeStep(s)}`);
  return { session: s.session, confirm: s.userConfirmationNecessary };
}

/** One browser: its Storage, and the library's pool object over it. */
class Browser {
  readonly storage = new MemoryStorage();
  readonly pool: CognitoUserPool;
  constructor(
    endpoint: string,
    readonly app: PoolApp,
  ) {
    this.pool = new CognitoUserPool({
      UserPoolId: app.poolId,
      ClientId: app.clientId,
      endpoint,
      Storage: this.storage,
    });
  }
  /** A new CognitoUser object (as after a page load), over this browser's Storage. */
  user(name: string): CognitoUser {
    return new CognitoUser({ Username: name, Pool: this.pool, Storage: this.storage });
  }
  /** The device key the library keeps for the internal username, or null. */
  deviceKey(username: string): string | null {
    return this.storage.getItem(`CognitoIdentityServiceProvider.${this.app.clientId}.${username}.deviceKey`);
  }
  signIn(user: CognitoUser, password: string): Promise<Step> {
    return new Promise((resolve) =>
      user.authenticateUser(
        new AuthenticationDetails({ Username: user.getUsername(), Password: password }),
        callbacks(resolve),
      ),
    );
  }
  answerMfa(user: CognitoUser, code: string, type: 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA'): Promise<Step> {
    return new Promise((resolve) => user.sendMFACode(code, callbacks(resolve), type));
  }
  static done(run: (cb: { onSuccess: () => void; onFailure: (err: Error) => void }) => void): Promise<void> {
    return new Promise((resolve, reject) => run({ onSuccess: () => resolve(), onFailure: reject }));
  }
  refresh(user: CognitoUser, token: CognitoRefreshToken): Promise<CognitoUserSession> {
    return new Promise((resolve, reject) =>
      user.refreshSession(token, (err: Error | null, session: CognitoUserSession) =>
        err ? reject(err) : resolve(session),
      ),
    );
  }
  getSession(user: CognitoUser): Promise<CognitoUserSession> {
    return new Promise((resolve, reject) =>
      user.getSession((err: Error | null, session: CognitoUserSession | null) =>
        err || !session ? reject(err ?? new Error('no session')) : resolve(session),
      ),
    );
  }
}

const accessClaims = (session: CognitoUserSession) => claimsOf(session.getAccessToken().getJwtToken());

// ---- the suite ----

describe('conformance: SRP and device SRP with third-party clients', () => {
  // Mid-step, so each TOTP code below is in a step of its own.
  const clock = fakeClock(Math.floor(Date.now() / STEP) * STEP + 5_000);
  let emu: LocalCognito;
  let cognito: CognitoIdentityProviderClient;
  let target: Target;
  /** No secret, SRP and password flows, PreventUserExistenceErrors ENABLED: for amazon-cognito-identity-js. */
  let jsApp: PoolApp;
  /** Pools that track devices, a remembered device standing in for MFA (TOTP and SMS offered, OPTIONAL). */
  const devicePools = {} as Record<'prompt' | 'always', { js: PoolApp; sdk: PoolApp }>;

  const SRP_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const;
  async function makeClient(poolId: string, secret: boolean, name: string): Promise<PoolApp> {
    const out = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: name,
        GenerateSecret: secret,
        ExplicitAuthFlows: [...SRP_FLOWS],
        PreventUserExistenceErrors: 'ENABLED',
      }),
    );
    return {
      poolId,
      clientId: out.UserPoolClient!.ClientId!,
      clientSecret: out.UserPoolClient!.ClientSecret ?? '',
    };
  }
  async function makeDevicePool(rememberOnPrompt: boolean): Promise<{ js: PoolApp; sdk: PoolApp }> {
    const created = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: `devices-${rememberOnPrompt ? 'prompt' : 'always'}`,
        UsernameAttributes: ['email'],
        DeviceConfiguration: {
          ChallengeRequiredOnNewDevice: true,
          DeviceOnlyRememberedOnUserPrompt: rememberOnPrompt,
        },
      }),
    );
    const poolId = created.UserPool!.Id!;
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
        SmsMfaConfiguration: {
          SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::000000000000:role/sms', ExternalId: 'conformance' },
        },
      }),
    );
    return { js: await makeClient(poolId, false, 'js'), sdk: await makeClient(poolId, true, 'sdk') };
  }

  let seq = 0;
  /** A confirmed user of `app`'s pool (email as the sign-in name, a verified phone): its internal username. */
  async function createUser(app: PoolApp, email: string, phone?: string): Promise<string> {
    const out = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: app.poolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
          ...(phone
            ? [
                { Name: 'phone_number', Value: phone },
                { Name: 'phone_number_verified', Value: 'true' },
              ]
            : []),
        ],
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: app.poolId,
        Username: email,
        Password: PASSWORD,
        Permanent: true,
      }),
    );
    return out.User!.Username!;
  }
  /** A user with a verified software token, TOTP MFA on and preferred: the base32 secret. */
  async function totpUser(app: PoolApp, email: string): Promise<{ username: string; secret: string }> {
    const username = await createUser(app, email);
    // The device this sign-in is handed is never confirmed, so no device list ever shows it.
    const tokens = (await passwordSignIn(app, email)).AuthenticationResult!;
    const { SecretCode } = await cognito.send(
      new AssociateSoftwareTokenCommand({ AccessToken: tokens.AccessToken }),
    );
    await cognito.send(
      new VerifySoftwareTokenCommand({
        AccessToken: tokens.AccessToken,
        UserCode: totp(SecretCode!, clock.now()),
      }),
    );
    await cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: app.poolId,
        Username: email,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    return { username, secret: SecretCode! };
  }
  /** A user with a verified phone and SMS MFA on and preferred. */
  async function smsUser(app: PoolApp, email: string): Promise<{ username: string; phone: string }> {
    const phone = `+1555${String(100_0000 + (seq += 1)).slice(-7)}`;
    const username = await createUser(app, email, phone);
    await cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: app.poolId,
        Username: email,
        SMSMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    return { username, phone };
  }
  /** The next TOTP code: a step later than any code used before (the emulator refuses a step twice). */
  function nextTotp(secret: string): string {
    clock.advance(STEP);
    return totp(secret, clock.now());
  }
  function passwordSignIn(app: PoolApp, email: string) {
    return cognito.send(
      new InitiateAuthCommand({
        ClientId: app.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD, ...hashOf(app, email) },
      }),
    );
  }
  async function devicesOf(app: PoolApp, username: string) {
    const out = await cognito.send(
      new AdminListDevicesCommand({ UserPoolId: app.poolId, Username: username }),
    );
    return out.Devices ?? [];
  }
  async function deviceStatus(app: PoolApp, username: string, key: string): Promise<string | undefined> {
    const out = await cognito.send(
      new AdminGetDeviceCommand({ UserPoolId: app.poolId, Username: username, DeviceKey: key }),
    );
    return out.Device?.DeviceAttributes?.find((a) => a.Name === 'device_status')?.Value;
  }
  /** Verifies a token's signature against the pool's JWKS (at the emulator's time) and returns its claims. */
  async function verified(poolId: string, token: string) {
    const res = await fetch(`${emu.endpoint}/${poolId}/.well-known/jwks.json`);
    const jwks = createLocalJWKSet((await res.json()) as JSONWebKeySet);
    const { payload } = await jwtVerify(token, jwks, {
      issuer: `https://cognito-idp.us-east-1.amazonaws.com/${poolId}`,
      currentDate: new Date(clock.now()),
    });
    return payload;
  }

  before(async () => {
    emu = await startLocalCognito({ port: 0, clock: clock.now });
    cognito = sdkClient(emu.endpoint);
    target = await prepareTarget('emulator', emu.endpoint);
    jsApp = await makeClient(target.poolId, false, 'identity-js');
    devicePools.prompt = await makeDevicePool(true);
    devicePools.always = await makeDevicePool(false);
  });

  after(async () => {
    cognito.destroy();
    target.cognito.destroy();
    await emu.close();
  });

  describe('amazon-cognito-identity-js (no client secret)', () => {
    it('a correct password signs in: both tokens verify against the JWKS and name the internal username', async () => {
      const email = newEmail('js-signin');
      const username = await createConfirmedUser(target, email);
      const browser = new Browser(emu.endpoint, jsApp);
      const before = {
        init: emu.callCount('InitiateAuth'),
        answers: emu.callCount('RespondToAuthChallenge'),
      };
      const { session } = signedInSession(await browser.signIn(browser.user(email), PASSWORD));
      // USER_SRP_AUTH, then PASSWORD_VERIFIER: one call each.
      assert.equal(emu.callCount('InitiateAuth'), before.init + 1);
      assert.equal(emu.callCount('RespondToAuthChallenge'), before.answers + 1);
      const access = await verified(jsApp.poolId, session.getAccessToken().getJwtToken());
      assert.equal(access.token_use, 'access');
      assert.equal(access.username, username);
      assert.equal(access.client_id, jsApp.clientId);
      assert.equal(access.device_key, undefined, 'this pool does not track devices');
      const id = await verified(jsApp.poolId, session.getIdToken().getJwtToken());
      assert.equal(id.token_use, 'id');
      assert.equal(id['cognito:username'], username);
      assert.equal(id.aud, jsApp.clientId);
      assert.equal(id.email, email);
      // The library kept the tokens under the name Cognito gave back (USER_ID_FOR_SRP), not the one typed.
      assert.equal(
        browser.storage.getItem(`CognitoIdentityServiceProvider.${jsApp.clientId}.LastAuthUser`),
        username,
      );
    });

    it('a wrong password: NotAuthorizedException "Incorrect username or password."', async () => {
      const email = newEmail('js-wrong');
      await createConfirmedUser(target, email);
      const browser = new Browser(emu.endpoint, jsApp);
      const s = await browser.signIn(browser.user(email), WRONG_PASSWORD);
      assert.equal(s.step, 'failed', describeStep(s));
      assert.equal(s.step === 'failed' && s.error.code, 'NotAuthorizedException');
      assert.equal(s.step === 'failed' && s.error.message, INCORRECT);
    });

    it('an unknown user with PreventUserExistenceErrors ENABLED: the same NotAuthorizedException', async () => {
      const browser = new Browser(emu.endpoint, jsApp);
      const s = await browser.signIn(browser.user(newEmail('js-nobody')), PASSWORD);
      assert.equal(s.step, 'failed', describeStep(s));
      assert.equal(s.step === 'failed' && s.error.code, 'NotAuthorizedException');
      assert.equal(s.step === 'failed' && s.error.message, INCORRECT);
    });

    it("TOTP, remembered on the user's word: MFA, then no MFA from the same storage; refresh carries the device", async () => {
      const app = devicePools.prompt.js;
      const email = newEmail('js-totp');
      const { username, secret } = await totpUser(app, email);
      const browser = new Browser(emu.endpoint, app);

      const first = browser.user(email);
      const asked = await browser.signIn(first, PASSWORD);
      assert.deepEqual(asked, { step: 'challenge', name: 'SOFTWARE_TOKEN_MFA' });
      const { session, confirm } = signedInSession(
        await browser.answerMfa(first, nextTotp(secret), 'SOFTWARE_TOKEN_MFA'),
      );
      // The library confirmed the new device itself; the pool wants the user's word before remembering it.
      assert.equal(confirm, true, 'ConfirmDevice answered UserConfirmationNecessary');
      const deviceKey = browser.deviceKey(username);
      assert.match(deviceKey ?? '', DEVICE_KEY_SHAPE);
      assert.equal(accessClaims(session).device_key, deviceKey);
      assert.equal(await deviceStatus(app, username, deviceKey!), 'not_remembered');
      await Browser.done((cb) => first.setDeviceStatusRemembered(cb));
      assert.equal(await deviceStatus(app, username, deviceKey!), 'remembered');

      // A page load later: a new CognitoUser over the same storage proves the device instead of MFA.
      const again = browser.user(email);
      const answers = emu.callCount('RespondToAuthChallenge');
      const second = signedInSession(await browser.signIn(again, PASSWORD));
      assert.equal(second.confirm, undefined, 'no new device to confirm');
      // PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER.
      assert.equal(emu.callCount('RespondToAuthChallenge'), answers + 3);
      assert.equal(accessClaims(second.session).device_key, deviceKey);
      assert.equal(
        (await verified(app.poolId, second.session.getAccessToken().getJwtToken())).username,
        username,
      );
      assert.deepEqual(
        (await devicesOf(app, username)).map((d) => d.DeviceKey),
        [deviceKey],
        'the same device, no new one',
      );

      // refreshSession sends the DEVICE_KEY the storage holds; without it the refresh token is refused.
      const refreshed = await browser.refresh(again, second.session.getRefreshToken());
      assert.equal(accessClaims(refreshed).device_key, deviceKey);
      assert.equal(accessClaims(refreshed).username, username);
      assert.notEqual(
        refreshed.getAccessToken().getJwtToken(),
        second.session.getAccessToken().getJwtToken(),
      );
      await assert.rejects(
        cognito.send(
          new InitiateAuthCommand({
            ClientId: app.clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: second.session.getRefreshToken().getToken() },
          }),
        ),
        { name: 'NotAuthorizedException' },
      );

      // getSession on a stored session that looks expired (its clock drift says so) refreshes it over the network.
      const reloaded = browser.user(username);
      browser.storage.setItem(
        `CognitoIdentityServiceProvider.${app.clientId}.${username}.clockDrift`,
        '-7200',
      );
      const calls = emu.callCount('InitiateAuth');
      const fromStorage = await browser.getSession(reloaded);
      assert.equal(emu.callCount('InitiateAuth'), calls + 1, 'getSession refreshed');
      assert.equal(accessClaims(fromStorage).device_key, deviceKey);
      assert.ok(fromStorage.isValid());
    });

    it('TOTP, device confirmed but the user said no (not remembered): MFA every time, same device', async () => {
      const app = devicePools.prompt.js;
      const email = newEmail('js-not-remembered');
      const { username, secret } = await totpUser(app, email);
      const browser = new Browser(emu.endpoint, app);
      const first = browser.user(email);
      assert.deepEqual(await browser.signIn(first, PASSWORD), {
        step: 'challenge',
        name: 'SOFTWARE_TOKEN_MFA',
      });
      signedInSession(await browser.answerMfa(first, nextTotp(secret), 'SOFTWARE_TOKEN_MFA'));
      const deviceKey = browser.deviceKey(username);
      assert.ok(deviceKey);

      const again = browser.user(email);
      assert.deepEqual(await browser.signIn(again, PASSWORD), {
        step: 'challenge',
        name: 'SOFTWARE_TOKEN_MFA',
      });
      const { session, confirm } = signedInSession(
        await browser.answerMfa(again, nextTotp(secret), 'SOFTWARE_TOKEN_MFA'),
      );
      assert.equal(confirm, undefined, 'a known device: no NewDeviceMetadata, nothing to confirm');
      assert.equal(accessClaims(session).device_key, deviceKey);
      assert.equal((await devicesOf(app, username)).length, 1);
    });

    it('SMS, always remembered: no SMS from the remembered browser; another browser gets one and a new device', async () => {
      const app = devicePools.always.js;
      const email = newEmail('js-sms');
      const { username, phone } = await smsUser(app, email);
      const browser = new Browser(emu.endpoint, app);

      const first = browser.user(email);
      assert.deepEqual(await browser.signIn(first, PASSWORD), { step: 'challenge', name: 'SMS_MFA' });
      const code = await latestCode(emu.endpoint, phone, 'SMS_MFA');
      const { confirm } = signedInSession(await browser.answerMfa(first, code, 'SMS_MFA'));
      assert.equal(confirm, undefined, 'remembered without asking (DeviceOnlyRememberedOnUserPrompt false)');
      const deviceKey = browser.deviceKey(username)!;
      assert.match(deviceKey, DEVICE_KEY_SHAPE);
      assert.equal(await deviceStatus(app, username, deviceKey), 'remembered');

      const sent = await countMessages(emu.endpoint, phone, 'SMS_MFA');
      const second = signedInSession(await browser.signIn(browser.user(email), PASSWORD));
      assert.equal(accessClaims(second.session).device_key, deviceKey);
      assert.equal(await countMessages(emu.endpoint, phone, 'SMS_MFA'), sent, 'no code sent');

      const other = new Browser(emu.endpoint, app);
      const elsewhere = other.user(email);
      assert.deepEqual(await other.signIn(elsewhere, PASSWORD), { step: 'challenge', name: 'SMS_MFA' });
      assert.equal(await countMessages(emu.endpoint, phone, 'SMS_MFA'), sent + 1);
      const otherSession = signedInSession(
        await other.answerMfa(elsewhere, await latestCode(emu.endpoint, phone, 'SMS_MFA'), 'SMS_MFA'),
      );
      const otherKey = other.deviceKey(username);
      assert.match(otherKey ?? '', DEVICE_KEY_SHAPE);
      assert.notEqual(otherKey, deviceKey);
      assert.equal(accessClaims(otherSession.session).device_key, otherKey);
      assert.deepEqual(
        (await devicesOf(app, username)).map((d) => d.DeviceKey).sort(),
        [deviceKey, otherKey].sort(),
      );
    });

    it('forgetDevice: the key leaves the storage and the list; the next sign-in asks MFA again', async () => {
      const app = devicePools.always.js;
      const email = newEmail('js-forget');
      const { username, secret } = await totpUser(app, email);
      const browser = new Browser(emu.endpoint, app);
      const first = browser.user(email);
      assert.deepEqual(await browser.signIn(first, PASSWORD), {
        step: 'challenge',
        name: 'SOFTWARE_TOKEN_MFA',
      });
      signedInSession(await browser.answerMfa(first, nextTotp(secret), 'SOFTWARE_TOKEN_MFA'));
      const deviceKey = browser.deviceKey(username)!;
      const second = browser.user(email);
      signedInSession(await browser.signIn(second, PASSWORD)); // no MFA: remembered

      await Browser.done((cb) => second.forgetDevice(cb));
      assert.equal(browser.deviceKey(username), null);
      assert.deepEqual(await devicesOf(app, username), []);
      await assert.rejects(
        cognito.send(
          new AdminGetDeviceCommand({ UserPoolId: app.poolId, Username: username, DeviceKey: deviceKey }),
        ),
        { name: 'ResourceNotFoundException' },
      );
      const third = browser.user(email);
      assert.deepEqual(await browser.signIn(third, PASSWORD), {
        step: 'challenge',
        name: 'SOFTWARE_TOKEN_MFA',
      });
      const { session } = signedInSession(
        await browser.answerMfa(third, nextTotp(secret), 'SOFTWARE_TOKEN_MFA'),
      );
      const newKey = browser.deviceKey(username);
      assert.match(newKey ?? '', DEVICE_KEY_SHAPE);
      assert.notEqual(newKey, deviceKey);
      assert.equal(accessClaims(session).device_key, newKey);
    });

    it('AdminForgetDevice: the key still in storage no longer skips MFA', async () => {
      const app = devicePools.always.js;
      const email = newEmail('js-admin-forget');
      const { username, phone } = await smsUser(app, email);
      const browser = new Browser(emu.endpoint, app);
      const first = browser.user(email);
      assert.deepEqual(await browser.signIn(first, PASSWORD), { step: 'challenge', name: 'SMS_MFA' });
      signedInSession(
        await browser.answerMfa(first, await latestCode(emu.endpoint, phone, 'SMS_MFA'), 'SMS_MFA'),
      );
      const deviceKey = browser.deviceKey(username)!;
      await cognito.send(
        new AdminForgetDeviceCommand({ UserPoolId: app.poolId, Username: username, DeviceKey: deviceKey }),
      );
      assert.equal(browser.deviceKey(username), deviceKey, 'the browser does not know yet');

      const again = browser.user(email);
      assert.deepEqual(await browser.signIn(again, PASSWORD), { step: 'challenge', name: 'SMS_MFA' });
      const { session } = signedInSession(
        await browser.answerMfa(again, await latestCode(emu.endpoint, phone, 'SMS_MFA'), 'SMS_MFA'),
      );
      const newKey = browser.deviceKey(username);
      assert.notEqual(newKey, deviceKey, 'a new device was handed out and confirmed');
      assert.equal(accessClaims(session).device_key, newKey);
      assert.deepEqual(
        (await devicesOf(app, username)).map((d) => d.DeviceKey),
        [newKey],
      );
    });
  });

  describe('cognito-srp-helper through the AWS SDK (client with a secret)', () => {
    const srpApp = () => poolAppOf(target, target.srpOnlyApp);

    it('5 wrong proofs lock the account ("Password attempts exceeded"), for USER_PASSWORD_AUTH too', async () => {
      const email = newEmail('srp-lock');
      await createConfirmedUser(target, email);
      for (let i = 1; i <= 5; i += 1) {
        await assert.rejects(srpSignIn(cognito, srpApp(), email, WRONG_PASSWORD), {
          name: 'NotAuthorizedException',
          message: INCORRECT,
        });
      }
      await assert.rejects(srpSignIn(cognito, srpApp(), email, PASSWORD), {
        name: 'NotAuthorizedException',
        message: 'Password attempts exceeded',
      });
      await assert.rejects(passwordAuth(target, target.app, email), {
        name: 'NotAuthorizedException',
        message: 'Password attempts exceeded',
      });
      clock.advance(15 * 60_000 + 1_000); // past the longest lock
      assertTokens((await srpSignIn(cognito, srpApp(), email, PASSWORD)).AuthenticationResult, true);
    });

    it('a PASSWORD_VERIFIER Session works once, after a right or a wrong proof', async () => {
      const email = newEmail('srp-once');
      await createConfirmedUser(target, email);
      const right = await startSrp(cognito, srpApp(), email, PASSWORD);
      const answer = verifierAnswer(srpApp(), right.srp, right.init);
      assertTokens((await cognito.send(answer)).AuthenticationResult, true);
      await assert.rejects(cognito.send(answer), {
        name: 'NotAuthorizedException',
        message: 'Invalid session for the user.',
      });

      const wrong = await startSrp(cognito, srpApp(), email, WRONG_PASSWORD);
      await assert.rejects(cognito.send(verifierAnswer(srpApp(), wrong.srp, wrong.init)), {
        name: 'NotAuthorizedException',
        message: INCORRECT,
      });
      // The right proof for that exchange cannot be sent in it any more.
      const retry = verifierAnswer(
        srpApp(),
        createSrpSession(email, PASSWORD, target.poolId, false),
        wrong.init,
      );
      await assert.rejects(cognito.send(retry), {
        name: 'NotAuthorizedException',
        message: 'Invalid session for the user.',
      });
    });

    it("a PASSWORD_VERIFIER Session expires after 3 minutes (the client's AuthSessionValidity default)", async () => {
      const email = newEmail('srp-expiry');
      await createConfirmedUser(target, email);
      const late = await startSrp(cognito, srpApp(), email, PASSWORD);
      clock.advance(3 * 60_000 + 1_000);
      await assert.rejects(cognito.send(verifierAnswer(srpApp(), late.srp, late.init)), {
        name: 'NotAuthorizedException',
        message: 'Invalid session for the user, session is expired.',
      });
      const inTime = await startSrp(cognito, srpApp(), email, PASSWORD);
      clock.advance(3 * 60_000 - 1_000);
      assertTokens(
        (await cognito.send(verifierAnswer(srpApp(), inTime.srp, inTime.init))).AuthenticationResult,
        true,
      );
    });

    it('an unknown name with PreventUserExistenceErrors ENABLED gets a challenge and fails like a wrong password', async () => {
      const app = devicePools.always.sdk; // PreventUserExistenceErrors ENABLED
      const { srp, init } = await startSrp(cognito, app, newEmail('srp-nobody'), PASSWORD);
      assert.equal(init.ChallengeName, 'PASSWORD_VERIFIER');
      for (const name of ['SALT', 'SRP_B', 'SECRET_BLOCK', 'USER_ID_FOR_SRP']) {
        assert.ok(init.ChallengeParameters?.[name], `${name} is given`);
      }
      await assert.rejects(cognito.send(verifierAnswer(app, srp, init)), {
        name: 'NotAuthorizedException',
        message: INCORRECT,
      });
    });

    describe('devices: createDeviceVerifier, ConfirmDevice, signSrpSessionWithDevice', () => {
      interface Device {
        key: string;
        groupKey: string;
        password: string;
      }
      const app = () => devicePools.always.sdk;
      const respond = (
        challenge: 'DEVICE_SRP_AUTH' | 'DEVICE_PASSWORD_VERIFIER' | 'SOFTWARE_TOKEN_MFA',
        session: string | undefined,
        userId: string,
        responses: Record<string, string>,
      ) =>
        cognito.send(
          new RespondToAuthChallengeCommand({
            ClientId: app().clientId,
            ChallengeName: challenge,
            Session: session,
            ChallengeResponses: { USERNAME: userId, ...hashOf(app(), userId), ...responses },
          }),
        );
      /** USER_SRP_AUTH, then SOFTWARE_TOKEN_MFA, then ConfirmDevice with the helper's verifier. */
      async function firstSignIn(
        email: string,
        secret: string,
      ): Promise<{ device: Device; tokens: AuthenticationResultType }> {
        const { srp, init } = await startSrp(cognito, app(), email, PASSWORD);
        const afterPassword = await cognito.send(verifierAnswer(app(), srp, init));
        assert.equal(afterPassword.ChallengeName, 'SOFTWARE_TOKEN_MFA');
        const userId = init.ChallengeParameters!.USER_ID_FOR_SRP!;
        const out = await respond('SOFTWARE_TOKEN_MFA', afterPassword.Session, userId, {
          SOFTWARE_TOKEN_MFA_CODE: nextTotp(secret),
        });
        const tokens = out.AuthenticationResult!;
        const meta = tokens.NewDeviceMetadata;
        assert.match(meta?.DeviceKey ?? '', DEVICE_KEY_SHAPE);
        assert.ok(meta?.DeviceGroupKey);
        const { DeviceSecretVerifierConfig, DeviceRandomPassword } = createDeviceVerifier(
          meta.DeviceKey!,
          meta.DeviceGroupKey,
        );
        const confirmed = await cognito.send(
          new ConfirmDeviceCommand({
            AccessToken: tokens.AccessToken,
            DeviceKey: meta.DeviceKey,
            DeviceName: 'cognito-srp-helper',
            DeviceSecretVerifierConfig,
          }),
        );
        assert.equal(confirmed.UserConfirmationNecessary, false);
        return {
          device: { key: meta.DeviceKey!, groupKey: meta.DeviceGroupKey, password: DeviceRandomPassword },
          tokens,
        };
      }
      /** USER_SRP_AUTH naming the device, then DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with `devicePassword`. */
      async function deviceSignIn(email: string, device: Device, devicePassword = device.password) {
        const { srp, init } = await startSrp(cognito, app(), email, PASSWORD, { DEVICE_KEY: device.key });
        const userId = init.ChallengeParameters!.USER_ID_FOR_SRP!;
        const afterPassword = await cognito.send(
          verifierAnswer(app(), srp, init, undefined, { DEVICE_KEY: device.key }),
        );
        assert.equal(afterPassword.ChallengeName, 'DEVICE_SRP_AUTH', 'the device stands in for MFA');
        assert.equal(afterPassword.ChallengeParameters?.USERNAME, userId);
        const deviceSrp = createSrpSession(userId, devicePassword, app().poolId, false);
        const challenge = await respond('DEVICE_SRP_AUTH', afterPassword.Session, userId, {
          DEVICE_KEY: device.key,
          SRP_A: deviceSrp.largeA,
        });
        assert.equal(challenge.ChallengeName, 'DEVICE_PASSWORD_VERIFIER');
        assert.equal(challenge.ChallengeParameters?.DEVICE_KEY, device.key);
        const signed = signSrpSessionWithDevice(deviceSrp, challenge, device.groupKey, devicePassword);
        return cognito.send(
          new RespondToAuthChallengeCommand(
            wrapAuthChallenge(signed, {
              ClientId: app().clientId,
              ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
              Session: challenge.Session,
              ChallengeResponses: { USERNAME: userId, ...hashOf(app(), userId), DEVICE_KEY: device.key },
            }),
          ),
        );
      }
      const refresh = (username: string, refreshToken: string, deviceKey?: string) =>
        cognito.send(
          new InitiateAuthCommand({
            ClientId: app().clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: {
              REFRESH_TOKEN: refreshToken,
              ...hashOf(app(), username),
              ...(deviceKey === undefined ? {} : { DEVICE_KEY: deviceKey }),
            },
          }),
        );

      it('a confirmed, remembered device signs in without MFA; its access token names it', async () => {
        const email = newEmail('srp-device');
        const { username, secret } = await totpUser(app(), email);
        const { device, tokens } = await firstSignIn(email, secret);
        assert.equal(claimsOf(tokens.AccessToken!).device_key, device.key);
        const out = await deviceSignIn(email, device);
        assert.equal(out.ChallengeName, undefined);
        assertTokens(out.AuthenticationResult, true);
        assert.equal(out.AuthenticationResult.NewDeviceMetadata, undefined, 'a known device');
        const access = await verified(app().poolId, out.AuthenticationResult.AccessToken!);
        assert.equal(access.device_key, device.key);
        assert.equal(access.username, username);
      });

      it('a wrong device secret is refused at DEVICE_PASSWORD_VERIFIER', async () => {
        const email = newEmail('srp-device-wrong');
        const { secret } = await totpUser(app(), email);
        const { device } = await firstSignIn(email, secret);
        await assert.rejects(deviceSignIn(email, device, `${device.password}x`), {
          name: 'NotAuthorizedException',
        });
      });

      it('REFRESH_TOKEN_AUTH of a sign-in from the device: with its DEVICE_KEY only', async () => {
        const email = newEmail('srp-device-refresh');
        const { username, secret } = await totpUser(app(), email);
        const { device } = await firstSignIn(email, secret);
        const out = await deviceSignIn(email, device);
        const refreshToken = out.AuthenticationResult!.RefreshToken!;
        const refreshed = await refresh(username, refreshToken, device.key);
        assertTokens(refreshed.AuthenticationResult, false);
        assert.equal(claimsOf(refreshed.AuthenticationResult.AccessToken!).device_key, device.key);
        await assert.rejects(refresh(username, refreshToken), { name: 'NotAuthorizedException' });
        await assert.rejects(refresh(username, refreshToken, `us-east-1_${randomUUID()}`), {
          name: 'NotAuthorizedException',
        });
        // The refresh token of the sign-in that handed the device out is tied to it too, once it is confirmed.
        const { device: second, tokens } = await firstSignIn(email, secret);
        await assert.rejects(refresh(username, tokens.RefreshToken!), { name: 'NotAuthorizedException' });
        assertTokens((await refresh(username, tokens.RefreshToken!, second.key)).AuthenticationResult, false);
      });
    });
  });

  describe('USER_SRP_AUTH: emulator vs moto_server', () => {
    let moto: MotoServer | undefined;
    const targets = new Map<TargetName, Target>();
    /** Per target: a secret client with SRP and PreventUserExistenceErrors ENABLED. */
    const strictSrp = new Map<TargetName, AppClient>();

    before(async () => {
      targets.set('emulator', target);
      const executable = findMotoServer();
      if (!executable) {
        const msg = 'moto_server is not on PATH: the moto half of the SRP conformance suite cannot run';
        if (process.env.CI) throw new Error(`!!! ${msg} (CI is set: install moto[server]==5.2.1) !!!`);
        process.stderr.write(
          `\n!!! WARNING: ${msg}; skipping it (pip install 'moto[server]==5.2.1') !!!\n\n`,
        );
      } else {
        moto = await startMotoServer(executable);
        targets.set('moto', await prepareTarget('moto', moto.endpoint));
      }
      for (const [name, t] of targets) {
        const out = await t.cognito.send(
          new CreateUserPoolClientCommand({
            UserPoolId: t.poolId,
            ClientName: 'srp-strict',
            GenerateSecret: true,
            ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
            PreventUserExistenceErrors: 'ENABLED',
          }),
        );
        strictSrp.set(name, {
          clientId: out.UserPoolClient!.ClientId!,
          clientSecret: out.UserPoolClient!.ClientSecret!,
        });
      }
    });

    after(async () => {
      targets.get('moto')?.cognito.destroy();
      await moto?.stop();
    });

    const targetOf = (t: TestContext, name: TargetName): Target | undefined => {
      const found = targets.get(name);
      if (!found) t.skip('moto_server not installed');
      return found;
    };

    /** A confirmed user and the SRP exchange through the target's srp-only client (secret). */
    async function srpOn(
      t: Target,
      tag: string,
      password: string,
      tweak?: (r: Record<string, string>) => void,
    ) {
      const email = newEmail(tag);
      const username = await createConfirmedUser(t, email);
      const app = poolAppOf(t, t.srpOnlyApp);
      return { email, username, out: await srpSignIn(t.cognito, app, email, password, tweak) };
    }

    const SRP_DOCS =
      'Developer guide, "Authentication flows" (USER_SRP_AUTH) and API reference RespondToAuthChallenge ' +
      '(PASSWORD_VERIFIER: PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP): the signature proves ' +
      'the password; a wrong one answers NotAuthorizedException "Incorrect username or password.".';

    const srpScenarios: Scenario<unknown>[] = [
      scenario({
        name: 'USER_SRP_AUTH with the right password: PASSWORD_VERIFIER for USER_ID_FOR_SRP, then tokens',
        run: (t) => srpOn(t, 'srp-right', PASSWORD),
        expect: {
          ok: ({ username, out }, t) => {
            assert.equal(out.ChallengeName, undefined);
            assertTokens(out.AuthenticationResult, true);
            const access = claimsOf(out.AuthenticationResult.AccessToken!);
            assert.equal(access.username, username);
            assert.equal(access.client_id, t.srpOnlyApp.clientId);
            assert.equal(claimsOf(out.AuthenticationResult.IdToken!)['cognito:username'], username);
          },
        },
      }),
      scenario({
        name: 'USER_SRP_AUTH challenge parameters: SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP = internal username',
        run: async (t) => {
          const email = newEmail('srp-params');
          const username = await createConfirmedUser(t, email);
          const { init } = await startSrp(t.cognito, poolAppOf(t, t.srpOnlyApp), email, PASSWORD);
          return { username, init };
        },
        expect: {
          ok: ({ username, init }) => {
            assert.equal(init.ChallengeName, 'PASSWORD_VERIFIER');
            assert.equal(typeof init.Session, 'string');
            const p = init.ChallengeParameters ?? {};
            assert.equal(p.USER_ID_FOR_SRP, username);
            assert.equal(p.USERNAME, username);
            assert.match(p.SALT ?? '', /^[0-9a-fA-F]+$/);
            assert.match(p.SRP_B ?? '', /^[0-9a-fA-F]+$/);
            assert.ok(p.SECRET_BLOCK);
          },
        },
      }),
      scenario({
        name: 'DescribeUserPool echoes DeviceConfiguration',
        run: async (t) => {
          const config = { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false };
          const created = await t.cognito.send(
            new CreateUserPoolCommand({ PoolName: 'srp-device-config', DeviceConfiguration: config }),
          );
          const out = await t.cognito.send(new DescribeUserPoolCommand({ UserPoolId: created.UserPool!.Id }));
          return { config, out };
        },
        expect: { ok: ({ config, out }) => assert.deepEqual(out.UserPool?.DeviceConfiguration, config) },
      }),
    ];

    const srpDeviations: Deviation<unknown>[] = [
      deviation({
        name: "USER_SRP_AUTH with the right password: the ID token's email is the address, not USER_ID_FOR_SRP",
        cognitoDocs:
          'Developer guide, "Understanding the identity (ID) token": the ID token carries the user\'s attributes ' +
          '(email among them), whatever name the sign-in answered with. moto 5.2.1 writes the USERNAME of the ' +
          'PASSWORD_VERIFIER answer (USER_ID_FOR_SRP, the sub) into `email`.',
        run: (t) => srpOn(t, 'srp-claims', PASSWORD),
        cognito: {
          ok: (
            {
              email,
              username,
              out,
            }: { email: string; username: string; out: RespondToAuthChallengeCommandOutput },
            t,
          ) => {
            assertTokens(out.AuthenticationResult, true);
            assertClaims(out.AuthenticationResult, t, t.srpOnlyApp.clientId, username, email);
          },
        },
        moto: {
          ok: ({
            username,
            out,
          }: {
            email: string;
            username: string;
            out: RespondToAuthChallengeCommandOutput;
          }) => {
            assertTokens(out.AuthenticationResult, true);
            assert.equal(claimsOf(out.AuthenticationResult.IdToken!).email, username);
          },
        },
      }),
      deviation({
        name: 'USER_SRP_AUTH with a wrong password',
        cognitoDocs: SRP_DOCS,
        run: (t) => srpOn(t, 'srp-wrong', WRONG_PASSWORD).then((r) => r.out),
        cognito: fails('NotAuthorizedException', INCORRECT),
        moto: {
          ok: (out: RespondToAuthChallengeCommandOutput) => assertTokens(out.AuthenticationResult, true),
        },
      }),
      deviation({
        name: 'PASSWORD_VERIFIER with a tampered PASSWORD_CLAIM_SIGNATURE',
        cognitoDocs: SRP_DOCS,
        run: (t) =>
          srpOn(t, 'srp-bad-signature', PASSWORD, (r) => {
            r.PASSWORD_CLAIM_SIGNATURE = tampered(r.PASSWORD_CLAIM_SIGNATURE!);
          }).then((r) => r.out),
        cognito: fails('NotAuthorizedException', INCORRECT),
        moto: {
          ok: (out: RespondToAuthChallengeCommandOutput) => assertTokens(out.AuthenticationResult, true),
        },
      }),
      deviation({
        name: 'PASSWORD_VERIFIER with a tampered PASSWORD_CLAIM_SECRET_BLOCK',
        cognitoDocs: `${SRP_DOCS} PASSWORD_CLAIM_SECRET_BLOCK is the SECRET_BLOCK of the challenge, sent back as given.`,
        run: (t) =>
          srpOn(t, 'srp-bad-block', PASSWORD, (r) => {
            r.PASSWORD_CLAIM_SECRET_BLOCK = Buffer.alloc(32).toString('base64');
          }).then((r) => r.out),
        cognito: fails('NotAuthorizedException', INCORRECT),
        // moto keys its sessions by the secret block: another block is an unknown session to it.
        moto: fails('ResourceNotFoundException'),
      }),
      deviation({
        name: 'PASSWORD_VERIFIER answered twice with the same Session',
        cognitoDocs:
          'API reference, RespondToAuthChallenge Session: "The session identifier that maintains the state of ' +
          'authentication requests and challenge responses"; a Session is good for one answer, a reused one ' +
          'answers NotAuthorizedException (Invalid session for the user).',
        run: async (t) => {
          const email = newEmail('srp-twice');
          await createConfirmedUser(t, email);
          const app = poolAppOf(t, t.srpOnlyApp);
          const { srp, init } = await startSrp(t.cognito, app, email, PASSWORD);
          const answer = verifierAnswer(app, srp, init);
          assertTokens((await t.cognito.send(answer)).AuthenticationResult, true);
          return t.cognito.send(answer);
        },
        cognito: fails('NotAuthorizedException', 'Invalid session for the user.'),
        moto: fails('ResourceNotFoundException'),
      }),
      deviation({
        name: 'PASSWORD_VERIFIER whose SECRET_HASH is over the typed address, not USERNAME (USER_ID_FOR_SRP)',
        cognitoDocs:
          'Developer guide, "Computing secret hash values": SECRET_HASH is over the USERNAME of the request; ' +
          'a wrong one answers NotAuthorizedException "Unable to verify secret hash for client <id>".',
        run: async (t) => {
          const email = newEmail('srp-typed-hash');
          await createConfirmedUser(t, email);
          const app = poolAppOf(t, t.srpOnlyApp);
          return srpSignIn(t.cognito, app, email, PASSWORD, (r) => {
            r.SECRET_HASH = secretHash(app, email);
          });
        },
        cognito: fails('NotAuthorizedException', /^Unable to verify secret hash for client /),
        moto: {
          ok: (out: RespondToAuthChallengeCommandOutput) => assertTokens(out.AuthenticationResult, true),
        },
      }),
      deviation({
        name: 'USER_SRP_AUTH for an unknown name with PreventUserExistenceErrors ENABLED',
        cognitoDocs:
          'Developer guide, "Managing user existence error responses": with PreventUserExistenceErrors ENABLED, ' +
          'USER_SRP_AUTH for a name no user has answers a PASSWORD_VERIFIER challenge like a real user, and the ' +
          'answer fails NotAuthorizedException "Incorrect username or password.".',
        run: async (t) => {
          const app = poolAppOf(t, strictSrp.get(t.name)!);
          const { srp, init } = await startSrp(t.cognito, app, newEmail('srp-nobody'), PASSWORD);
          return t.cognito.send(verifierAnswer(app, srp, init));
        },
        cognito: fails('NotAuthorizedException', INCORRECT),
        moto: fails('UserNotFoundException'),
      }),
      deviation({
        name: 'USER_SRP_AUTH on a pool with DeviceConfiguration returns NewDeviceMetadata',
        cognitoDocs:
          'API reference, DeviceConfigurationType: "If your app doesn\'t include a DEVICE_KEY parameter, the ' +
          'response from Amazon Cognito includes newly-generated DEVICE_KEY and DEVICE_GROUP_KEY values under ' +
          'NewDeviceMetadata."',
        run: async (t) => {
          const created = await t.cognito.send(
            new CreateUserPoolCommand({
              PoolName: 'srp-devices',
              UsernameAttributes: ['email'],
              DeviceConfiguration: {
                ChallengeRequiredOnNewDevice: false,
                DeviceOnlyRememberedOnUserPrompt: false,
              },
            }),
          );
          const poolId = created.UserPool!.Id!;
          const client = await t.cognito.send(
            new CreateUserPoolClientCommand({
              UserPoolId: poolId,
              ClientName: 'srp',
              GenerateSecret: true,
              ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
            }),
          );
          const app: PoolApp = {
            poolId,
            clientId: client.UserPoolClient!.ClientId!,
            clientSecret: client.UserPoolClient!.ClientSecret!,
          };
          const email = newEmail('srp-new-device');
          await createConfirmedUser({ ...t, poolId }, email);
          return srpSignIn(t.cognito, app, email, PASSWORD);
        },
        cognito: {
          ok: (out: RespondToAuthChallengeCommandOutput) => {
            assertTokens(out.AuthenticationResult, true);
            assert.match(out.AuthenticationResult.NewDeviceMetadata?.DeviceKey ?? '', DEVICE_KEY_SHAPE);
            assert.ok(out.AuthenticationResult.NewDeviceMetadata?.DeviceGroupKey);
          },
        },
        moto: {
          ok: (out: RespondToAuthChallengeCommandOutput) => {
            assertTokens(out.AuthenticationResult, true);
            assert.equal(out.AuthenticationResult.NewDeviceMetadata, undefined);
          },
        },
      }),
    ];

    describe('scenarios (moto follows Cognito: same outcome on both)', () => {
      for (const s of srpScenarios) {
        describe(s.name, () => {
          for (const name of ['emulator', 'moto'] as const) {
            it(name, async (t) => {
              const tg = targetOf(t, name);
              if (!tg) return;
              await check(await outcomeOf(s.run(tg)), s.expect, tg);
            });
          }
        });
      }
    });

    describe('deviations (emulator held to Cognito docs, moto to its actual behaviour)', () => {
      for (const d of srpDeviations) {
        describe(d.name, () => {
          it('emulator follows Cognito', async (t) => {
            const tg = targetOf(t, 'emulator');
            if (!tg) return;
            await check(await outcomeOf(d.run(tg)), d.cognito, tg);
          });
          it('moto still deviates', async (t) => {
            const tg = targetOf(t, 'moto');
            if (!tg) return;
            const o = await outcomeOf(d.run(tg));
            if (!(await satisfies(o, d.moto, tg)) && (await satisfies(o, d.cognito, tg))) {
              assert.fail(
                `moto now follows Cognito for "${d.name}" (${describeOutcome(o)}): move this row to the scenarios.`,
              );
            }
            await check(o, d.moto, tg);
          });
        });
      }
    });
  });
});
