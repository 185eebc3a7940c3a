// Fetches a pool's JWKS from an emulator endpoint (plain http allowed): used only in local mode, never in production.
import type { Fetcher } from 'aws-jwt-verify/https';

/**
 * aws-jwt-verify asks for `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json`; this
 * fetcher serves the same path from the configured endpoint instead.
 */
export class EndpointJwksFetcher implements Fetcher {
  constructor(
    private readonly endpoint: string,
    private readonly timeoutMs: number,
  ) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    const { pathname } = new URL(uri);
    const res = await fetch(new URL(pathname, this.endpoint), {
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`JWKS fetch from ${this.endpoint} failed with HTTP ${res.status}`);
    return res.arrayBuffer();
  }
}
