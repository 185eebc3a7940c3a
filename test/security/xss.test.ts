// XSS and template-injection payloads in every echoed field: never unescaped, never evaluated, and the CSP would
// stop inline script even if escaping failed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from '../helpers/browser.ts';
import type { Harness } from '../helpers/harness.ts';
import { makeInvitedUser } from '../helpers/mfa-users.ts';
import {
  assertNoSecrets,
  assertNoStackTrace,
  freshEmail,
  signIn,
  startSecurityHarness,
  tokenOn,
} from './support.ts';

let h: Harness;
before(async () => {
  // Configured fields besides name: an optional text field and a URL field, both echoed on errors.
  h = await startSecurityHarness({ SIGNUP_FIELDS: 'name,nickname?,website?' });
});
after(() => h.close());

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'onmouseover='x",
  '{{7*7}}',
  '{% raw %}x',
  '${7*7}',
  'javascript:alert(1)',
] as const;

/** Markers around the payload find every place it was echoed, however it was encoded. */
const OPEN = 'QxOPEN';
const CLOSE = 'QxCLOSE';
const mark = (payload: string) => `${OPEN}${payload}${CLOSE}`;
const WEAK = 'weak';

interface Field {
  name: string;
  /** Sends the payload (already marked) and returns the page that shows it. */
  send: (b: Browser, marked: string) => Promise<Page>;
  /** False when the page shows a masked form of it (the markers may not survive). */
  echoed: boolean;
}

/** Puts `requiredAttributes` into the pending NEW_PASSWORD_REQUIRED challenge, as a pool requiring `name` would. */
async function requireName(b: Browser): Promise<void> {
  const id = b.cookies.get('session')!;
  const data = (await h.store.get(id)) as { challenge: { parameters: Record<string, string> } };
  data.challenge.parameters.requiredAttributes = JSON.stringify(['userAttributes.name']);
  await h.store.set(id, data, 10 * 60_000);
}

const FIELDS: readonly Field[] = [
  {
    name: 'login username (re-shown for a missing password)',
    send: (b, m) => b.submit('/login', '/login', { username: m, password: '' }),
    echoed: true,
  },
  {
    name: 'login username (re-shown after Cognito refused the password)',
    send: (b, m) => b.submit('/login', '/login', { username: m, password: 'Wrong-password-1' }),
    echoed: true,
  },
  {
    name: 'sign-up email',
    send: (b, m) => b.submit('/signup', '/signup', { email: m, password: WEAK, name: 'x' }),
    echoed: true,
  },
  {
    name: 'sign-up name',
    send: (b, m) => b.submit('/signup', '/signup', { email: freshEmail('xss'), password: WEAK, name: m }),
    echoed: true,
  },
  {
    name: 'sign-up nickname (a configured field)',
    send: (b, m) =>
      b.submit('/signup', '/signup', { email: freshEmail('xss'), password: WEAK, name: 'x', nickname: m }),
    echoed: true,
  },
  {
    name: 'sign-up website (a configured URL field)',
    send: (b, m) =>
      b.submit('/signup', '/signup', { email: freshEmail('xss'), password: WEAK, name: 'x', website: m }),
    echoed: true,
  },
  {
    name: 'confirm email (no pending sign-up)',
    send: (b, m) => b.submit('/confirm', '/confirm', { email: m, code: '' }),
    echoed: true,
  },
  {
    name: 'forgot-password email (too long: re-shown)',
    send: (b, m) => b.submit('/forgot-password', '/forgot-password', { email: m + 'a'.repeat(130) }),
    echoed: true,
  },
  {
    name: 'forgot-password email (masked on the reset page)',
    send: async (b, m) => b.follow(await b.submit('/forgot-password', '/forgot-password', { email: m })),
    echoed: false,
  },
  {
    name: 'resend email (masked on the confirm page)',
    send: async (b, m) => b.follow(await b.submit('/confirm', '/confirm/resend', { email: m })),
    echoed: false,
  },
  {
    name: 'new-password required attribute (name)',
    send: async (b, m) => {
      const email = await makeInvitedUser(h, 'xss-invited', 'Temporary-pass-1');
      assert.equal(await signIn(b, email, 'Temporary-pass-1'), '/new-password');
      await requireName(b);
      const token = await tokenOn(b, '/new-password');
      return b.post('/new-password', { _csrf: token, newPassword: WEAK, name: m });
    },
    echoed: true,
  },
  {
    name: "language switcher's query string",
    send: (b, m) => b.get(`/login?${new URLSearchParams({ lang: 'de', next: m }).toString()}`),
    echoed: true,
  },
  {
    name: 'the lang value itself',
    send: (b, m) => b.get(`/login?${new URLSearchParams({ lang: m }).toString()}`),
    echoed: false,
  },
  {
    name: 'returnTo (a same-origin path carrying the payload)',
    send: (b, m) => b.get(`/login?${new URLSearchParams({ returnTo: `/account?x=${m}` }).toString()}`),
    echoed: true,
  },
  {
    name: "a 404 page's path",
    send: (b, m) => b.get(`/no/${m}`),
    echoed: false,
  },
];

/** The payload is nowhere raw, each echo has no HTML metacharacter left, and `7*7` was not evaluated. */
function assertEscaped(page: Page, payload: string, field: Field): void {
  const what = `${field.name} ${JSON.stringify(payload)}`;
  assert.ok(page.status < 500, `${what}: status ${page.status}`);
  assertNoStackTrace(page, what);
  if (/[<>"']/.test(payload))
    assert.ok(!page.body.includes(payload), `${what}: the raw payload is in the page`);
  const echoes = [...page.body.matchAll(new RegExp(`${OPEN}([\\s\\S]*?)${CLOSE}`, 'g'))].map((m) => m[1]!);
  if (field.echoed)
    assert.ok(echoes.length > 0, `${what}: the field is echoed (else this test proves nothing)`);
  for (const echo of echoes) {
    assert.doesNotMatch(echo, /[<>"']/, `${what}: echoed unescaped as ${echo}`);
    if (payload.includes('7*7')) assert.match(echo, /7\*7/, `${what}: evaluated to ${echo}`);
  }
  assert.doesNotMatch(page.body, new RegExp(`${OPEN}49${CLOSE}|${OPEN}\\$?49`), `${what}: 7*7 evaluated`);
  // Nothing but our own external scripts: no inline script, no event handler attributes.
  assert.doesNotMatch(page.body, /<script(?![^>]*\ssrc=)[^>]*>/i, `${what}: an inline script`);
  for (const tag of page.body.match(/<[a-z][^>]*>/gi) ?? []) {
    const names = tag.replace(/"[^"]*"|'[^']*'/g, '""');
    assert.doesNotMatch(names, /\son[a-z]+\s*=/i, `${what}: an event handler attribute in ${tag}`);
  }
}

for (const field of FIELDS) {
  describe(field.name, () => {
    for (const payload of PAYLOADS) {
      test(`${JSON.stringify(payload)} is escaped, not evaluated`, async () => {
        const page = await field.send(h.browser(), mark(payload));
        assertEscaped(page, payload, field);
        assertNoSecrets(h, page, ['Wrong-password-1', 'Temporary-pass-1']);
      });
    }
  });
}

test("the CSP forbids inline script: script-src 'self' without 'unsafe-inline' or 'unsafe-eval'", async () => {
  const b = h.browser();
  for (const page of [
    await b.get('/login'),
    await b.submit('/login', '/login', { username: mark(PAYLOADS[0]), password: '' }),
    await b.get('/no/such/page'),
  ]) {
    const csp = page.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values] as const;
      }),
    );
    assert.deepEqual(directives.get('script-src'), ["'self'"], csp);
    assert.doesNotMatch(
      csp,
      /unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic|\bdata:[^;]*script/,
      csp,
    );
    assert.deepEqual(directives.get('default-src'), ["'self'"], csp);
    assert.deepEqual(directives.get('object-src'), ["'none'"], csp);
  }
});
