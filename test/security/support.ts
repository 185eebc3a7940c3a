// Shared by the adversarial suite: a harness with roomy rate limits, the states a route acts in, and the checks
// every refused request must pass (friendly page, no stack trace, no secret in the body or the logs).
import assert from 'node:assert/strict';
import {
  GetUserPoolMfaConfigCommand,
  SetUserPoolMfaConfigCommand,
  type SetUserPoolMfaConfigCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { adminClient } from '../helpers/admin.ts';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { enableMfa, makeInvitedUser, makeUser, PASSWORD } from '../helpers/mfa-users.ts';

export { PASSWORD };

/** Rate limits out of the way (they are pinned elsewhere), and no resend cooldown, so every route can act. */
export const ROOMY_LIMITS = {
  RATE_LIMIT_PER_IP: '1000000',
  RATE_LIMIT_PER_ACCOUNT: '1000000',
  RESEND_COOLDOWN_SECONDS: '0',
} as const;

export function startSecurityHarness(env: Record<string, string> = {}): Promise<Harness> {
  return startHarness({ env: { ...ROOMY_LIMITS, ...env } });
}

/** What a stack trace or an internal error looks like in a body. */
const STACK =
  /\bat [\w$.<>]+ \(|\bat (?:async )?\/|node_modules|\.ts:\d+|\bTypeError\b|\bReferenceError\b|Error: /;
/** A JWT (Cognito tokens start with a base64url `{"`). */
export const JWT = /eyJ[A-Za-z0-9_-]{8,}/;

/** An HTML page with the status, and nothing of the server's insides. */
export function assertFriendly(page: Page, status: number, what = ''): void {
  assert.equal(page.status, status, `${what}: status (${page.body.slice(0, 200)})`);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/, `${what}: HTML`);
  assert.match(page.body, /<!doctype html>/i, `${what}: a full page`);
  assert.doesNotMatch(page.body, STACK, `${what}: no stack trace`);
}

export function assertNoStackTrace(page: Page, what = ''): void {
  assert.doesNotMatch(page.body, STACK, `${what}: no stack trace`);
}

/** None of `secrets` (passwords, codes, tokens) in the body or anywhere in the app's logs; no JWT either. */
export function assertNoSecrets(
  h: Harness,
  page: Page | undefined,
  secrets: readonly string[],
  what = '',
): void {
  const logs = h.logs.join('\n');
  for (const secret of secrets.filter((s) => s.length >= 6)) {
    if (page) assert.ok(!page.body.includes(secret), `${what}: a secret echoed in the body`);
    assert.ok(!logs.includes(secret), `${what}: a secret in the logs`);
  }
  if (page) assert.doesNotMatch(page.body, JWT, `${what}: a token in the body`);
  assert.doesNotMatch(logs, JWT, `${what}: a token in the logs`);
}

/** A fresh address nobody has used. */
let seq = 0;
export const freshEmail = (tag: string) => `${tag}-${++seq}-${Date.now()}@example.com`;

/** Signs `b` in with the password form; returns where it was sent. */
export async function signIn(b: Browser, username: string, password = PASSWORD): Promise<string | undefined> {
  return passOffer(b, (await b.submit('/login', '/login', { username, password })).location);
}

/** With passkeys on, a sign-in may first offer one: "Not now", and on to where the sign-in was going. */
export async function passOffer(b: Browser, location: string | undefined): Promise<string | undefined> {
  if (location !== '/account/passkeys') return location;
  const offer = await b.get(location);
  return (await b.post('/account/passkeys/add', { _csrf: csrfOf(offer.body), skip: 'true' })).location;
}

/** The CSRF token of the page at `path` in `b`'s session. */
export async function tokenOn(b: Browser, path: string): Promise<string> {
  const page = await b.get(path);
  assert.equal(page.status, 200, `GET ${path} (${page.location ?? ''})`);
  return csrfOf(page.body);
}

/** A state a route acts in; resolves to the CSRF token of the page that carries its form. */
export type Arrange = (h: Harness, b: Browser) => Promise<string>;

export const anonymousOn =
  (path: string): Arrange =>
  (_h, b) =>
    tokenOn(b, path);

/** A new user signed in on `b` (with MFA off). */
export const signedIn: Arrange = async (h, b) => {
  const email = await makeUser(h, 'signed-in');
  assert.equal(await signIn(b, email), '/account');
  return tokenOn(b, '/account');
};

/** Signed in, and the password proved again (what /account/mfa changes need). */
export const reauthenticated: Arrange = async (h, b) => {
  const token = await signedIn(h, b);
  const res = await b.post('/account/mfa/verify', { _csrf: token, password: PASSWORD });
  assert.equal(res.location, '/account/mfa');
  return tokenOn(b, '/account/mfa');
};

/** Reauthenticated and an authenticator app being added (a secret in the session). */
export const addingTotp: Arrange = async (h, b) => {
  await reauthenticated(h, b);
  return tokenOn(b, '/account/mfa/totp');
};

/** A sign-up waiting for its code. */
export const pendingSignUp: Arrange = async (_h, b) => {
  const res = await b.submit('/signup', '/signup', {
    email: freshEmail('pending'),
    password: PASSWORD,
    name: 'Pending Person',
  });
  assert.equal(res.location, '/confirm', `sign-up answered ${res.status}: ${res.body.slice(0, 600)}`);
  return tokenOn(b, '/confirm');
};

/** A password reset waiting for its code. */
export const pendingReset: Arrange = async (h, b) => {
  const email = await makeUser(h, 'reset');
  const res = await b.submit('/forgot-password', '/forgot-password', { email });
  assert.equal(
    res.location,
    '/reset-password',
    `forgot-password answered ${res.status}: ${res.body.slice(0, 600)}`,
  );
  return tokenOn(b, '/reset-password');
};

/** An admin-created user's first sign-in: NEW_PASSWORD_REQUIRED pending. */
export const newPasswordChallenge: Arrange = async (h, b) => {
  const email = await makeInvitedUser(h, 'invited', 'Temporary-pass-1');
  assert.equal(await signIn(b, email, 'Temporary-pass-1'), '/new-password');
  return tokenOn(b, '/new-password');
};

/** EMAIL_OTP pending at /mfa. */
export const mfaChallenge: Arrange = async (h, b) => {
  const email = await makeUser(h, 'mfa');
  await enableMfa(h, email, { email: true }, 'email');
  assert.equal(await signIn(b, email), '/mfa');
  return tokenOn(b, '/mfa');
};

/** SELECT_MFA_TYPE pending at /mfa/select (two methods, none preferred). */
export const selectChallenge: Arrange = async (h, b) => {
  const email = await makeUser(h, 'select', '+447700900456');
  await enableMfa(h, email, { sms: true, email: true });
  assert.equal(await signIn(b, email), '/mfa/select');
  return tokenOn(b, '/mfa/select');
};

/** MFA_SETUP pending at /mfa/setup: the pool requires MFA only while this user signs in. */
export const setupChallenge: Arrange = async (h, b) => {
  const client = adminClient(h.emulator.endpoint);
  const email = await makeUser(h, 'setup');
  const saved = await client.send(new GetUserPoolMfaConfigCommand({ UserPoolId: h.pool.userPoolId }));
  const restore: SetUserPoolMfaConfigCommandInput = {
    UserPoolId: h.pool.userPoolId,
    MfaConfiguration: saved.MfaConfiguration,
    SoftwareTokenMfaConfiguration: saved.SoftwareTokenMfaConfiguration,
    SmsMfaConfiguration: saved.SmsMfaConfiguration,
    EmailMfaConfiguration: saved.EmailMfaConfiguration,
  };
  await client.send(new SetUserPoolMfaConfigCommand({ ...restore, MfaConfiguration: 'ON' }));
  try {
    assert.equal(await signIn(b, email), '/mfa/setup');
  } finally {
    await client.send(new SetUserPoolMfaConfigCommand(restore));
  }
  return tokenOn(b, '/mfa/setup');
};
