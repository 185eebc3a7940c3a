// Choice-based sign-in (PASSWORDLESS) over HTTP against the emulator: the email first, the choice of the ways Cognito
// offers, codes by email and text message as the first factor (wrong, expired), the password among them, the MFA
// case Cognito forbids, an unknown email seeing the same steps, the one-page layout, and passwordless sign-up.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { latestCode } from '../helpers/inbox.ts';
import { enableMfa, makeUser, PASSWORD } from '../helpers/mfa-users.ts';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { SoftAuthenticator } from '../helpers/soft-authenticator.ts';
import { registerPasskey } from '../helpers/passkeys.ts';

let h: Harness;
before(async () => {
  h = await startHarness({ env: { PASSWORDLESS: 'email,sms' } });
});
after(() => h.close());
beforeEach(() => h.emulator.resetCalls());

let phones = 0;
const phone = () => `+4477008${String(++phones).padStart(5, '0')}`;

/** The email-first step: ends on the choice page. */
async function start(b: Browser, email: string) {
  const form = await b.get('/login');
  const res = await b.post('/login', { _csrf: csrfOf(form.body), username: email });
  assert.equal(res.location, '/login/choose', `${email}: to the choice`);
  return b.get('/login/choose');
}

const choose = (b: Browser, page: { body: string }, method: string, extra: Record<string, string> = {}) =>
  b.post('/login/choose', { _csrf: csrfOf(page.body), method, ...extra });

describe('the email first, then the way in', () => {
  test('the sign-in page asks for the email only', async () => {
    const page = await h.browser().get('/login');
    assert.match(page.body, /name="username"/);
    assert.doesNotMatch(page.body, /name="password"/);
    assert.match(page.body, />Continue</);
  });

  test('a code by email signs in without a password (no "trust this browser" for a first factor)', async () => {
    const email = await makeUser(h, 'email-code');
    const b = h.browser();
    const page = await start(b, email);
    assert.match(page.body, /Signing in as [^<]*email-code/);
    assert.match(page.body, /value="EMAIL_OTP"/);
    assert.match(page.body, /name="password"/, 'the password is one of the ways');
    const sent = await choose(b, page, 'EMAIL_OTP');
    assert.equal(sent.location, '/mfa');
    const mfa = await b.get('/mfa');
    assert.match(mfa.body, /We sent a code by email to/);
    assert.doesNotMatch(mfa.body, /Trust this browser/);
    const code = await latestCode(h.emulator.endpoint, email, 'EMAIL_OTP');
    const wrong = await b.post('/mfa', {
      _csrf: csrfOf(mfa.body),
      code: code === '000000' ? '111111' : '000000',
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /The code is incorrect/);
    const done = await b.post('/mfa', { _csrf: csrfOf(mfa.body), code });
    assert.equal(done.location, '/account');
    assert.equal((await b.get('/account')).status, 200);
    assert.equal(h.emulator.callCount('InitiateAuth'), 1);
  });

  test('a code by text message, for a user with a verified phone number', async () => {
    const number = phone();
    const email = await makeUser(h, 'sms-code', number);
    const b = h.browser();
    const page = await start(b, email);
    assert.match(page.body, /value="SMS_OTP"/);
    assert.equal((await choose(b, page, 'SMS_OTP')).location, '/mfa');
    const mfa = await b.get('/mfa');
    assert.match(mfa.body, /We sent a code by text message to/);
    const code = await latestCode(h.emulator.endpoint, number, 'SMS_OTP');
    assert.equal((await b.post('/mfa', { _csrf: csrfOf(mfa.body), code })).location, '/account');
  });

  test('the password among the ways: wrong is refused on the choice page, right signs in', async () => {
    const email = await makeUser(h, 'choice-password');
    const b = h.browser();
    const page = await start(b, email);
    const wrong = await choose(b, page, 'PASSWORD', { password: 'Wrong-horse-9' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /Incorrect email address or password/);
    assert.match(wrong.body, /How do you want to sign in/, 'still the choice');
    const empty = await choose(b, wrong, 'PASSWORD', { password: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.body, /Enter your password/);
    assert.equal((await choose(b, empty, 'PASSWORD', { password: PASSWORD })).location, '/account');
  });

  test('a code that took too long: the sign-in starts again with the email kept', async () => {
    const email = await makeUser(h, 'late-code');
    const b = h.browser();
    const page = await start(b, email);
    await choose(b, page, 'EMAIL_OTP');
    const mfa = await b.get('/mfa');
    const code = await latestCode(h.emulator.endpoint, email, 'EMAIL_OTP');
    h.clock.advance(4 * 60_000);
    try {
      const late = await b.post('/mfa', { _csrf: csrfOf(mfa.body), code });
      assert.match(late.location ?? '', /^\/login\?.*notice=first-factor-expired/);
      assert.match(
        (await b.get(late.location!)).body,
        /took too long and the sign-in expired\. Please start again/,
      );
      assert.match(
        (await b.get(late.location!)).body,
        new RegExp(`value="${email.replace(/[.+]/g, '\\$&')}"`),
      );
    } finally {
      h.clock.advance(-4 * 60_000);
    }
  });

  test('a way the user cannot use looks the same, sends nothing, asks Cognito nothing, and no code works', async () => {
    const email = await makeUser(h, 'not-offered');
    const b = h.browser();
    const page = await start(b, email);
    assert.match(page.body, /value="SMS_OTP"/, 'offered to everyone: the page tells nothing');
    h.emulator.resetCalls();
    assert.equal((await choose(b, page, 'SMS_OTP')).location, '/mfa');
    const mfa = await b.get('/mfa');
    assert.match(
      mfa.body,
      /We sent a code by text message to the phone number of the account, if it has one/,
    );
    const wrong = await b.post('/mfa', { _csrf: csrfOf(mfa.body), code: '123456' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /The code is incorrect/);
    assert.equal(h.emulator.callCount(), 0, 'Cognito never asked');
    const unknownWay = await choose(b, await start(b, email), 'CUSTOM_CHALLENGE');
    assert.equal(unknownWay.status, 400);
    assert.match(unknownWay.body, /not available here/);
  });
});

describe('what Cognito forbids, and what nobody learns', () => {
  test('a user with MFA is offered no codes, told why, and signs in with the password and then the code', async () => {
    const number = phone();
    const email = await makeUser(h, 'mfa-user', number);
    await enableMfa(h, email, { sms: true });
    const b = h.browser();
    const page = await start(b, email);
    assert.match(page.body, /not for accounts with two-step verification on/, 'said plainly, to everyone');
    // Cognito does not offer a code to this user: the way leads to a step where no code ever works.
    h.emulator.resetCalls();
    assert.equal((await choose(b, page, 'EMAIL_OTP')).location, '/mfa');
    assert.equal(h.emulator.callCount(), 0);
    await b.get('/login');
    const again = await start(b, email);
    assert.equal((await choose(b, again, 'PASSWORD', { password: PASSWORD })).location, '/mfa');
  });

  test('an unknown email sees the same steps as a known one, and no code ever works', async () => {
    const known = await makeUser(h, 'known');
    const unknown = `nobody-${Date.now()}@example.com`;
    const strip = (html: string, email: string) =>
      html
        .replaceAll(email, 'EMAIL')
        .replace(/name="_csrf" value="[^"]*"/g, '')
        .replace(/\d+ min \d+ s/g, '');
    const [a, b] = [h.browser(), h.browser()];
    const knownPage = await start(a, known);
    const unknownPage = await start(b, unknown);
    assert.equal(strip(unknownPage.body, unknown), strip(knownPage.body, known));
    assert.equal((await choose(b, unknownPage, 'EMAIL_OTP')).location, '/mfa');
    const mfa = await b.get('/mfa');
    assert.match(mfa.body, /We sent a code by email to n\*\*\*@e\*\*\*\.com/);
    const res = await b.post('/mfa', { _csrf: csrfOf(mfa.body), code: '123456' });
    assert.equal(res.status, 400);
    assert.match(res.body, /The code is incorrect/);
  });
});

describe('one page, and sign-up without a password', () => {
  let one: Harness;
  before(async () => {
    one = await startHarness({ env: { PASSWORDLESS: 'email', SIGN_IN_LAYOUT: 'one-page' } });
  });
  after(() => one.close());

  test('every way on the sign-in page: the password, or a code by email at once', async () => {
    const email = await makeUser(one, 'one-page');
    const b = one.browser();
    const form = await b.get('/login');
    assert.match(form.body, /name="password"/);
    assert.match(form.body, /name="method" value="EMAIL_OTP"/);
    const sent = await b.post('/login', { _csrf: csrfOf(form.body), username: email, method: 'EMAIL_OTP' });
    assert.equal(sent.location, '/mfa', 'the code is sent at once');
    const mfa = await b.get('/mfa');
    const code = await latestCode(one.emulator.endpoint, email, 'EMAIL_OTP');
    assert.equal((await b.post('/mfa', { _csrf: csrfOf(mfa.body), code })).location, '/account');
    const other = one.browser();
    const withPassword = await other.submit('/login', '/login', {
      username: email,
      password: PASSWORD,
      method: 'PASSWORD',
    });
    assert.equal(withPassword.location, '/account');
    // A password manager filled the password in, and "Email me a code" was pressed: the button decides.
    const third = one.browser();
    const autofilled = await third.submit('/login', '/login', {
      username: email,
      password: 'Filled-in-1',
      method: 'EMAIL_OTP',
    });
    assert.equal(autofilled.location, '/mfa');
  });

  test('sign-up without a password: the confirmation code signs in, and codes do from then on', async () => {
    const email = `passwordless-${Date.now()}@example.com`;
    const b = one.browser();
    const form = await b.get('/signup');
    assert.match(form.body, /leave it empty to sign in with a code/);
    const res = await b.post('/signup', {
      _csrf: csrfOf(form.body),
      email,
      name: 'No Password',
      password: '',
    });
    assert.equal(res.location, '/confirm');
    const confirm = await b.get('/confirm');
    const code = await latestCode(one.emulator.endpoint, email, 'SIGN_UP');
    const done = await b.post('/confirm', { _csrf: csrfOf(confirm.body), code });
    assert.match(done.location ?? '', /^\/account/);
    const later = one.browser();
    const sent = await later.submit('/login', '/login', { username: email, method: 'EMAIL_OTP' });
    assert.equal(sent.location, '/mfa');
  });
});

describe('passkeys (a software authenticator over HTTP; the browser walk is test/e2e/passkeys.test.ts)', () => {
  let p: Harness;
  before(async () => {
    p = await startHarness({
      env: { PASSWORDLESS: 'email,passkey', WEBAUTHN_RELYING_PARTY_ID: 'localhost' },
    });
  });
  after(() => p.close());

  /** The JSON the page carries for the browser. */
  const optionsOf = <T>(html: string): T =>
    JSON.parse(
      /<script type="application\/json" id="passkey-options">([^<]*)<\/script>/.exec(html)![1]!,
    ) as T;

  test('offered once after sign-in; added on the account page; signs in without a password; removed', async () => {
    const email = await makeUser(p, 'passkey');
    const b = p.browser();
    const form = await b.get('/login');
    await b.post('/login', { _csrf: csrfOf(form.body), username: email });
    const choice = await b.get('/login/choose');
    const signedIn = await b.post('/login/choose', {
      _csrf: csrfOf(choice.body),
      method: 'PASSWORD',
      password: PASSWORD,
    });
    assert.equal(signedIn.location, '/account/passkeys', 'the offer, once');
    const offer = await b.get('/account/passkeys');
    assert.match(offer.body, /Sign in faster next time/);
    const create = await b.post('/account/passkeys/add', { _csrf: csrfOf(offer.body) });
    assert.equal(create.status, 200);
    assert.match(create.body, /data-passkey="create"/);
    const authenticator = new SoftAuthenticator();
    const { response } = authenticator.register(
      optionsOf<PublicKeyCredentialCreationOptionsJSON>(create.body),
      'http://localhost',
    );
    const added = await b.post('/account/passkeys/add', {
      _csrf: csrfOf(create.body),
      credential: JSON.stringify(response),
    });
    assert.equal(added.location, '/account', 'on to where the sign-in was going');
    const list = await b.get('/account/passkeys');
    assert.equal((list.body.match(/class="device"/g) ?? []).length, 1);
    assert.doesNotMatch(list.body, /name="password"/, 'a fresh sign-in: no password asked to remove');

    // Another browser: the email, the passkey, no password.
    const other = p.browser();
    const start = await other.get('/login');
    await other.post('/login', { _csrf: csrfOf(start.body), username: email });
    const choose = await other.get('/login/choose');
    const asked = await other.post('/login/choose', { _csrf: csrfOf(choose.body), method: 'WEB_AUTHN' });
    assert.equal(asked.location, '/login/passkey');
    const page = await other.get('/login/passkey');
    assert.match(page.body, /Sign in with a passkey/);
    assert.match(page.body, /Passkeys need JavaScript/, 'said to browsers without script');
    const answer = authenticator.authenticate(
      optionsOf<PublicKeyCredentialRequestOptionsJSON>(page.body),
      'http://localhost',
    );
    const done = await other.post('/login/passkey', {
      _csrf: csrfOf(page.body),
      credential: JSON.stringify(answer),
    });
    assert.equal(done.location, '/account', 'signed in, no offer: a passkey exists');
    assert.equal((await other.get('/account')).status, 200);

    // A replayed answer (the same assertion again) is refused, and says so.
    const again = p.browser();
    const s2 = await again.get('/login');
    await again.post('/login', { _csrf: csrfOf(s2.body), username: email });
    const c2 = await again.get('/login/choose');
    await again.post('/login/choose', { _csrf: csrfOf(c2.body), method: 'WEB_AUTHN' });
    const p2 = await again.get('/login/passkey');
    const replay = await again.post('/login/passkey', {
      _csrf: csrfOf(p2.body),
      credential: JSON.stringify(answer),
    });
    assert.match(replay.location ?? '', /notice=passkey-failed/);
    assert.match((await again.get(replay.location!)).body, /That passkey could not sign you in/);

    const id = /name="id" value="([^"]+)"/.exec(list.body)![1]!;
    const removed = await b.post('/account/passkeys/delete', { _csrf: csrfOf(list.body), id });
    assert.equal(removed.location, '/account/passkeys?notice=passkey-removed');
    assert.match(
      (await b.get('/account/passkeys?notice=passkey-removed')).body,
      /The passkey has been removed/,
    );
  });

  test('"not now" goes on and is not offered again; a cancelled ceremony and a bad id get clear messages', async () => {
    const email = await makeUser(p, 'not-now');
    const b = p.browser();
    const first = await b.submit('/login', '/login', {
      username: email,
      password: PASSWORD,
      method: 'PASSWORD',
    });
    assert.equal(first.location, '/account/passkeys');
    const offer = await b.get('/account/passkeys');
    const skipped = await b.post('/account/passkeys/add', { _csrf: csrfOf(offer.body), skip: 'true' });
    assert.equal(skipped.location, '/account');
    const confirm = await b.get('/logout');
    await b.post('/logout', { _csrf: csrfOf(confirm.body) });
    const second = await b.submit('/login', '/login', {
      username: email,
      password: PASSWORD,
      method: 'PASSWORD',
    });
    assert.equal(second.location, '/account', 'not offered again in this browser');
    const list = await b.get('/account/passkeys');
    assert.match(list.body, /You have no passkeys yet/);
    const cancelled = await b.post('/account/passkeys/add', { _csrf: csrfOf(list.body), credential: '{}' });
    assert.equal(cancelled.status, 400);
    assert.match(cancelled.body, /No passkey was created/);
    const bad = await b.post('/account/passkeys/delete', { _csrf: csrfOf(list.body), id: '<x>' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /This passkey is not known/);
  });
});

describe('the review round: limits, decoys that cannot be told apart, fresh checks', () => {
  let d: Harness;
  before(async () => {
    d = await startHarness({
      env: {
        PASSWORDLESS: 'email,sms,passkey',
        WEBAUTHN_RELYING_PARTY_ID: 'localhost',
        RATE_LIMIT_PER_IP: '60',
        RATE_LIMIT_PER_ACCOUNT: '10',
      },
    });
  });
  after(() => d.close());

  const begin = async (b: Browser, email: string) => {
    b.cookies.set('passkey-offer', 'x');
    const form = await b.get('/login');
    await b.post('/login', { _csrf: csrfOf(form.body), username: email });
    return b.get('/login/choose');
  };
  const mask = (html: string, email: string) =>
    html
      .replaceAll(email, 'EMAIL')
      .replace(/name="_csrf" value="[^"]*"/g, '')
      .replace(/&quot;challenge&quot;:&quot;[^&]*&quot;|"challenge":"[^"]*"/g, '')
      .replace(/\d+ min \d+ s/g, '')
      .replace(/data-seconds-left="\d+"/g, '')
      .replace(/[a-z]\*\*\*@/g, 'X***@');

  test('a code by text message: a real step, a decoy and an unknown email read the same', async () => {
    const number = `+4477007${String(Date.now() % 100000).padStart(5, '0')}`;
    const withPhone = await makeUser(d, 'has-phone', number);
    const withoutPhone = await makeUser(d, 'no-phone');
    const unknown = `nobody-sms-${Date.now()}@example.com`;
    const pages: string[] = [];
    for (const email of [withPhone, withoutPhone, unknown]) {
      const b = d.browser();
      const choice = await begin(b, email);
      assert.equal((await choose(b, choice, 'SMS_OTP')).location, '/mfa', email);
      pages.push(mask((await b.get('/mfa')).body, email));
    }
    assert.match(pages[0]!, /to the phone number of the account, if it has one/);
    assert.equal(pages[1], pages[0], 'no phone (a decoy) reads as a real step');
    assert.equal(pages[2], pages[0], 'an unknown email reads as a real step');
  });

  test('a second code for the same address within the cooldown is refused alike, real or decoy', async () => {
    const known = await makeUser(d, 'cooldown');
    const unknown = `nobody-cooldown-${Date.now()}@example.com`;
    const answers: { first: string | undefined; second: number; text: string }[] = [];
    for (const email of [known, unknown]) {
      const b = d.browser();
      const first = await choose(b, await begin(b, email), 'EMAIL_OTP');
      const again = await choose(b, await begin(b, email), 'EMAIL_OTP');
      const text = /<h2[^>]*>There is a problem[\s\S]*?<\/ul>/.exec(again.body)?.[0] ?? '';
      // The wait counts down in real time: a second boundary may fall between the two accounts' requests.
      const wait = Number(/Please wait (\d+) seconds/.exec(text)?.[1]);
      assert.ok(wait > 0 && wait <= 60, `a wait within the cooldown: ${text}`);
      answers.push({
        first: first.location,
        second: again.status,
        text: text.replace(/\d+ seconds/, 'N seconds'),
      });
    }
    assert.equal(answers[0]!.first, '/mfa');
    assert.equal(answers[0]!.second, 429);
    assert.deepEqual(answers[1], answers[0]);
  });

  test('the passkey page carries the same options for a real step and a decoy', async () => {
    const email = await makeUser(d, 'passkey-real');
    await registerPasskey(d, email, PASSWORD);
    const without = await makeUser(d, 'passkey-none');
    const pages: string[] = [];
    for (const who of [email, without]) {
      const b = d.browser();
      assert.equal((await choose(b, await begin(b, who), 'WEB_AUTHN')).location, '/login/passkey');
      pages.push(mask((await b.get('/login/passkey')).body, who));
    }
    assert.match(pages[0]!, /"allowCredentials":\[\]/);
    assert.equal(pages[1], pages[0]);
  });

  test('an old sign-in confirms the password before adding or removing a passkey; that proves no MFA', async () => {
    const email = await makeUser(d, 'stale');
    await registerPasskey(d, email, PASSWORD);
    const b = d.browser();
    b.cookies.set('passkey-offer', 'x');
    const signed = await b.submit('/login', '/login', {
      username: email,
      password: PASSWORD,
      method: 'PASSWORD',
    });
    assert.equal(signed.location, '/account');
    const TEN_MINUTES = 10 * 60_000;
    d.clock.advance(TEN_MINUTES);
    try {
      const list = await b.get('/account/passkeys');
      assert.match(list.body, /Confirm it is you/);
      assert.doesNotMatch(list.body, />Remove</, 'no removing until confirmed');
      const add = await b.post('/account/passkeys/add', { _csrf: csrfOf(list.body) });
      assert.equal(add.status, 403, 'a stolen session cannot add a passkey of its own');
      const form = { _csrf: csrfOf(list.body), confirm: 'true' };
      const wrong = await b.post('/account/passkeys/delete', { ...form, password: 'Wrong-horse-1' });
      assert.equal(wrong.status, 401);
      const ok = await b.post('/account/passkeys/delete', { ...form, password: PASSWORD });
      assert.equal(ok.location, '/account/passkeys');
      assert.match((await b.get('/account/passkeys')).body, />Remove</);
      // The passkeys page's check is its own: the MFA settings still ask for theirs.
      assert.match((await b.get('/account/mfa')).body, /enter your password again/);
    } finally {
      d.clock.advance(-TEN_MINUTES);
    }
  });

  test('a passkey made for another site is refused with a clear message, not an outage page', async () => {
    const email = await makeUser(d, 'evil-origin');
    const b = d.browser();
    b.cookies.set('passkey-offer', 'x');
    await b.submit('/login', '/login', { username: email, password: PASSWORD, method: 'PASSWORD' });
    const list = await b.get('/account/passkeys');
    const create = await b.post('/account/passkeys/add', { _csrf: csrfOf(list.body) });
    const json = /id="passkey-options">([^<]*)</.exec(create.body)![1]!;
    const options = JSON.parse(json) as PublicKeyCredentialCreationOptionsJSON;
    const { response } = new SoftAuthenticator().register(options, 'https://evil.example');
    const res = await b.post('/account/passkeys/add', {
      _csrf: csrfOf(create.body),
      credential: JSON.stringify(response),
    });
    assert.equal(res.status, 400);
    assert.match(res.body, /The passkey could not be added/);
  });
});
