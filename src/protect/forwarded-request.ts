// What the proxy in front says the original request was (forward auth), believed only as far as TRUST_PROXY says.
import type { IncomingHttpHeaders } from 'node:http';
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

/** A request header as one string ('' when absent). */
function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return value === undefined ? '' : Array.isArray(value) ? value.join(', ') : value;
}

/** The first value of a header a proxy may have sent as a list (`a, b`). */
function first(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = header(headers, name).split(',')[0]?.trim();
  return value === '' ? undefined : value;
}

/**
 * Reads `X-Forwarded-Method`, `-Proto`, `-Host`, `-Uri` (Caddy, Traefik, HAProxy, and our nginx example), or else
 * nginx's `X-Original-URL`. Undefined when the proxy is not trusted (TRUST_PROXY=0) or did not say what the request
 * was in a form we can read exactly: forward auth then refuses, since judging some other path than the one the app
 * will serve could pass a request the rules refuse (fail closed).
 */
export function forwardedRequest(
  headers: IncomingHttpHeaders,
  trusted: boolean,
): ForwardedRequest | undefined {
  if (!trusted) return undefined;
  const methodHeader = first(headers, 'x-forwarded-method') ?? first(headers, 'x-original-method');
  const method = methodHeader === undefined ? 'GET' : methodHeader.toUpperCase();
  if (!METHOD.test(method)) return undefined;
  // URIs may hold commas (in their query): taken whole, unlike the list-valued headers.
  const uri = header(headers, 'x-forwarded-uri');
  if (uri !== '') {
    if (uri.length > MAX_URI || !uri.startsWith('/') || uri.startsWith('//')) return undefined;
    const proto = first(headers, 'x-forwarded-proto')?.toLowerCase();
    const host = first(headers, 'x-forwarded-host');
    const origin = proto && host && PROTO.test(proto) && HOST.test(host) ? `${proto}://${host}` : undefined;
    return { method, url: uri, origin };
  }
  const original = header(headers, 'x-original-url');
  if (original === '' || original.length > MAX_URI) return undefined;
  // Only a URL that reads back exactly as it was written: a Host such as `a?` or `a#b` (which nginx passes on)
  // would move part of the path into the query or fragment, and the rules would judge another path.
  const match = /^(https?):\/\/([^/?#\\]+)(\/[^#]*)$/i.exec(original);
  if (!match || !HOST.test(match[2]!) || match[3]!.startsWith('//')) return undefined;
  return { method, url: match[3]!, origin: `${match[1]!.toLowerCase()}://${match[2]!}` };
}
