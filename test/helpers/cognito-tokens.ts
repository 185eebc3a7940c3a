// Real Cognito tokens from the emulator through the AWS SDK (as an API client would get them), other app clients and
// pools to get tokens that are real but not ours, and forged tokens (jose) for the Bearer tests.
import { createHmac } from 'node:crypto';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { generateKeyPair, SignJWT } from 'jose';
import { createConfirmedUser } from './admin.ts';

/** What an app client needs to sign someone in with USER_PASSWORD_AUTH. */
export interface AppClient {
  userPoolId: string;
  clientId: string;
  clientSecret: string;
}

export interface Tokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

/** Cognito's SECRET_HASH, computed here independently of src/ (Base64(HMAC-SHA256(secret, username + client id))). */
function secretHashOf(username: string, client: AppClient): string {
  return createHmac('sha256', client.clientSecret)
    .update(username + client.clientId)
    .digest('base64');
}

/** Signs `username` in with InitiateAuth USER_PASSWORD_AUTH (one InitiateAuth call) and returns the three tokens. */
export async function signInWithSdk(
  cognito: CognitoIdentityProviderClient,
  client: AppClient,
  username: string,
  password: string,
): Promise<Tokens> {
  const res = await cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: client.clientId,
      AuthParameters: {
        USERNAME: username,
        PASSWORD: password,
        SECRET_HASH: secretHashOf(username, client),
      },
    }),
  );
  const result = res.AuthenticationResult;
  if (!result?.AccessToken || !result.IdToken || !result.RefreshToken) {
    throw new Error(`sign-in did not return tokens (challenge: ${res.ChallengeName ?? 'none'})`);
  }
  return { accessToken: result.AccessToken, idToken: result.IdToken, refreshToken: result.RefreshToken };
}

/** A second confidential app client in `userPoolId` that allows USER_PASSWORD_AUTH. */
export async function createAppClient(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  name = 'another-app',
): Promise<AppClient> {
  const res = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: name,
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const created = res.UserPoolClient;
  if (!created?.ClientId || !created.ClientSecret) throw new Error('the client was not created');
  return { userPoolId, clientId: created.ClientId, clientSecret: created.ClientSecret };
}

/** Another pool (email as the sign-in name) with a client and a confirmed user: tokens of another issuer. */
export async function createOtherPool(
  cognito: CognitoIdentityProviderClient,
  email: string,
  password: string,
): Promise<AppClient> {
  const pool = await cognito.send(
    new CreateUserPoolCommand({ PoolName: 'another-pool', UsernameAttributes: ['email'] }),
  );
  const userPoolId = pool.UserPool?.Id;
  if (!userPoolId) throw new Error('the pool was not created');
  const client = await createAppClient(cognito, userPoolId, 'app-of-another-pool');
  await createConfirmedUser(cognito, userPoolId, email, password);
  return client;
}

/** A JWT's header or payload, decoded without verifying anything. */
export function jwtPart(jwt: string, part: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[part] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims of `token` with `alg: none`, and `signature` as its (meaningless) third part. */
export function unsignedCopy(token: string, signature = ''): string {
  return `${b64({ ...jwtPart(token, 0), alg: 'none' })}.${b64(jwtPart(token, 1))}.${signature}`;
}

/** The claims and `kid` of `token`, signed RS256 with a key of our own instead of the pool's. */
export async function signedWithAnotherKey(token: string, kid?: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  const header = jwtPart(token, 0);
  return new SignJWT(jwtPart(token, 1))
    .setProtectedHeader({ alg: 'RS256', kid: kid ?? String(header.kid) })
    .sign(privateKey);
}

/** `token` with one byte of its signature flipped. */
export function flippedSignature(token: string): string {
  const [head, body, signature] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes[10] = bytes[10]! ^ 0xff;
  return `${head}.${body}.${bytes.toString('base64url')}`;
}
