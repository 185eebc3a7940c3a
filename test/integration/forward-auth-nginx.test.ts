// nginx (auth_request) in front of an app, configured by examples/nginx/protected-app.conf, the file users copy:
// the real nginx on free loopback ports, our server at /auth behind it. Without nginx: fails in CI, skips elsewhere.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exampleSite, nginxMissing, startNginx } from '../helpers/nginx.ts';
import {
  forwardAuthSuite,
  startForwardAuthStack,
  type ForwardAuthStack,
} from '../helpers/forward-auth-suite.ts';

const skip = nginxMissing();
const startProxy = (ports: { port: number; loginPort: number; appPort: number }) =>
  startNginx(exampleSite(ports), ports.port);

forwardAuthSuite('nginx', skip, startProxy);

/** One raw HTTP/1.x request (a Host header no client library would send), the status line's code back. */
async function rawStatus(url: string, request: string): Promise<number> {
  const { hostname, port } = new URL(url);
  const answer = await new Promise<string>((resolve, reject) => {
    // Written without half-closing: nginx takes a client that shuts its side for one that went away (499).
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  assert.ok(status, `not an HTTP answer: ${answer.slice(0, 200)}`);
  return Number(status[1]);
}

describe('nginx: what only nginx lets through', { skip }, () => {
  let s: ForwardAuthStack;
  before(async () => {
    s = await startForwardAuthStack(startProxy);
  });
  after(async () => {
    await s?.stop();
  });

  test('a Host header that is no host name (a?, a#b, a\\b, none) cannot move the path the rules judge', async () => {
    const b = await s.signedIn();
    const cookie = b.cookieHeader();
    for (const host of ['a?', 'a#b', 'a\\b', `127.0.0.1?`]) {
      const status = await rawStatus(
        s.proxyUrl,
        `GET /admin/users HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(status, 403, `Host: ${host}`);
    }
    const noHost = await rawStatus(
      s.proxyUrl,
      `GET /admin/users HTTP/1.0\r\nAccept: application/json\r\nCookie: ${cookie}\r\n\r\n`,
    );
    assert.equal(noHost, 403, 'HTTP/1.0 without Host');
    assert.equal(s.reached('/admin').length, 0);
  });
});
