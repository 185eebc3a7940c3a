// Prometheus metrics: requests by route and status, and every Cognito call by operation and coarse outcome.
import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Logger } from './logger.ts';

/**
 * How a call to Cognito ended, as metrics say it: never the exception's name, which can tell who has an account
 * (UsernameExistsException on sign-up, UserNotFoundException on a resend). The name goes to the debug log.
 */
export type CallOutcome = 'ok' | 'refused' | 'throttled' | 'failed';

export const CALL_OUTCOMES: readonly CallOutcome[] = ['ok', 'refused', 'throttled', 'failed'];

/** Counts and times the answers of one route given outside Koa (`Metrics.recorder`). */
export type Recorder = (method: string, status: number, seconds: number) => void;

export interface Metrics {
  registry: Registry;
  /**
   * One Cognito call (an API operation such as InitiateAuth, or a hosted-UI endpoint such as oauth2/token):
   * `outcome` is `ok` or what went wrong (the exception's name), counted as a CallOutcome.
   */
  cognitoCall: (operation: string, outcome: string, seconds: number) => void;
  /** Counts and times every request, labelled by its route pattern (never the raw URL). */
  middleware(): Middleware;
  /** For requests answered outside Koa: counts and times the answers of one route (labels bound once each). */
  recorder(route: string): Recorder;
}

export interface MetricsOptions {
  /** Process-wide figures (CPU, memory, event loop); only the server's own process wants them. */
  processMetrics?: boolean;
  /** Where the precise outcome of a call goes (debug level), since the metrics only count it coarsely. */
  logger?: Logger;
}

/** Cognito's answers that the person asking caused: wrong credentials or code, a taken name, a refused password. */
const REFUSALS: ReadonlySet<string> = new Set([
  'NotAuthorizedException',
  'UserNotFoundException',
  'UserNotConfirmedException',
  'PasswordResetRequiredException',
  'UsernameExistsException',
  'AliasExistsException',
  'InvalidPasswordException',
  'PasswordHistoryPolicyViolationException',
  'CodeMismatchException',
  'ExpiredCodeException',
  'InvalidParameterException',
  'UserLambdaValidationException',
  'EnableSoftwareTokenMFAException',
  // The hosted UI's token endpoint: the authorization code was refused (expired, used, not ours).
  'invalid_grant',
  // A passkey the browser made that Cognito does not take (late, another origin or relying party, unsupported).
  'WebAuthnChallengeNotFoundException',
  'WebAuthnOriginNotAllowedException',
  'WebAuthnRelyingPartyMismatchException',
  'WebAuthnCredentialNotSupportedException',
  'WebAuthnClientMismatchException',
]);

/** A limit was reached: Cognito's request rate or a per-user limit on codes and attempts. */
const THROTTLES: ReadonlySet<string> = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'TooManyFailedAttemptsException',
]);

/**
 * Answers that the flows show exactly like a success, because all they say is whether an account exists (or is
 * confirmed): counted as `ok`, so a taken email and a free one, or a resend for nobody and for someone, count
 * the same. Everything else a client can learn from the page anyway.
 */
const SHOWN_AS_SUCCESS: Readonly<Record<string, ReadonlySet<string>>> = {
  SignUp: new Set(['UsernameExistsException', 'AliasExistsException']),
  ResendConfirmationCode: new Set(['UserNotFoundException', 'InvalidParameterException']),
  ForgotPassword: new Set(['UserNotFoundException', 'InvalidParameterException']),
};

/**
 * The outcome label of one call. Anything not known to be the caller's doing or a limit counts as `failed`
 * (outages, timeouts, our own misconfiguration, names never seen before), so the label set stays closed.
 */
export function callOutcome(operation: string, outcome: string): CallOutcome {
  if (outcome === 'ok' || SHOWN_AS_SUCCESS[operation]?.has(outcome)) return 'ok';
  if (THROTTLES.has(outcome)) return 'throttled';
  if (REFUSALS.has(outcome)) return 'refused';
  return 'failed';
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'login_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'login_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const calls = new Counter({
    name: 'login_cognito_calls_total',
    help: 'Calls to Cognito, by operation and outcome (ok, refused, throttled or failed)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const callDuration = new Histogram({
    name: 'login_cognito_call_duration_seconds',
    help: 'Time of one call to Cognito, by operation',
    labelNames: ['operation'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  return {
    registry,
    cognitoCall: (operation, outcome, seconds) => {
      const counted = callOutcome(operation, outcome);
      if (outcome !== 'ok') {
        options.logger?.debug({ operation, cognito: outcome, outcome: counted }, 'Cognito call not ok');
      }
      calls.inc({ operation, outcome: counted });
      callDuration.observe({ operation }, seconds);
    },
    recorder(route) {
      const bound = new Map<string, { counted: { inc(): void }; timed: { observe(v: number): void } }>();
      return (method, status, seconds) => {
        const key = `${method} ${status}`;
        let labels = bound.get(key);
        if (!labels) {
          labels = {
            counted: requests.labels({ method, route, status: String(status) }),
            timed: duration.labels({ method, route }),
          };
          bound.set(key, labels);
        }
        labels.counted.inc();
        labels.timed.observe(seconds);
      };
    },
    middleware() {
      return async function metrics(ctx, next) {
        const started = process.hrtime.bigint();
        try {
          await next();
        } finally {
          // The matched pattern (/account), not the path: unbounded label values would exhaust memory.
          const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
          requests.inc({ method: ctx.method, route, status: String(ctx.status) });
          duration.observe({ method: ctx.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
        }
      };
    },
  };
}
