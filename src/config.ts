// Reads the environment once into a frozen, typed Config; one error names every bad variable.
import type { MfaMethod } from './cognito/gateway.ts';
import { crossFieldProblems, dynamoDbRegion } from './config/cross-field.ts';
import { envSchema, type Env } from './config/env-schema.ts';
import type { AuthFlow, CognitoSettings } from './cognito/settings.ts';
import { pemsFromText } from './identity/signing-keys.ts';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from './password-policy.ts';
import type { DynamoDbSettings } from './dynamodb/dynamodb-settings.ts';
import type { HostPort, RedisSettings } from './redis/redis-settings.ts';
import type { RateLimitSettings } from './rate-limit/auth-rate-limit.ts';
import type { SessionSettings } from './session/session-settings.ts';

export type { CognitoSettings, DynamoDbSettings, RedisSettings };
export { ENV_VARIABLES } from './config/env-schema.ts';

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
  /** Serve /metrics on a listener of its own (METRICS_PORT), on METRICS_HOST (loopback by default). */
  metricsPort: number | undefined;
  metricsHost: string | undefined;
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
  /** Where sessions and rate-limit counters live when SESSION_STORE=dynamodb; undefined otherwise. */
  dynamodb: DynamoDbSettings | undefined;
  /** Proxies in front of this server whose `X-Forwarded-For` entries are trusted (0: the socket's address). */
  trustProxy: number;
  /** Putting an app behind the sign-in: the reverse proxy, forward auth, identity headers and access rules. */
  protect: ProtectSettings;
  /** Hosts besides our own that `returnTo` and sign-out may send a browser to (ALLOWED_REDIRECT_HOSTS). */
  allowedRedirectHosts: readonly string[];
  /** Users, groups and attributes seeded into the local emulator (LOCAL_USERS_FILE). */
  localUsersFile: string | undefined;
  /** Requests allowed per client IP and per account in each window, counted before Cognito is called. */
  rateLimit: RateLimitSettings;
  signup: SignupSettings;
  /** The pool's password policy from configuration; undefined = read it with DescribeUserPool at start. */
  passwordPolicy: PasswordPolicy | undefined;
  signIn: {
    /** How the password is checked: sent (USER_PASSWORD_AUTH) or proved without sending it (USER_SRP_AUTH). */
    authFlow: AuthFlow;
    /**
     * Remembered devices (USER_SRP_AUTH only; `off` otherwise): `ask` offers "Trust this browser" after the second
     * factor, `always` trusts every browser that passed it, `off` never confirms a device.
     */
    rememberDevices: 'ask' | 'always' | 'off';
    /** How long a trusted browser skips the second factor (its device cookie's lifetime). */
    rememberDeviceDays: number;
    /** First factors offered besides the password (PASSWORDLESS): choice-based sign-in when any. */
    passwordless: readonly Passwordless[];
    /** With passwordless factors: the email first, then the way in; or every way on one page. */
    layout: 'email-first' | 'one-page';
    /** The pool's WebAuthn relying party id (WEBAUTHN_RELYING_PARTY_ID, else APP_BASE_URL's host). */
    relyingPartyId: string;
  };
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

/** A first factor without a password: a code by email or text message, or a passkey. */
export type Passwordless = 'email' | 'sms' | 'passkey';

export interface ProtectSettings {
  /** The app proxied for every path that is not ours (UPSTREAM_URL); undefined: no built-in proxy. */
  upstreamUrl: URL | undefined;
  /** How long the upstream may take to send its response headers (a streaming body is not cut off). */
  upstreamTimeoutMs: number;
  /** Where our own routes live: '' for `/`, else a prefix such as `/auth` (no trailing slash). */
  basePath: string;
  /** The access-rules file (JSON or YAML), reloaded when it changes; undefined: any signed-in user. */
  accessRulesFile: string | undefined;
  /** Send the Cognito access token to the app as `x-amzn-oidc-accesstoken`. */
  passAccessToken: boolean;
  /** PEM EC P-256 private keys that sign `x-amzn-oidc-data`, newest first (all are published). */
  identitySigningKeys: readonly string[];
  /** The `signer` of `x-amzn-oidc-data`, shaped like an ALB ARN; undefined: one derived from the region. */
  identitySigner: string | undefined;
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

/** Thrown when the environment is invalid; its message names every bad variable, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

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
          authFlow: e.AUTH_FLOW,
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
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
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
      cookieDomain: e.SESSION_COOKIE_DOMAIN?.replace(/^\./, '').toLowerCase(),
    },
    redis: e.SESSION_STORE === 'redis' ? redisSettingsFrom(e) : undefined,
    dynamodb: e.SESSION_STORE === 'dynamodb' ? dynamoDbSettingsFrom(e) : undefined,
    trustProxy: e.TRUST_PROXY,
    protect: {
      upstreamUrl: e.UPSTREAM_URL ? new URL(e.UPSTREAM_URL) : undefined,
      upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
      basePath: e.BASE_PATH.replace(/\/+$/, ''),
      accessRulesFile: e.ACCESS_RULES_FILE,
      passAccessToken: e.PASS_ACCESS_TOKEN,
      identitySigningKeys: pemsFromText(e.IDENTITY_SIGNING_KEYS ?? ''),
      identitySigner: e.IDENTITY_SIGNER_ARN,
    },
    allowedRedirectHosts: (e.ALLOWED_REDIRECT_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ''),
    localUsersFile: e.LOCAL_USERS_FILE,
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
    signIn: {
      authFlow: e.AUTH_FLOW,
      rememberDevices: e.AUTH_FLOW === 'USER_SRP_AUTH' ? e.REMEMBER_DEVICES : 'off',
      rememberDeviceDays: e.REMEMBER_DEVICE_DAYS,
      passwordless: [
        ...new Set(
          e.PASSWORDLESS.split(',')
            .map((m) => m.trim())
            .filter((m): m is Passwordless => m !== ''),
        ),
      ],
      layout: e.SIGN_IN_LAYOUT,
      relyingPartyId: e.WEBAUTHN_RELYING_PARTY_ID?.toLowerCase() ?? appBaseUrl.hostname,
    },
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

/** The Redis connection settings of a valid environment. */
function redisSettingsFrom(e: Env): RedisSettings {
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

/** The DynamoDB settings of a valid environment (cross-field.ts has made sure a region is known). */
function dynamoDbSettingsFrom(e: Env): DynamoDbSettings {
  return {
    region: dynamoDbRegion(e) ?? 'us-east-1',
    table: e.DYNAMODB_TABLE,
    rateLimitTable: e.DYNAMODB_RATE_LIMIT_TABLE,
    endpoint: e.DYNAMODB_ENDPOINT,
    timeoutMs: e.DYNAMODB_TIMEOUT_MS,
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
function passwordPolicyFrom(e: Env): PasswordPolicy | undefined {
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
