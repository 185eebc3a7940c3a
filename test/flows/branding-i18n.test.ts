// Branding by a theme folder, and pages in the visitor's language (switcher, cookie, Accept-Language). Cognito is a
// scripted fake: its refusal is shown in German, and the hosted UI (never reached) is asked for the language.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { csrfOf } from '../helpers/browser.ts';
import { cognitoError, startFakeHarness, type FakeHarness } from '../helpers/fake-harness.ts';

let h: FakeHarness;
before(async () => {
  h = await startFakeHarness({
    env: { THEME_DIR: 'themes/example', BRAND_SUPPORT_URL: 'https://help.example.org' },
  });
});
after(() => h.close());

describe('a theme folder', () => {
  test('restyles every page: name, logo, favicon, colours, footer links', async () => {
    const b = h.browser();
    for (const path of ['/', '/login', '/signup', '/forgot-password', '/no-such-page']) {
      const page = await b.get(path);
      assert.match(page.body, /<span>Northwind<\/span>/, path);
      assert.match(page.body, /<img class="brand-logo" src="\/theme\/logo\.svg"/, path);
      assert.match(page.body, /<link rel="icon" href="\/theme\/logo\.svg">/, path);
      assert.match(page.body, /<link rel="stylesheet" href="\/assets\/theme\.css">/, path);
      assert.match(page.body, /href="https:\/\/example\.com\/privacy"/, path);
      assert.match(
        page.body,
        /href="https:\/\/help\.example\.org">Help and support/,
        'BRAND_* wins over theme.json',
      );
    }
    const css = await b.get('/assets/theme.css');
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.match(css.body, /--accent:/);
    assert.match(css.body, /--radius: 16px/, "the theme's own CSS follows the colours");
    const logo = await b.get('/theme/logo.svg');
    assert.equal(logo.headers.get('content-type'), 'image/svg+xml');
  });

  test('replaces a page it has a template for, and keeps ours for the others', async () => {
    const home = await h.browser().get('/');
    assert.match(home.body, /<h1>Welcome to Northwind<\/h1>/);
    assert.match(
      home.body,
      /Sign in to your Northwind workspace|<a class="button" href="\/login">/,
      'the theme template',
    );
    assert.equal(home.body.split('Secured by Amazon Cognito').length - 1, 1, 'said once, in the footer');
    const login = await h.browser().get('/login');
    assert.match(login.body, /Sign in to Northwind with your work email address\./, 'a theme text');
  });
});

describe('languages', () => {
  test('Accept-Language gives German pages, including Cognito error messages', async () => {
    const b = h.browser();
    const headers = { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' };
    const page = await b.get('/login', headers);
    assert.match(page.body, /<html lang="de"/);
    assert.match(page.body, /Melden Sie sich mit Ihrer geschäftlichen E-Mail-Adresse bei Northwind an\./);
    h.cognito.once(
      'signInWithPassword',
      cognitoError('NotAuthorizedException', 'Incorrect username or password.'),
    );
    const res = await b.post(
      '/login',
      { _csrf: csrfOf(page.body), username: 'demo@example.com', password: 'Wrong-password-1' },
      headers,
    );
    assert.equal(res.status, 401);
    assert.match(res.body, /<html lang="de"/);
    assert.doesNotMatch(res.body, /Incorrect email address or password/);
    assert.match(res.body, /E-Mail-Adresse oder Passwort/);
    assert.equal(h.cognito.callCount('signInWithPassword'), 1);
  });

  test('the switcher sets the language and a cookie remembers it', async () => {
    const b = h.browser();
    const en = await b.get('/forgot-password');
    assert.match(en.body, /href="\/forgot-password\?lang=de" lang="de" hreflang="de">Deutsch/);
    const de = await b.get('/forgot-password?lang=de');
    assert.match(de.body, /<html lang="de"/);
    assert.equal(b.cookies.get('lang'), 'de');
    assert.match((await b.get('/signup')).body, /<html lang="de"/);
    assert.match((await b.get('/signup?lang=en')).body, /<html lang="en"/);
    assert.equal((await b.get('/login?lang=xx')).status, 200, 'an unknown language is ignored');
  });
});

test('the chosen language is passed to the hosted UI as lang', async () => {
  const hosted = await startFakeHarness({
    env: { LOGIN_MODE: 'hosted', COGNITO_DOMAIN: 'https://auth.example.com' },
  });
  try {
    const res = await hosted.browser().get('/login?lang=de');
    assert.equal(new URL(res.location!).searchParams.get('lang'), 'de');
  } finally {
    await hosted.close();
  }
});
