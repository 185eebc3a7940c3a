// A front server proxying every request to an app through the built-in proxy (createUpstreamProxy), as the fast path
// and the protect stack do: it answers the status itself when the proxy says the app failed before answering.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/logger.ts';
import {
  createUpstreamProxy,
  type UpstreamFailure,
  type UpstreamProxy,
} from '../../src/protect/upstream-proxy.ts';

export interface ProxyFront {
  proxy: UpstreamProxy;
  url: string;
  /** Closes the front, the proxy and the app. */
  close(): void;
}

/** Listens on a free loopback port; `told` hears what the proxy told of each request, and after how long. */
export async function startProxyFront(
  app: Server,
  headersTimeoutMs: number,
  options: {
    headers?: Readonly<Record<string, string>>;
    /** At most this many connections to the app (the proxy's default otherwise). */
    connections?: number;
    told?: (failure: UpstreamFailure | undefined, status: number, afterMs: number) => void;
  } = {},
): Promise<ProxyFront> {
  if (!app.listening) await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const proxy = createUpstreamProxy(
    {
      target: new URL(`http://127.0.0.1:${(app.address() as AddressInfo).port}`),
      headersTimeoutMs,
      connections: options.connections,
    },
    createLogger('silent'),
  );
  const front = createServer((req, res) => {
    const started = performance.now();
    proxy.web(req, res, options.headers ?? {}, (failure, status) => {
      options.told?.(failure, status, performance.now() - started);
      if (failure === undefined) return;
      res.statusCode = failure;
      res.end();
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return {
    proxy,
    url: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    close() {
      proxy.close();
      front.closeAllConnections();
      front.close();
      app.closeAllConnections();
      app.close();
    },
  };
}
