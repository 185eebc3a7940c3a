// Identity headers: a client's copies never survive, and no value of ours can split or break a header.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  encodeHeaderValue,
  IDENTITY_HEADER_NAMES,
  identityHeaders,
  isIdentityHeaderName,
  scrubIdentityHeaders,
  stripIdentityHeaders,
} from '../../src/identity/identity-headers.ts';
import type { Identity } from '../../src/session/resolve-auth.ts';

const ada: Identity = {
  userId: '5f1c8d2e-0000-4000-8000-000000000001',
  username: 'ada',
  email: 'ada@example.com',
  groups: ['admins', 'staff'],
  expiresAt: Date.now() + 3_600_000,
};
const ASSERTION = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';

/** Sends `head` as a raw HTTP/1.1 request to a server that hands its request to `onRequest`; resolves the raw answer. */
async function exchange(
  head: string,
  onRequest: (req: IncomingMessage) => Record<string, string>,
): Promise<string> {
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(onRequest(req))) res.setHeader(name, value);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.end(`${head}Host: x\r\nConnection: close\r\n\r\n`);
    let answer = '';
    for await (const chunk of socket) answer += String(chunk);
    return answer;
  } finally {
    server.close();
  }
}

test('every spelling of an identity header is recognised; ordinary headers are not', () => {
  for (const name of IDENTITY_HEADER_NAMES) {
    for (const spelling of [name, name.toUpperCase(), name.toLowerCase(), name.replaceAll('-', '_')]) {
      assert.ok(isIdentityHeaderName(spelling), spelling);
    }
  }
  for (const name of [
    'X-Auth-Request-Access-Token',
    'x-amzn-oidc-anything',
    'X_Auth-Request_Email',
    'X-Forwarded-User',
  ]) {
    assert.ok(isIdentityHeaderName(name), name);
  }
  for (const name of [
    'authorization',
    'cookie',
    'x-forwarded-for',
    'X-Forwarded-Proto',
    'x-auth',
    'x-amzn-trace-id',
  ]) {
    assert.ok(!isIdentityHeaderName(name), name);
  }
});

test('stripping a headers object removes case variants, repeats and underscore spellings, in place', () => {
  const headers: Record<string, string | string[] | undefined> = {
    host: 'app.example.com',
    'x-auth-request-user': ['admin', 'root'],
    'X-AUTH-REQUEST-EMAIL': 'boss@example.com',
    x_auth_request_groups: 'admins',
    X_Amzn_Oidc_Data: 'forged',
    'x-amzn-oidc-identity': 'admin',
    'x-amzn-oidc-accesstoken': 'forged',
    'x-forwarded-for': '203.0.113.9',
    cookie: 'a=b',
  };
  assert.equal(stripIdentityHeaders(headers), 6);
  assert.deepEqual(headers, { host: 'app.example.com', 'x-forwarded-for': '203.0.113.9', cookie: 'a=b' });
});

test('stripping a raw header array removes every pair of an identity header and keeps the rest in order', () => {
  const raw = [
    'Host', 'x', 'X-Auth-Request-Email', 'a@x', 'Accept', '*/*',
    'x_auth_request_email', 'b@x', 'X-AUTH-REQUEST-EMAIL', 'c@x', 'x-amzn-oidc-data', 'j',
  ]; // prettier-ignore
  assert.equal(stripIdentityHeaders(raw), 4);
  assert.deepEqual(raw, ['Host', 'x', 'Accept', '*/*']);
});

test('nothing a client sends survives in what Node parsed: headers, headersDistinct, rawHeaders', async () => {
  const left: unknown[] = [];
  await exchange(
    'GET / HTTP/1.1\r\nX-Auth-Request-User: admin\r\nx-auth-request-user: root\r\nX_Auth_Request_Email: boss@x\r\n' +
      'X-Amzn-Oidc-Data: forged\r\nx_amzn_oidc_identity: admin\r\nX-AUTH-REQUEST-GROUPS: admins\r\nAccept: */*\r\n',
    (req) => {
      stripIdentityHeaders(req.headers);
      stripIdentityHeaders(req.headersDistinct);
      stripIdentityHeaders(req.rawHeaders);
      left.push(Object.keys(req.headers), Object.keys(req.headersDistinct), req.rawHeaders);
      return {};
    },
  );
  assert.deepEqual(left, [
    ['accept', 'host', 'connection'],
    ['accept', 'host', 'connection'],
    ['Accept', '*/*', 'Host', 'x', 'Connection', 'close'],
  ]);
});

test('scrubbing a request: any one identity header, however spelled, leaves every form; others stay as sent', async () => {
  const spellings = [
    'X-Auth-Request-User',
    'x_auth_request_email',
    'X-AMZN-OIDC-DATA',
    'x-amzn-oidc-accesstoken',
    'X-Forwarded-User',
    'x_forwarded_groups',
  ];
  for (const spelling of spellings) {
    const left: unknown[] = [];
    await exchange(`GET / HTTP/1.1\r\nAccept: */*\r\n${spelling}: forged\r\nX-Request-Id: 7\r\n`, (req) => {
      scrubIdentityHeaders(req);
      left.push(Object.keys(req.headers), Object.keys(req.headersDistinct), req.rawHeaders);
      return {};
    });
    assert.deepEqual(
      left,
      [
        ['accept', 'x-request-id', 'host', 'connection'],
        ['accept', 'x-request-id', 'host', 'connection'],
        ['Accept', '*/*', 'X-Request-Id', '7', 'Host', 'x', 'Connection', 'close'],
      ],
      spelling,
    );
  }
});

test('scrubbing a request without identity headers changes nothing', async () => {
  const left: unknown[] = [];
  await exchange(
    'GET / HTTP/1.1\r\nAccept: */*\r\nX-Forwarded-For: 10.0.0.1\r\nx-amzn-trace-id: 1\r\n',
    (req) => {
      const before = [{ ...req.headers }, [...req.rawHeaders]];
      scrubIdentityHeaders(req);
      left.push(before, [req.headers, req.rawHeaders]);
      return {};
    },
  );
  assert.deepEqual(left[1], left[0]);
});

test('the headers carry the identity; the access token only with passAccessToken', () => {
  const extras = { assertion: ASSERTION, accessToken: 'eyJ.access.token', passAccessToken: false };
  assert.deepEqual(identityHeaders(ada, { ...extras, preferredUsername: 'ada.l' }), {
    'X-Auth-Request-User': ada.userId,
    'x-amzn-oidc-identity': ada.userId,
    'X-Auth-Request-Email': 'ada@example.com',
    'X-Auth-Request-Preferred-Username': 'ada.l',
    'X-Auth-Request-Groups': 'admins,staff',
    'x-amzn-oidc-data': ASSERTION,
  });
  const passed = identityHeaders(ada, { ...extras, passAccessToken: true });
  assert.equal(passed['x-amzn-oidc-accesstoken'], 'eyJ.access.token');
  const bare = identityHeaders({ ...ada, email: undefined, groups: [] }, extras);
  assert.deepEqual(Object.keys(bare), ['X-Auth-Request-User', 'x-amzn-oidc-identity', 'x-amzn-oidc-data']);
});

test('values are percent-encoded outside visible ASCII, and a comma inside a group does not split it', () => {
  assert.equal(encodeHeaderValue('ada+tag@example.com'), 'ada+tag@example.com');
  assert.equal(encodeHeaderValue('Zoë Ünal'), 'Zo%C3%AB%20%C3%9Cnal');
  assert.equal(encodeHeaderValue('100%'), '100%25');
  assert.equal(encodeHeaderValue('a\r\nb\u0000c\u007f'), 'a%0D%0Ab%00c%7F');
  assert.equal(encodeHeaderValue('\ud800'), '%EF%BF%BD'); // a lone surrogate cannot make setHeader throw
  const headers = identityHeaders(
    { ...ada, groups: ['R&D, Berlin', 'Zoë', ''] },
    {
      assertion: ASSERTION,
      passAccessToken: false,
    },
  );
  assert.equal(headers['X-Auth-Request-Groups'], 'R&D%2C%20Berlin,Zo%C3%AB');
  assert.deepEqual(headers['X-Auth-Request-Groups'].split(',').map(decodeURIComponent), [
    'R&D, Berlin',
    'Zoë',
  ]);
  assert.equal(decodeURIComponent(encodeHeaderValue('Zoë Ünal 100%')), 'Zoë Ünal 100%');
});

test('control characters in an email, a group or a name cannot inject a header; Node sends every value', async () => {
  const evil: Identity = {
    ...ada,
    email: 'ada@example.com\r\nX-Injected: 1',
    groups: ['staff\nX-Injected: 2', 'ops\r\n\r\n<html>'],
  };
  const headers = identityHeaders(evil, {
    assertion: ASSERTION,
    preferredUsername: 'Zoë\u0000\u2028',
    accessToken: 'token\r\nX-Injected: 3',
    passAccessToken: true,
  });
  for (const value of Object.values(headers)) assert.match(value, /^[\x21-\x7e]+$/);
  assert.equal(headers['x-amzn-oidc-accesstoken'], undefined);
  const answer = await exchange('GET / HTTP/1.1\r\n', () => headers);
  const [head, body] = answer.split('\r\n\r\n');
  const names = head!
    .split('\r\n')
    .slice(1)
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
  assert.deepEqual(
    names.sort(),
    [...Object.keys(headers).map((n) => n.toLowerCase()), 'connection', 'content-length', 'date'].sort(),
  );
  assert.equal(body, '');
  assert.match(answer, /\r\nX-Auth-Request-Email: ada@example.com%0D%0AX-Injected:%201\r\n/);
  assert.match(answer, /\r\nX-Auth-Request-Preferred-Username: Zo%C3%AB%00%E2%80%A8\r\n/);
});
