// Request hygiene: oversized bodies (413), non-form bodies (415), repeated and prototype-polluting keys (400), long
// URLs (414) and oversized headers (431) get friendly answers, never reach Cognito, and the server keeps serving.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { paths } from '../../src/paths.ts';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import type { Harness } from '../helpers/harness.ts';
import { assertFriendly, assertNoSecrets, startSecurityHarness } from './support.ts';

let h: Harness;
let b: Browser;
let csrf: string;
const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
before(async () => {
  h = await startSecurityHarness();
  b = h.browser();
  csrf = csrfOf((await b.get('/login')).body);
});
after(() => h.close());
beforeEach(() => h.emulator.resetCalls());

const FORM = 'application/x-www-form-urlencoded';
const POST_ROUTES = [
  paths.login,
  paths.logout,
  paths.signup,
  paths.confirm,
  paths.confirmResend,
  paths.forgotPassword,
  paths.resetPassword,
  paths.newPassword,
  paths.mfa,
  paths.mfaSelect,
  paths.mfaSetup,
  paths.accountMfa,
  paths.accountMfaVerify,
  paths.accountMfaTotp,
];

/** A body that would sign the demo user in if it were read. */
const signInBody = () =>
  new URLSearchParams({
    _csrf: csrf,
    username: h.pool.demoUser.email,
    password: h.pool.demoUser.password,
  }).toString();

/** Friendly page, nothing secret, Cognito never asked, and the process still answers. */
async function assertRefused(res: Page, status: number, what: string): Promise<void> {
  assertFriendly(res, status, what);
  assert.equal(h.emulator.callCount(), 0, `${what}: Cognito not called`);
  assertNoSecrets(h, res, [h.pool.demoUser.password], what);
  assert.equal((await h.browser().get('/healthz')).status, 200, `${what}: still serving`);
}

/** POSTs `pieces` with Transfer-Encoding: chunked (no Content-Length), with `b`'s cookies. */
function chunked(path: string, pieces: string[]): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, h.baseUrl), {
      method: 'POST',
      headers: { 'content-type': FORM, 'transfer-encoding': 'chunked', cookie: b.cookieHeader() },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          for (const one of [v ?? []].flat()) headers.append(k, one);
        }
        resolve({ status: res.statusCode ?? 0, headers, body, location: res.headers.location });
      });
    });
    // The server may answer 413 and close before everything is written.
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)));
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

describe('413: bodies over the limit', () => {
  const CASES: ReadonlyArray<[string, () => Promise<Page>]> = [
    [
      'a 40 KB form',
      () =>
        b.request('POST', '/login', `${signInBody()}&pad=${'x'.repeat(40_000)}`, { 'content-type': FORM }),
    ],
    [
      'a 2 MB form',
      () =>
        b.request('POST', '/signup', `${signInBody()}&pad=${'x'.repeat(2_000_000)}`, {
          'content-type': FORM,
        }),
    ],
    [
      'a 40 KB form sent chunked (no Content-Length)',
      () => chunked('/login', [signInBody(), ...Array.from({ length: 40 }, () => `&p=${'x'.repeat(1000)}`)]),
    ],
  ];
  for (const [name, send] of CASES) {
    test(`${name}: 413, friendly page`, async () => {
      await assertRefused(await send(), 413, name);
    });
  }
});

describe('415: anything but urlencoded on form routes', () => {
  const TYPES: ReadonlyArray<[string, string, string]> = [
    ['JSON', 'application/json', JSON.stringify({ username: 'a', password: 'b' })],
    [
      'multipart',
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n',
    ],
    ['text/plain (what a cross-site form can send)', 'text/plain', 'username=a&password=b'],
    ['XML', 'application/xml', '<a/>'],
  ];
  for (const path of POST_ROUTES) {
    for (const [name, type, body] of TYPES) {
      test(`POST ${path} with ${name}: 415, friendly page`, async () => {
        await assertRefused(
          await b.request('POST', path, body, { 'content-type': type }),
          415,
          `${path} ${name}`,
        );
      });
    }
  }
  test('a POST with no Content-Type at all: 415', async () => {
    await assertRefused(await b.request('POST', '/login', signInBody(), {}), 415, 'no type');
  });
});

describe('400: repeated keys and prototype-polluting keys', () => {
  const BODIES: ReadonlyArray<[string, string]> = [
    ['a repeated field', 'username=a&username=b'],
    ['a repeated CSRF token', '_csrf=another'],
    ['__proto__', '__proto__=x'],
    ['__proto__[admin]', '__proto__%5Badmin%5D=true'],
    ['constructor', 'constructor=x'],
    ['constructor[prototype][admin]', 'constructor%5Bprototype%5D%5Badmin%5D=true'],
    ['prototype', 'prototype=x'],
    ['a[b] (nested keys)', 'a%5Bb%5D=1'],
    ['a[] (array keys)', 'a%5B%5D=1'],
    ['raw brackets a[b]', 'a[b]=1'],
    ['more than 50 fields', Array.from({ length: 60 }, (_, i) => `f${i}=1`).join('&')],
  ];
  for (const [name, extra] of BODIES) {
    test(`${name}: 400, friendly page`, async () => {
      const res = await b.request('POST', '/login', `${signInBody()}&${extra}`, { 'content-type': FORM });
      await assertRefused(res, 400, name);
    });
  }

  test('Object.prototype is not polluted afterwards', async () => {
    for (const extra of ['__proto__%5Badmin%5D=true', 'constructor%5Bprototype%5D%5Badmin%5D=true']) {
      await b.request('POST', '/login', `${signInBody()}&${extra}`, { 'content-type': FORM });
    }
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });
});

describe('414 and 431: URLs and headers over the limit', () => {
  test('a very long query string: 414, friendly page', async () => {
    await assertRefused(await h.browser().get(`/login?returnTo=/${'a'.repeat(6000)}`), 414, 'long query');
  });

  test('a very long path: 414, friendly page', async () => {
    await assertRefused(await h.browser().get(`/${'a'.repeat(6000)}`), 414, 'long path');
  });

  test('a very long URL on a form POST: 414 before the body is read', async () => {
    const res = await b.request('POST', `/login?x=${'a'.repeat(6000)}`, signInBody(), {
      'content-type': FORM,
    });
    await assertRefused(res, 414, 'long POST URL');
  });

  test("oversized headers: Node's own 431, no stack trace, still serving", async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL('/login', h.baseUrl);
      const req = httpRequest(
        url,
        {
          method: 'GET',
          headers: { 'x-big': 'a'.repeat(8000), 'x-big2': 'b'.repeat(8000), 'x-big3': 'c'.repeat(8000) },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 431);
    assert.doesNotMatch(body, /Error|at \w/);
    assert.equal(h.emulator.callCount(), 0);
    assert.equal((await h.browser().get('/healthz')).status, 200, 'still serving');
  });
});

describe('odd but harmless bodies are answered, never with a 5xx', () => {
  const BODIES: ReadonlyArray<[string, string, () => string]> = [
    ['broken percent-encoding', FORM, () => `${signInBody()}&x=%E0%A4%A`],
    ['a form with a charset', `${FORM}; charset=utf-8`, signInBody],
    ['an unknown charset', `${FORM}; charset=utf-16`, signInBody],
    ['an empty body', FORM, () => ''],
    ['only separators', FORM, () => '&&&==&'],
    ['NUL bytes', FORM, () => `_csrf=${csrf}&username=%00%00&password=%00`],
  ];
  for (const [name, type, body] of BODIES) {
    test(`${name}: a friendly answer`, async () => {
      const res = await b.request('POST', '/login', body(), { 'content-type': type });
      assert.ok(res.status < 500, `${name}: ${res.status}`);
      assert.doesNotMatch(res.body, /\bat [\w$.]+ \(|node_modules/);
      assert.equal((await h.browser().get('/healthz')).status, 200);
    });
  }
});
