// The one table that turns Cognito's exceptions into the project's own error codes.

/** What went wrong, in the project's words; flows branch on these, never on SDK exception names. */
export type AuthErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_LOCKED'
  | 'ACCOUNT_DISABLED'
  | 'SESSION_EXPIRED'
  | 'TOKEN_REVOKED'
  | 'MISCONFIGURED'
  | 'USER_NOT_CONFIRMED'
  | 'PASSWORD_RESET_REQUIRED'
  | 'USERNAME_EXISTS'
  | 'ALIAS_EXISTS'
  | 'INVALID_PASSWORD'
  | 'PASSWORD_REUSED'
  | 'CODE_MISMATCH'
  | 'CODE_EXPIRED'
  | 'TOO_MANY_ATTEMPTS'
  | 'THROTTLED'
  | 'CODE_DELIVERY_FAILED'
  | 'INVALID_PARAMETER'
  | 'LAMBDA_VALIDATION'
  | 'MFA_SETUP_CODE_MISMATCH'
  | 'SERVICE_UNAVAILABLE'
  | 'UNEXPECTED_RESPONSE'
  /** The hosted UI's token endpoint refused the code (invalid_grant and the like). */
  | 'OAUTH_REFUSED'
  | 'PASSKEY_REFUSED';

export const AUTH_ERROR_CODES: readonly AuthErrorCode[] = [
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'SESSION_EXPIRED',
  'TOKEN_REVOKED',
  'MISCONFIGURED',
  'USER_NOT_CONFIRMED',
  'PASSWORD_RESET_REQUIRED',
  'USERNAME_EXISTS',
  'ALIAS_EXISTS',
  'INVALID_PASSWORD',
  'PASSWORD_REUSED',
  'CODE_MISMATCH',
  'CODE_EXPIRED',
  'TOO_MANY_ATTEMPTS',
  'THROTTLED',
  'CODE_DELIVERY_FAILED',
  'INVALID_PARAMETER',
  'LAMBDA_VALIDATION',
  'MFA_SETUP_CODE_MISMATCH',
  'SERVICE_UNAVAILABLE',
  'UNEXPECTED_RESPONSE',
  'OAUTH_REFUSED',
  'PASSKEY_REFUSED',
];

/**
 * What a client sees for a code, decided here and nowhere else: the HTTP status, and whether the page may say
 * what went wrong (`expose`: a message on the form, which the user can act on) or the request ends on the generic
 * error page (an outage, our own misconfiguration); `retryAfterSeconds` goes out as Retry-After.
 */
export interface ErrorOutcome {
  status: 400 | 401 | 403 | 429 | 500 | 503;
  expose: boolean;
  retryAfterSeconds?: number;
}

const form = (status: ErrorOutcome['status']): ErrorOutcome => ({ status, expose: true });
const page = (status: ErrorOutcome['status'], retryAfterSeconds?: number): ErrorOutcome => ({
  status,
  expose: false,
  retryAfterSeconds,
});

export const AUTH_ERROR_OUTCOMES: Readonly<Record<AuthErrorCode, ErrorOutcome>> = {
  INVALID_CREDENTIALS: form(401),
  ACCOUNT_LOCKED: form(429),
  ACCOUNT_DISABLED: form(403),
  SESSION_EXPIRED: form(400),
  TOKEN_REVOKED: form(401),
  USER_NOT_CONFIRMED: form(400),
  PASSWORD_RESET_REQUIRED: form(400),
  USERNAME_EXISTS: form(400),
  ALIAS_EXISTS: form(400),
  INVALID_PASSWORD: form(400),
  PASSWORD_REUSED: form(400),
  CODE_MISMATCH: form(400),
  CODE_EXPIRED: form(400),
  TOO_MANY_ATTEMPTS: form(429),
  CODE_DELIVERY_FAILED: form(400),
  INVALID_PARAMETER: form(400),
  LAMBDA_VALIDATION: form(400),
  MFA_SETUP_CODE_MISMATCH: form(400),
  OAUTH_REFUSED: form(400),
  // A passkey the browser made that Cognito does not take (late, another origin or relying party, unsupported).
  PASSKEY_REFUSED: form(400),
  // Nothing the user can fix: logged loudly, a generic page.
  MISCONFIGURED: page(500),
  // Cognito busy, down or answering nonsense: try again shortly.
  THROTTLED: page(429, 5),
  SERVICE_UNAVAILABLE: page(503, 5),
  UNEXPECTED_RESPONSE: page(503, 5),
};

/** An error from Cognito (or the way to it), already translated. `detail` is for logs, never for pages. */
export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    /** Cognito's exception name, when there was one. */
    readonly cognitoName?: string,
    /** A message safe to show the user verbatim (only the text of a Lambda trigger's validation). */
    readonly userText?: string,
    /** Cognito's own message, to tell cases apart (which password rule, which parameter); never shown as is. */
    readonly cognitoMessage?: string,
  ) {
    super(cognitoName ? `${code} (${cognitoName})` : code);
    this.name = 'AuthError';
  }

  /** The status a client gets for this error (see AUTH_ERROR_OUTCOMES). */
  get status(): ErrorOutcome['status'] {
    return AUTH_ERROR_OUTCOMES[this.code].status;
  }

  /** True when a form may show this error's message; false: the generic error page. */
  get expose(): boolean {
    return AUTH_ERROR_OUTCOMES[this.code].expose;
  }

  get retryAfterSeconds(): number | undefined {
    return AUTH_ERROR_OUTCOMES[this.code].retryAfterSeconds;
  }
}

/** NotAuthorizedException means several things; Cognito tells them apart only by message. */
function notAuthorized(message: string): AuthErrorCode {
  if (/password attempts exceeded/i.test(message)) return 'ACCOUNT_LOCKED';
  if (/user is disabled/i.test(message)) return 'ACCOUNT_DISABLED';
  if (/secret hash|SECRET_HASH|client secret/i.test(message)) return 'MISCONFIGURED';
  if (/session is expired|invalid session/i.test(message)) return 'SESSION_EXPIRED';
  if (/has been revoked|refresh token has expired|invalid refresh token/i.test(message))
    return 'TOKEN_REVOKED';
  if (/access token has expired|invalid access token/i.test(message)) return 'TOKEN_REVOKED';
  if (/flow not enabled|not authorized to perform/i.test(message)) return 'MISCONFIGURED';
  return 'INVALID_CREDENTIALS';
}

/** Exception name -> project code. Messages disambiguate where Cognito reuses one name. */
export const COGNITO_ERROR_TABLE: Readonly<
  Record<string, AuthErrorCode | ((message: string) => AuthErrorCode)>
> = {
  NotAuthorizedException: notAuthorized,
  UserNotFoundException: 'INVALID_CREDENTIALS',
  UserNotConfirmedException: 'USER_NOT_CONFIRMED',
  PasswordResetRequiredException: 'PASSWORD_RESET_REQUIRED',
  UsernameExistsException: 'USERNAME_EXISTS',
  AliasExistsException: 'ALIAS_EXISTS',
  InvalidPasswordException: 'INVALID_PASSWORD',
  PasswordHistoryPolicyViolationException: 'PASSWORD_REUSED',
  CodeMismatchException: 'CODE_MISMATCH',
  ExpiredCodeException: 'CODE_EXPIRED',
  TooManyFailedAttemptsException: 'TOO_MANY_ATTEMPTS',
  LimitExceededException: 'TOO_MANY_ATTEMPTS',
  TooManyRequestsException: 'THROTTLED',
  CodeDeliveryFailureException: 'CODE_DELIVERY_FAILED',
  InvalidParameterException: 'INVALID_PARAMETER',
  UserLambdaValidationException: 'LAMBDA_VALIDATION',
  EnableSoftwareTokenMFAException: 'MFA_SETUP_CODE_MISMATCH',
  InternalErrorException: 'SERVICE_UNAVAILABLE',
  // The client or pool is set up wrongly: nothing the user can fix.
  ResourceNotFoundException: 'MISCONFIGURED',
  WebAuthnChallengeNotFoundException: 'PASSKEY_REFUSED',
  WebAuthnOriginNotAllowedException: 'PASSKEY_REFUSED',
  WebAuthnRelyingPartyMismatchException: 'PASSKEY_REFUSED',
  WebAuthnCredentialNotSupportedException: 'PASSKEY_REFUSED',
  WebAuthnClientMismatchException: 'PASSKEY_REFUSED',
  WebAuthnNotEnabledException: 'MISCONFIGURED',
  WebAuthnConfigurationMissingException: 'MISCONFIGURED',
  InvalidUserPoolConfigurationException: 'MISCONFIGURED',
  InvalidLambdaResponseException: 'MISCONFIGURED',
  UnexpectedLambdaException: 'MISCONFIGURED',
  InvalidSmsRoleAccessPolicyException: 'CODE_DELIVERY_FAILED',
  InvalidSmsRoleTrustRelationshipException: 'CODE_DELIVERY_FAILED',
  InvalidEmailRoleAccessPolicyException: 'CODE_DELIVERY_FAILED',
  UnauthorizedException: 'MISCONFIGURED',
  UnsupportedOperationException: 'MISCONFIGURED',
  UnsupportedTokenTypeException: 'MISCONFIGURED',
  ForbiddenException: 'MISCONFIGURED',
  SoftwareTokenMFANotFoundException: 'MISCONFIGURED',
  MFAMethodNotFoundException: 'MISCONFIGURED',
};

/**
 * Where one exception means something else for one operation, by operation name (the command without `Command`).
 * Sign-in: a pool whose settings leak them may answer InvalidPasswordException or UserNotFoundException where it
 * should say NotAuthorizedException; both are the one wrong-credentials answer, never "the password breaks a rule"
 * (which sign-up, password reset and the new-password challenge mean by INVALID_PASSWORD, and show as such).
 */
export const OPERATION_OVERRIDES: Readonly<Record<string, Readonly<Record<string, AuthErrorCode>>>> = {
  InitiateAuth: {
    InvalidPasswordException: 'INVALID_CREDENTIALS',
    UserNotFoundException: 'INVALID_CREDENTIALS',
  },
};

/** Names of network-level failures and SDK timeouts: Cognito could not be reached in time. */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Turns anything a Cognito call threw into an AuthError. `operation` (InitiateAuth, SignUp, ...: the command's
 * name without `Command`) picks that operation's overrides (OPERATION_OVERRIDES) before the common table.
 */
export function toAuthError(err: unknown, operation?: string): AuthError {
  if (err instanceof AuthError) return err;
  const e = (err ?? {}) as { name?: unknown; message?: unknown; code?: unknown; $metadata?: unknown };
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const override = operation === undefined ? undefined : own(own(OPERATION_OVERRIDES, operation) ?? {}, name);
  if (override !== undefined) return new AuthError(override, name, undefined, message);
  const entry = own(COGNITO_ERROR_TABLE, name);
  if (entry !== undefined) {
    const code = typeof entry === 'function' ? entry(message) : entry;
    return new AuthError(code, name, code === 'LAMBDA_VALIDATION' ? lambdaText(message) : undefined, message);
  }
  const status = (e.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode;
  if (UNAVAILABLE_NAMES.has(name) || (typeof e.code === 'string' && UNAVAILABLE_NAMES.has(e.code))) {
    // The message names which deadline or failure it was (connection, response, DNS): for the log only.
    return new AuthError('SERVICE_UNAVAILABLE', name || String(e.code), undefined, message);
  }
  if (status !== undefined && status >= 500) return new AuthError('SERVICE_UNAVAILABLE', name);
  // Unknown exception names (a new Cognito error, a proxy's HTML page): treat as an outage, fail closed.
  return new AuthError('SERVICE_UNAVAILABLE', name || 'unknown');
}

/** `table[key]` when the table itself has it (an exception named `constructor` finds nothing). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** "PreSignUp failed with error Your domain is not allowed." -> "Your domain is not allowed." */
function lambdaText(message: string): string {
  return message.replace(/^\w+ failed with error\s*/i, '').trim();
}
