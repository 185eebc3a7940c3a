// An app to protect, for tests: it answers with what it received (headers included), and echoes WebSocket messages.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Bytes of the request body (counted, never kept). */
  bodyBytes: number;
}

export interface EchoUpstream {
  url: string;
  /** Every request, oldest first. */
  received: Received[];
  /** Headers of every WebSocket upgrade that reached it. */
  upgrades: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * Routes: anything else answers JSON of what it got and sets a cookie of its own; `/redirect` answers 302 to
 * `/landed`; `/slow?ms=N` waits before answering; `/events` streams three server-sent events, one every
 * `?every=N` ms (150 by default).
 */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const received: Received[] = [];
  const upgrades: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
    });
    // `x-echo-early: 1`: the headers go out at once, before the body is read (as an app streaming its answer
    // would), so a long upload is not held to the proxy's deadline for the response headers.
    const early = req.headers['x-echo-early'] === '1';
    if (early) res.writeHead(200, { 'content-type': 'application/json' }).flushHeaders();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://upstream');
      received.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, bodyBytes });
      if (early) {
        res.end(JSON.stringify({ method: req.method, url: req.url, bodyBytes }));
        return;
      }
      if (url.pathname === '/redirect') {
        res.writeHead(302, { location: '/landed' }).end();
        return;
      }
      if (url.pathname === '/slow') {
        setTimeout(() => res.end('slow'), Number(url.searchParams.get('ms') ?? 1000));
        return;
      }
      if (url.pathname.endsWith('/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        let n = 0;
        const timer = setInterval(
          () => {
            res.write(`data: ${n++}\n\n`);
            if (n === 3) {
              clearInterval(timer);
              res.end();
            }
          },
          Number(url.searchParams.get('every') ?? 150),
        );
        return;
      }
      res.setHeader('set-cookie', 'app_cookie=from-app; Path=/; HttpOnly');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyBytes }));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    upgrades.push(req.headers);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data: Buffer) => ws.send(`echo:${data.toString()}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    upgrades,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
