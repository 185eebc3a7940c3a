// The only importer of the AWS SDK: every Cognito call, with SECRET_HASH, a deadline and translated errors.
import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolCommand,
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
  type AuthenticationResultType,
  type InitiateAuthCommandOutput,
  type RespondToAuthChallengeCommandInput,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../password-policy.ts';
import type { CognitoSettings } from './settings.ts';
import { AuthError, toAuthError } from './errors.ts';
import { secretHash } from './secret-hash.ts';

/** Tokens as Cognito returned them. `refreshToken` is absent after a refresh (no rotation). */
export interface TokenSet {
  idToken: string;
  accessToken: string;
  refreshToken: string | undefined;
  /** Seconds the access token lives. */
  expiresIn: number;
}

/** A sign-in step's outcome: tokens, or a challenge to answer with `session` within Cognito's deadline. */
export type SignInResult =
  | { kind: 'tokens'; tokens: TokenSet }
  | { kind: 'challenge'; challengeName: string; session: string; parameters: Record<string, string> };

/** The MFA methods Cognito knows, by their challenge names. */
export type MfaMethod = 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' | 'EMAIL_OTP';

/** A user's attributes and MFA settings as `GetUser` returns them. */
export interface CognitoUser {
  username: string;
  attributes: Record<string, string>;
  /** The MFA methods turned on for the user. */
  mfaEnabled: MfaMethod[];
  mfaPreferred: MfaMethod | undefined;
}

/** One change of `SetUserMFAPreference`: methods left out stay as they are. */
export type MfaPreference = Partial<Record<MfaMethod, { enabled: boolean; preferred: boolean }>>;

/** The outcome of SignUp: Cognito's sign-up `session` lets the user be signed in right after confirming. */
export interface SignUpResult {
  confirmed: boolean;
  session: string | undefined;
}

/** What the flows may ask of Cognito. Every method throws only AuthError. */
export interface CognitoGateway {
  signInWithPassword(username: string, password: string): Promise<SignInResult>;
  /** USER_AUTH with the `Session` that ConfirmSignUp returned: signs a just-confirmed user in without a password. */
  signInWithSession(username: string, session: string): Promise<SignInResult>;
  signUp(username: string, password: string, attributes: Record<string, string>): Promise<SignUpResult>;
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
  /** `username` must be Cognito's internal username (the token's `username` claim), not what the user typed. */
  refresh(username: string, refreshToken: string): Promise<TokenSet>;
  revokeRefreshToken(refreshToken: string): Promise<void>;
  globalSignOut(accessToken: string): Promise<void>;
  getUser(accessToken: string): Promise<CognitoUser>;
}

/** Builds the gateway over one SDK client; `settings.endpoint` points it at an emulator. */
/** Told of every call: its operation, outcome (`ok` or the exception's name) and duration. */
export type CallObserver = (operation: string, outcome: string, seconds: number) => void;

export function createCognitoGateway(settings: CognitoSettings, observe?: CallObserver): CognitoGateway {
  const client = new CognitoIdentityProviderClient({
    region: settings.region,
    ...(settings.endpoint
      ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    // Retries are ours (see `call`): the SDK's would also retry throttling, which only makes a busy Cognito busier.
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(settings.timeoutMs, 3000),
      requestTimeout: settings.timeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
  if (observe) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const started = process.hrtime.bigint();
        const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
        const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
        try {
          const out = await next(args);
          observe(operation, 'ok', seconds());
          return out;
        } catch (err) {
          observe(operation, (err as Error).name || 'error', seconds());
          throw err;
        }
      },
      { step: 'initialize', name: 'observeCalls' },
    );
  }
  const { clientId, clientSecret } = settings;
  const hash = (username: string) => secretHash(username, clientId, clientSecret);

  /**
   * Sends one command within the overall deadline; every failure becomes an AuthError. A person is waiting, so at
   * most one retry, and only when Cognito answered with a server error (it did nothing): never after throttling
   * (LimitExceeded, TooManyRequests) or a timeout, which a retry cannot fix in time.
   */
  async function call<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = AbortSignal.timeout(settings.timeoutMs);
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(deadline);
      } catch (err) {
        if (attempt === 1 && !deadline.aborted && isServerError(err)) continue;
        throw toAuthError(err);
      }
    }
  }

  return {
    async signInWithPassword(username, password) {
      const out = await call((abortSignal) =>
        client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: hash(username) },
          }),
          { abortSignal },
        ),
      );
      return toSignInResult(out);
    },

    async signInWithSession(username, session) {
      const out = await call((abortSignal) =>
        client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_AUTH',
            AuthParameters: { USERNAME: username, SECRET_HASH: hash(username) },
            Session: session,
          }),
          { abortSignal },
        ),
      );
      return toSignInResult(out);
    },

    async signUp(username, password, attributes) {
      const out = await call((abortSignal) =>
        client.send(
          new SignUpCommand({
            ClientId: clientId,
            SecretHash: hash(username),
            Username: username,
            Password: password,
            UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
          }),
          { abortSignal },
        ),
      );
      return { confirmed: out.UserConfirmed === true, session: out.Session };
    },

    async confirmSignUp(username, code, session) {
      const out = await call((abortSignal) =>
        client.send(
          new ConfirmSignUpCommand({
            ClientId: clientId,
            SecretHash: hash(username),
            Username: username,
            ConfirmationCode: code,
            ...(session ? { Session: session } : {}),
          }),
          { abortSignal },
        ),
      );
      return out.Session;
    },

    async resendConfirmationCode(username) {
      await call((abortSignal) =>
        client.send(
          new ResendConfirmationCodeCommand({
            ClientId: clientId,
            SecretHash: hash(username),
            Username: username,
          }),
          { abortSignal },
        ),
      );
    },

    async forgotPassword(username) {
      await call((abortSignal) =>
        client.send(
          new ForgotPasswordCommand({ ClientId: clientId, SecretHash: hash(username), Username: username }),
          {
            abortSignal,
          },
        ),
      );
    },

    async confirmForgotPassword(username, code, newPassword) {
      await call((abortSignal) =>
        client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: clientId,
            SecretHash: hash(username),
            Username: username,
            ConfirmationCode: code,
            Password: newPassword,
          }),
          { abortSignal },
        ),
      );
    },

    async respondToChallenge(challengeName, session, username, responses) {
      const out = await call((abortSignal) =>
        client.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: challengeName as RespondToAuthChallengeCommandInput['ChallengeName'],
            Session: session,
            ChallengeResponses: { ...responses, USERNAME: username, SECRET_HASH: hash(username) },
          }),
          { abortSignal },
        ),
      );
      return toSignInResult(out);
    },

    async associateSoftwareTokenForChallenge(session) {
      const out = await call((abortSignal) =>
        client.send(new AssociateSoftwareTokenCommand({ Session: session }), { abortSignal }),
      );
      if (!out.SecretCode || !out.Session)
        throw new AuthError('UNEXPECTED_RESPONSE', 'AssociateSoftwareToken');
      return { secret: out.SecretCode, session: out.Session };
    },

    async verifySoftwareTokenForChallenge(session, code) {
      const out = await call((abortSignal) =>
        client.send(new VerifySoftwareTokenCommand({ Session: session, UserCode: code }), { abortSignal }),
      );
      if (out.Status !== 'SUCCESS' || !out.Session) {
        throw new AuthError('MFA_SETUP_CODE_MISMATCH', 'VerifySoftwareToken');
      }
      return out.Session;
    },

    async associateSoftwareToken(accessToken) {
      const out = await call((abortSignal) =>
        client.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }), { abortSignal }),
      );
      if (!out.SecretCode) throw new AuthError('UNEXPECTED_RESPONSE', 'AssociateSoftwareToken');
      return out.SecretCode;
    },

    async verifySoftwareToken(accessToken, code) {
      const out = await call((abortSignal) =>
        client.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: code }), {
          abortSignal,
        }),
      );
      if (out.Status !== 'SUCCESS') throw new AuthError('MFA_SETUP_CODE_MISMATCH', 'VerifySoftwareToken');
    },

    async setMfaPreference(accessToken, preference) {
      const settings = (method: MfaMethod) => {
        const p = preference[method];
        return p ? { Enabled: p.enabled, PreferredMfa: p.preferred } : undefined;
      };
      await call((abortSignal) =>
        client.send(
          new SetUserMFAPreferenceCommand({
            AccessToken: accessToken,
            SoftwareTokenMfaSettings: settings('SOFTWARE_TOKEN_MFA'),
            SMSMfaSettings: settings('SMS_MFA'),
            EmailMfaSettings: settings('EMAIL_OTP'),
          }),
          { abortSignal },
        ),
      );
    },

    async describePasswordPolicy() {
      const out = await call((abortSignal) =>
        client.send(new DescribeUserPoolCommand({ UserPoolId: settings.userPoolId }), { abortSignal }),
      );
      const p = out.UserPool?.Policies?.PasswordPolicy;
      if (!p) throw new AuthError('UNEXPECTED_RESPONSE', 'DescribeUserPool');
      return {
        // A rule Cognito leaves out follows the one default the whole app uses (the page hint and the check agree).
        minimumLength: p.MinimumLength ?? DEFAULT_PASSWORD_POLICY.minimumLength,
        requireLowercase: p.RequireLowercase ?? DEFAULT_PASSWORD_POLICY.requireLowercase,
        requireUppercase: p.RequireUppercase ?? DEFAULT_PASSWORD_POLICY.requireUppercase,
        requireNumbers: p.RequireNumbers ?? DEFAULT_PASSWORD_POLICY.requireNumbers,
        requireSymbols: p.RequireSymbols ?? DEFAULT_PASSWORD_POLICY.requireSymbols,
      };
    },

    async refresh(username, refreshToken) {
      const out = await call((abortSignal) =>
        client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: refreshToken, USERNAME: username, SECRET_HASH: hash(username) },
          }),
          { abortSignal },
        ),
      );
      if (!out.AuthenticationResult) throw new AuthError('UNEXPECTED_RESPONSE', 'InitiateAuth');
      return toTokenSet(out.AuthenticationResult);
    },

    async revokeRefreshToken(refreshToken) {
      await call((abortSignal) =>
        client.send(
          new RevokeTokenCommand({ Token: refreshToken, ClientId: clientId, ClientSecret: clientSecret }),
          { abortSignal },
        ),
      );
    },

    async globalSignOut(accessToken) {
      await call((abortSignal) =>
        client.send(new GlobalSignOutCommand({ AccessToken: accessToken }), { abortSignal }),
      );
    },

    async getUser(accessToken) {
      const out = await call((abortSignal) =>
        client.send(new GetUserCommand({ AccessToken: accessToken }), { abortSignal }),
      );
      const attributes: Record<string, string> = {};
      for (const a of out.UserAttributes ?? []) if (a.Name) attributes[a.Name] = a.Value ?? '';
      return {
        username: out.Username ?? '',
        attributes,
        mfaEnabled: (out.UserMFASettingList ?? []).filter(isMfaMethod),
        mfaPreferred: isMfaMethod(out.PreferredMfaSetting) ? out.PreferredMfaSetting : undefined,
      };
    },
  };
}

/** A 5xx answer from Cognito (InternalErrorException, a proxy's 502): the request was not carried out. */
function isServerError(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

const MFA_METHODS: readonly string[] = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP'];
const isMfaMethod = (value: unknown): value is MfaMethod =>
  typeof value === 'string' && MFA_METHODS.includes(value);

function toSignInResult(out: InitiateAuthCommandOutput | RespondToAuthChallengeCommandOutput): SignInResult {
  if (out.AuthenticationResult) return { kind: 'tokens', tokens: toTokenSet(out.AuthenticationResult) };
  if (out.ChallengeName && out.Session) {
    return {
      kind: 'challenge',
      challengeName: out.ChallengeName,
      session: out.Session,
      parameters: { ...out.ChallengeParameters },
    };
  }
  throw new AuthError('UNEXPECTED_RESPONSE', 'InitiateAuth');
}

function toTokenSet(result: AuthenticationResultType): TokenSet {
  if (!result.IdToken || !result.AccessToken)
    throw new AuthError('UNEXPECTED_RESPONSE', 'AuthenticationResult');
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken,
    expiresIn: result.ExpiresIn ?? 3600,
  };
}
