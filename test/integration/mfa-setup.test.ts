// MFA required by the pool: a user with nothing set up is walked through MFA_SETUP during sign-in.
import assert from 'node:assert/strict';
import { SetUserPoolMfaConfigCommand } from '@aws-sdk/client-cognito-identity-provider';
import { after, before, test } from 'node:test';
import { adminClient } from '../helpers/admin.ts';
import { csrfOf } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { latestCode } from '../helpers/inbox.ts';
import { makeUser, PASSWORD } from '../helpers/mfa-users.ts';
import { decodeQrSvg } from '../helpers/qr-decode.ts';
import { totp } from '../helpers/totp.ts';

let h: Harness;
before(async () => {
  h = await startHarness({ env: { MFA_ISSUER: 'Acme Login' } });
  await adminClient(h.emulator.endpoint).send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: h.pool.userPoolId,
      MfaConfiguration: 'ON',
      SoftwareTokenMfaConfiguration: { Enabled: true },
      EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Your code' },
    }),
  );
});
after(() => h.close());

test('TOTP set-up during sign-in: the QR code decodes to the otpauth URI, the first code signs in', async () => {
  const email = await makeUser(h, 'setup');
  const b = h.browser();
  const res = await b.submit('/login', '/login', { username: email, password: PASSWORD });
  assert.equal(res.location, '/mfa/setup');
  const page = await b.get('/mfa/setup');
  assert.equal(page.status, 200);
  assert.match(page.body, /<img class="qr" src="\/mfa\/setup\/qr\.svg"/);
  const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)![1]!.replace(/ /g, '');
  assert.doesNotMatch(
    page.body,
    new RegExp(`otpauth|${secret}(?![^<]*</code>)`),
    'the secret only in the key box',
  );

  const qr = await b.get('/mfa/setup/qr.svg');
  assert.equal(qr.headers.get('content-type'), 'image/svg+xml');
  const uri = decodeQrSvg(qr.body)!;
  assert.equal(
    uri,
    `otpauth://totp/Acme%20Login:${encodeURIComponent(email)}?secret=${secret}&issuer=Acme%20Login&algorithm=SHA1&digits=6&period=30`,
  );
  assert.equal((await h.browser().get('/mfa/setup/qr.svg')).status, 302, 'no QR code for another browser');

  const good = totp(secret, h.clock.now());
  const wrong = await b.post('/mfa/setup', {
    _csrf: csrfOf(page.body),
    method: 'totp',
    code: good === '000000' ? '111111' : '000000',
  });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body, /Check that the time on your device is set automatically/);
  const done = await b.post('/mfa/setup', { _csrf: csrfOf(page.body), method: 'totp', code: good });
  assert.equal(done.location, '/account');

  // From now on the app's code is asked at every sign-in.
  h.clock.advance(30_000);
  const again = h.browser();
  assert.equal(
    (await again.submit('/login', '/login', { username: email, password: PASSWORD })).location,
    '/mfa',
  );
  const mfa = await again.get('/mfa');
  assert.equal(
    (await again.post('/mfa', { _csrf: csrfOf(mfa.body), code: totp(secret, h.clock.now()) })).location,
    '/account',
  );
});

test('email codes chosen instead of an app during set-up', async () => {
  const email = await makeUser(h, 'setup-email');
  const b = h.browser();
  await b.submit('/login', '/login', { username: email, password: PASSWORD });
  const page = await b.get('/mfa/setup');
  assert.match(page.body, /Use email codes instead/);
  const chosen = await b.post('/mfa/setup', { _csrf: csrfOf(page.body), method: 'email', email });
  assert.equal(chosen.location, '/mfa');
  const code = await latestCode(h.emulator.endpoint, email, 'EMAIL_OTP');
  const mfa = await b.get('/mfa');
  assert.equal((await b.post('/mfa', { _csrf: csrfOf(mfa.body), code })).location, '/account');
});
