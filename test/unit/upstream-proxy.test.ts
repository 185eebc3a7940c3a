// The built-in proxy's connections to the app: a kept-alive connection the app has just closed is not a 502.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { startProxyFront, type ProxyFront } from '../helpers/proxy-front.ts';

/**
 * The app: answers each connection's first request and, when `dropReused` says so, closes the connection on any
 * later one without a word, as an app does whose idle timeout ends a kept-alive connection just as it is reused.
 */
let dropReused = true;
let dropFirst = false;
const requests: { method: string; reused: boolean }[] = [];
const served = new WeakMap<Socket, number>();
const app: Server = createServer((req, res) => {
  const n = (served.get(req.socket) ?? 0) + 1;
  served.set(req.socket, n);
  requests.push({ method: req.method!, reused: n > 1 });
  req.resume();
  req.on('end', () => {
    if ((n > 1 && dropReused) || (n === 1 && dropFirst)) return req.socket.destroy();
    res.end(`hello ${req.method}`);
  });
});

let front: ProxyFront;
let url = '';

before(async () => {
  front = await startProxyFront(app, 2000);
  url = front.url;
});
after(() => front.close());
beforeEach(() => {
  requests.length = 0;
  dropReused = true;
  dropFirst = false;
});

/** Opens a kept-alive connection to the app through the proxy (the app answers a connection's first request). */
async function warm(): Promise<void> {
  dropReused = false;
  const res = await fetch(url);
  assert.equal(res.status, 200);
  await res.text();
  dropReused = true;
  requests.length = 0;
}

test('a GET on a kept-alive connection the app just closed is sent again on a new one', async () => {
  await warm();
  for (const method of ['GET', 'HEAD', 'OPTIONS']) {
    const res = await fetch(url, { method });
    assert.equal(res.status, 200, method);
    if (method === 'GET') assert.equal(await res.text(), 'hello GET');
    else await res.arrayBuffer();
    dropReused = false;
    await warm();
  }
  assert.deepEqual(requests, []);
});

test('sent again once only, and only on the reused connection: the app dropping a new one is a 502', async () => {
  await warm();
  dropFirst = true;
  const res = await fetch(url);
  assert.equal(res.status, 502);
  assert.deepEqual(
    requests.map((r) => r.reused),
    [true, false],
    'the reused connection, then one new one, then no more',
  );
});

test('a request with a body is never sent twice: a dropped POST is a 502', async () => {
  await warm();
  const res = await fetch(url, { method: 'POST', body: 'x=1', headers: { 'content-type': 'text/plain' } });
  assert.equal(res.status, 502);
  assert.deepEqual(requests, [{ method: 'POST', reused: true }]);
});
