// What the proxy in front says the original request was (forward auth), believed only as far as TRUST_PROXY says.
import type { Context } from 'koa';
import type { GuardedRequest } from './gate.ts';

/** The original request: method and path, and its origin when the proxy named it (for the way back after sign-in). */
export interface ForwardedRequest extends GuardedRequest {
  /** `https://app.example.com`, or undefined when the proxy did not say (or is not trusted). */
  origin: string | undefined;
}

const METHOD = /^[A-Z]{1,16}$/;
const PROTO = /^https?$/;
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;
const MAX_URI = 8192;

/** The first value of a header a proxy may have sent as a list (`a, b`). */
function first(ctx: Context, name: string): string | undefined {
  const value = ctx.get(name).split(',')[0]?.trim();
  return value === '' ? undefined : value;
}

/**
 * Reads `X-Forwarded-Method`, `-Proto`, `-Host`, `-Uri` (Caddy, Traefik, HAProxy) or nginx's `X-Original-URL`.
 * Untrusted (TRUST_PROXY=0) or malformed values are ignored: the request is then judged as a GET of `/`, so a
 * path-based public rule can never be claimed by a header nobody vouches for.
 */
export function forwardedRequest(ctx: Context, trusted: boolean): ForwardedRequest {
  const fallback: ForwardedRequest = { method: 'GET', url: '/', origin: undefined };
  if (!trusted) return fallback;
  const methodHeader = first(ctx, 'x-forwarded-method') ?? first(ctx, 'x-original-method');
  const method = methodHeader && METHOD.test(methodHeader.toUpperCase()) ? methodHeader.toUpperCase() : 'GET';
  // URIs may hold commas (in their query): taken whole, unlike the list-valued headers.
  const original = ctx.get('x-original-url').trim() || undefined;
  if (original && original.length <= MAX_URI) {
    try {
      const url = new URL(original);
      if (url.protocol === 'http:' || url.protocol === 'https:') {
        return { method, url: url.pathname + url.search, origin: url.origin };
      }
    } catch {
      // A path rather than a URL (some nginx set-ups): read it as one below.
      if (original.startsWith('/') && !original.startsWith('//'))
        return { method, url: original, origin: undefined };
    }
  }
  const uri = ctx.get('x-forwarded-uri').trim() || undefined;
  if (!uri || uri.length > MAX_URI || !uri.startsWith('/')) return { ...fallback, method };
  const proto = first(ctx, 'x-forwarded-proto')?.toLowerCase();
  const host = first(ctx, 'x-forwarded-host');
  const origin = proto && host && PROTO.test(proto) && HOST.test(host) ? `${proto}://${host}` : undefined;
  return { method, url: uri, origin };
}
