// CSRF over every state-changing route, each in the state where it would act: missing, foreign and stale tokens,
// cross-origin Origin and Sec-Fetch-Site are refused with a friendly 403 before Cognito is called.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { paths } from '../../src/paths.ts';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import type { Harness } from '../helpers/harness.ts';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import { registerPasskey } from '../helpers/passkeys.ts';
import {
  addingTotp,
  anonymousOn,
  assertFriendly,
  assertNoSecrets,
  freshEmail,
  mfaChallenge,
  newPasswordChallenge,
  passOffer,
  PASSWORD,
  pendingReset,
  pendingSignUp,
  reauthenticated,
  selectChallenge,
  setupChallenge,
  signedIn,
  startSecurityHarness,
  tokenOn,
  type Arrange,
} from './support.ts';

let h: Harness;
/** The address of the user the delete route's case signed in. */
let deleting = '';
before(async () => {
  // Sign-in by SRP with remembered devices and every passwordless way, so every POST route exists (the devices,
  // passkey and choice pages' too) and the sign-in form is checked in the flow that answers more than one challenge.
  h = await startSecurityHarness({
    AUTH_FLOW: 'USER_SRP_AUTH',
    REMEMBER_DEVICES: 'ask',
    PASSWORDLESS: 'email,sms,passkey',
  });
});
after(() => h.close());

interface Route {
  path: string;
  /** The state in which the route acts. */
  state: string;
  arrange: Arrange;
  /** A form the route would act on (everything but `_csrf`). */
  form: () => Record<string, string>;
  /** The state is a signed-in session (the stale token is then the one from before that sign-in). */
  signedIn?: boolean;
}

/** The email given on the email-first form: the choice of the way in is open. */
const choosing = async (_h: Harness, b: Browser, email = freshEmail('csrf-choice')): Promise<string> => {
  const token = await tokenOn(b, paths.login);
  const res = await b.post(paths.login, { _csrf: token, username: email });
  assert.equal(res.location, paths.loginChoose);
  return tokenOn(b, paths.loginChoose);
};

const demo = () => ({ username: h.pool.demoUser.email, password: h.pool.demoUser.password });

const ROUTES: readonly Route[] = [
  { path: paths.login, state: 'sign-in form open', arrange: anonymousOn(paths.login), form: demo },
  { path: paths.logout, state: 'signed in', arrange: signedIn, form: () => ({}), signedIn: true },
  {
    path: paths.signup,
    state: 'sign-up form open',
    arrange: anonymousOn(paths.signup),
    form: () => ({ email: freshEmail('csrf-signup'), password: PASSWORD, name: 'New Person' }),
  },
  { path: paths.confirm, state: 'sign-up pending', arrange: pendingSignUp, form: () => ({ code: '123456' }) },
  { path: paths.confirmResend, state: 'sign-up pending', arrange: pendingSignUp, form: () => ({}) },
  {
    path: paths.forgotPassword,
    state: 'recovery form open',
    arrange: anonymousOn(paths.forgotPassword),
    form: () => ({ email: h.pool.demoUser.email }),
  },
  {
    path: paths.resetPassword,
    state: 'reset pending',
    arrange: pendingReset,
    form: () => ({ code: '123456', newPassword: 'Another-pass-9' }),
  },
  {
    path: paths.newPassword,
    state: 'NEW_PASSWORD_REQUIRED pending',
    arrange: newPasswordChallenge,
    form: () => ({ newPassword: 'My-own-password-9' }),
  },
  { path: paths.mfa, state: 'EMAIL_OTP pending', arrange: mfaChallenge, form: () => ({ code: '654321' }) },
  {
    path: paths.mfaSelect,
    state: 'SELECT_MFA_TYPE pending',
    arrange: selectChallenge,
    form: () => ({ method: 'EMAIL_OTP' }),
  },
  {
    path: paths.mfaSetup,
    state: 'MFA_SETUP pending',
    arrange: setupChallenge,
    form: () => ({ method: 'totp', code: '654321' }),
  },
  {
    path: paths.accountMfa,
    state: 'signed in, password proved again',
    arrange: reauthenticated,
    form: () => ({ method: 'EMAIL_OTP', action: 'disable' }),
    signedIn: true,
  },
  {
    path: paths.accountMfaVerify,
    state: 'signed in',
    arrange: signedIn,
    form: () => ({ password: PASSWORD }),
    signedIn: true,
  },
  {
    path: paths.accountProfile,
    state: 'signed in',
    arrange: signedIn,
    form: () => ({ email: freshEmail('csrf-profile') }),
    signedIn: true,
  },
  {
    path: paths.accountVerify,
    state: 'signed in',
    arrange: signedIn,
    form: () => ({ attribute: 'email', code: '123456' }),
    signedIn: true,
  },
  {
    path: paths.accountVerifySend,
    state: 'signed in',
    arrange: signedIn,
    form: () => ({ attribute: 'email' }),
    signedIn: true,
  },
  {
    path: paths.accountPassword,
    state: 'signed in',
    arrange: signedIn,
    form: () => ({ currentPassword: PASSWORD, newPassword: 'Another-pass-9' }),
    signedIn: true,
  },
  {
    path: paths.accountSignOutEverywhere,
    state: 'signed in',
    arrange: signedIn,
    form: () => ({}),
    signedIn: true,
  },
  {
    path: paths.accountDelete,
    state: 'signed in',
    arrange: async (h, b) => {
      const token = await signedIn(h, b);
      // The address to type out, as the page names it.
      deleting = /type (\S+@example\.com) below/.exec((await b.get(paths.accountDelete)).body)?.[1] ?? '';
      return token;
    },
    form: () => ({ password: PASSWORD, confirm: deleting }),
    signedIn: true,
  },
  {
    path: paths.accountDevicesForget,
    state: 'signed in',
    arrange: signedIn,
    form: () => ({ all: 'true' }),
    signedIn: true,
  },
  {
    path: paths.loginChoose,
    state: 'the email given, the way in to choose',
    arrange: choosing,
    form: () => ({ method: 'EMAIL_OTP' }),
  },
  {
    path: paths.loginPasskey,
    state: 'a passkey asked for',
    arrange: async (h, b) => {
      // A user with a passkey, so Cognito asks for it (a user without one gets a decoy step, Cognito not asked).
      const email = freshEmail('csrf-passkey');
      await createConfirmedUser(adminClient(h.emulator.endpoint), h.pool.userPoolId, email, PASSWORD);
      await registerPasskey(h, email, PASSWORD);
      const token = await choosing(h, b, email);
      await b.post(paths.loginChoose, { _csrf: token, method: 'WEB_AUTHN' });
      return tokenOn(b, paths.loginPasskey);
    },
    form: () => ({ credential: '{"id":"x"}' }),
  },
  {
    path: paths.accountPasskeysAdd,
    state: 'signed in',
    arrange: signedIn,
    form: () => ({}),
    signedIn: true,
  },
  {
    path: paths.accountPasskeysDelete,
    state: 'signed in',
    arrange: signedIn,
    form: () => ({ id: 'passkey-id' }),
    signedIn: true,
  },
  {
    path: paths.accountMfaTotp,
    state: 'signed in, adding an authenticator app',
    arrange: addingTotp,
    form: () => ({ code: '654321' }),
    signedIn: true,
  },
];

/** Every value of a form that must never come back or reach the logs. */
const secretsOf = (form: Record<string, string>) =>
  Object.entries(form)
    .filter(([k]) => ['password', 'currentPassword', 'newPassword', 'code'].includes(k))
    .map(([, v]) => v);

/** A refused request: 403, the friendly "form has expired" page, no Cognito call, nothing secret echoed or logged. */
async function assertRefused(send: () => Promise<Page>, form: Record<string, string>, what: string) {
  h.emulator.resetCalls();
  const res = await send();
  assertFriendly(res, 403, what);
  assert.match(res.body, /This form has expired/, what);
  assert.equal(h.emulator.callCount(), 0, `${what}: Cognito not called`);
  assertNoSecrets(h, res, secretsOf(form), what);
}

test('the table covers every POST route the app registers', () => {
  const registered = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts')) {
        for (const m of readFileSync(file, 'utf8').matchAll(/router\.post\(\s*paths\.(\w+)/g)) {
          registered.add(paths[m[1] as keyof typeof paths]);
        }
      }
    }
  };
  walk(new URL('../../src', import.meta.url).pathname);
  assert.deepEqual([...registered].sort(), ROUTES.map((r) => r.path).sort());
});

for (const route of ROUTES) {
  describe(`POST ${route.path} (${route.state})`, () => {
    let b: Browser;
    let token: string;
    before(async () => {
      b = h.browser();
      token = await route.arrange(h, b);
    });

    const CASES: ReadonlyArray<[string, () => Promise<Page>]> = [
      ['no token', () => b.post(route.path, route.form())],
      ['an empty token', () => b.post(route.path, { _csrf: '', ...route.form() })],
      [
        "a foreign token (another browser's)",
        async () => {
          const foreign = csrfOf((await h.browser().get(paths.login)).body);
          return b.post(route.path, { _csrf: foreign, ...route.form() });
        },
      ],
      [
        'a valid token with a cross-origin Origin',
        () => b.post(route.path, { _csrf: token, ...route.form() }, { origin: 'https://evil.example' }),
      ],
      [
        'a valid token with Sec-Fetch-Site: cross-site',
        () => b.post(route.path, { _csrf: token, ...route.form() }, { 'sec-fetch-site': 'cross-site' }),
      ],
      [
        'a valid token with Sec-Fetch-Site: same-site (a sibling subdomain)',
        () => b.post(route.path, { _csrf: token, ...route.form() }, { 'sec-fetch-site': 'same-site' }),
      ],
    ];
    for (const [name, send] of CASES) {
      test(`refuses ${name}: 403, friendly page, Cognito not called`, async () => {
        await assertRefused(send, route.form(), name);
      });
    }

    test('with its own token from its own origin, the same request is served (the state was live)', async () => {
      h.emulator.resetCalls();
      const form = route.form();
      const res = await b.post(route.path, { _csrf: token, ...form }, { origin: new URL(h.baseUrl).origin });
      assert.notEqual(res.status, 403, res.body.slice(0, 300));
      assert.ok(res.status < 500, `status ${res.status}`);
      assert.ok(h.emulator.callCount() > 0, 'the route acted: Cognito was called');
      assertNoSecrets(h, res, secretsOf(form), 'served');
    });

    test('refuses a stale token (from before a sign-in, which rotates it): 403, Cognito not called', async () => {
      const victim = h.browser();
      const stale = await tokenOn(victim, paths.login);
      if (!route.signedIn) {
        // Sign in (the token rotates) and out, then reach the route's state afresh.
        const res = await victim.post(paths.login, { _csrf: stale, ...demo() });
        assert.equal(await passOffer(victim, res.location), paths.account);
        const rotated = await tokenOn(victim, paths.account);
        assert.notEqual(rotated, stale, 'a new token at sign-in');
        assert.equal((await victim.post(paths.logout, { _csrf: rotated })).status, 302);
      }
      const current = await route.arrange(h, victim);
      assert.notEqual(current, stale, 'the token was rotated');
      await assertRefused(
        () => victim.post(route.path, { _csrf: stale, ...route.form() }),
        route.form(),
        'stale token',
      );
    });
  });
}
