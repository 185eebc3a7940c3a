// Prometheus metrics: requests by route and status, and every Cognito call by operation and outcome.
import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** One Cognito call (an API operation such as InitiateAuth, or a hosted-UI endpoint such as oauth2/token). */
  cognitoCall: (operation: string, outcome: string, seconds: number) => void;
  /** Counts and times every request, labelled by its route pattern (never the raw URL). */
  middleware(): Middleware;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
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
    help: 'Calls to Cognito, by operation and outcome (ok, or the exception name)',
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
      calls.inc({ operation, outcome });
      callDuration.observe({ operation }, seconds);
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
