// The environment as zod reads it: every variable, its type, range and default, and the message when it is wrong.
import { z } from 'zod';

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

export const envSchema = z.object({
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
  // /metrics on a listener of its own, on loopback unless METRICS_HOST says otherwise (0.0.0.0 for a container).
  METRICS_PORT: optional.pipe(z.coerce.number<string | undefined>().int().min(1).max(65535).optional()),
  METRICS_HOST: optional.pipe(
    z
      .string()
      .regex(/^[0-9A-Za-z.:-]+$/, 'must be an address to listen on, e.g. 127.0.0.1 or 0.0.0.0')
      .optional(),
  ),
  LOGIN_MODE: optional.pipe(z.enum(['auto', 'forms', 'hosted']).optional().default('auto')),
  // USER_PASSWORD_AUTH sends the password to Cognito over TLS; USER_SRP_AUTH proves it without sending it (SRP-6a),
  // and is what remembered devices need.
  AUTH_FLOW: optional.pipe(
    z
      .enum(['USER_PASSWORD_AUTH', 'USER_SRP_AUTH'], {
        error: 'must be USER_PASSWORD_AUTH or USER_SRP_AUTH (the app client must allow the one chosen)',
      })
      .optional()
      .default('USER_PASSWORD_AUTH'),
  ),
  // Remembered devices (pools with device tracking, USER_SRP_AUTH): `ask` offers "Trust this browser" on the code
  // page, `always` trusts every browser after its second factor, `off` never confirms a device.
  REMEMBER_DEVICES: optional.pipe(
    z.enum(['ask', 'always', 'off'], { error: 'must be ask, always or off' }).optional().default('ask'),
  ),
  REMEMBER_DEVICE_DAYS: int(30, 1, 365),
  // Choice-based sign-in (USER_AUTH): the first factors offered besides the password. Empty: password only.
  PASSWORDLESS: optional.pipe(
    z
      .string()
      .regex(
        /^\s*((email|sms|passkey)\s*(,\s*(email|sms|passkey)\s*)*)?$/,
        'must be a comma-separated list of email, sms, passkey (or empty)',
      )
      .optional()
      .default(''),
  ),
  // The pool's WebAuthn relying party id (its WebAuthnConfiguration), when it is not APP_BASE_URL's host.
  WEBAUTHN_RELYING_PARTY_ID: optional.pipe(
    z
      .string()
      .regex(
        /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i,
        'must be a domain name, e.g. example.com',
      )
      .optional(),
  ),
  // With PASSWORDLESS: the sign-in page asks for the email first, then the way in (`email-first`), or offers
  // every way on one page (`one-page`).
  SIGN_IN_LAYOUT: optional.pipe(
    z
      .enum(['email-first', 'one-page'], { error: 'must be email-first or one-page' })
      .optional()
      .default('email-first'),
  ),
  SESSION_KEYS: optional,
  SESSION_STORE: optional.pipe(
    z
      .enum(['memory', 'redis', 'dynamodb'], {
        error: 'must be memory (one process), dynamodb or redis (several instances; dynamodb in Lambda too)',
      })
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
  DYNAMODB_TABLE: optional.pipe(
    z
      .string()
      .regex(/^[\w.-]{3,255}$/, 'must be a DynamoDB table name (3-255 letters, digits, _ . -)')
      .optional()
      .default('cognito-login-sessions'),
  ),
  DYNAMODB_RATE_LIMIT_TABLE: optional.pipe(
    z
      .string()
      .regex(/^[\w.-]{3,255}$/, 'must be a DynamoDB table name (3-255 letters, digits, _ . -)')
      .optional()
      .default('cognito-login-rate-limits'),
  ),
  DYNAMODB_REGION: optional.pipe(
    z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')
      .optional(),
  ),
  DYNAMODB_ENDPOINT: optional.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ),
  DYNAMODB_TIMEOUT_MS: int(2000, 100, 30_000),
  // Set by the Lambda runtime and by most AWS setups: DynamoDB's region when DYNAMODB_REGION is not set.
  AWS_REGION: optional,
  AWS_DEFAULT_REGION: optional,
  TRUST_PROXY: int(0, 0, 10),
  // --- Protecting apps: the built-in reverse proxy, forward auth, identity headers, access rules
  UPSTREAM_URL: optional.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: 'must be the http(s) URL of the app to protect, e.g. http://127.0.0.1:8501',
      })
      .optional(),
  ),
  UPSTREAM_TIMEOUT_MS: int(30_000, 100, 600_000),
  BASE_PATH: optional.pipe(
    z
      .string()
      .regex(
        /^\/(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*\/?)?$/,
        'must be a path such as /auth (letters, digits and . _ ~ - between slashes)',
      )
      .optional()
      .default('/'),
  ),
  ACCESS_RULES_FILE: optional,
  ALLOWED_REDIRECT_HOSTS: optional.pipe(
    z
      .string()
      .regex(
        /^\s*(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?\s*(?:,\s*(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?\s*)*$/,
        'must be host names separated by commas, exact (app.example.com) or one level of wildcard (*.example.com)',
      )
      .optional(),
  ),
  SESSION_COOKIE_DOMAIN: optional.pipe(
    z
      .string()
      .regex(
        /^\.?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/,
        'must be a domain such as example.com (the session cookie is then sent to its subdomains)',
      )
      .optional(),
  ),
  PASS_ACCESS_TOKEN: bool(false),
  IDENTITY_SIGNING_KEYS: optional,
  IDENTITY_SIGNER_ARN: optional.pipe(
    z
      .string()
      .regex(
        /^arn:aws(?:-cn|-us-gov)?:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[A-Za-z0-9]{1,32}$/,
        'must be shaped like an ALB ARN: arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>',
      )
      .optional(),
  ),
  LOCAL_USERS_FILE: optional,
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

/**
 * The secrets that may also come from AWS at start (config/secret-sources.ts): `<NAME>_SECRET_ARN` (Secrets
 * Manager) or `<NAME>_PARAMETER` (SSM Parameter Store) instead of `<NAME>`.
 */
export const SECRET_VARIABLES = [
  'COGNITO_CLIENT_SECRET',
  'SESSION_KEYS',
  'IDENTITY_SIGNING_KEYS',
  'METRICS_TOKEN',
] as const;

/** Every environment variable the server reads (docker-compose.yml is checked against it). */
export const ENV_VARIABLES: readonly string[] = [
  ...Object.keys(envSchema.shape),
  ...SECRET_VARIABLES.flatMap((name) => [`${name}_SECRET_ARN`, `${name}_PARAMETER`]),
];

/** A valid environment, as the schema returns it. */
export type Env = z.infer<typeof envSchema>;
