// The only importer of the AWS SDK: every Cognito call, with SECRET_HASH, a deadline and translated errors.
import {
  CognitoIdentityProviderClient,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { CognitoSettings } from '../config.ts';
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

/** A user's attributes as `GetUser` returns them. */
export interface CognitoUser {
  username: string;
  attributes: Record<string, string>;
}

/** What the flows may ask of Cognito. Every method throws only AuthError. */
export interface CognitoGateway {
  signInWithPassword(username: string, password: string): Promise<SignInResult>;
  /** `username` must be Cognito's internal username (the token's `username` claim), not what the user typed. */
  refresh(username: string, refreshToken: string): Promise<TokenSet>;
  revokeRefreshToken(refreshToken: string): Promise<void>;
  globalSignOut(accessToken: string): Promise<void>;
  getUser(accessToken: string): Promise<CognitoUser>;
}

/** Builds the gateway over one SDK client; `settings.endpoint` points it at an emulator. */
export function createCognitoGateway(settings: CognitoSettings): CognitoGateway {
  const client = new CognitoIdentityProviderClient({
    region: settings.region,
    ...(settings.endpoint
      ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    // One retry at most: a person is waiting on the other side of every call.
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(settings.timeoutMs, 3000),
      requestTimeout: settings.timeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
  const { clientId, clientSecret } = settings;
  const hash = (username: string) => secretHash(username, clientId, clientSecret);

  /** Sends one command with the overall deadline; every failure becomes an AuthError. */
  async function call<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await send(AbortSignal.timeout(settings.timeoutMs));
    } catch (err) {
      throw toAuthError(err);
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
      return { username: out.Username ?? '', attributes };
    },
  };
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
