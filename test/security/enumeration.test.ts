// Nobody learns who has an account: unknown and known names get the same status, page, cookies and timing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import type { Harness } from '../helpers/harness.ts';
import { startSecurityHarness } from './support.ts';

const TRIES = 200;
const PASSWORD = 'Known-password-1';
let h: Harness;
let known: string[] = [];

before(async () => {
  h = await startSecurityHarness();
  // 50 accounts, each tried 4 times: below every per-account limit (ours and Cognito's), so each answer comes
  // from Cognito and not from a lockout, which would itself look the same for every name.
  const admin = adminClient(h.emulator.endpoint);
  known = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const email = `known-${i}-${Date.now()}@example.com`;
      await createConfirmedUser(admin, h.pool.userPoolId, email, PASSWORD);
      return email;
    }),
  );
});
after(() => h.close());

const unknownName = (i: number) => `nobody-${i}-${Date.now()}@example.com`;

/** The page with the echoed name, CSRF token and masked address taken out: what may differ between two names. */
function normalised(page: Page, name: string): string {
  const masked = `${name[0]}***@e***.com`;
  return page.body
    .replaceAll(name, 'NAME')
    .replaceAll(masked, 'MASKED')
    .replace(/name="_csrf" value="[^"]+"/g, '');
}
const cookieShape = (page: Page) => page.headers.getSetCookie().map((c) => c.replace(/=[^;]*/g, '='));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Runs `attempt` for known and unknown names, interleaved so load affects both alike, and checks that every answer
 * has the same status, page and cookies, and that the median times are close (within 5 ms or 30 %).
 */
async function compare(
  attempt: (b: Browser, name: string) => Promise<Page>,
  knownNames: (i: number) => string,
) {
  const times = { known: [] as number[], unknown: [] as number[] };
  let reference: { status: number; body: string; cookies: string[] } | undefined;
  for (let i = 0; i < TRIES; i++) {
    for (const kind of i % 2 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const)) {
      const name = kind === 'known' ? knownNames(i) : unknownName(i);
      const b = h.browser();
      const started = process.hrtime.bigint();
      const page = await attempt(b, name);
      times[kind].push(Number(process.hrtime.bigint() - started) / 1e6);
      const shape = { status: page.status, body: normalised(page, name), cookies: cookieShape(page) };
      reference ??= shape;
      assert.deepEqual(shape, reference, `${kind} answer ${i} differs`);
    }
  }
  const [k, u] = [median(times.known), median(times.unknown)];
  assert.ok(
    Math.abs(k - u) <= Math.max(5, 0.3 * Math.max(k, u)),
    `median known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`,
  );
}

describe(`${TRIES} tries each`, () => {
  test('sign-in: unknown user and wrong password', async () => {
    await compare(
      async (b, name) => {
        const form = await b.get('/login');
        return b.post('/login', { _csrf: csrfOf(form.body), username: name, password: 'Wrong-password-1' });
      },
      (i) => known[i % 50]!,
    );
  });

  test('sign-up: a taken email and a free one', async () => {
    await compare(
      async (b, name) => {
        const form = await b.get('/signup');
        await b.post('/signup', {
          _csrf: csrfOf(form.body),
          email: name,
          name: 'Some One',
          password: 'Sunny-day-42',
        });
        return b.get('/confirm');
      },
      (i) => known[i % 50]!,
    );
  });

  test('recovery: an unknown account and a known one', async () => {
    await compare(
      async (b, name) => {
        const form = await b.get('/forgot-password');
        await b.post('/forgot-password', { _csrf: csrfOf(form.body), email: name });
        return b.get('/reset-password');
      },
      (i) => known[i % 50]!,
    );
  });
});
