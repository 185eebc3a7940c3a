// Every page reads back as it was written: a real HTML parser (parse5) finds no malformed markup and no attribute
// HTML does not know (two attributes glued into one), on the forms as first shown and with errors. Every page of
// every flow is also checked this way in Chromium (test/e2e/accessibility.test.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { startFakeHarness, type FakeHarness } from '../helpers/fake-harness.ts';
import { htmlProblems } from '../helpers/html-check.ts';

let h: FakeHarness;
before(async () => {
  h = await startFakeHarness();
});
after(() => h.close());

async function assertWellFormed(b: Browser, path: string, form?: Record<string, string>): Promise<void> {
  const shown = await b.get(path);
  const page = form ? await b.post(path, { _csrf: csrfOf(shown.body), ...form }) : shown;
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/, `${path}: a page`);
  assert.deepEqual(htmlProblems(page.body), [], `${path}${form ? ' (submitted)' : ''}`);
}

test('the visitor pages, as first shown and with every field in error', async () => {
  const b = h.browser();
  for (const path of ['/', '/login', '/signup', '/forgot-password', '/signed-out', '/no-such-page']) {
    await assertWellFormed(b, path);
  }
  await assertWellFormed(b, '/login', { username: '', password: '' });
  await assertWellFormed(b, '/signup', { email: 'not an email', password: 'short' });
  await assertWellFormed(b, '/forgot-password', { username: '' });
});

test('the signed-in pages', async () => {
  const b = await h.signedIn();
  for (const path of ['/account', '/account/mfa', '/logout']) await assertWellFormed(b, path);
});

test('the check itself finds glued attributes, unknown ones and broken markup', () => {
  assert.deepEqual(htmlProblems('<!doctype html><html lang="en"><title>x</title><p class="a">ok</p>'), []);
  const glued = htmlProblems(
    '<!doctype html><title>x</title><input autocomplete="username"autofocusmaxlength="9">',
  );
  assert.ok(
    glued.some((p) => p.startsWith('missing-whitespace-between-attributes')),
    glued.join('\n'),
  );
  assert.ok(
    glued.some((p) => p.includes('"autofocusmaxlength"')),
    glued.join('\n'),
  );
  assert.ok(htmlProblems('<!doctype html><title>x</title><p <b>').length > 0, 'a broken tag');
});
