// Local mode: the emulator answers only loopback Host names (a DNS-rebinding page sends its own name) and refuses
// the simple cross-site requests any page can send to its `_local` state changes.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startLocalCognito, type LocalCognito, type LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { sdkClient } from '../local-cognito/helpers.ts';

interface Answer {
  status: number;
  body: string;
}

/** A request to the emulator with the Host header a browser would send for `host` (fetch cannot set Host). */
function send(
  emu: LocalCognito,
  host: string | undefined,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  const url = new URL(path, emu.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        setHost: host !== undefined,
        headers: { ...(host !== undefined ? { host } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const AMZ_JSON = {
  'Content-Type': 'application/x-amz-json-1.1',
  'X-Amz-Target': 'AWSCognitoIdentityProviderService.DescribeUserPool',
};

describe('local mode: the emulator trusts any Host and simple cross-site posts', () => {
  let emu: LocalCognito;
  let pool: LocalPoolInfo;
  before(async () => {
    emu = await startLocalCognito({ port: 0 });
    pool = await emu.ensureLocalPool();
  });
  after(() => emu.close());

  it('a DNS-rebinding page (its own Host name) reads nothing: not the inbox, the messages, the calls or the API', async () => {
    const { port } = new URL(emu.endpoint);
    const describeBody = JSON.stringify({ UserPoolId: pool.userPoolId });
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1.evil.example:${port}`,
      'localhost.',
    ]) {
      for (const path of ['/_local/inbox', '/_local/messages', '/_local/calls', '/_local/faults']) {
        const res = await send(emu, host, 'GET', path);
        assert.equal(res.status, 403, `GET ${path} with Host ${host}`);
        assert.doesNotMatch(res.body, /demo|@|code/i, `GET ${path} with Host ${host}: nothing of the state`);
      }
      const api = await send(emu, host, 'POST', '/', AMZ_JSON, describeBody);
      assert.equal(api.status, 403, `the Cognito API with Host ${host}`);
      assert.doesNotMatch(api.body, new RegExp(pool.userPoolId));
      const wellKnown = await send(emu, host, 'GET', `/${pool.userPoolId}/.well-known/jwks.json`);
      assert.equal(wellKnown.status, 403, `the JWKS with Host ${host}`);
    }
    // Node itself answers 400 to an HTTP/1.1 request without Host; either way nothing is read.
    const hostless = await send(emu, undefined, 'GET', '/_local/messages');
    assert.ok([400, 403].includes(hostless.status), `no Host at all: ${hostless.status}`);
  });

  it('loopback Host names are answered on any port: 127.0.0.1, localhost, [::1]', async () => {
    for (const host of [
      '127.0.0.1',
      '127.0.0.1:9229',
      'localhost:3000',
      'LOCALHOST',
      '[::1]:9229',
      '[::1]',
    ]) {
      assert.equal((await send(emu, host, 'GET', '/_local/messages')).status, 200, host);
      assert.equal((await send(emu, host, 'GET', '/_local/inbox')).status, 200, host);
    }
  });

  it('a simple cross-site POST (text/plain, a form) cannot change the faults; JSON can', async () => {
    const fault = JSON.stringify({ operation: 'InitiateAuth', throttle: true });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await send(emu, '127.0.0.1', 'POST', '/_local/faults', { 'Content-Type': type }, fault);
      assert.equal(res.status, 415, type);
    }
    assert.deepEqual(emu.faults(), []);
    const json = { 'Content-Type': 'application/json' };
    assert.equal((await send(emu, '127.0.0.1', 'POST', '/_local/faults', json, fault)).status, 200);
    assert.equal(emu.faults().length, 1);
    assert.equal((await send(emu, '127.0.0.1', 'DELETE', '/_local/faults', {})).status, 415);
    assert.equal(emu.faults().length, 1, 'DELETE without JSON changed nothing');
    assert.equal((await send(emu, '127.0.0.1', 'DELETE', '/_local/faults', json)).status, 200);
    assert.deepEqual(emu.faults(), []);
  });

  it('the Cognito API keeps working for the SDK (application/x-amz-json-1.1)', async () => {
    const client = sdkClient(emu);
    try {
      const out = await client.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
      assert.equal(out.UserPool?.Id, pool.userPoolId);
    } finally {
      client.destroy();
    }
  });
});

describe('local mode: hosts listed in LOCAL_COGNITO_ALLOWED_HOSTS (docker compose)', () => {
  it('the emulator answers a listed name such as local-cognito, and still no other', async () => {
    process.env.LOCAL_COGNITO_ALLOWED_HOSTS = 'local-cognito, other-name';
    let emu: LocalCognito;
    try {
      emu = await startLocalCognito({ port: 0 });
    } finally {
      delete process.env.LOCAL_COGNITO_ALLOWED_HOSTS;
    }
    try {
      const pool = await emu.ensureLocalPool();
      const describeBody = JSON.stringify({ UserPoolId: pool.userPoolId });
      assert.equal((await send(emu, 'local-cognito:9229', 'POST', '/', AMZ_JSON, describeBody)).status, 200);
      assert.equal((await send(emu, 'other-name', 'GET', '/_local/health')).status, 200);
      assert.equal((await send(emu, 'evil.example:9229', 'POST', '/', AMZ_JSON, describeBody)).status, 403);
    } finally {
      await emu.close();
    }
  });
});
