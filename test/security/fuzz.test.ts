// Property-based fuzz of every form (fast-check, fixed seeds): arbitrary values, missing and extra fields, with a
// valid CSRF token, never give a 5xx or a stack trace, and the process keeps serving.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, describe, test } from 'node:test';
import { paths } from '../../src/paths.ts';
import type { Browser } from '../helpers/browser.ts';
import type { Harness } from '../helpers/harness.ts';
import { makeUser } from '../helpers/mfa-users.ts';
import {
  addingTotp,
  anonymousOn,
  assertNoStackTrace,
  mfaChallenge,
  newPasswordChallenge,
  pendingReset,
  pendingSignUp,
  reauthenticated,
  selectChallenge,
  setupChallenge,
  signedIn,
  startSecurityHarness,
  type Arrange,
} from './support.ts';

const RUNS = 60;

let h: Harness;
before(async () => {
  h = await startSecurityHarness();
});
after(() => h.close());

/** Any text: unicode (lone surrogates too), control characters, markup, prototype names, long runs. */
const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\r\n',
    '%',
    '%00',
    '__proto__',
    'constructor',
    '<script>alert(1)</script>',
    '{{7*7}}',
    '../../etc/passwd',
    'a@b.c',
    '+447700900123',
    '123456',
    '\ud800',
    '\u202e',
  ),
  // Up to and past every limit: 128 (names), 256 (passwords), 2048 (URLs), 16 KB (the body).
  fc
    .tuple(
      fc.constantFrom(127, 128, 129, 255, 256, 257, 2048, 2049, 9000, 20_000),
      fc.constantFrom('a', 'é', '😀', '\u0000'),
    )
    .map(([n, c]) => c.repeat(n)),
);

/** A plausible value for a field, or anything at all. */
const plausible = (...values: string[]) => fc.oneof(fc.constantFrom(...values), anyText);

interface Form {
  path: string;
  arrange: Arrange;
  fields: Record<string, fc.Arbitrary<string>>;
}

const code = plausible('123456', '000000', '12 34 56', '1234567');
const FORMS: readonly Form[] = [
  {
    path: paths.login,
    arrange: anonymousOn(paths.login),
    fields: { username: plausible('demo@example.com'), password: anyText },
  },
  { path: paths.logout, arrange: signedIn, fields: {} },
  {
    path: paths.signup,
    arrange: anonymousOn(paths.signup),
    fields: {
      email: plausible('fuzz@example.com'),
      password: plausible('Correct-horse-1'),
      name: anyText,
      terms: anyText,
    },
  },
  { path: paths.confirm, arrange: pendingSignUp, fields: { email: anyText, code } },
  { path: paths.confirmResend, arrange: pendingSignUp, fields: { email: anyText } },
  {
    path: paths.forgotPassword,
    arrange: anonymousOn(paths.forgotPassword),
    fields: { email: plausible('fuzz@example.com') },
  },
  {
    path: paths.resetPassword,
    arrange: pendingReset,
    fields: { code, newPassword: plausible('Another-pass-9') },
  },
  {
    path: paths.newPassword,
    arrange: newPasswordChallenge,
    fields: { newPassword: plausible('My-own-password-9'), name: anyText },
  },
  { path: paths.mfa, arrange: mfaChallenge, fields: { code } },
  {
    path: paths.mfaSelect,
    arrange: selectChallenge,
    fields: { method: plausible('EMAIL_OTP', 'SMS_MFA', 'WEB_AUTHN') },
  },
  {
    path: paths.mfaSetup,
    arrange: setupChallenge,
    fields: { method: plausible('totp', 'email'), code, email: plausible('fuzz@example.com') },
  },
  {
    path: paths.accountMfa,
    arrange: reauthenticated,
    fields: {
      method: plausible('EMAIL_OTP', 'SMS_MFA', 'SOFTWARE_TOKEN_MFA'),
      action: plausible('enable', 'disable', 'prefer'),
    },
  },
  { path: paths.accountMfaVerify, arrange: signedIn, fields: { password: anyText, username: anyText } },
  { path: paths.accountMfaTotp, arrange: addingTotp, fields: { code } },
];

/** The form's fields, each maybe missing, then up to four extra (possibly repeated or odd) keys. */
function bodyOf(form: Form): fc.Arbitrary<[string, string][]> {
  const known = fc
    .record(form.fields, { requiredKeys: [] })
    .map((r) => Object.entries(r).filter((e): e is [string, string] => e[1] !== undefined));
  const extraKey = fc.oneof(
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.constantFrom(...Object.keys(form.fields), '_csrf', '__proto__', 'a[b]', 'x'),
  );
  const extra = fc.array(fc.tuple(extraKey, anyText), { maxLength: 4 });
  return fc.tuple(known, fc.oneof(fc.constant([]), extra)).map(([k, e]) => [...k, ...e]);
}

describe('every form, fuzzed with a valid CSRF token', () => {
  FORMS.forEach((form, index) => {
    test(`POST ${form.path}: ${RUNS} arbitrary bodies, never a 5xx or a stack trace; still serving`, async () => {
      const b: Browser = h.browser();
      const token = await form.arrange(h, b);
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(bodyOf(form), async (fields) => {
          const body = new URLSearchParams([['_csrf', token], ...fields]).toString();
          const res = await b.request('POST', form.path, body, {
            'content-type': 'application/x-www-form-urlencoded',
          });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.ok(
            res.status < 500,
            `status ${res.status}: ${res.body.slice(0, 300)} ${h.logs.slice(-2).join('')}`,
          );
          assertNoStackTrace(res, form.path);
        }),
        { numRuns: RUNS, seed: 0x5ec0 + index, endOnFailure: true },
      );
      assert.equal((await h.browser().get('/healthz')).status, 200, 'still serving');
      assert.ok(
        [...statuses.keys()].some((s) => s !== 403),
        `the token held: ${[...statuses].join(' ')}`,
      );
    });
  });
});

describe('regressions the fuzz found', () => {
  test("MFA set-up by email with another account's address: a 400 form error, not a 500", async () => {
    const b = h.browser();
    const token = await setupChallenge(h, b);
    const taken = await makeUser(h, 'taken');
    const res = await b.post(paths.mfaSetup, { _csrf: token, method: 'email', email: taken });
    assert.equal(res.status, 400);
    assert.match(res.body, /already used by another account/);
    assertNoStackTrace(res, 'alias');
    assert.equal((await h.browser().get('/healthz')).status, 200);
  });
});
