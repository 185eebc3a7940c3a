// Security headers on every page, error pages included: a strict CSP, nosniff, Referrer-Policy, no-store on auth
// pages and cookie-setting responses, no version banner; HSTS over https only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import type { Harness } from '../helpers/harness.ts';
import { pendingReset, pendingSignUp, signedIn, startSecurityHarness, addingTotp } from './support.ts';

let http: Harness;
let https: Harness;
before(async () => {
  [http, https] = await Promise.all([
    startSecurityHarness(),
    startSecurityHarness({ APP_BASE_URL: 'https://login.example.test' }),
  ]);
});
after(() => Promise.all([http.close(), https.close()]));

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** One request per kind of answer; each returns the response to check. */
const PAGES: ReadonlyArray<[string, number, (h: Harness, b: Browser) => Promise<Page>]> = [
  ['the home page', 200, (_h, b) => b.get('/')],
  ['the sign-in page', 200, (_h, b) => b.get('/login')],
  ['the sign-in page switching language (sets a cookie)', 200, (_h, b) => b.get('/login?lang=de')],
  ['the sign-up page', 200, (_h, b) => b.get('/signup')],
  ['the recovery page', 200, (_h, b) => b.get('/forgot-password')],
  ['the confirm page', 200, (_h, b) => b.get('/confirm')],
  ['the signed-out page', 200, (_h, b) => b.get('/signed-out')],
  [
    'the account page',
    200,
    async (h, b) => {
      await signedIn(h, b);
      return b.get('/account');
    },
  ],
  [
    'a successful sign-in (302, sets the cookie)',
    302,
    async (h, b) =>
      b.post('/login', {
        _csrf: csrfOf((await b.get('/login')).body),
        username: h.pool.demoUser.email,
        password: h.pool.demoUser.password,
      }),
  ],
  ['a protected page, anonymous (302)', 302, (_h, b) => b.get('/account')],
  ['the hosted-UI start (302 to the hosted UI)', 302, (_h, b) => b.get('/login/hosted')],
  [
    'a wrong password (401)',
    401,
    async (h, b) =>
      b.submit('/login', '/login', { username: h.pool.demoUser.email, password: 'Wrong-password-1' }),
  ],
  ['repeated form keys (400)', 400, (_h, b) => b.request('POST', '/login', 'a=1&a=2', FORM)],
  ['no CSRF token (403)', 403, (_h, b) => b.post('/login', { username: 'a', password: 'b' })],
  ['an unknown page (404)', 404, (_h, b) => b.get('/no/such/page')],
  ['an oversized body (413)', 413, (_h, b) => b.request('POST', '/login', `a=${'x'.repeat(40_000)}`, FORM)],
  ['a very long URL (414)', 414, (_h, b) => b.get(`/login?x=${'a'.repeat(5000)}`)],
  [
    'JSON on a form route (415)',
    415,
    (_h, b) => b.request('POST', '/login', '{}', { 'content-type': 'application/json' }),
  ],
];

/** The CSP's directives by name. */
function cspOf(page: Page): Map<string, string[]> {
  const csp = page.headers.get('content-security-policy');
  assert.ok(csp, 'a Content-Security-Policy header');
  return new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!.toLowerCase(), values] as const;
    }),
  );
}

function assertHeaders(h: Harness, page: Page, what: string): void {
  const csp = cspOf(page);
  assert.deepEqual(csp.get('default-src'), ["'self'"], `${what}: default-src`);
  assert.deepEqual(csp.get('script-src'), ["'self'"], `${what}: script-src`);
  assert.deepEqual(csp.get('object-src'), ["'none'"], `${what}: object-src`);
  assert.deepEqual(csp.get('base-uri'), ["'none'"], `${what}: base-uri`);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], `${what}: frame-ancestors`);
  // Forms post here, and (sign-out, challenges we cannot answer) on to the hosted UI; nowhere else.
  assert.deepEqual(
    [...(csp.get('form-action') ?? [])].sort(),
    ["'self'", h.config.cognito!.hostedUiUrl!].sort(),
    `${what}: form-action`,
  );
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.match(page.headers.get('referrer-policy') ?? '', /^(no-referrer|same-origin|strict-origin)$/, what);
  assert.equal(page.headers.get('x-powered-by'), null, `${what}: X-Powered-By`);
  assert.doesNotMatch(page.headers.get('server') ?? '', /\d|koa|node|express/i, `${what}: Server banner`);
  if (page.headers.get('content-type')?.startsWith('text/html') || page.headers.getSetCookie().length > 0) {
    assert.match(page.headers.get('cache-control') ?? '', /\bno-store\b/, `${what}: no-store`);
  }
}

describe('plain http', () => {
  for (const [name, status, send] of PAGES) {
    test(`${name}: CSP, nosniff, Referrer-Policy, no-store, no banner, no HSTS`, async () => {
      const page = await send(http, http.browser());
      assert.equal(page.status, status, page.body.slice(0, 200));
      assertHeaders(http, page, name);
      assert.equal(page.headers.get('strict-transport-security'), null, `${name}: no HSTS over http`);
    });
  }
});

describe('https APP_BASE_URL (TLS ends at the proxy)', () => {
  for (const [name, status, send] of PAGES) {
    test(`${name}: the same headers, and HSTS`, async () => {
      const page = await send(https, https.browser());
      assert.equal(page.status, status, page.body.slice(0, 200));
      assertHeaders(https, page, name);
      assert.match(page.headers.get('strict-transport-security') ?? '', /max-age=(\d{8,})/, `${name}: HSTS`);
      const maxAge = Number(/max-age=(\d+)/.exec(page.headers.get('strict-transport-security')!)![1]);
      assert.ok(maxAge >= 15_552_000, 'at least 180 days');
    });
  }
});

describe('pages that carry codes keep them out of any Referer', () => {
  const CODE_PAGES: ReadonlyArray<[string, string, typeof pendingSignUp]> = [
    ['/confirm', 'a sign-up pending', pendingSignUp],
    ['/reset-password', 'a reset pending', pendingReset],
    ['/account/mfa/totp', 'adding an authenticator app', addingTotp],
  ];
  for (const [path, state, arrange] of CODE_PAGES) {
    test(`${path} (${state}): Referrer-Policy no-referrer, no-store`, async () => {
      const b = http.browser();
      await arrange(http, b);
      const page = await b.get(path);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
      assertHeaders(http, page, path);
    });
  }
});

test('static assets also carry nosniff and the CSP, and never a banner', async () => {
  for (const path of ['/assets/app.css', '/assets/theme.css', '/favicon.svg', '/assets/countdown.js']) {
    const page = await http.browser().get(path);
    assert.equal(page.status, 200, path);
    assertHeaders(http, page, path);
  }
});

test('a static asset never sets a cookie, even with ?lang=, so a shared cache cannot hand one out', async () => {
  const page = await http.browser().get('/assets/app.css?lang=de');
  assert.equal(page.status, 200);
  assert.deepEqual(page.headers.getSetCookie(), []);
  assert.match(page.headers.get('cache-control') ?? '', /\bpublic\b/);
});
