// Shared by the enumeration suites (part of the adversarial security suite, see test/security/): unknown and known
// names must get the same status, page, cookies and timing. One file per form, so the three run side by side; and a
// folder of their own, which the test runner (files in path order) starts early: they are the longest to run.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import type { Browser, Page } from '../helpers/browser.ts';
import type { Harness } from '../helpers/harness.ts';
import { startSecurityHarness } from '../security/support.ts';

export const TRIES = 200;
const PASSWORD = 'Known-password-1';
let h: Harness;
let known: string[] = [];
let accountSets = 0;

/**
 * `count` (50) accounts, each tried 4 times per measurement: below every per-account limit (ours and Cognito's),
 * so each answer comes from Cognito and not from a lockout, which would itself look the same for every name. A
 * repeated measurement uses 50 new ones.
 */
export async function knownAccounts(harness: Harness, count = 50): Promise<string[]> {
  const admin = adminClient(harness.emulator.endpoint);
  const tag = ++accountSets;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const email = `known-${tag}-${i}-${Date.now()}@example.com`;
      await createConfirmedUser(admin, harness.pool.userPoolId, email, PASSWORD);
      return email;
    }),
  );
}

let unknownSeq = 0;
export const unknownName = () => `nobody-${++unknownSeq}-${Date.now()}@example.com`;

/**
 * The page with the echoed name, CSRF token, masked address and the seconds of a cooldown (they count down while
 * a test runs) taken out: what may differ between two names.
 */
export function normalised(page: Page, name: string): string {
  const masked = `${name[0]}***@e***.com`;
  return page.body
    .replaceAll(name, 'NAME')
    .replaceAll(masked, 'MASKED')
    .replace(/name="_csrf" value="[^"]+"/g, '')
    .replace(/\b\d+ seconds\b/g, 'N seconds');
}
export const cookieShape = (page: Page) => page.headers.getSetCookie().map((c) => c.replace(/=[^;]*/g, '='));

/** What must be the same for every name: status, normalised page and cookies (names and attributes). */
export interface Shape {
  status: number;
  body: string;
  cookies: string[];
}
export const shapeOf = (page: Page, name: string): Shape => ({
  status: page.status,
  body: normalised(page, name),
  cookies: cookieShape(page),
});

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Pair {
  known: number;
  unknown: number;
}

/**
 * Whether known and unknown names take the same time. The two requests of a pair run back to back (in alternating
 * order), so both see the same load; a burst of load elsewhere on the machine skews single pairs, not the median
 * of their differences. A real leak (e.g. a taken address answered without Cognito's work) shifts every pair.
 */
export function timing(pairs: Pair[], floorMs = 5, share = 0.25): { ok: boolean; text: string } {
  const shift = median(pairs.map((p) => p.known - p.unknown));
  const typical = median(pairs.flatMap((p) => [p.known, p.unknown]));
  const bound = Math.max(floorMs, share * typical);
  const [k, u] = [median(pairs.map((p) => p.known)), median(pairs.map((p) => p.unknown))];
  return {
    ok: Math.abs(shift) <= bound,
    text:
      `known - unknown: median ${shift.toFixed(1)} ms over ${pairs.length} pairs (bound ${bound.toFixed(1)} ms); ` +
      `medians known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`,
  };
}

/**
 * Runs `attempt` for known and unknown names, interleaved, and checks that every answer has the same status, page
 * and cookies, and that the times match (see timing). One timing mismatch is measured again with new accounts
 * before failing: it takes two in a row, which load alone does not produce.
 */
async function compare(attempt: Attempt, t: TestContext) {
  let reference: Shape[] | undefined;
  async function measure(names: string[]): Promise<Pair[]> {
    const pairs: Pair[] = [];
    for (let i = 0; i < TRIES; i++) {
      const pair = { known: 0, unknown: 0 };
      for (const kind of i % 2 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const)) {
        const name = kind === 'known' ? names[i % names.length]! : unknownName();
        const b = h.browser();
        const started = process.hrtime.bigint();
        const pages = await attempt(b, name);
        pair[kind] = Number(process.hrtime.bigint() - started) / 1e6;
        const shape = (Array.isArray(pages) ? pages : [pages]).map((page) => shapeOf(page, name));
        reference ??= shape;
        assert.deepEqual(shape, reference, `${kind} answer ${i} differs`);
      }
      pairs.push(pair);
    }
    return pairs;
  }
  const first = timing(await measure(known));
  t.diagnostic(first.text);
  if (first.ok) return;
  t.diagnostic(`timing differed, measuring again: ${first.text}`);
  const second = timing(await measure(await knownAccounts(h)));
  assert.ok(second.ok, `twice in a row: ${first.text}; then ${second.text}`);
}

/**
 * One request (or a few) for `name` in a new browser `b`; resolves to the answers that must look the same: the
 * POST's own and, where it leads on, the page after it.
 */
export type Attempt = (b: Browser, name: string) => Promise<Page | Page[]>;

/** The suite of one form: a harness of its own with 50 known accounts, and `TRIES` pairs of `attempt`. */
export function enumerationSuite(title: string, attempt: Attempt): void {
  before(async () => {
    h = await startSecurityHarness();
    known = await knownAccounts(h);
  });
  after(() => h?.close());
  describe(`${TRIES} tries each`, () => {
    test(title, (t) => compare(attempt, t));
  });
}
