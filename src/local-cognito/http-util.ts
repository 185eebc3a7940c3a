// Small HTTP helpers shared by the JSON protocol and the hosted UI: bounded body reading, responses, cookies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/** Largest request body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The body was larger than MAX_BODY_BYTES. */
export class TooLarge extends Error {}

/** The whole request body, refusing more than MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new TooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Sends a complete response, never cached. `extra` headers may be arrays (several Set-Cookie). */
export function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  extra: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'x-amzn-RequestId': randomUUID(),
    ...extra,
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  contentType = 'application/json',
  extra: Record<string, string | string[]> = {},
): void {
  send(res, status, JSON.stringify(value), contentType, extra);
}

/** The request's cookies by name (first value wins; undecodable values skipped). */
export function parseCookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // not ours
    }
  }
  return out;
}

/** Host names the emulator always answers to, on any port. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The host name of a Host header, lower-cased and without its port (`[::1]:9229` -> `[::1]`); undefined when it is
 * missing or malformed.
 */
export function hostNameOf(header: string | undefined): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[0-9a-z._-]+)(?::\d{1,5})?$/i.exec((header ?? '').trim());
  return match?.[1]?.toLowerCase();
}

/** LOCAL_COGNITO_ALLOWED_HOSTS: host names separated by commas (any port), e.g. `local-cognito`. */
export function allowedHostsFrom(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((h) => hostNameOf(h))
    .filter((h): h is string => h !== undefined);
}

/** True when the request says its body is JSON (`application/json`, parameters such as charset allowed). */
export function isJsonRequest(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}
