// The proxy without sign-in to compare ours with (the "bare Node proxy"): http-proxy-3, the common Node proxy
// library (the built-in proxy's engine until 6 December, and still its WebSocket path), to BENCH_UPSTREAM with a
// keep-alive agent and X-Forwarded-* headers, and nothing else. With BENCH_HEADERS
// (JSON), those headers are set on every request too (the identity headers ours sends, as fixed values).
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { serveParent } from '../lib/child.ts';

const target = process.env.BENCH_UPSTREAM;
if (!target) throw new Error('bare-proxy needs BENCH_UPSTREAM');
const headers = JSON.parse(process.env.BENCH_HEADERS ?? '{}') as Record<string, string>;
const proxy = createProxyServer({
  target,
  agent: new Agent({ keepAlive: true, maxSockets: 256 }),
  xfwd: true,
});
const server = createServer((req, res) =>
  proxy.web(req, res, { headers }, () => {
    res.statusCode = 502;
    res.end();
  }),
);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveParent({ type: 'ready', baseUrl: `http://127.0.0.1:${port}` });
});
