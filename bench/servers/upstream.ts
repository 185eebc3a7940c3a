// The app behind the proxies: a bare Node.js server answering every GET with the same small HTML page.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveParent } from '../lib/child.ts';

/** About what a small dashboard's first response is: 1 KB of HTML. */
const BODY = `<!doctype html><title>app</title><p>${'hello '.repeat(165)}</p>`;

const server = createServer((req, res) => {
  // Drain any body, then answer; keep-alive as Node's default.
  req.resume();
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(BODY),
  });
  res.end(BODY);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveParent({ type: 'ready', baseUrl: `http://127.0.0.1:${port}` });
});
