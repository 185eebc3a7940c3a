// The emulator's hosted UI: authorize -> sign-in form -> code -> token, as a confidential OAuth client sees it.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import { startLocalCognito, type LocalCognito, type LocalPoolInfo } from '../../src/local-cognito/index.ts';
import { claimsOf, fakeClock, hashFor, sdkClient } from './helpers.ts';
import {
  authorizePath,
  Browser,
  CALLBACK,
  hiddenFields,
  openLoginForm,
  pkce,
  signInForCode,
  tokenRequest,
} from './hosted-ui-helpers.ts';

describe('local cognito: hosted UI', () => {
  const clock = fakeClock();
  let emu: LocalCognito;
  let pool: LocalPoolInfo;
  let cognito: CognitoIdentityProviderClient;

  before(async () => {
    emu = await startLocalCognito({ port: 0, clock: clock.now });
    pool = await emu.ensureLocalPool();
    cognito = sdkClient(emu);
  });
  after(async () => {
    cognito.destroy();
    await emu.close();
  });
  beforeEach(() => emu.resetCalls());

  /** Sign-in through the form and the code exchange; the token response. */
  async function hostedSignIn(username?: string, password?: string) {
    const walk = await signInForCode(emu, pool, { username, password });
    const tokens = await tokenRequest(emu, pool, {
      grant_type: 'authorization_code',
      code: walk.callback.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      code_verifier: walk.verifier,
    });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    return { ...walk, tokens: tokens.body as Record<string, string> };
  }

  it('authorize -> form -> code -> tokens that aws-jwt-verify accepts, with the nonce and the scopes', async () => {
    const walk = await signInForCode(emu, pool);
    assert.equal(walk.callback.origin + walk.callback.pathname, CALLBACK);
    assert.equal(walk.callback.searchParams.get('state'), walk.state);
    const code = walk.callback.searchParams.get('code') ?? '';
    assert.ok(code.length >= 32);
    assert.ok(walk.browser.jar.cookies.has('cognito'), 'the hosted UI keeps its own session cookie');

    const { status, body, res } = await tokenRequest(emu, pool, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      code_verifier: walk.verifier,
    });
    assert.equal(status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(typeof body.refresh_token, 'string');

    const jwks = (await (
      await fetch(`${emu.endpoint}/${pool.userPoolId}/.well-known/jwks.json`)
    ).json()) as Parameters<JwksCache['addJwks']>[1];
    const idVerifier = CognitoJwtVerifier.create({
      userPoolId: pool.userPoolId,
      tokenUse: 'id',
      clientId: pool.clientId,
    });
    const accessVerifier = CognitoJwtVerifier.create({
      userPoolId: pool.userPoolId,
      tokenUse: 'access',
      clientId: pool.clientId,
    });
    idVerifier.cacheJwks(jwks);
    accessVerifier.cacheJwks(jwks);
    const id = await idVerifier.verify(body.id_token as string);
    const access = await accessVerifier.verify(body.access_token as string);
    assert.equal(id.nonce, walk.nonce);
    assert.equal(id.email, pool.demoUser.email);
    assert.equal(id['cognito:username'], access.username);
    assert.deepEqual(id['cognito:groups'], ['demo']);
    assert.equal(
      id.at_hash,
      createHash('sha256')
        .update(body.access_token as string)
        .digest()
        .subarray(0, 16)
        .toString('base64url'),
    );
    assert.equal(access.scope, 'openid email profile');
    assert.equal(id.origin_jti, access.origin_jti);
    assert.equal(emu.callCount('oauth2/authorize'), 1);
    assert.equal(emu.callCount('login'), 2); // the form, then the credentials
    assert.equal(emu.callCount('oauth2/token'), 1);

    // The refresh token works with the JSON API's REFRESH_TOKEN_AUTH as well, keeping the scopes.
    const refreshed = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: pool.clientId,
        AuthParameters: {
          REFRESH_TOKEN: body.refresh_token as string,
          SECRET_HASH: hashFor(pool.clientSecret, access.username, pool.clientId),
        },
      }),
    );
    assert.equal(claimsOf(refreshed.AuthenticationResult!.AccessToken!).scope, 'openid email profile');
  });

  it('a reused code is invalid_grant and ends the tokens its first use issued', async () => {
    const { tokens, callback, verifier } = await hostedSignIn();
    const again = await tokenRequest(emu, pool, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    });
    assert.equal(again.status, 400);
    assert.deepEqual(again.body, { error: 'invalid_grant' });
    const refresh = await tokenRequest(emu, pool, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
    });
    assert.deepEqual(refresh.body, { error: 'invalid_grant' });
  });

  it('a wrong or missing code_verifier is invalid_grant (and burns the code)', async () => {
    const walk = await signInForCode(emu, pool);
    const code = walk.callback.searchParams.get('code') ?? '';
    const wrong = await tokenRequest(emu, pool, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      code_verifier: pkce().verifier,
    });
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.body, { error: 'invalid_grant' });
    const right = await tokenRequest(emu, pool, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      code_verifier: walk.verifier,
    });
    assert.deepEqual(right.body, { error: 'invalid_grant' });

    const other = await signInForCode(emu, pool);
    const missing = await tokenRequest(emu, pool, {
      grant_type: 'authorization_code',
      code: other.callback.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
    });
    assert.deepEqual(missing.body, { error: 'invalid_grant' });
  });

  it('an unregistered redirect_uri gets an error page, never a redirect; a different one at /token is invalid_grant', async () => {
    const browser = new Browser(emu.endpoint);
    for (const uri of [
      'http://localhost:3000/callback/',
      'http://localhost:3000/callback?x=1',
      'http://evil.example/callback',
      'HTTP://localhost:3000/callback',
    ]) {
      const res = await browser.get(
        authorizePath({ client_id: pool.clientId, redirect_uri: uri, state: 's' }),
      );
      assert.equal(res.status, 400, uri);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /redirect_mismatch/);
    }
    const unknown = await browser.get(authorizePath({ client_id: 'nosuchclient', state: 's' }));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get('location'), null);

    const walk = await signInForCode(emu, pool);
    const res = await tokenRequest(emu, pool, {
      grant_type: 'authorization_code',
      code: walk.callback.searchParams.get('code') ?? '',
      redirect_uri: 'http://localhost:3000/other',
      code_verifier: walk.verifier,
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_grant' });
  });

  it('a wrong client secret is invalid_client; client_secret_post is accepted', async () => {
    const walk = await signInForCode(emu, pool);
    const form = {
      grant_type: 'authorization_code',
      code: walk.callback.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      code_verifier: walk.verifier,
    };
    const wrong = await tokenRequest(emu, pool, form, 'not-the-secret');
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.body, { error: 'invalid_client' });
    const none = await tokenRequest(emu, pool, { ...form, client_id: pool.clientId }, null);
    assert.deepEqual(none.body, { error: 'invalid_client' });
    const post = await tokenRequest(
      emu,
      pool,
      { ...form, client_id: pool.clientId, client_secret: pool.clientSecret },
      null,
    );
    assert.equal(post.status, 200, JSON.stringify(post.body));
  });

  it('a code expires after 5 minutes', async () => {
    const walk = await signInForCode(emu, pool);
    clock.advance(5 * 60 * 1000 + 1);
    const res = await tokenRequest(emu, pool, {
      grant_type: 'authorization_code',
      code: walk.callback.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      code_verifier: walk.verifier,
    });
    assert.deepEqual(res.body, { error: 'invalid_grant' });
  });

  it('refresh_token grant: new ID and access tokens, no new refresh token; unknown grants refused', async () => {
    const { tokens } = await hostedSignIn();
    clock.advance(1000);
    const res = await tokenRequest(emu, pool, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.refresh_token, undefined);
    assert.equal(claimsOf(res.body.access_token as string).scope, 'openid email profile');
    assert.equal(claimsOf(res.body.id_token as string).origin_jti, claimsOf(tokens.id_token!).origin_jti);
    const bad = await tokenRequest(emu, pool, { grant_type: 'password', username: 'x', password: 'y' });
    assert.deepEqual(bad.body, { error: 'unsupported_grant_type' });
  });

  it('userInfo answers for a valid access token, 401 with WWW-Authenticate otherwise', async () => {
    const { tokens } = await hostedSignIn();
    const res = await fetch(`${emu.endpoint}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(res.status, 200);
    const info = (await res.json()) as Record<string, string>;
    assert.equal(info.email, pool.demoUser.email);
    assert.equal(info.email_verified, 'true');
    assert.equal(info.name, 'Demo User');
    assert.equal(info.sub, claimsOf(tokens.id_token!).sub);
    assert.equal(info.username, claimsOf(tokens.access_token!).username);
    const bad = await fetch(`${emu.endpoint}/oauth2/userInfo`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(bad.status, 401);
    assert.match(bad.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
    assert.equal(emu.callCount('oauth2/userInfo'), 2);
  });

  it('revoke ends the refresh token and the access tokens minted from it', async () => {
    const { tokens } = await hostedSignIn();
    const basic = `Basic ${Buffer.from(`${pool.clientId}:${pool.clientSecret}`).toString('base64')}`;
    const res = await fetch(`${emu.endpoint}/oauth2/revoke`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token! }).toString(),
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    const refresh = await tokenRequest(emu, pool, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
    });
    assert.deepEqual(refresh.body, { error: 'invalid_grant' });
    const info = await fetch(`${emu.endpoint}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(info.status, 401);
    assert.equal(emu.callCount('oauth2/revoke'), 1);
  });

  it('a second authorize with the hosted-UI cookie skips the form', async () => {
    const walk = await signInForCode(emu, pool);
    emu.resetCalls();
    const { challenge, verifier } = pkce();
    const res = await walk.browser.get(
      authorizePath({
        client_id: pool.clientId,
        scope: 'openid email',
        state: 'second',
        nonce: 'n2',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location') ?? '');
    assert.equal(back.origin + back.pathname, CALLBACK);
    assert.equal(back.searchParams.get('state'), 'second');
    assert.equal(emu.callCount('login'), 0);
    const tokens = await tokenRequest(emu, pool, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    });
    assert.equal(tokens.status, 200);
    const id = claimsOf(tokens.body.id_token as string);
    assert.equal(id.nonce, 'n2');
    assert.equal(claimsOf(tokens.body.access_token as string).scope, 'openid email');
    // prompt=login asks again.
    const forced = await walk.browser.get(authorizePath({ client_id: pool.clientId, prompt: 'login' }));
    assert.match(forced.headers.get('location') ?? '', /^\/login\?/);
  });

  it('logout redirects only to a registered sign-out URL and ends the hosted-UI session', async () => {
    const walk = await signInForCode(emu, pool);
    const oldCookie = walk.browser.jar.cookies.get('cognito') ?? '';
    const evil = await walk.browser.get(
      `/logout?client_id=${pool.clientId}&logout_uri=${encodeURIComponent('http://evil.example/')}`,
    );
    assert.equal(evil.status, 400);
    assert.equal(evil.headers.get('location'), null);
    assert.ok(walk.browser.jar.cookies.has('cognito'), 'an invalid logout does not sign out');
    const res = await walk.browser.get(
      `/logout?client_id=${pool.clientId}&logout_uri=${encodeURIComponent('http://localhost:3000/')}`,
    );
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), 'http://localhost:3000/');
    assert.ok(!walk.browser.jar.cookies.has('cognito'));
    assert.equal(emu.callCount('logout'), 2);
    // The next authorize shows the form again, even with the old cookie replayed.
    const replay = new Browser(emu.endpoint);
    replay.jar.cookies.set('cognito', oldCookie);
    const again = await replay.get(authorizePath({ client_id: pool.clientId }));
    assert.match(again.headers.get('location') ?? '', /^\/login\?/);
    // The alternate form: back to the sign-in page.
    const alt = await walk.browser.get(
      `/logout?client_id=${pool.clientId}&response_type=code&redirect_uri=${encodeURIComponent(CALLBACK)}&scope=openid`,
    );
    assert.equal(alt.status, 302);
    assert.match(alt.headers.get('location') ?? '', /^\/login\?/);
  });

  it('the sign-in page honours lang (German for de, English otherwise), and a wrong password is said in it', async () => {
    const browser = new Browser(emu.endpoint);
    const german = await openLoginForm(browser, { client_id: pool.clientId, lang: 'de' });
    assert.match(german.html, /<html lang="de">/);
    assert.match(german.html, /<h1>Anmelden<\/h1>/);
    assert.match(german.html, /<label for="password">Passwort<\/label>/);
    assert.match(
      german.html,
      /<button type="submit" name="cancel" value="1" formnovalidate>Abbrechen<\/button>/,
    );
    const english = await openLoginForm(new Browser(emu.endpoint), { client_id: pool.clientId, lang: 'fr' });
    assert.match(english.html, /<html lang="en">/);
    assert.match(english.html, /<h1>Sign in<\/h1>/);
    assert.match(english.html, /prefers-color-scheme: dark/, 'styled like the app, light and dark');
  });

  it('cancel goes back with error=access_denied and the state', async () => {
    const browser = new Browser(emu.endpoint);
    const { fields } = await openLoginForm(browser, { client_id: pool.clientId, state: 'st-1' });
    const res = await browser.post('/login', { ...fields, cancel: '1' });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location') ?? '');
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'st-1');
  });

  it('errors after the redirect_uri is trusted go back to it with the state', async () => {
    const browser = new Browser(emu.endpoint);
    const cases: [Record<string, string>, string][] = [
      [{ scope: 'openid admin' }, 'invalid_scope'],
      [{ code_challenge: pkce().verifier, code_challenge_method: 'plain' }, 'invalid_request'],
      [{ identity_provider: 'Google' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
    ];
    for (const [extra, error] of cases) {
      const res = await browser.get(authorizePath({ client_id: pool.clientId, state: 'st', ...extra }));
      assert.equal(res.status, 302, JSON.stringify(extra));
      const back = new URL(res.headers.get('location') ?? '');
      assert.equal(back.origin + back.pathname, CALLBACK);
      assert.equal(back.searchParams.get('error'), error, JSON.stringify(extra));
      assert.equal(back.searchParams.get('state'), 'st');
    }
  });

  it('the form: escaped, framed by nobody, no script; wrong password and a missing CSRF token refused', async () => {
    const browser = new Browser(emu.endpoint);
    const res = await browser.get(
      authorizePath({ client_id: pool.clientId, login_hint: '"><script>x</script>' }),
    );
    const page = await browser.get(res.headers.get('location') ?? '');
    const html = await page.text();
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.ok(!html.includes('<script'));
    assert.match(html, /value="&#34;&#62;&#60;script&#62;x&#60;\/script&#62;"/);
    const fields = hiddenFields(html);
    const wrong = await browser.post('/login', {
      ...fields,
      username: pool.demoUser.email,
      password: 'nope',
    });
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /Incorrect username or password\./);
    const noCsrf = await browser.post('/login', {
      ...fields,
      _csrf: 'forged-forged-forged-forged-forged-forged',
      username: pool.demoUser.email,
      password: pool.demoUser.password,
    });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.headers.get('location'), null);
  });

  it('a user with email MFA gets a code form after the password', async () => {
    const email = 'hosted-mfa@example.com';
    const password = 'Hosted-Mfa-Pass-1';
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        Password: password,
        Permanent: true,
      }),
    );
    await cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        EmailMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const browser = new Browser(emu.endpoint);
    const { challenge, verifier } = pkce();
    const { fields } = await openLoginForm(browser, {
      client_id: pool.clientId,
      state: 'm',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const step = await browser.post('/login', { ...fields, username: email, password });
    assert.equal(step.status, 200);
    const html = await step.text();
    const mfaFields = hiddenFields(html);
    assert.equal(mfaFields.mfa_challenge, 'EMAIL_OTP');
    const code =
      emu
        .messages()
        .filter((m) => m.to === email && m.kind === 'EMAIL_OTP')
        .at(-1)?.code ?? '';
    const wrong = await browser.post('/login', {
      ...mfaFields,
      code: code === '000000' ? '111111' : '000000',
    });
    assert.equal(wrong.status, 400);
    const done = await browser.post('/login', { ...hiddenFields(await wrong.text()), code });
    assert.equal(done.status, 302);
    const back = new URL(done.headers.get('location') ?? '');
    const tokens = await tokenRequest(emu, pool, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    });
    assert.equal(claimsOf(tokens.body.id_token as string).email, email);
  });

  it('OpenID configuration names the hosted-UI endpoints', async () => {
    const res = await fetch(`${emu.endpoint}/${pool.userPoolId}/.well-known/openid-configuration`);
    const config = (await res.json()) as Record<string, string>;
    assert.equal(config.authorization_endpoint, `${emu.endpoint}/oauth2/authorize`);
    assert.equal(config.token_endpoint, `${emu.endpoint}/oauth2/token`);
    assert.equal(config.userinfo_endpoint, `${emu.endpoint}/oauth2/userInfo`);
    assert.equal(config.revocation_endpoint, `${emu.endpoint}/oauth2/revoke`);
    assert.equal(config.end_session_endpoint, `${emu.endpoint}/logout`);
  });
});

describe('local cognito: hosted UI URLs of the seeded client', () => {
  let dir = '';
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ensureLocalPool adds callback and sign-out URLs, idempotently, and keeps them across a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-cognito-hosted-'));
    const extra = {
      callbackUrls: ['http://localhost:4123/callback'],
      logoutUrls: ['http://localhost:4123/'],
    };
    const first = await startLocalCognito({ port: 0, dataDir: dir });
    const pool = await first.ensureLocalPool(extra);
    await first.ensureLocalPool(extra);
    await first.close();

    const emu = await startLocalCognito({ port: 0, dataDir: dir });
    try {
      assert.deepEqual(await emu.ensureLocalPool(), pool);
      const walk = await signInForCode(emu, pool, {
        params: { redirect_uri: 'http://localhost:4123/callback' },
      });
      assert.equal(walk.callback.origin, 'http://localhost:4123');
      const still = await signInForCode(emu, pool);
      assert.equal(still.callback.origin + still.callback.pathname, CALLBACK);
      const out = await fetch(
        `${emu.endpoint}/logout?client_id=${pool.clientId}&logout_uri=${encodeURIComponent('http://localhost:4123/')}`,
        { redirect: 'manual' },
      );
      assert.equal(out.headers.get('location'), 'http://localhost:4123/');
      const described = await fetch(emu.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.DescribeUserPoolClient',
        },
        body: JSON.stringify({ UserPoolId: pool.userPoolId, ClientId: pool.clientId }),
      });
      const client = ((await described.json()) as { UserPoolClient: { CallbackURLs: string[] } })
        .UserPoolClient;
      assert.deepEqual(client.CallbackURLs, [CALLBACK, 'http://localhost:4123/callback']);
    } finally {
      await emu.close();
    }
  });
});
