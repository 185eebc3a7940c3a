// What the built-in proxy sends the app and passes back: the request's path and headers without the hop-by-hop ones,
// with X-Forwarded-* and the identity headers; the app's response headers without the hop-by-hop ones, with a
// session cookie we refreshed beside the app's own.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isIdentityHeaderName } from '../identity/identity-headers.ts';

/**
 * Headers of one connection, never forwarded (RFC 9110 7.6.1), with those a client may not hand a proxy's next hop:
 * `Expect` (Node answered the 100-continue already), `Proxy-Authorization` (credentials for a proxy, not the app).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'http2-settings',
]);
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'x-forwarded-host']);

/** The usual `Connection` values, which name nothing beyond the hop-by-hop headers dropped anyway. */
const PLAIN_CONNECTION = new Set(['keep-alive', 'close']);

/**
 * The names a `Connection` header lists that are not dropped anyway: hop-by-hop too (never `host`, which the app
 * needs). Undefined for the usual `keep-alive` or `close`, so most requests and answers build no set.
 */
function nominated(connection: string | string[] | undefined): Set<string> | undefined {
  if (
    connection === undefined ||
    (typeof connection === 'string' && PLAIN_CONNECTION.has(connection.toLowerCase()))
  )
    return undefined;
  const names = new Set<string>();
  for (const value of Array.isArray(connection) ? connection : [connection]) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && name !== 'host' && !HOP_BY_HOP.has(name)) names.add(name);
    }
  }
  return names.size > 0 ? names : undefined;
}

/**
 * A path and query a URL parser leaves as they are: RFC 3986 characters only, no `%` in the path, no `//`, and (tested
 * apart) no `.` or `..` segment. Anything else is read by the parser.
 */
const PLAIN_TARGET =
  /^\/(?!\/)(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|\/(?!\/))*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*)?$/;
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|\?|$)/;

/**
 * The path and query to ask the app for: under the upstream URL's own path, if it has one, and read the way a URL
 * parser reads it (dot segments resolved, an absolute-form request reduced to its path, characters percent-encoded
 * as a browser would), as the proxy has always sent it.
 */
export function upstreamPath(url: string, base: string): string {
  let target = url;
  if (!PLAIN_TARGET.test(url) || DOT_SEGMENT.test(url)) {
    const parsed = new URL(url, 'http://upstream.invalid');
    target = `${parsed.pathname}${parsed.search}`;
  }
  return base === '/' ? target : `${base.replace(/\/$/, '')}${target}`;
}

/**
 * The headers sent to the app, as a flat list of names and values: the client's own (case and order kept) without
 * hop-by-hop ones, any client copy of an identity header or of `X-Forwarded-*`, then X-Forwarded-For, -Port and
 * -Proto with this hop appended to what an earlier proxy said, X-Forwarded-Host, and `identity`.
 */
export function upstreamHeaders(req: IncomingMessage, identity: Readonly<Record<string, string>>): string[] {
  const raw = req.rawHeaders;
  const headers = req.headers;
  const dropped = nominated(headers.connection);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || FORWARDED.has(lower) || dropped?.has(lower)) continue;
    // Identity headers are ours alone (the fast path scrubbed the client's already; this holds for every caller).
    if ((name.charCodeAt(0) | 0x20) === 0x78 && isIdentityHeaderName(name)) continue;
    out.push(name, raw[i + 1]!);
  }
  const encrypted = (req.socket as TLSSocket).encrypted === true;
  const host = headers.host ?? '';
  const port = /:(\d+)$/.exec(host)?.[1] ?? (encrypted ? '443' : '80');
  out.push(
    'x-forwarded-for',
    appended(headers['x-forwarded-for'], req.socket.remoteAddress ?? ''),
    'x-forwarded-port',
    appended(headers['x-forwarded-port'], port),
    'x-forwarded-proto',
    appended(headers['x-forwarded-proto'], encrypted ? 'https' : 'http'),
    'x-forwarded-host',
    one(headers['x-forwarded-host']) ?? host,
  );
  for (const name in identity) out.push(name, identity[name]!);
  return out;
}

function appended(earlier: string | string[] | undefined, value: string): string {
  const before = one(earlier);
  return before ? `${before},${value}` : value;
}

/** Node joins repeated custom headers already; the type allows a list. */
function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The app's response headers for our client: without hop-by-hop ones (Node frames the body for its own connection),
 * and with `ours`, a session cookie we refreshed for this request, before the app's own cookies, never instead.
 */
export function clientHeaders(
  headers: IncomingHttpHeaders,
  ours: string | number | string[] | undefined,
): OutgoingHttpHeaders {
  const dropped = nominated(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || dropped?.has(name)) continue;
    out[name] = headers[name];
  }
  if (ours !== undefined) {
    const theirs = headers['set-cookie'] ?? [];
    out['set-cookie'] = [...(Array.isArray(ours) ? ours : [String(ours)]), ...theirs];
  }
  return out;
}
