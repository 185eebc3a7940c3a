// What the flows may ask of Cognito, and per operation the command it sends and how its answer is read.
import {
  AssociateSoftwareTokenCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolCommand,
  ChangePasswordCommand,
  DeleteUserCommand,
  GetUserAttributeVerificationCodeCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
  type AuthFlowType,
  type RespondToAuthChallengeCommandInput,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PasswordPolicy } from '../password-policy.ts';
import type { CognitoSettings } from './settings.ts';
import { AuthError } from './errors.ts';
import {
  present,
  toCodeDelivery,
  toCognitoUser,
  toMfaSettings,
  toPasswordPolicy,
  toSignInResult,
  toTokenSet,
  type CodeDelivery,
  type CognitoUser,
  type MfaPreference,
  type SignInResult,
  type SignUpResult,
  type TokenSet,
} from './mapping.ts';
import { secretHash } from './secret-hash.ts';
import { deviceExchange, passwordExchange, type DeviceSecrets } from './srp.ts';
import { deviceCalls, type DeviceCalls } from './device-calls.ts';
import { createSender, type CallObserver } from './sender.ts';

// The gateway's data shapes live with their mapping, the observer with the sender; importers keep this module.
export type { CallObserver } from './sender.ts';
export type {
  CodeDelivery,
  CognitoUser,
  MfaMethod,
  MfaPreference,
  NewDevice,
  Passkey,
  SignInResult,
  SignUpResult,
  TokenSet,
  TrackedDevice,
} from './mapping.ts';
export type { DeviceSecrets } from './srp.ts';

/** The remembered devices a password sign-in may prove itself with (USER_SRP_AUTH), found by the internal username. */
export interface DeviceChoice {
  forUser(userId: string): DeviceSecrets | undefined;
  /** Cognito refused the device (forgotten, or no longer matching): the caller drops it; the sign-in goes on without. */
  refused(userId: string, device: DeviceSecrets): Promise<void>;
}

/** What the flows may ask of Cognito. Every method throws only AuthError. */
export interface CognitoGateway extends DeviceCalls {
  /**
   * Signs in with the flow configured (AUTH_FLOW): the password sent (USER_PASSWORD_AUTH) or proved with SRP
   * (USER_SRP_AUTH). With SRP, a remembered device of `devices` for the user proves itself too (device SRP), and
   * Cognito then skips the second factor.
   */
  signInWithPassword(username: string, password: string, devices?: DeviceChoice): Promise<SignInResult>;
  /** USER_AUTH with the `Session` that ConfirmSignUp returned: signs a just-confirmed user in without a password. */
  signInWithSession(username: string, session: string): Promise<SignInResult>;
  /** Choice-based sign-in (USER_AUTH): SELECT_CHALLENGE with the factors the user may choose from. */
  startChoiceSignIn(username: string): Promise<SignInResult>;
  /** SELECT_CHALLENGE answered with a factor that needs nothing more now (a code sent, or a passkey asked for). */
  chooseFactor(session: string, username: string, factor: string): Promise<SignInResult>;
  /** `password` undefined: a passwordless account (the pool must allow a first factor besides the password). */
  signUp(
    username: string,
    password: string | undefined,
    attributes: Record<string, string>,
  ): Promise<SignUpResult>;
  /** Returns the new `Session` for signInWithSession, when Cognito gives one. */
  confirmSignUp(username: string, code: string, session: string | undefined): Promise<string | undefined>;
  resendConfirmationCode(username: string): Promise<void>;
  forgotPassword(username: string): Promise<void>;
  confirmForgotPassword(username: string, code: string, newPassword: string): Promise<void>;
  /**
   * Answers the pending challenge. `username` is the one Cognito gave (USER_ID_FOR_SRP / USERNAME), which the
   * SECRET_HASH is computed over; `responses` carry the challenge's own fields (e.g. SOFTWARE_TOKEN_MFA_CODE).
   */
  respondToChallenge(
    challengeName: string,
    session: string,
    username: string,
    responses: Record<string, string>,
  ): Promise<SignInResult>;
  /** MFA_SETUP: a TOTP secret for the user of the challenge `session`, with the session to use next. */
  associateSoftwareTokenForChallenge(session: string): Promise<{ secret: string; session: string }>;
  /** MFA_SETUP: checks the first TOTP code; returns the session for the MFA_SETUP answer. */
  verifySoftwareTokenForChallenge(session: string, code: string): Promise<string>;
  /** A TOTP secret for the signed-in user (not active until verified). */
  associateSoftwareToken(accessToken: string): Promise<string>;
  verifySoftwareToken(accessToken: string, code: string): Promise<void>;
  setMfaPreference(accessToken: string, preference: MfaPreference): Promise<void>;
  /** Needs AWS credentials with cognito-idp:DescribeUserPool; callers fall back when it fails. */
  describePasswordPolicy(): Promise<PasswordPolicy>;
  /**
   * `username` must be Cognito's internal username (the token's `username` claim), not what the user typed;
   * `deviceKey` the sign-in's tracked device (the access token's `device_key`), without which Cognito refuses.
   */
  refresh(username: string, refreshToken: string, deviceKey?: string): Promise<TokenSet>;
  revokeRefreshToken(refreshToken: string): Promise<void>;
  globalSignOut(accessToken: string): Promise<void>;
  getUser(accessToken: string): Promise<CognitoUser>;
  /** The signed-in user's new password; a wrong `previous` counts as a failed sign-in at Cognito. */
  changePassword(accessToken: string, previous: string, proposed: string): Promise<void>;
  /** Deletes the signed-in user (their tokens stop working). */
  deleteUser(accessToken: string): Promise<void>;
  /** Changes the signed-in user's attributes; where a changed email or phone number's code went. */
  updateUserAttributes(
    accessToken: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<CodeDelivery[]>;
  /** Sends a code to verify the signed-in user's `email` or `phone_number`. */
  sendAttributeCode(accessToken: string, attribute: string): Promise<CodeDelivery>;
  /** Verifies the signed-in user's `email` or `phone_number` with the code sent to it. */
  verifyAttribute(accessToken: string, attribute: string, code: string): Promise<void>;
}

/** Builds the gateway over one SDK client; `settings.endpoint` points it at an emulator. */
export function createCognitoGateway(settings: CognitoSettings, observe?: CallObserver): CognitoGateway {
  const send = createSender(settings, observe);
  const { clientId, clientSecret } = settings;
  const hash = (username: string) => secretHash(username, clientId, clientSecret);
  /** App client, user and the SECRET_HASH over that username: what sign-up and forgot-password calls take. */
  const asUser = (username: string) => ({
    ClientId: clientId,
    SecretHash: hash(username),
    Username: username,
  });
  /** InitiateAuth for `username`: USERNAME and its SECRET_HASH join the flow's own parameters. */
  const initiateAuth = (
    flow: AuthFlowType,
    username: string,
    params: Record<string, string>,
    session?: string,
  ) =>
    send(InitiateAuthCommand, {
      ClientId: clientId,
      AuthFlow: flow,
      AuthParameters: { ...params, USERNAME: username, SECRET_HASH: hash(username) },
      ...(session === undefined ? {} : { Session: session }),
    });

  /** RespondToAuthChallenge as Cognito answered it; USERNAME and its SECRET_HASH join the challenge's own fields. */
  const respond = (
    challengeName: string,
    session: string,
    username: string,
    responses: Record<string, string>,
  ) =>
    send(RespondToAuthChallengeCommand, {
      ClientId: clientId,
      ChallengeName: challengeName as RespondToAuthChallengeCommandInput['ChallengeName'],
      Session: session,
      ChallengeResponses: { ...responses, USERNAME: username, SECRET_HASH: hash(username) },
    });

  /** DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER: the remembered device proves its secret. */
  async function proveDevice(
    asked: RespondToAuthChallengeCommandOutput,
    userId: string,
    device: DeviceSecrets,
  ): Promise<RespondToAuthChallengeCommandOutput> {
    const exchange = deviceExchange(device);
    const session = present(asked.Session, 'RespondToAuthChallenge');
    const next = await respond('DEVICE_SRP_AUTH', session, userId, {
      DEVICE_KEY: device.key,
      SRP_A: exchange.srpA,
    });
    if (next.ChallengeName !== 'DEVICE_PASSWORD_VERIFIER') return next;
    const proof = exchange.prove(next.ChallengeParameters ?? {});
    const nextSession = present(next.Session, 'RespondToAuthChallenge');
    return respond('DEVICE_PASSWORD_VERIFIER', nextSession, userId, { DEVICE_KEY: device.key, ...proof });
  }

  /** USER_SRP_AUTH: SRP_A, then the password's proof over Cognito's challenge (and the device's, if remembered). */
  async function srpSignIn(
    username: string,
    password: string,
    devices?: DeviceChoice,
  ): Promise<SignInResult> {
    const exchange = passwordExchange(password, settings.userPoolId);
    const first = await initiateAuth('USER_SRP_AUTH', username, { SRP_A: exchange.srpA });
    if (first.ChallengeName !== 'PASSWORD_VERIFIER') return toSignInResult(first);
    const parameters = first.ChallengeParameters ?? {};
    const userId = parameters.USER_ID_FOR_SRP ?? parameters.USERNAME ?? username;
    const device = devices?.forUser(userId);
    const proof = exchange.prove(parameters);
    const session = present(first.Session, 'InitiateAuth');
    const deviceKey: Record<string, string> = device ? { DEVICE_KEY: device.key } : {};
    let out: RespondToAuthChallengeCommandOutput;
    try {
      out = await respond('PASSWORD_VERIFIER', session, userId, { ...proof, ...deviceKey });
    } catch (err) {
      // A device the user no longer has (forgotten elsewhere): Cognito names it; drop it and sign in without.
      if (
        !device ||
        !devices ||
        !(err instanceof AuthError) ||
        err.cognitoName !== 'ResourceNotFoundException'
      ) {
        throw err;
      }
      await devices.refused(userId, device);
      return srpSignIn(username, password);
    }
    if (out.ChallengeName !== 'DEVICE_SRP_AUTH' || !device || !devices) return toSignInResult(out);
    try {
      return toSignInResult(await proveDevice(out, userId, device));
    } catch (err) {
      // A device Cognito refuses (its secret no longer matches, or it is gone) is dropped and the user signs in
      // without it; anything else (outages, limits, an expired step) ends the sign-in as always, the device kept.
      const refusedDevice =
        err instanceof AuthError &&
        (err.code === 'INVALID_CREDENTIALS' || err.cognitoName === 'ResourceNotFoundException');
      if (!refusedDevice) throw err;
      await devices.refused(userId, device);
      return srpSignIn(username, password);
    }
  }

  return {
    async signInWithPassword(username, password, devices) {
      if (settings.authFlow === 'USER_SRP_AUTH') return srpSignIn(username, password, devices);
      return toSignInResult(await initiateAuth('USER_PASSWORD_AUTH', username, { PASSWORD: password }));
    },
    async signInWithSession(username, session) {
      return toSignInResult(await initiateAuth('USER_AUTH', username, {}, session));
    },
    async startChoiceSignIn(username) {
      return toSignInResult(await initiateAuth('USER_AUTH', username, {}));
    },
    async chooseFactor(session, username, factor) {
      return toSignInResult(await respond('SELECT_CHALLENGE', session, username, { ANSWER: factor }));
    },
    async signUp(username, password, attributes) {
      const UserAttributes = Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
      const secret = password === undefined ? {} : { Password: password };
      const out = await send(SignUpCommand, { ...asUser(username), ...secret, UserAttributes });
      return { confirmed: out.UserConfirmed === true, session: out.Session };
    },
    async confirmSignUp(username, code, session) {
      const sessionField = session ? { Session: session } : {};
      const out = await send(ConfirmSignUpCommand, {
        ...asUser(username),
        ConfirmationCode: code,
        ...sessionField,
      });
      return out.Session;
    },
    async resendConfirmationCode(username) {
      await send(ResendConfirmationCodeCommand, asUser(username));
    },
    async forgotPassword(username) {
      await send(ForgotPasswordCommand, asUser(username));
    },
    async confirmForgotPassword(username, code, newPassword) {
      const input = { ...asUser(username), ConfirmationCode: code, Password: newPassword };
      await send(ConfirmForgotPasswordCommand, input);
    },
    async respondToChallenge(challengeName, session, username, responses) {
      return toSignInResult(await respond(challengeName, session, username, responses));
    },
    async associateSoftwareTokenForChallenge(session) {
      const out = await send(AssociateSoftwareTokenCommand, { Session: session });
      const operation = 'AssociateSoftwareToken';
      return { secret: present(out.SecretCode, operation), session: present(out.Session, operation) };
    },
    async verifySoftwareTokenForChallenge(session, code) {
      const out = await send(VerifySoftwareTokenCommand, { Session: session, UserCode: code });
      if (out.Status !== 'SUCCESS' || !out.Session) {
        throw new AuthError('MFA_SETUP_CODE_MISMATCH', 'VerifySoftwareToken');
      }
      return out.Session;
    },
    async associateSoftwareToken(accessToken) {
      const out = await send(AssociateSoftwareTokenCommand, { AccessToken: accessToken });
      return present(out.SecretCode, 'AssociateSoftwareToken');
    },
    async verifySoftwareToken(accessToken, code) {
      const out = await send(VerifySoftwareTokenCommand, { AccessToken: accessToken, UserCode: code });
      if (out.Status !== 'SUCCESS') throw new AuthError('MFA_SETUP_CODE_MISMATCH', 'VerifySoftwareToken');
    },
    async setMfaPreference(accessToken, preference) {
      await send(SetUserMFAPreferenceCommand, { AccessToken: accessToken, ...toMfaSettings(preference) });
    },
    async describePasswordPolicy() {
      return toPasswordPolicy(await send(DescribeUserPoolCommand, { UserPoolId: settings.userPoolId }));
    },
    async refresh(username, refreshToken, deviceKey) {
      const device: Record<string, string> = deviceKey === undefined ? {} : { DEVICE_KEY: deviceKey };
      try {
        const params = { REFRESH_TOKEN: refreshToken, ...device };
        const out = await initiateAuth('REFRESH_TOKEN_AUTH', username, params);
        return toTokenSet(present(out.AuthenticationResult, 'InitiateAuth'));
      } catch (err) {
        // The sign-in's device was forgotten: its refresh token is of no use any more; the session ends.
        if (err instanceof AuthError && err.cognitoName === 'ResourceNotFoundException') {
          throw new AuthError('TOKEN_REVOKED', err.cognitoName);
        }
        throw err;
      }
    },
    ...deviceCalls(send),
    async revokeRefreshToken(refreshToken) {
      await send(RevokeTokenCommand, { Token: refreshToken, ClientId: clientId, ClientSecret: clientSecret });
    },
    async globalSignOut(accessToken) {
      await send(GlobalSignOutCommand, { AccessToken: accessToken });
    },
    async getUser(accessToken) {
      return toCognitoUser(await send(GetUserCommand, { AccessToken: accessToken }));
    },
    async changePassword(accessToken, previous, proposed) {
      await send(ChangePasswordCommand, {
        AccessToken: accessToken,
        PreviousPassword: previous,
        ProposedPassword: proposed,
      });
    },
    async deleteUser(accessToken) {
      await send(DeleteUserCommand, { AccessToken: accessToken });
    },
    async updateUserAttributes(accessToken, attributes) {
      const out = await send(UpdateUserAttributesCommand, {
        AccessToken: accessToken,
        UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
      });
      return (out.CodeDeliveryDetailsList ?? []).map(toCodeDelivery);
    },
    async sendAttributeCode(accessToken, attribute) {
      const out = await send(GetUserAttributeVerificationCodeCommand, {
        AccessToken: accessToken,
        AttributeName: attribute,
      });
      return toCodeDelivery(out.CodeDeliveryDetails ?? {});
    },
    async verifyAttribute(accessToken, attribute, code) {
      await send(VerifyUserAttributeCommand, {
        AccessToken: accessToken,
        AttributeName: attribute,
        Code: code,
      });
    },
  };
}
