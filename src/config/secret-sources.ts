// Secrets read once at start from AWS Secrets Manager or SSM Parameter Store, into the plain variables. Each of
// SECRET_VARIABLES is set directly, or by `<NAME>_SECRET_ARN` (a Secrets Manager secret's ARN or name: its whole
// SecretString, not a key of a JSON one) or `<NAME>_PARAMETER` (an SSM parameter's name or ARN, a SecureString
// decrypted), never by two of them.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConfigError } from '../config.ts';
import { SECRET_VARIABLES } from './env-schema.ts';

/** The clients to read with; by default, made on first need from `env` (region, AWS_ENDPOINT_URL). */
export interface SecretClients {
  secretsManager?: (region: string | undefined) => Pick<SecretsManagerClient, 'send' | 'destroy'>;
  ssm?: (region: string | undefined) => Pick<SSMClient, 'send' | 'destroy'>;
}

type Env = Record<string, string | undefined>;

interface Source {
  variable: string;
  kind: 'secret' | 'parameter';
  sourceVariable: string;
  id: string;
}

const set = (env: Env, name: string) => (env[name] ?? '').trim() !== '';

/**
 * Returns a copy of `env` with every secret kept in Secrets Manager or SSM filled in, fetched once and in
 * parallel; `env` itself when none is. One ConfigError names every variable that could not be read, with its
 * ARN or parameter name, never a value.
 */
export async function resolveSecretSources(env: Env, clients: SecretClients = {}): Promise<Env> {
  const problems: string[] = [];
  const sources: Source[] = [];
  for (const variable of SECRET_VARIABLES) {
    const named = [variable, `${variable}_SECRET_ARN`, `${variable}_PARAMETER`].filter((n) => set(env, n));
    if (named.length > 1) {
      problems.push(`${variable}: set only one of ${named.join(', ')}`);
      continue;
    }
    const sourceVariable = named[0];
    if (sourceVariable === undefined || sourceVariable === variable) continue;
    const kind = sourceVariable.endsWith('_SECRET_ARN') ? 'secret' : 'parameter';
    sources.push({ variable, kind, sourceVariable, id: env[sourceVariable]!.trim() });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (sources.length === 0) return env;

  // Loaded only when needed: a start with nothing kept in AWS (and a Lambda cold start) does without them.
  const [{ GetSecretValueCommand, SecretsManagerClient }, { GetParameterCommand, SSMClient }] =
    await Promise.all([import('@aws-sdk/client-secrets-manager'), import('@aws-sdk/client-ssm')]);
  const made: { destroy(): void }[] = [];
  const secretsManager = clientsByRegion(
    clients.secretsManager ?? ((region) => new SecretsManagerClient(clientConfig(env, region))),
    made,
  );
  const ssm = clientsByRegion(clients.ssm ?? ((region) => new SSMClient(clientConfig(env, region))), made);
  try {
    const results = await Promise.all(
      sources.map(async (source) => {
        const region = arnRegion(source.id) ?? defaultRegion(env);
        try {
          const value =
            source.kind === 'secret'
              ? (await secretsManager(region).send(new GetSecretValueCommand({ SecretId: source.id })))
                  .SecretString
              : (await ssm(region).send(new GetParameterCommand({ Name: source.id, WithDecryption: true })))
                  .Parameter?.Value;
          if (value === undefined || value.trim() === '') {
            return {
              source,
              problem: `is empty${source.kind === 'secret' ? ' (or has no SecretString)' : ''}`,
            };
          }
          return { source, value: value.trim() };
        } catch (err) {
          return { source, problem: describeError(err) };
        }
      }),
    );
    const resolved: Env = { ...env };
    for (const result of results) {
      const { variable, sourceVariable, kind, id } = result.source;
      if ('value' in result) resolved[variable] = result.value;
      else {
        const where = kind === 'secret' ? 'Secrets Manager secret' : 'SSM parameter';
        problems.push(`${variable}: could not read ${sourceVariable} (${where} ${id}): ${result.problem}`);
      }
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return resolved;
  } finally {
    for (const client of made) client.destroy();
  }
}

/** One client per region, made on first use and destroyed when all reads are done. */
function clientsByRegion<C extends { destroy(): void }>(
  make: (region: string | undefined) => C,
  made: { destroy(): void }[],
): (region: string | undefined) => C {
  const byRegion = new Map<string | undefined, C>();
  return (region) => {
    let client = byRegion.get(region);
    if (!client) {
      client = make(region);
      byRegion.set(region, client);
      made.push(client);
    }
    return client;
  };
}

/**
 * A client's settings: the default credential chain, and `AWS_ENDPOINT_URL` (an emulator such as moto_server) from
 * `env`; with that endpoint and no credentials in `env`, placeholder ones, as emulators accept any.
 */
function clientConfig(env: Env, region: string | undefined) {
  const endpoint = env.AWS_ENDPOINT_URL?.trim() || undefined;
  const placeholder = endpoint !== undefined && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE;
  return {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(placeholder ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 5_000 }),
  };
}

/** The region of an ARN (`arn:aws:secretsmanager:eu-west-1:...`), or undefined for a plain name. */
function arnRegion(id: string): string | undefined {
  const parts = id.split(':');
  return parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}

/** AWS_REGION (always set in Lambda), else the user pool's region. */
function defaultRegion(env: Env): string | undefined {
  const poolRegion = env.COGNITO_USER_POOL_ID?.trim().split('_')[0];
  return (
    env.AWS_REGION?.trim() ||
    env.AWS_DEFAULT_REGION?.trim() ||
    env.COGNITO_REGION?.trim() ||
    poolRegion ||
    undefined
  );
}

/** The SDK error's name and message (never a secret: nothing was read). */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.name && err.name !== 'Error' && !err.message.startsWith(err.name)
    ? `${err.name}: ${err.message}`
    : err.message;
}
