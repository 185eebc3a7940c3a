// What the built-in proxy sends the app and passes back (src/protect/upstream-headers.ts, through a real proxy):
// hop-by-hop headers stay on their hop, X-Forwarded-* say who asked, identity headers are ours alone, and the
// path the app gets is the one a URL parser reads.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { upstreamPath } from '../../src/protect/upstream-headers.ts';
import { startProxyFront, type ProxyFront } from '../helpers/proxy-front.ts';

/** The app: answers with what it received, and hop-by-hop headers of its own for the proxy to drop. */
const app: Server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('connection', 'keep-alive, x-app-hop');
    res.setHeader('keep-alive', 'timeout=77');
    res.setHeader('x-app-hop', 'for the proxy only');
    res.setHeader('set-cookie', ['app=1; Path=/', 'other=2; Path=/']);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, raw: req.rawHeaders }));
  });
});

let front: ProxyFront;
before(async () => {
  front = await startProxyFront(app, 2000, { headers: { 'x-auth-request-email': 'a@example.com' } });
});
after(() => front.close());

interface Seen {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  url: string;
  sent: Map<string, string[]>;
}

/** A raw request through the proxy (fetch would add and refuse headers of its own). */
function ask(path: string, headers: Record<string, string>): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = request(`${front.url}${path}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const seen = JSON.parse(body) as { url: string; raw: string[] };
        const sent = new Map<string, string[]>();
        for (let i = 0; i < seen.raw.length; i += 2) {
          const name = seen.raw[i]!.toLowerCase();
          sent.set(name, [...(sent.get(name) ?? []), seen.raw[i + 1]!]);
        }
        resolve({ status: res.statusCode!, headers: res.headers, url: seen.url, sent });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('hop-by-hop headers, and those a Connection header names, never reach the app; Host does', async () => {
  const seen = await ask('/hop', {
    connection: 'keep-alive, x-private, host',
    'keep-alive': 'timeout=99',
    'x-private': 'for the first hop',
    'proxy-authorization': 'Basic dXNlcjpwYXNz',
    te: 'trailers',
    host: 'app.example.com',
    'x-kept': 'yes',
  });
  assert.equal(seen.status, 200);
  for (const name of ['keep-alive', 'x-private', 'proxy-authorization', 'te']) {
    assert.equal(seen.sent.get(name), undefined, `${name} was forwarded`);
  }
  assert.notEqual(seen.sent.get('connection')?.[0], 'keep-alive, x-private, host');
  assert.deepEqual(seen.sent.get('host'), ['app.example.com']);
  assert.deepEqual(seen.sent.get('x-kept'), ['yes']);
});

test('X-Forwarded-For, -Port and -Proto add this hop to what came before; -Host is the first one', async () => {
  const fresh = await ask('/xf', { host: 'app.example.com:8443' });
  assert.deepEqual(fresh.sent.get('x-forwarded-for'), ['127.0.0.1']);
  assert.deepEqual(fresh.sent.get('x-forwarded-port'), ['8443']);
  assert.deepEqual(fresh.sent.get('x-forwarded-proto'), ['http']);
  assert.deepEqual(fresh.sent.get('x-forwarded-host'), ['app.example.com:8443']);
  const behind = await ask('/xf', {
    host: 'inner.example.com',
    'x-forwarded-for': '198.51.100.7',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'outer.example.com',
  });
  assert.deepEqual(behind.sent.get('x-forwarded-for'), ['198.51.100.7,127.0.0.1']);
  assert.deepEqual(behind.sent.get('x-forwarded-proto'), ['https,http']);
  assert.deepEqual(behind.sent.get('x-forwarded-port'), ['80']);
  assert.deepEqual(behind.sent.get('x-forwarded-host'), ['outer.example.com'], 'one value, not two');
});

test("identity headers are the proxy's alone, whatever the caller left on the request", async () => {
  const seen = await ask('/id', {
    'X-Auth-Request-Email': 'forged@example.com',
    'x-amzn-oidc-data': 'forged',
  });
  assert.deepEqual(seen.sent.get('x-auth-request-email'), ['a@example.com']);
  assert.equal(seen.sent.get('x-amzn-oidc-data'), undefined);
});

test("the app's hop-by-hop headers stay with the proxy; its cookies all reach the client", async () => {
  const seen = await ask('/back', {});
  assert.notEqual(seen.headers['keep-alive'], 'timeout=77', "the app's own, not our server's");
  assert.equal(seen.headers['x-app-hop'], undefined, 'named by its Connection header');
  assert.deepEqual(seen.headers['set-cookie'], ['app=1; Path=/', 'other=2; Path=/']);
  assert.equal(seen.headers['content-type'], 'application/json');
});

test('the app is asked for the path a URL parser reads, under the upstream URL path', async () => {
  assert.equal((await ask('/a/b/../c?x=1', {})).url, '/a/c?x=1');
  assert.equal((await ask('/a/%2e%2e/c', {})).url, '/c');
  const cases: [string, string, string][] = [
    ['/dashboard?tab=1', '/', '/dashboard?tab=1'],
    ['/static/app.js', '/', '/static/app.js'],
    ['/a/./b/../c', '/', '/a/c'],
    ['/a/%2E%2E/b', '/', '/b'],
    ['http://evil.example/x?y', '/', '/x?y'],
    ['//evil.example/x', '/', '/x'],
    ['/x', '/base/', '/base/x'],
    ['/x?q=1', '/base', '/base/x?q=1'],
    ['/q?a=<b>', '/', '/q?a=%3Cb%3E'],
    ['/é', '/', '/%C3%A9'],
  ];
  for (const [url, base, expected] of cases) assert.equal(upstreamPath(url, base), expected, url);
});
