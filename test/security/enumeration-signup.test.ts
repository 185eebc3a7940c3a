// Finding 8, "enumeration through sign-up then sign-in": after signing up with someone's email, signing in with the
// password just chosen answered 401 for a taken address and went to /confirm for a free one; wrong confirmation
// codes then answered 400 forever against 429 after five. Both paths must now look the same, step by step, in the
// browser that signed up and in any other.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import type { Browser, Page } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
  // Pages count down to the next code: with the clock stopped, the two paths read the same however long each step
  // takes on a busy machine (the comparison is exact).
  h.clock.freeze();
});
after(() => h.close());

const CHOSEN = 'Chosen-by-me-7';
let n = 0;

async function takenEmail(): Promise<string> {
  const email = `taken-${++n}-${Date.now()}@example.com`;
  await createConfirmedUser(adminClient(h.emulator.endpoint), h.pool.userPoolId, email, 'Owners-password-1');
  return email;
}
const freeEmail = () => `fresh-${++n}-${Date.now()}@example.com`;

/** What a person sees of a response, with the address, its masked form and the CSRF tokens taken out. */
function seen(page: Page, email: string) {
  return {
    status: page.status,
    location: page.location?.replaceAll(encodeURIComponent(email), 'EMAIL'),
    body: page.body
      .replaceAll(email, 'EMAIL')
      .replace(/[a-z]\*\*\*@e\*\*\*\.com/g, 'MASKED')
      .replace(/name="_csrf" value="[^"]+"/g, ''),
    cookies: page.headers.getSetCookie().map((c) => c.replace(/=[^;]*/g, '=X')),
  };
}

/** Signs up with `email` in a new browser, then does everything an enumerator would; every answer, as seen. */
async function probe(email: string): Promise<{ steps: Record<string, ReturnType<typeof seen>>; b: Browser }> {
  const b = h.browser();
  const steps: Record<string, ReturnType<typeof seen>> = {};
  const step = (name: string, page: Page) => (steps[name] = seen(page, email));
  step('sign-up', await b.submit('/signup', '/signup', { email, name: 'Some One', password: CHOSEN }));
  step('confirm page', await b.get('/confirm'));
  const signIn = await b.submit('/login', '/login', { username: email, password: CHOSEN });
  step('sign-in with the password just chosen', signIn);
  if (signIn.location) step('the page it leads to', await b.get(signIn.location));
  step(
    'sign-in with another password',
    await b.submit('/login', '/login', { username: email, password: 'Not-the-one-9' }),
  );
  // The sign-up is remembered by address, not by browser: a browser that never saw it is answered the same way.
  const elsewhere = h.browser();
  const away = await elsewhere.submit('/login', '/login', { username: email, password: CHOSEN });
  step('sign-in with the password just chosen, from a new browser', away);
  if (away.location) step('the page it leads to, in the new browser', await elsewhere.get(away.location));
  for (let i = 1; i <= 6; i++) {
    step(`wrong code ${i}`, await b.submit('/confirm', '/confirm', { code: '000000' }));
  }
  step(
    'a wrong code from a new browser',
    await h.browser().submit('/confirm', '/confirm', { email, code: '000000' }),
  );
  // Signing in again sends a new code (as for any account not confirmed yet): its answers start again.
  step(
    'sign-in again after the codes',
    await b.submit('/login', '/login', { username: email, password: CHOSEN }),
  );
  step('a wrong code for the new code', await b.submit('/confirm', '/confirm', { code: '000000' }));
  return { steps, b };
}

describe('finding 8: a taken email and a free one look alike through sign-up, sign-in and confirmation', () => {
  test('sign-up then sign-in with the password just chosen, then wrong codes: the same, step by step', async () => {
    const taken = await probe(await takenEmail());
    const free = await probe(freeEmail());
    for (const name of Object.keys(free.steps)) {
      assert.deepEqual(taken.steps[name], free.steps[name], `${name}: a taken email answers differently`);
    }
    assert.deepEqual(Object.keys(taken.steps), Object.keys(free.steps));
    // What both paths are: on to /confirm, as for a new account not confirmed yet; five wrong codes, then 429.
    assert.equal(
      free.steps['sign-in with the password just chosen']!.location,
      '/confirm?notice=unconfirmed',
    );
    assert.match(free.steps['the page it leads to']!.body, /Your account is not confirmed yet/);
    assert.equal(free.steps['sign-in with another password']!.status, 401);
    assert.equal(
      free.steps['sign-in with the password just chosen, from a new browser']!.location,
      '/confirm?notice=unconfirmed',
    );
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((i) => free.steps[`wrong code ${i}`]!.status),
      [400, 400, 400, 400, 400, 429],
    );
    assert.equal(
      free.steps['a wrong code from a new browser']!.status,
      429,
      'counted per address, not browser',
    );
    assert.equal(free.steps['sign-in again after the codes']!.location, '/confirm?notice=unconfirmed');
    assert.equal(free.steps['a wrong code for the new code']!.status, 400);
  });

  test("the owner's account is untouched: not locked, and the owner signs in with their own password", async () => {
    const email = await takenEmail();
    await probe(email);
    const owner = await h
      .browser()
      .submit('/login', '/login', { username: email, password: 'Owners-password-1' });
    assert.equal(owner.location, '/account');
  });

  test('neither the session nor the logs keep the chosen password', async () => {
    const { b } = await probe(await takenEmail());
    const id = b.cookies.get('session') ?? b.cookies.get('__Host-session');
    assert.ok(id, 'a session');
    const stored = JSON.stringify(await h.store.get(id));
    assert.doesNotMatch(stored, new RegExp(CHOSEN));
    assert.ok(!h.logs.join('').includes(CHOSEN), 'nor in the logs');
  });
});
