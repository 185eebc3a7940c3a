// Property-based fuzz of every form (fast-check, fixed seeds): arbitrary values, missing and extra fields, with a
// valid CSRF token, never give a 5xx or a stack trace, and the process keeps serving. A form whose handler ends the
// state it acts in (sign-out, a new password) gets that state afresh for every run, so each body reaches it.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, describe, test } from 'node:test';
import { paths } from '../../src/paths.ts';
import type { Browser, Page } from '../helpers/browser.ts';
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
  signIn,
  startSecurityHarness,
  tokenOn,
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
  /**
   * For a handler that ends the state it acts in (sign-out ends the session, a new password the challenge): after
   * one body got through, every later run would stop at the CSRF check. With this, says what became of `res`
   * (`copy`: a copy of the browser's cookies from before the request; `browser`: the browser, with what the answer
   * set), and once the state has ended the next run gets a new browser arranged afresh.
   */
  handled?: (res: Page, copy: Browser, browser: Browser) => Promise<Handled>;
}

/** The handler ended the state it acts in, answered and kept it, or never ran (the form parser refused first). */
type Handled = 'ended' | 'kept' | 'not reached';

/** What the form parser answers before any token is looked at: repeated or forbidden keys, a body too large. */
const PARSER_REFUSALS = [400, 413];

/** One user for the sign-out runs, made once: sign-out ends a session, not the account, so each run signs in again. */
let signOutUser: string | undefined;
const signedInAgain: Arrange = async (h, b) => {
  signOutUser ??= await makeUser(h, 'sign-out');
  assert.equal(await signIn(b, signOutUser), '/account');
  return tokenOn(b, '/account');
};

/** Sign-out ran: a redirect (to the sign-in page, or a `returnTo`), and a copy of the cookie is worthless now. */
async function signedOut(res: Page, copy: Browser): Promise<Handled> {
  const account = await copy.get('/account');
  const ended = account.status === 302 && account.location!.startsWith('/login');
  if (res.status !== 302) {
    assert.ok(!ended, `the session ended, yet sign-out answered ${res.status}`);
    return 'not reached';
  }
  assert.ok(ended, `sign-out redirected to ${res.location}, yet the session lives on`);
  return 'ended';
}

/** The new-password handler ran: the password was taken (signed in), or its form came back with errors. */
async function newPasswordAnswered(res: Page, copy: Browser, browser: Browser): Promise<Handled> {
  if (res.status === 302) {
    assert.equal(res.location, paths.account, 'a new password taken ends the challenge');
    assert.equal((await browser.get(paths.account)).status, 200, 'signed in with it');
    return 'ended';
  }
  if (res.status === 400 && res.body.includes(`action="${paths.newPassword}"`)) {
    assert.match(res.body, /class="[^"]*error/, 'the form comes back with what was wrong');
    assert.equal((await copy.get(paths.newPassword)).status, 200, 'the challenge is still pending');
    return 'kept';
  }
  return 'not reached';
}

const code = plausible('123456', '000000', '12 34 56', '1234567');
const FORMS: readonly Form[] = [
  {
    path: paths.login,
    arrange: anonymousOn(paths.login),
    fields: { username: plausible('demo@example.com'), password: anyText },
  },
  {
    path: paths.logout,
    arrange: signedInAgain,
    fields: { returnTo: plausible('/account', '//evil.example', 'https://evil.example/') },
    handled: signedOut,
  },
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
    handled: newPasswordAnswered,
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
      /** The browser in the form's state and its token; arranged again once a handler has ended that state. */
      let state: { b: Browser; token: string } | undefined;
      const arrange = async () => {
        const b = h.browser();
        return { b, token: await form.arrange(h, b) };
      };
      const statuses = new Map<number, number>();
      let handled = 0;
      await fc.assert(
        fc.asyncProperty(bodyOf(form), async (fields) => {
          const { b, token } = (state ??= await arrange());
          const copy = b.clone();
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
          if (!form.handled) return;
          const outcome = await form.handled(res, copy, b);
          if (outcome !== 'not reached') {
            handled++;
            if (outcome === 'ended') state = undefined;
            if (res.location) assert.match(res.location, /^\/(?![/\\])/, 'redirected to one of our paths');
          } else {
            // Only what the form parser refuses never reaches the handler: never the CSRF check (the token is live).
            assert.ok(
              PARSER_REFUSALS.includes(res.status),
              `not handled: ${res.status} ${res.body.slice(0, 300)}`,
            );
          }
        }),
        { numRuns: RUNS, seed: 0x5ec0 + index, endOnFailure: true },
      );
      assert.equal((await h.browser().get('/healthz')).status, 200, 'still serving');
      assert.ok(
        [...statuses.keys()].some((s) => s !== 403),
        `the token held: ${[...statuses].join(' ')}`,
      );
      if (form.handled) {
        assert.ok(!statuses.has(403), `a live token every run: ${[...statuses].join(' ')}`);
        assert.ok(handled >= RUNS / 2, `the handler ran ${handled} times: ${[...statuses].join(' ')}`);
      }
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
