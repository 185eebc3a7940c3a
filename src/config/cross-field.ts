// Rules that span several variables: what cloud mode needs, what production refuses, what goes together.
import { pemsFromText, signingKeyProblems } from '../identity/signing-keys.ts';

/** Standard attributes a sign-up form may ask for (email is always asked). */
export const STANDARD_SIGNUP_ATTRIBUTES = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'phone_number',
  'birthdate',
  'gender',
  'locale',
  'zoneinfo',
  'website',
  'address',
  'profile',
  'picture',
] as const;

const COGNITO_REQUIRED = ['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_CLIENT_SECRET'] as const;

/** Rules that span several variables: what cloud mode needs, and what production refuses. */
export function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const has = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  const anyCognito = COGNITO_REQUIRED.some(has);
  if (anyCognito) {
    for (const name of COGNITO_REQUIRED) {
      if (!has(name)) problems.push(`${name}: required when any of ${COGNITO_REQUIRED.join(', ')} is set`);
    }
  } else if (production) {
    problems.push(
      `COGNITO_USER_POOL_ID: required when NODE_ENV=production (local mode with its emulator is for development only)`,
    );
  }
  const rememberDevices = (env.REMEMBER_DEVICES ?? '').trim();
  if (
    (rememberDevices === 'ask' || rememberDevices === 'always') &&
    env.AUTH_FLOW?.trim() !== 'USER_SRP_AUTH'
  ) {
    problems.push(
      'REMEMBER_DEVICES: remembered devices need AUTH_FLOW=USER_SRP_AUTH (Cognito proves a device with SRP only)',
    );
  }
  if (production && /^http:/i.test((env.COGNITO_DOMAIN ?? '').trim())) {
    problems.push('COGNITO_DOMAIN: must be https when NODE_ENV=production');
  }
  if (has('IDENTITY_PROVIDERS') && !has('COGNITO_DOMAIN') && anyCognito) {
    problems.push('IDENTITY_PROVIDERS: needs COGNITO_DOMAIN (social sign-in goes through the hosted UI)');
  }
  if ((env.LOGIN_MODE ?? '').trim() === 'hosted' && anyCognito && !has('COGNITO_DOMAIN')) {
    problems.push('LOGIN_MODE: hosted needs COGNITO_DOMAIN');
  }
  if (production && has('COGNITO_ENDPOINT')) {
    problems.push('COGNITO_ENDPOINT: refused when NODE_ENV=production (production never trusts an emulator)');
  }
  if (!anyCognito && has('COGNITO_ENDPOINT')) {
    problems.push(
      'COGNITO_ENDPOINT: needs COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID and COGNITO_CLIENT_SECRET',
    );
  }
  const keys = (env.SESSION_KEYS ?? '').split(',').filter((k) => k.trim() !== '');
  if (anyCognito && keys.length === 0) {
    problems.push('SESSION_KEYS: required outside local mode (comma-separated secrets, newest first)');
  }
  if (keys.some((k) => k.trim().length < 32)) {
    problems.push('SESSION_KEYS: every key must be at least 32 characters (e.g. `openssl rand -base64 32`)');
  }
  if (production && has('APP_BASE_URL') && !/^https:/i.test(env.APP_BASE_URL!.trim())) {
    problems.push('APP_BASE_URL: must be https when NODE_ENV=production');
  }
  if (production && !has('APP_BASE_URL')) {
    problems.push('APP_BASE_URL: required when NODE_ENV=production');
  }
  const fields = (env.SIGNUP_FIELDS ?? '')
    .split(',')
    .map((f) => f.trim().replace(/\?$/, ''))
    .filter((f) => f !== '');
  for (const f of fields) {
    if (f === 'email') problems.push('SIGNUP_FIELDS: email is always asked; leave it out');
    else if (!f.startsWith('custom:') && !(STANDARD_SIGNUP_ATTRIBUTES as readonly string[]).includes(f)) {
      problems.push(
        `SIGNUP_FIELDS: ${f} is not a standard Cognito attribute (custom ones start with custom:)`,
      );
    }
  }
  if (new Set(fields).size !== fields.length) problems.push('SIGNUP_FIELDS: an attribute is listed twice');
  problems.push(
    ...redisProblems(env),
    ...dynamoDbProblems(env),
    ...protectProblems(env),
    ...metricsProblems(env),
  );
  const pool = (env.COGNITO_USER_POOL_ID ?? '').trim();
  const region = (env.COGNITO_REGION ?? '').trim();
  if (pool && region && !pool.startsWith(`${region}_`)) {
    problems.push(`COGNITO_REGION: ${region} does not match the region of COGNITO_USER_POOL_ID (${pool})`);
  }
  return problems;
}

/**
 * Outside local mode /metrics is for the operator only: its counts of sign-ups and resends tell who has an account.
 * In production it needs a token or a listener of its own; elsewhere, without either, the app does not serve it.
 */
function metricsProblems(env: Record<string, string | undefined>): string[] {
  const has = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  const cloud = has('COGNITO_USER_POOL_ID');
  if (cloud && env.NODE_ENV === 'production' && !has('METRICS_TOKEN') && !has('METRICS_PORT')) {
    problems.push(
      'METRICS_TOKEN: required outside local mode (a bearer token for /metrics, at least 16 characters), ' +
        'or METRICS_PORT to serve /metrics on a port of its own',
    );
  }
  if (has('METRICS_HOST') && !has('METRICS_PORT')) problems.push('METRICS_HOST: needs METRICS_PORT');
  if (has('METRICS_PORT') && env.METRICS_PORT!.trim() === (env.PORT ?? '3000').trim()) {
    problems.push('METRICS_PORT: must differ from PORT');
  }
  return problems;
}

const REGION_SOURCES = ['DYNAMODB_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'COGNITO_REGION'] as const;

/**
 * DynamoDB's region: DYNAMODB_REGION, else the one AWS sets (AWS_REGION in Lambda, AWS_DEFAULT_REGION), else the
 * user pool's. Undefined when none is known.
 */
export function dynamoDbRegion(
  env: Partial<Record<(typeof REGION_SOURCES)[number] | 'COGNITO_USER_POOL_ID', string | undefined>>,
): string | undefined {
  const pool = (env.COGNITO_USER_POOL_ID ?? '').trim();
  const named = REGION_SOURCES.map((name) => (env[name] ?? '').trim()).find((r) => r !== '');
  return named ?? (pool.includes('_') ? pool.split('_')[0] : undefined);
}

/** SESSION_STORE=dynamodb needs a region; DynamoDB settings without it are a mistake worth naming. */
function dynamoDbProblems(env: Record<string, string | undefined>): string[] {
  const has = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  const dynamodb = (env.SESSION_STORE ?? '').trim() === 'dynamodb';
  const given = [
    'DYNAMODB_TABLE',
    'DYNAMODB_RATE_LIMIT_TABLE',
    'DYNAMODB_REGION',
    'DYNAMODB_ENDPOINT',
    'DYNAMODB_TIMEOUT_MS',
  ].filter(has);
  if (!dynamodb) {
    for (const name of given) problems.push(`${name}: set, but SESSION_STORE is not dynamodb`);
    return problems;
  }
  if (env.NODE_ENV === 'production' && has('DYNAMODB_ENDPOINT')) {
    problems.push(
      'DYNAMODB_ENDPOINT: refused when NODE_ENV=production (it is for DynamoDB Local or moto_server)',
    );
  }
  if (!has('DYNAMODB_ENDPOINT') && dynamoDbRegion(env) === undefined) {
    problems.push(
      'DYNAMODB_REGION: required when SESSION_STORE=dynamodb (or AWS_REGION, or a COGNITO_USER_POOL_ID to take it from)',
    );
  }
  if (
    has('DYNAMODB_TABLE') &&
    has('DYNAMODB_RATE_LIMIT_TABLE') &&
    env.DYNAMODB_TABLE!.trim() === env.DYNAMODB_RATE_LIMIT_TABLE!.trim()
  ) {
    problems.push('DYNAMODB_RATE_LIMIT_TABLE: must differ from DYNAMODB_TABLE (its key schema differs)');
  }
  return problems;
}

/** SESSION_STORE=redis needs a Redis; Redis settings without it are a mistake worth naming. */
function redisProblems(env: Record<string, string | undefined>): string[] {
  const has = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  const redis = (env.SESSION_STORE ?? '').trim() === 'redis';
  const given = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'].filter(has);
  if (redis && given.length === 0) {
    problems.push(
      'REDIS_URL: required when SESSION_STORE=redis (or REDIS_CLUSTER_NODES, or REDIS_SENTINELS)',
    );
  }
  if (!redis) {
    for (const name of given) problems.push(`${name}: set, but SESSION_STORE is not redis`);
  }
  if (has('REDIS_CLUSTER_NODES') && has('REDIS_SENTINELS')) {
    problems.push('REDIS_SENTINELS: choose a Cluster (REDIS_CLUSTER_NODES) or Sentinel, not both');
  }
  if (has('REDIS_SENTINELS') !== has('REDIS_SENTINEL_NAME')) {
    problems.push('REDIS_SENTINEL_NAME: REDIS_SENTINELS and REDIS_SENTINEL_NAME go together');
  }
  return problems;
}

/** Protecting apps: what each setting needs to be safe. */
function protectProblems(env: Record<string, string | undefined>): string[] {
  const has = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  const base = (env.APP_BASE_URL ?? '').trim();
  const domain = (env.SESSION_COOKIE_DOMAIN ?? '').trim().replace(/^\./, '').toLowerCase();
  if (domain !== '') {
    let host: string | undefined;
    try {
      host = base ? new URL(base).hostname.toLowerCase() : undefined;
    } catch {
      host = undefined;
    }
    if (!/^https:/i.test(base)) {
      problems.push(
        'SESSION_COOKIE_DOMAIN: needs an https APP_BASE_URL (the cookie is then __Secure- and Secure)',
      );
    } else if (host !== undefined && host !== domain && !host.endsWith(`.${domain}`)) {
      problems.push(`SESSION_COOKIE_DOMAIN: ${domain} does not contain the host of APP_BASE_URL (${host})`);
    }
  }
  if (has('IDENTITY_SIGNING_KEYS')) {
    problems.push(...signingKeyProblems(pemsFromText(env.IDENTITY_SIGNING_KEYS!), 'IDENTITY_SIGNING_KEYS'));
  }
  if (production && has('UPSTREAM_URL') && !has('IDENTITY_SIGNING_KEYS')) {
    problems.push(
      'IDENTITY_SIGNING_KEYS: required with UPSTREAM_URL when NODE_ENV=production (every instance must sign x-amzn-oidc-data with the same key)',
    );
  }
  return problems;
}
