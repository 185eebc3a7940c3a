// Reads the environment once into a frozen, typed Config; one error names every bad variable.
import { z } from 'zod';
import type { MfaMethod } from './cognito/gateway.ts';
import type { CognitoSettings } from './cognito/settings.ts';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from './password-policy.ts';
import type { HostPort, RedisSettings } from './redis/redis-settings.ts';
import type { RateLimitSettings } from './rate-limit/auth-rate-limit.ts';
import type { SessionSettings } from './session/session-settings.ts';

export type { CognitoSettings, RedisSettings };

/** How the server reaches Cognito: its own emulator in-process (`local`), or a real or external pool (`cloud`). */
export type Mode = 'local' | 'cloud';
export type LoginMode = 'auto' | 'forms' | 'hosted';

/** One sign-up field: a Cognito attribute, in the order configured. */
export interface SignupField {
  attribute: string;
  required: boolean;
}

export interface SignupSettings {
  enabled: boolean;
  /** Fields besides email and password. */
  fields: readonly SignupField[];
  /** When set, a required "I agree to the terms" checkbox links here. */
  termsUrl: string | undefined;
  /** Say "an account exists" for a taken email instead of the neutral "check your email" page. */
  revealExisting: boolean;
}

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

export interface Config {
  mode: Mode;
  production: boolean;
  /** NODE_ENV=development (`npm run dev`): templates are re-read on every request. */
  development: boolean;
  port: number;
  /** Public origin of this server; every redirect URI is built from it, never from the Host header. */
  appBaseUrl: URL;
  /** True when the public origin is https: cookies are then `Secure` and `__Host-` prefixed. */
  secureCookies: boolean;
  /** Filled in local mode once the emulator has started. */
  cognito: CognitoSettings | undefined;
  /** Deadline of one Cognito call (COGNITO_TIMEOUT_MS), in every mode. */
  cognitoTimeoutMs: number;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Only in local mode or with COGNITO_ENDPOINT: where the signing keys come from instead of AWS. */
  loginMode: LoginMode;
  oauth: {
    scopes: string;
    /** Identity providers offered as "Continue with ..." buttons (names as configured in the pool). */
    identityProviders: readonly string[];
  };
  session: SessionSettings;
  /** Where sessions and rate-limit counters live when SESSION_STORE=redis; undefined with the memory store. */
  redis: RedisSettings | undefined;
  /** Proxies in front of this server whose `X-Forwarded-For` entries are trusted (0: the socket's address). */
  trustProxy: number;
  /** Requests allowed per client IP and per account in each window, counted before Cognito is called. */
  rateLimit: RateLimitSettings;
  signup: SignupSettings;
  /** The pool's password policy from configuration; undefined = read it with DescribeUserPool at start. */
  passwordPolicy: PasswordPolicy | undefined;
  mfa: {
    /** How long Cognito keeps a challenge session (the app client's AuthSessionValidity, 3-15 minutes). */
    challengeMinutes: number;
    /** Wrong codes allowed on one challenge before the sign-in starts over. */
    maxAttempts: number;
    /** The issuer shown in authenticator apps (default: the brand's name). */
    issuer: string | undefined;
    /** The methods the pool offers, which the account page lets users turn on. */
    methods: readonly MfaMethod[];
    /** Minutes a fresh password check allows changing MFA settings. */
    reauthMinutes: number;
  };
  /** Seconds before another confirmation or reset code may be asked for. */
  resendCooldownSeconds: number;
  /** Extra or replacement texts for the message catalogue (a JSON file), e.g. labels of custom attributes. */
  messagesFile: string | undefined;
  localCognito: { port: number; dir: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Branding as configured by BRAND_* (a theme folder's theme.json fills the gaps, see branding/brand.ts). */
  brand: BrandSettings;
}

export interface BrandSettings {
  name: string | undefined;
  logoUrl: string | undefined;
  faviconUrl: string | undefined;
  primaryColor: string | undefined;
  accentColor: string | undefined;
  colorScheme: 'auto' | 'light' | 'dark' | undefined;
  privacyUrl: string | undefined;
  termsUrl: string | undefined;
  supportUrl: string | undefined;
  /** A folder with theme.json, theme.css, templates/, assets/ and messages.<lang>.json, all optional. */
  themeDir: string | undefined;
}

const optional = z
  .string()
  .transform((v) => v.trim())
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional().default(fallback);

const optionalBool = optional.pipe(
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? undefined : ['true', '1', 'yes'].includes(v))),
);
const bool = (fallback: boolean) => optionalBool.transform((v) => v ?? fallback);

const hexColor = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour such as #2f5bd3')
  .optional();
const brandUrl = z
  .string()
  .regex(
    /^(?:https:\/\/[^\s"'<>]+|\/[^\s"'<>]*)$/,
    'must be an https URL or a path on this server such as /theme/logo.svg',
  )
  .optional();

const HOST_PORT_LIST = /^\s*[A-Za-z0-9.-]+:\d{1,5}\s*(,\s*[A-Za-z0-9.-]+:\d{1,5}\s*)*$/;

const envSchema = z.object({
  NODE_ENV: optional,
  PORT: int(3000, 0, 65535),
  APP_BASE_URL: optional.pipe(
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) origin such as https://login.example.com' })
      .optional(),
  ),
  COGNITO_REGION: optional.pipe(
    z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')
      .optional(),
  ),
  COGNITO_USER_POOL_ID: optional.pipe(
    z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/, 'must look like eu-west-1_AbC123xyz')
      .optional(),
  ),
  COGNITO_CLIENT_ID: optional.pipe(
    z
      .string()
      .regex(/^[0-9a-z]{1,128}$/, 'must be the app client id (lowercase letters and digits)')
      .optional(),
  ),
  COGNITO_CLIENT_SECRET: optional,
  COGNITO_DOMAIN: optional.pipe(
    z
      .string()
      .regex(
        /^(?:https?:\/\/)?[A-Za-z0-9.-]+(:\d+)?\/?$/,
        'must be a host name such as auth.example.com (or https://auth.example.com)',
      )
      .optional(),
  ),
  OAUTH_SCOPES: optional.pipe(
    z
      .string()
      .regex(
        /^[\w.:/-]+( [\w.:/-]+)*$/,
        'must be scopes separated by single spaces, e.g. openid email profile',
      )
      .optional()
      .default('openid email profile'),
  ),
  IDENTITY_PROVIDERS: optional.pipe(
    z
      .string()
      .regex(
        /^[\w.-]+(\s*,\s*[\w.-]+)*$/,
        'must be a comma-separated list of provider names, e.g. Google,Facebook',
      )
      .optional(),
  ),
  COGNITO_ENDPOINT: optional.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ),
  COGNITO_TIMEOUT_MS: int(5000, 100, 60000),
  METRICS_TOKEN: optional.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LOGIN_MODE: optional.pipe(z.enum(['auto', 'forms', 'hosted']).optional().default('auto')),
  // Sign-in sends the password (USER_PASSWORD_AUTH). SRP arrives with remembered devices; until then asking for it
  // stops the start with this message rather than signing in some other way than configured.
  AUTH_FLOW: optional.pipe(
    z
      .enum(['USER_PASSWORD_AUTH'], {
        error:
          'must be USER_PASSWORD_AUTH: USER_SRP_AUTH is not supported yet (allow ALLOW_USER_PASSWORD_AUTH on the app client)',
      })
      .optional(),
  ),
  SESSION_KEYS: optional,
  SESSION_STORE: optional.pipe(
    z
      .enum(['memory', 'redis'], { error: 'must be memory (one process) or redis (several instances)' })
      .optional()
      .default('memory'),
  ),
  SESSION_IDLE_MINUTES: int(30, 1, 7 * 24 * 60),
  SESSION_ABSOLUTE_HOURS: int(12, 1, 30 * 24),
  SESSION_MAX_ENTRIES: int(50_000, 100, 10_000_000),
  REDIS_URL: optional.pipe(
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// (TLS) URL' }).optional(),
  ),
  REDIS_CLUSTER_NODES: optional.pipe(
    z.string().regex(HOST_PORT_LIST, 'must be host:port pairs separated by commas').optional(),
  ),
  REDIS_SENTINELS: optional.pipe(
    z.string().regex(HOST_PORT_LIST, 'must be host:port pairs separated by commas').optional(),
  ),
  REDIS_SENTINEL_NAME: optional,
  REDIS_SENTINEL_PASSWORD: optional,
  REDIS_KEY_PREFIX: optional.pipe(
    z
      .string()
      .regex(/^[\w:.{}-]{1,64}$/, 'must be 1-64 letters, digits or _ : . { } -')
      .optional()
      .default('cognito-login:'),
  ),
  REDIS_TIMEOUT_MS: int(1000, 50, 30_000),
  TRUST_PROXY: int(0, 0, 10),
  RATE_LIMIT_WINDOW_SECONDS: int(300, 1, 86_400),
  RATE_LIMIT_PER_IP: int(60, 1, 1_000_000),
  RATE_LIMIT_PER_ACCOUNT: int(10, 1, 1_000_000),
  LOG_LEVEL: optional.pipe(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
  ),
  SIGNUP_ENABLED: bool(true),
  SIGNUP_FIELDS: optional.pipe(
    z
      .string()
      .regex(
        /^\s*(?:[a-z_]+|custom:[A-Za-z0-9_]{1,20})\??\s*(?:,\s*(?:[a-z_]+|custom:[A-Za-z0-9_]{1,20})\??\s*)*$/,
        'must be a comma-separated list of attributes, e.g. name,phone_number?,custom:company (? = optional)',
      )
      .optional()
      .default('name'),
  ),
  SIGNUP_TERMS_URL: optional.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ),
  SIGNUP_REVEAL_EXISTING: bool(false),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(6).max(99).optional(),
  PASSWORD_REQUIRE_LOWERCASE: optionalBool,
  PASSWORD_REQUIRE_UPPERCASE: optionalBool,
  PASSWORD_REQUIRE_NUMBERS: optionalBool,
  PASSWORD_REQUIRE_SYMBOLS: optionalBool,
  RESEND_COOLDOWN_SECONDS: int(60, 0, 3600),
  AUTH_SESSION_MINUTES: int(3, 3, 15),
  MFA_MAX_ATTEMPTS: int(3, 1, 10),
  MFA_METHODS: optional.pipe(
    z
      .string()
      .regex(
        /^\s*(SOFTWARE_TOKEN_MFA|SMS_MFA|EMAIL_OTP)\s*(,\s*(SOFTWARE_TOKEN_MFA|SMS_MFA|EMAIL_OTP)\s*)*$/,
        'must be a comma-separated list of SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP',
      )
      .optional()
      .default('SOFTWARE_TOKEN_MFA,SMS_MFA,EMAIL_OTP'),
  ),
  MFA_ISSUER: optional.pipe(z.string().max(60, 'must be at most 60 characters').optional()),
  MESSAGES_FILE: optional,
  LOCAL_COGNITO_PORT: int(9229, 0, 65535),
  LOCAL_COGNITO_DIR: optional.pipe(z.string().optional().default('.local-cognito')),
  BRAND_NAME: optional.pipe(z.string().max(60, 'must be at most 60 characters').optional()),
  BRAND_LOGO_URL: optional.pipe(brandUrl),
  BRAND_FAVICON_URL: optional.pipe(brandUrl),
  BRAND_PRIMARY_COLOR: optional.pipe(hexColor),
  BRAND_ACCENT_COLOR: optional.pipe(hexColor),
  BRAND_COLOR_SCHEME: optional.pipe(z.enum(['auto', 'light', 'dark']).optional()),
  BRAND_PRIVACY_URL: optional.pipe(brandUrl),
  BRAND_TERMS_URL: optional.pipe(brandUrl),
  BRAND_SUPPORT_URL: optional.pipe(brandUrl),
  THEME_DIR: optional,
});

/** Every environment variable the server reads (docker-compose.yml is checked against it). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** Thrown when the environment is invalid; its message names every bad variable, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const COGNITO_REQUIRED = ['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_CLIENT_SECRET'] as const;

/** Validates `env` and returns the frozen configuration, or throws one ConfigError naming every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    // Report the cross-field problems too, so one start shows everything.
    throw new ConfigError([...problems, ...crossFieldProblems(env)]);
  }
  const e = parsed.data;
  const problems = crossFieldProblems(env);
  if (problems.length > 0) throw new ConfigError(problems);

  const production = e.NODE_ENV === 'production';
  const mode: Mode = e.COGNITO_USER_POOL_ID ? 'cloud' : 'local';
  const appBaseUrl = new URL(e.APP_BASE_URL ?? `http://localhost:${e.PORT}`);
  const keys = (e.SESSION_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);

  const cognito: CognitoSettings | undefined =
    mode === 'cloud'
      ? {
          region: e.COGNITO_REGION ?? e.COGNITO_USER_POOL_ID!.split('_')[0]!,
          userPoolId: e.COGNITO_USER_POOL_ID!,
          clientId: e.COGNITO_CLIENT_ID!,
          clientSecret: e.COGNITO_CLIENT_SECRET!,
          endpoint: e.COGNITO_ENDPOINT,
          domain: e.COGNITO_DOMAIN,
          hostedUiUrl: e.COGNITO_DOMAIN ? hostedUiOrigin(e.COGNITO_DOMAIN) : undefined,
          timeoutMs: e.COGNITO_TIMEOUT_MS,
        }
      : undefined;

  return deepFreeze({
    mode,
    production,
    development: e.NODE_ENV === 'development',
    port: e.PORT,
    appBaseUrl,
    secureCookies: appBaseUrl.protocol === 'https:',
    cognito,
    cognitoTimeoutMs: e.COGNITO_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    loginMode: e.LOGIN_MODE,
    oauth: {
      scopes: e.OAUTH_SCOPES,
      identityProviders: (e.IDENTITY_PROVIDERS ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    },
    session: {
      keys,
      store: e.SESSION_STORE,
      idleTimeoutMs: e.SESSION_IDLE_MINUTES * 60_000,
      absoluteTimeoutMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
      maxEntries: e.SESSION_MAX_ENTRIES,
    },
    redis: e.SESSION_STORE === 'redis' ? redisSettingsFrom(e) : undefined,
    trustProxy: e.TRUST_PROXY,
    rateLimit: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      perIp: e.RATE_LIMIT_PER_IP,
      perAccount: e.RATE_LIMIT_PER_ACCOUNT,
    },
    signup: {
      enabled: e.SIGNUP_ENABLED,
      fields: parseSignupFields(e.SIGNUP_FIELDS),
      termsUrl: e.SIGNUP_TERMS_URL,
      revealExisting: e.SIGNUP_REVEAL_EXISTING,
    },
    passwordPolicy: passwordPolicyFrom(e),
    resendCooldownSeconds: e.RESEND_COOLDOWN_SECONDS,
    mfa: {
      challengeMinutes: e.AUTH_SESSION_MINUTES,
      maxAttempts: e.MFA_MAX_ATTEMPTS,
      issuer: e.MFA_ISSUER,
      methods: [...new Set(e.MFA_METHODS.split(',').map((m) => m.trim() as MfaMethod))],
      reauthMinutes: 5,
    },
    messagesFile: e.MESSAGES_FILE,
    localCognito: { port: e.LOCAL_COGNITO_PORT, dir: e.LOCAL_COGNITO_DIR },
    logLevel: e.LOG_LEVEL,
    brand: {
      name: e.BRAND_NAME,
      logoUrl: e.BRAND_LOGO_URL,
      faviconUrl: e.BRAND_FAVICON_URL,
      primaryColor: e.BRAND_PRIMARY_COLOR,
      accentColor: e.BRAND_ACCENT_COLOR,
      colorScheme: e.BRAND_COLOR_SCHEME,
      privacyUrl: e.BRAND_PRIVACY_URL,
      termsUrl: e.BRAND_TERMS_URL,
      supportUrl: e.BRAND_SUPPORT_URL,
      themeDir: e.THEME_DIR,
    },
  });
}

/** Rules that span several variables: what cloud mode needs, and what production refuses. */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
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
  problems.push(...redisProblems(env));
  const pool = (env.COGNITO_USER_POOL_ID ?? '').trim();
  const region = (env.COGNITO_REGION ?? '').trim();
  if (pool && region && !pool.startsWith(`${region}_`)) {
    problems.push(`COGNITO_REGION: ${region} does not match the region of COGNITO_USER_POOL_ID (${pool})`);
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

/** The Redis connection settings of a valid environment. */
function redisSettingsFrom(e: z.infer<typeof envSchema>): RedisSettings {
  const hostPorts = (list: string | undefined): HostPort[] =>
    (list ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map((p) => ({ host: p.slice(0, p.lastIndexOf(':')), port: Number(p.slice(p.lastIndexOf(':') + 1)) }));
  return {
    url: e.REDIS_URL,
    clusterNodes: hostPorts(e.REDIS_CLUSTER_NODES),
    sentinels: hostPorts(e.REDIS_SENTINELS),
    sentinelName: e.REDIS_SENTINEL_NAME,
    sentinelPassword: e.REDIS_SENTINEL_PASSWORD,
    keyPrefix: e.REDIS_KEY_PREFIX,
    timeoutMs: e.REDIS_TIMEOUT_MS,
  };
}

/** `name,phone_number?` -> [{ name, required }, { phone_number, optional }]. */
function parseSignupFields(spec: string): SignupField[] {
  return spec
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '')
    .map((f) => ({ attribute: f.replace(/\?$/, ''), required: !f.endsWith('?') }));
}

/** A policy from PASSWORD_* when any is set (unset rules then follow Cognito's defaults). */
function passwordPolicyFrom(e: z.infer<typeof envSchema>): PasswordPolicy | undefined {
  const given = [
    e.PASSWORD_MIN_LENGTH,
    e.PASSWORD_REQUIRE_LOWERCASE,
    e.PASSWORD_REQUIRE_UPPERCASE,
    e.PASSWORD_REQUIRE_NUMBERS,
    e.PASSWORD_REQUIRE_SYMBOLS,
  ];
  if (given.every((v) => v === undefined)) return undefined;
  return {
    minimumLength: e.PASSWORD_MIN_LENGTH ?? DEFAULT_PASSWORD_POLICY.minimumLength,
    requireLowercase: e.PASSWORD_REQUIRE_LOWERCASE ?? DEFAULT_PASSWORD_POLICY.requireLowercase,
    requireUppercase: e.PASSWORD_REQUIRE_UPPERCASE ?? DEFAULT_PASSWORD_POLICY.requireUppercase,
    requireNumbers: e.PASSWORD_REQUIRE_NUMBERS ?? DEFAULT_PASSWORD_POLICY.requireNumbers,
    requireSymbols: e.PASSWORD_REQUIRE_SYMBOLS ?? DEFAULT_PASSWORD_POLICY.requireSymbols,
  };
}

/** `auth.example.com` -> `https://auth.example.com`; an explicit http(s) origin is kept (emulators). */
export function hostedUiOrigin(domain: string): string {
  return /^https?:\/\//i.test(domain) ? new URL(domain).origin : `https://${domain.replace(/\/$/, '')}`;
}

/** The login mode in force: `auto` means the hosted UI when a domain was configured, else our forms. */
export function effectiveLoginMode(config: Config): 'forms' | 'hosted' {
  if (config.loginMode !== 'auto') return config.loginMode;
  return config.cognito?.domain ? 'hosted' : 'forms';
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof URL)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
