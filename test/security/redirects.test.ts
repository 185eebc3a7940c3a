// Open-redirect payloads in `returnTo`, through the real sign-in flows (our form, already signed in, the hosted UI):
// the redirect after sign-in always stays on our origin, and no Location ever starts with `//`, `/\` or a scheme.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from '../helpers/browser.ts';
import type { Harness } from '../helpers/harness.ts';
import { hostedSignIn, newHostedBrowser } from '../helpers/hosted-ui.ts';
import { EVIL_HOST, REFUSED } from '../helpers/redirect-payloads.ts';
import { assertNoSecrets, startSecurityHarness } from './support.ts';

let h: Harness;
let signedIn: Browser;
let hosted: Browser;
before(async () => {
  h = await startSecurityHarness();
  signedIn = await h.signedIn();
  hosted = newHostedBrowser(h.emulator.endpoint);
});
after(() => h.close());

const HOST = EVIL_HOST;
const demo = () => ({ username: h.pool.demoUser.email, password: h.pool.demoUser.password });

/** Payloads that are same-origin paths (however odd): they may be kept, but only as a path here. */
const SAME_ORIGIN: readonly string[] = [
  `/@${HOST}`,
  `/account@${HOST}`,
  '/javascript:alert(1)',
  `/\uff0f${HOST}`,
  `/\u2215${HOST}`,
  `/\u2044${HOST}`,
  `/\ufe68${HOST}`,
  `/%EF%BC%8F${HOST}`,
  `/\u200b/${HOST}`,
  `/%252F${HOST}`,
  `/%255C${HOST}`,
  `/%25252F%25252F${HOST}`,
  `/account?next=//${HOST}`,
  `/account#//${HOST}`,
  '/account?tab=mfa',
  '/',
];

/** A Location that keeps the browser here: a path, not `//`, not `/\`, no scheme, no control characters. */
function assertStaysHome(location: string | undefined, payload: string, what: string): void {
  const label = `${what} ${JSON.stringify(payload).slice(0, 60)} -> ${JSON.stringify(location)?.slice(0, 80)}`;
  assert.ok(location, `${label}: a redirect`);
  assert.ok(location.startsWith('/'), `${label}: a path`);
  assert.ok(!/^[/\\][/\\]/.test(location), `${label}: not // or /\\`);
  assert.ok(!/^[a-z][a-z0-9+.-]*:/i.test(location), `${label}: no scheme`);
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  const unsafe = /[\u0000-\u0020\u007f-\u009f\\]/;
  assert.ok(!unsafe.test(location), `${label}: no whitespace, control or backslash`);
  let once = location;
  try {
    once = decodeURIComponent(location);
  } catch {
    // not decodable: then no proxy decodes it either
  }
  assert.ok(!/^[/\\][/\\]/.test(once), `${label}: not // or /\\ after one decoding either`);
  const base = new URL(h.baseUrl);
  assert.equal(new URL(location, base).origin, base.origin, `${label}: same origin`);
}

/** The flows share no state but the signed-in browser's session, so their cases may run side by side. */
// At most 4 sign-ins of the demo account at once: attempts in flight count as failures in a row until Cognito
// answers (counted before the call, atomically), and 5 in a row stop an account at one address.
const PARALLEL = { concurrency: 4 };

const CASES: ReadonlyArray<[string, boolean]> = [
  ...REFUSED.map((p): [string, boolean] => [p, true]),
  ...SAME_ORIGIN.map((p): [string, boolean] => [p, false]),
];
const name = (payload: string) => JSON.stringify(payload).slice(0, 60);
const q = (payload: string) => new URLSearchParams({ returnTo: payload }).toString();
const unescapeHtml = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<');

function check(location: string | undefined, payload: string, refused: boolean, what: string): void {
  assertStaysHome(location, payload, what);
  if (refused) assert.equal(location, '/account', `${what} ${name(payload)}: falls back to /account`);
}

describe('through the sign-in form: GET /login?returnTo=..., then POST its form', PARALLEL, () => {
  for (const [payload, refused] of CASES) {
    test(`${name(payload)}: ${refused ? 'falls back to /account' : 'stays a same-origin path'}`, async () => {
      const b = h.browser();
      const page = await b.get(`/login?${q(payload)}`);
      assert.equal(page.status, 200);
      const action = unescapeHtml(/<form method="post" action="([^"]+)"/.exec(page.body)![1]!);
      assert.match(action, /^\/login\?returnTo=/, 'the form posts back here');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const res = await b.post(action, { _csrf: csrf, ...demo() });
      assert.equal(res.status, 302, res.body.slice(0, 200));
      check(res.location, payload, refused, 'form');
    });
  }
});

describe('already signed in: GET /login?returnTo=... redirects at once', PARALLEL, () => {
  for (const [payload, refused] of CASES) {
    test(`${name(payload)}: ${refused ? 'falls back to /account' : 'stays a same-origin path'}`, async () => {
      const res = await signedIn.get(`/login?${q(payload)}`);
      assert.equal(res.status, 302);
      check(res.location, payload, refused, 'signed in');
    });
  }
});

describe('through the hosted UI: /login/hosted?returnTo=... -> hosted sign-in -> /callback', PARALLEL, () => {
  for (const [payload, refused] of CASES) {
    test(`${name(payload)}: ${refused ? 'falls back to /account' : 'stays a same-origin path'}`, async () => {
      const b = h.browser();
      const start = await b.get(`/login/hosted?${q(payload)}`);
      assert.equal(start.status, 302);
      const authorize = new URL(start.location!);
      assert.equal(authorize.origin, h.emulator.endpoint, 'only the hosted UI, never the payload');
      assert.ok(!authorize.href.includes(HOST), 'returnTo never travels in the authorize request');
      // One hosted-UI browser for all: after its first sign-in its own session answers at once.
      const back = await hostedSignIn(hosted, authorize.href, demo());
      const callback = new URL(back.location!);
      assert.equal(callback.origin, new URL(h.baseUrl).origin);
      const done = await b.get(callback.pathname + callback.search);
      assert.equal(done.status, 302, done.body.slice(0, 200));
      check(done.location, payload, refused, 'hosted');
    });
  }
});

test('no password or token reached the logs on the way', () => {
  assertNoSecrets(h, undefined, [h.pool.demoUser.password]);
});
