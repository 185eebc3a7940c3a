// The built-in proxy's engine without sign-in: undici's pool of kept-alive connections to BENCH_UPSTREAM (as the
// built-in proxy configures it), the client's headers passed on without the hop-by-hop ones and with X-Forwarded-*,
// and nothing else. It shows what is left of the built-in proxy's cost once the engine is the same.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { serveParent } from '../lib/child.ts';

const target = process.env.BENCH_UPSTREAM;
if (!target) throw new Error('bare-undici-proxy needs BENCH_UPSTREAM');
const pool = new Pool(target, { connections: 256, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

const server = createServer((req, res) => {
  const headers: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) headers.push(raw[i]!, raw[i + 1]!);
  }
  headers.push('x-forwarded-for', req.socket.remoteAddress ?? '', 'x-forwarded-proto', 'http');
  const handler: Dispatcher.DispatchHandler = {
    // undici takes a handler with onRequestStart for one of its current API.
    onRequestStart() {},
    onResponseStart(_controller, statusCode, answer) {
      const out: Record<string, string | string[] | undefined> = {};
      for (const name in answer) if (!HOP_BY_HOP.has(name)) out[name] = answer[name];
      res.writeHead(statusCode, out);
    },
    onResponseData(controller, chunk) {
      if (!res.write(chunk)) {
        controller.pause();
        res.once('drain', () => controller.resume());
      }
    },
    onResponseEnd: () => void res.end(),
    onResponseError() {
      if (res.headersSent) return void res.destroy();
      res.statusCode = 502;
      res.end();
    },
  };
  const body = req.method === 'GET' || req.method === 'HEAD' ? null : req;
  pool.dispatch(
    { origin: target, path: req.url ?? '/', method: req.method as Dispatcher.HttpMethod, headers, body },
    handler,
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveParent({ type: 'ready', baseUrl: `http://127.0.0.1:${port}` });
});
