// Drives one URL with autocannon from this process (the servers run in their own) and checks every answer.
import autocannon from 'autocannon';
import { BROWSER_HEADERS } from './http-client.ts';
import { round } from './stats.ts';

export interface LoadResult {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  requests: number;
  /** Connection errors during the run (see `load`). */
  errors: number;
}

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

/**
 * A short warm-up (discarded), then the measured run; fails unless every answer was a 2xx and connection errors
 * (a keep-alive socket closed by one side as the other reuses it) stayed under one in a thousand requests.
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const run = (duration: number) =>
    autocannon({
      url: options.url,
      headers: { ...BROWSER_HEADERS, ...options.headers },
      connections: options.connections,
      duration,
    });
  if (options.warmupSeconds > 0) await run(options.warmupSeconds);
  const result = await run(options.seconds);
  if (result.errors > result['2xx'] / 1000 || result.non2xx > 0 || result['2xx'] === 0) {
    throw new Error(
      `${options.url}: ${result['2xx']} 2xx, ${result.non2xx} other statuses, ${result.errors} errors`,
    );
  }
  return {
    requestsPerSecond: round(result['2xx'] / result.duration, 0),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    requests: result['2xx'],
    errors: result.errors,
  };
}
