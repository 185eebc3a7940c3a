// Pool and app-client set-up: CreateUserPool, DescribeUserPool, UpdateUserPool, ListUserPools, MFA config, clients.
import { CognitoError, invalidParameter, missingMember } from '../errors.ts';
import { newClientId, newClientSecret, newUserPoolId } from '../ids.ts';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../password.ts';
import type { ClientRecord, PoolRecord } from '../state.ts';
import {
  epochSeconds,
  getPool,
  optBoolean,
  optNumber,
  optObject,
  optString,
  optStringList,
  reqString,
  type Input,
  type OpContext,
} from './context.ts';
import { forgetRefreshTokens } from './refresh-tokens.ts';
import { allowedFirstFactors, signInPolicyOf } from './sign-in-policy.ts';
import { webAuthnConfigurationOf, webAuthnConfigurationType } from './webauthn-config.ts';

/** Members stored in typed fields; everything else given is kept verbatim in `extra`. */
const POOL_TYPED = new Set([
  'PoolName',
  'UserPoolId',
  'Policies',
  'UsernameAttributes',
  'AliasAttributes',
  'AutoVerifiedAttributes',
  'MfaConfiguration',
  'UsernameConfiguration',
]);

function passwordPolicyOf(input: Input): PasswordPolicy {
  const given = optObject(optObject(input, 'Policies') ?? {}, 'PasswordPolicy') ?? {};
  const policy = { ...DEFAULT_PASSWORD_POLICY };
  for (const key of Object.keys(policy) as (keyof PasswordPolicy)[]) {
    const value = given[key];
    if (value !== undefined && typeof value === typeof policy[key]) Object.assign(policy, { [key]: value });
  }
  if (policy.MinimumLength < 6 || policy.MinimumLength > 99) {
    throw invalidParameter('Minimum password length must be between 6 and 99');
  }
  return policy;
}

function mfaConfigurationOf(input: Input): PoolRecord['mfaConfiguration'] {
  const value = optString(input, 'MfaConfiguration') ?? 'OFF';
  if (value !== 'OFF' && value !== 'ON' && value !== 'OPTIONAL') {
    throw invalidParameter(
      `1 validation error detected: Value '${value}' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]`,
    );
  }
  return value;
}

/** UsernameConfiguration.CaseSensitive; Cognito's default, true, when the structure is left out. */
function caseSensitiveOf(input: Input): boolean {
  const config = optObject(input, 'UsernameConfiguration');
  if (config === undefined) return true;
  const caseSensitive = optBoolean(config, 'CaseSensitive');
  if (caseSensitive === undefined) throw missingMember('usernameConfiguration.caseSensitive');
  return caseSensitive;
}

function extraOf(input: Input, typed: Set<string>): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!typed.has(key) && key !== '__proto__') extra[key] = value;
  }
  return extra;
}

/** Cognito's UserPoolType for DescribeUserPool / CreateUserPool. */
export function describePool(pool: PoolRecord): object {
  return {
    ...pool.extra,
    Id: pool.id,
    Name: pool.name,
    Arn: `arn:aws:cognito-idp:${pool.region}:000000000000:userpool/${pool.id}`,
    Policies: {
      PasswordPolicy: pool.passwordPolicy,
      SignInPolicy: { AllowedFirstAuthFactors: allowedFirstFactors(pool) },
    },
    LastModifiedDate: epochSeconds(pool.modifiedAt),
    CreationDate: epochSeconds(pool.createdAt),
    MfaConfiguration: pool.mfaConfiguration,
    EstimatedNumberOfUsers: pool.users.size,
    ...(pool.usernameAttributes.length ? { UsernameAttributes: pool.usernameAttributes } : {}),
    ...(pool.aliasAttributes.length ? { AliasAttributes: pool.aliasAttributes } : {}),
    ...(pool.autoVerifiedAttributes.length ? { AutoVerifiedAttributes: pool.autoVerifiedAttributes } : {}),
    UsernameConfiguration: { CaseSensitive: pool.caseSensitive },
    ...(pool.smsMfaConfiguration?.SmsConfiguration
      ? { SmsConfiguration: pool.smsMfaConfiguration.SmsConfiguration }
      : {}),
  };
}

export function createUserPool(ctx: OpContext, input: Input): object {
  const name = reqString(input, 'PoolName');
  const usernameAttributes = optStringList(input, 'UsernameAttributes') ?? [];
  const aliasAttributes = optStringList(input, 'AliasAttributes') ?? [];
  if (usernameAttributes.length && aliasAttributes.length) {
    throw invalidParameter('Only one of the aliasAttributes or usernameAttributes can be set in a User Pool');
  }
  const now = ctx.clock();
  const pool: PoolRecord = {
    id: newUserPoolId(ctx.region),
    name,
    region: ctx.region,
    createdAt: now,
    modifiedAt: now,
    usernameAttributes,
    aliasAttributes,
    autoVerifiedAttributes: optStringList(input, 'AutoVerifiedAttributes') ?? [],
    caseSensitive: caseSensitiveOf(input),
    passwordPolicy: passwordPolicyOf(input),
    signInPolicy: signInPolicyOf(input),
    mfaConfiguration: mfaConfigurationOf(input),
    softwareTokenMfaEnabled: false,
    smsMfaConfiguration: optObject(input, 'SmsConfiguration')
      ? { SmsConfiguration: optObject(input, 'SmsConfiguration') }
      : undefined,
    extra: extraOf(input, POOL_TYPED),
    clients: new Map(),
    users: new Map(),
    groups: new Map(),
  };
  ctx.store.state.pools.set(pool.id, pool);
  return { UserPool: describePool(pool) };
}

export function describeUserPool(ctx: OpContext, input: Input): object {
  return { UserPool: describePool(getPool(ctx, reqString(input, 'UserPoolId'))) };
}

/**
 * As on Cognito, settings left out of the request go back to their defaults. UsernameConfiguration is
 * not among UpdateUserPool's members: case sensitivity stays what CreateUserPool set.
 */
export function updateUserPool(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  pool.passwordPolicy = passwordPolicyOf(input);
  pool.signInPolicy = signInPolicyOf(input);
  pool.mfaConfiguration = mfaConfigurationOf(input);
  pool.autoVerifiedAttributes = optStringList(input, 'AutoVerifiedAttributes') ?? [];
  pool.extra = extraOf(input, POOL_TYPED);
  pool.modifiedAt = ctx.clock();
  return {};
}

/** NextToken is the base64 of the next index. */
function page<T>(items: T[], input: Input, maxDefault: number | undefined): { items: T[]; next?: string } {
  const max = optNumber(input, 'MaxResults') ?? maxDefault;
  if (max === undefined) throw missingMember('MaxResults');
  if (!Number.isInteger(max) || max < 1 || max > 60) {
    throw invalidParameter(
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60`,
    );
  }
  const token = optString(input, 'NextToken');
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw invalidParameter('Invalid NextToken');
  const end = start + max;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { next: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

export function listUserPools(ctx: OpContext, input: Input): object {
  const { items, next } = page([...ctx.store.state.pools.values()], input, undefined);
  return {
    UserPools: items.map((p) => ({
      Id: p.id,
      Name: p.name,
      LastModifiedDate: epochSeconds(p.modifiedAt),
      CreationDate: epochSeconds(p.createdAt),
      ...(p.extra.LambdaConfig ? { LambdaConfig: p.extra.LambdaConfig } : {}),
    })),
    ...(next ? { NextToken: next } : {}),
  };
}

function mfaConfigOf(pool: PoolRecord): object {
  return {
    ...(pool.smsMfaConfiguration ? { SmsMfaConfiguration: pool.smsMfaConfiguration } : {}),
    SoftwareTokenMfaConfiguration: { Enabled: pool.softwareTokenMfaEnabled },
    ...(pool.emailMfaConfiguration ? { EmailMfaConfiguration: pool.emailMfaConfiguration } : {}),
    MfaConfiguration: pool.mfaConfiguration,
    WebAuthnConfiguration: webAuthnConfigurationType(pool),
  };
}

export function setUserPoolMfaConfig(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const sms = optObject(input, 'SmsMfaConfiguration');
  const totp = optObject(input, 'SoftwareTokenMfaConfiguration');
  const email = optObject(input, 'EmailMfaConfiguration');
  const webAuthn = webAuthnConfigurationOf(input);
  const mfa = optString(input, 'MfaConfiguration');
  if (mfa !== undefined) pool.mfaConfiguration = mfaConfigurationOf(input);
  if (sms !== undefined) pool.smsMfaConfiguration = sms;
  if (totp !== undefined) pool.softwareTokenMfaEnabled = optBoolean(totp, 'Enabled') ?? false;
  if (email !== undefined) pool.emailMfaConfiguration = email;
  if (webAuthn !== undefined) pool.webAuthnConfiguration = webAuthn;
  pool.modifiedAt = ctx.clock();
  return mfaConfigOf(pool);
}

export function getUserPoolMfaConfig(ctx: OpContext, input: Input): object {
  return mfaConfigOf(getPool(ctx, reqString(input, 'UserPoolId')));
}

const CLIENT_TYPED = new Set([
  'UserPoolId',
  'ClientName',
  'ClientId',
  'GenerateSecret',
  'ExplicitAuthFlows',
  'PreventUserExistenceErrors',
  'EnableTokenRevocation',
  'AccessTokenValidity',
  'IdTokenValidity',
  'RefreshTokenValidity',
  'TokenValidityUnits',
  'AuthSessionValidity',
]);

/** Cognito's UserPoolClientType. */
export function describeClient(pool: PoolRecord, c: ClientRecord): object {
  return {
    ...c.extra,
    UserPoolId: pool.id,
    ClientName: c.clientName,
    ClientId: c.clientId,
    ...(c.clientSecret ? { ClientSecret: c.clientSecret } : {}),
    LastModifiedDate: epochSeconds(c.modifiedAt),
    CreationDate: epochSeconds(c.createdAt),
    RefreshTokenValidity: c.refreshTokenValidity ?? 30,
    ...(c.accessTokenValidity !== undefined ? { AccessTokenValidity: c.accessTokenValidity } : {}),
    ...(c.idTokenValidity !== undefined ? { IdTokenValidity: c.idTokenValidity } : {}),
    ...(c.tokenValidityUnits ? { TokenValidityUnits: c.tokenValidityUnits } : {}),
    ExplicitAuthFlows: c.explicitAuthFlows,
    PreventUserExistenceErrors: c.preventUserExistenceErrors,
    EnableTokenRevocation: c.enableTokenRevocation,
    AuthSessionValidity: c.authSessionValidity,
  };
}

const TOKEN_UNITS = ['seconds', 'minutes', 'hours', 'days'];

function tokenValidityUnitsOf(input: Input): ClientRecord['tokenValidityUnits'] {
  const given = optObject(input, 'TokenValidityUnits');
  if (!given) return undefined;
  const units: NonNullable<ClientRecord['tokenValidityUnits']> = {};
  for (const key of ['AccessToken', 'IdToken', 'RefreshToken'] as const) {
    const unit = optString(given, key);
    if (unit === undefined) continue;
    if (!TOKEN_UNITS.includes(unit)) {
      throw invalidParameter(
        `1 validation error detected: Value '${unit}' at 'tokenValidityUnits.${key.charAt(0).toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must satisfy enum value set: [seconds, minutes, hours, days]`,
      );
    }
    units[key] = unit;
  }
  return units;
}

function applyClientSettings(client: ClientRecord, input: Input): void {
  const prevent = optString(input, 'PreventUserExistenceErrors') ?? 'LEGACY';
  if (prevent !== 'ENABLED' && prevent !== 'LEGACY') {
    throw invalidParameter(
      `1 validation error detected: Value '${prevent}' at 'preventUserExistenceErrors' failed to satisfy constraint: Member must satisfy enum value set: [LEGACY, ENABLED]`,
    );
  }
  const sessionMinutes = optNumber(input, 'AuthSessionValidity') ?? 3;
  if (sessionMinutes < 3 || sessionMinutes > 15) {
    throw invalidParameter('AuthSessionValidity must be between 3 and 15 minutes');
  }
  client.explicitAuthFlows = optStringList(input, 'ExplicitAuthFlows') ?? [
    'ALLOW_REFRESH_TOKEN_AUTH',
    'ALLOW_USER_SRP_AUTH',
    'ALLOW_CUSTOM_AUTH',
  ];
  client.preventUserExistenceErrors = prevent;
  client.enableTokenRevocation = optBoolean(input, 'EnableTokenRevocation') ?? true;
  client.accessTokenValidity = optNumber(input, 'AccessTokenValidity');
  client.idTokenValidity = optNumber(input, 'IdTokenValidity');
  client.refreshTokenValidity = optNumber(input, 'RefreshTokenValidity');
  client.tokenValidityUnits = tokenValidityUnitsOf(input);
  client.authSessionValidity = sessionMinutes;
  client.extra = extraOf(input, CLIENT_TYPED);
}

export function createUserPoolClient(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const now = ctx.clock();
  const client: ClientRecord = {
    clientId: newClientId(),
    clientName: reqString(input, 'ClientName'),
    clientSecret: optBoolean(input, 'GenerateSecret') ? newClientSecret() : undefined,
    createdAt: now,
    modifiedAt: now,
    explicitAuthFlows: [],
    preventUserExistenceErrors: 'LEGACY',
    enableTokenRevocation: true,
    authSessionValidity: 3,
    extra: {},
  };
  applyClientSettings(client, input);
  pool.clients.set(client.clientId, client);
  return { UserPoolClient: describeClient(pool, client) };
}

function poolClient(ctx: OpContext, input: Input): { pool: PoolRecord; client: ClientRecord } {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const clientId = reqString(input, 'ClientId');
  const client = pool.clients.get(clientId);
  if (!client) {
    throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  }
  return { pool, client };
}

export function describeUserPoolClient(ctx: OpContext, input: Input): object {
  const { pool, client } = poolClient(ctx, input);
  return { UserPoolClient: describeClient(pool, client) };
}

/** As on Cognito, settings left out of the request go back to their defaults. */
export function updateUserPoolClient(ctx: OpContext, input: Input): object {
  const { pool, client } = poolClient(ctx, input);
  client.clientName = optString(input, 'ClientName') ?? client.clientName;
  applyClientSettings(client, input);
  client.modifiedAt = ctx.clock();
  return { UserPoolClient: describeClient(pool, client) };
}

export function listUserPoolClients(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const { items, next } = page([...pool.clients.values()], input, 60);
  return {
    UserPoolClients: items.map((c) => ({
      ClientId: c.clientId,
      UserPoolId: pool.id,
      ClientName: c.clientName,
    })),
    ...(next ? { NextToken: next } : {}),
  };
}

export function deleteUserPool(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  ctx.store.state.pools.delete(pool.id);
  forgetRefreshTokens(ctx, (r) => r.poolId === pool.id);
  return {};
}
