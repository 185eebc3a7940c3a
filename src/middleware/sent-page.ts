// What a response sent, read as it ends: for the answers kept and given again before Koa (first-visit.ts, the
// account page's kept copy), which must send exactly what Koa sent.
import type { ServerResponse } from 'node:http';

/** A response as it went out: its status, its headers (names in lower case) and its body as text. */
export interface SentPage {
  status: number;
  headers: ReturnType<ServerResponse['getHeaders']>;
  body: string;
}

/** Calls `seen` with the response once its body is handed to `end` (a body given as text only: a page). */
export function whenSent(res: ServerResponse, seen: (page: SentPage) => void): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = function sent(...args: unknown[]) {
    const body = args[0];
    if (typeof body === 'string') seen({ status: res.statusCode, headers: res.getHeaders(), body });
    return end(...args);
  } as ServerResponse['end'];
}

/** The headers as the raw list `writeHead` takes (name, value, ...), each Set-Cookie line an entry of its own. */
export function rawHeaders(headers: SentPage['headers']): string[] {
  const raw: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) raw.push(name, String(one));
  }
  return raw;
}
