// The two targets of the conformance suite: the project's emulator (in-process) and moto_server (a child
// process). Both get the same fresh pool and app clients, created through the unchanged AWS SDK.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SignUpCommand,
  type AuthenticationResultType,
  type CreateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';

export type TargetName = 'emulator' | 'moto';

export interface AppClient {
  readonly clientId: string;
  /** '' for a client without a secret. */
  readonly clientSecret: string;
}

export interface Target {
  readonly name: TargetName;
  readonly endpoint: string;
  readonly cognito: CognitoIdentityProviderClient;
  readonly poolId: string;
  /** The client of the brief: secret, USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH, PreventUserExistenceErrors unset. */
  readonly app: AppClient;
  /** The same flows without a secret. */
  readonly publicApp: AppClient;
  /** Like `app`, with PreventUserExistenceErrors ENABLED. */
  readonly strictApp: AppClient;
  /** A secret client whose ExplicitAuthFlows lack ALLOW_USER_PASSWORD_AUTH. */
  readonly srpOnlyApp: AppClient;
}

export const PASSWORD = 'Conformance-Passw0rd!';
export const WRONG_PASSWORD = 'Wrong-Passw0rd!';
export const WEAK_PASSWORD = 'weak';

export const sdkClient = (endpoint: string): CognitoIdentityProviderClient =>
  new CognitoIdentityProviderClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'conformance', secretAccessKey: 'conformance' },
    maxAttempts: 1,
  });

/** Base64(HMAC_SHA256(client secret, username + client id)), computed here, not by either target. */
export const secretHash = (app: AppClient, username: string): string =>
  createHmac('sha256', app.clientSecret)
    .update(username + app.clientId)
    .digest('base64');

/** The SECRET_HASH auth parameter, or nothing for a client without a secret. */
export const hashParam = (app: AppClient, username: string): Record<string, string> =>
  app.clientSecret ? { SECRET_HASH: secretHash(app, username) } : {};

let seq = 0;
/** A new address for each call, so scenarios never share a user. */
export const newEmail = (tag: string): string => `${tag}-${++seq}-${process.pid}@example.com`;

/** Creates the pool and app clients of the suite on `endpoint`. */
export async function prepareTarget(name: TargetName, endpoint: string): Promise<Target> {
  const cognito = sdkClient(endpoint);
  const created = await cognito.send(
    new CreateUserPoolCommand({ PoolName: `conformance-${name}`, UsernameAttributes: ['email'] }),
  );
  const poolId = created.UserPool?.Id;
  if (!poolId) throw new Error(`${name}: CreateUserPool returned no pool id`);
  const flows = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const;
  const makeClient = async (
    input: Omit<CreateUserPoolClientCommandInput, 'UserPoolId'>,
  ): Promise<AppClient> => {
    const out = await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ...input }));
    const clientId = out.UserPoolClient?.ClientId;
    if (!clientId) throw new Error(`${name}: CreateUserPoolClient returned no client id`);
    return { clientId, clientSecret: out.UserPoolClient?.ClientSecret ?? '' };
  };
  return {
    name,
    endpoint,
    cognito,
    poolId,
    app: await makeClient({ ClientName: 'app', GenerateSecret: true, ExplicitAuthFlows: [...flows] }),
    publicApp: await makeClient({
      ClientName: 'public',
      GenerateSecret: false,
      ExplicitAuthFlows: [...flows],
    }),
    strictApp: await makeClient({
      ClientName: 'strict',
      GenerateSecret: true,
      ExplicitAuthFlows: [...flows],
      PreventUserExistenceErrors: 'ENABLED',
    }),
    srpOnlyApp: await makeClient({
      ClientName: 'srp-only',
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  };
}

/** AdminCreateUser (email verified, no message) + AdminSetUserPassword(Permanent); returns the internal username. */
export async function createConfirmedUser(t: Target, email: string, password = PASSWORD): Promise<string> {
  const out = await t.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: t.poolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  await t.cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: t.poolId,
      Username: email,
      Password: password,
      Permanent: true,
    }),
  );
  const username = out.User?.Username;
  if (!username) throw new Error(`${t.name}: AdminCreateUser returned no username`);
  return username;
}

/** SignUp through `app` with a correct SecretHash; the user stays unconfirmed. */
export async function signUp(t: Target, email: string, app: AppClient = t.app): Promise<string> {
  const out = await t.cognito.send(
    new SignUpCommand({
      ClientId: app.clientId,
      Username: email,
      Password: PASSWORD,
      SecretHash: app.clientSecret ? secretHash(app, email) : undefined,
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  if (!out.UserSub) throw new Error(`${t.name}: SignUp returned no UserSub`);
  return out.UserSub;
}

/** USER_PASSWORD_AUTH with the SECRET_HASH over `email` (for a client with a secret); `extra` overrides parameters. */
export function passwordAuth(
  t: Target,
  app: AppClient,
  email: string,
  password = PASSWORD,
  extra: Record<string, string> = {},
) {
  return t.cognito.send(
    new InitiateAuthCommand({
      ClientId: app.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password, ...hashParam(app, email), ...extra },
    }),
  );
}

/** Signs in a new confirmed user through `app` and returns its tokens and internal username. */
export async function signedInUser(
  t: Target,
  tag: string,
  app: AppClient = t.app,
): Promise<{ email: string; username: string; tokens: Required<AuthenticationResultType> }> {
  const email = newEmail(tag);
  const username = await createConfirmedUser(t, email);
  const out = await passwordAuth(t, app, email);
  const r = out.AuthenticationResult;
  if (!r?.AccessToken || !r.IdToken || !r.RefreshToken) {
    throw new Error(`${t.name}: sign-in of ${email} returned no tokens`);
  }
  return { email, username, tokens: r as Required<AuthenticationResultType> };
}

/** REFRESH_TOKEN_AUTH with a SECRET_HASH over `hashOver` (omitted for a client without a secret). */
export function refreshAuth(t: Target, app: AppClient, refreshToken: string, hashOver: string) {
  return t.cognito.send(
    new InitiateAuthCommand({
      ClientId: app.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken, ...hashParam(app, hashOver) },
    }),
  );
}

/** Decodes a JWT's payload without verifying it. */
export function claimsOf(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

// ---- moto_server as a child process ----

/** The moto_server executable on PATH, or undefined. */
export function findMotoServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'moto_server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts `moto_server -H 127.0.0.1 -p <free port>` and resolves once it answers HTTP. Suites running at the same
 * time may take the port between the check and moto's bind: then it tries again on another one.
 */
export async function startMotoServer(executable: string, timeoutMs = 60_000): Promise<MotoServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startMotoServerOn(executable, await freePort(), timeoutMs);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= 5) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function startMotoServerOn(executable: string, port: number, timeoutMs: number): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  // Its own process group, so stop() ends moto and anything it started, and nothing else.
  const child: ChildProcess = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      if (!exited && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, 3_000);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      const message = `moto_server exited before answering on ${endpoint}:\n${stderr}`;
      throw /address already in use|EADDRINUSE|Errno 98/i.test(stderr)
        ? new PortTakenError(message)
        : new Error(message);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.ok) return { endpoint, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
