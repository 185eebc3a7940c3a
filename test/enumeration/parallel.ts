// Shared by the parallel enumeration suites: what the sequential suites (enumeration.ts) check, for bursts of
// requests sent at once. A burst for one account crosses limits that sequential tries stay under (failures in a
// row, code cooldowns, requests per account): the limiters must refuse a known and an unknown account alike.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { adminClient, createConfirmedUser } from '../helpers/admin.ts';
import { csrfOf, type Browser, type Page } from '../helpers/browser.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { startSecurityHarness } from '../security/support.ts';
import { knownAccounts, shapeOf, timing, unknownName, type Pair, type Shape } from './enumeration.ts';

/** Requests per burst. */
export const BURST = 8;
/** Rounds of the timing measurement: each a burst of BURST / 2 known and BURST / 2 unknown names at once. */
export const ROUNDS = 24;

/** One form: where it is (GET for the CSRF token, POST to the same path), what it sends, where it leads. */
export interface Form {
  path: string;
  fields: (name: string) => Record<string, string>;
  /** The page the POST leads to, fetched in the same browser afterwards (its answer must match too). */
  next?: string;
}

/** What one browser saw: the POST's own answer and the page after it. */
interface Seen {
  post: Shape;
  next?: Shape;
}

/** New browsers, each with the CSRF token of its form page: fetched first, so the POSTs can go at once. */
async function armed(h: Harness, form: Form, n: number): Promise<{ b: Browser; csrf: string }[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const b = h.browser();
      const page = await b.get(form.path);
      assert.equal(page.status, 200, `GET ${form.path}`);
      return { b, csrf: csrfOf(page.body) };
    }),
  );
}

/** Sends the POSTs of `names` (one per browser) at once; resolves to the answers and their times in ms. */
async function fire(
  h: Harness,
  form: Form,
  names: string[],
): Promise<{ name: string; seen: Seen; ms: number; raw: Page }[]> {
  const browsers = await armed(h, form, names.length);
  const posts = await Promise.all(
    browsers.map(async ({ b, csrf }, i) => {
      const started = process.hrtime.bigint();
      const page = await b.post(form.path, { _csrf: csrf, ...form.fields(names[i]!) });
      return { page, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    }),
  );
  return Promise.all(
    browsers.map(async ({ b }, i) => {
      const name = names[i]!;
      const { page, ms } = posts[i]!;
      const seen: Seen = { post: shapeOf(page, name) };
      if (form.next) seen.next = shapeOf(await b.get(form.next), name);
      return { name, seen, ms, raw: page };
    }),
  );
}

/** A burst of `n` requests at once for the one account `name`, each from a new browser. */
async function burst(h: Harness, form: Form, name: string, n: number) {
  return fire(
    h,
    form,
    Array.from({ length: n }, () => name),
  );
}

/** An answer no limit explains (a 5xx) comes with the server's warnings and errors, to tell its cause. */
function explainFailures(h: Harness, answers: { raw: Page }[], t: TestContext): void {
  if (!answers.some((x) => x.raw.status >= 500)) return;
  for (const line of h.logs.filter((l) => /"level":(4|5)\d/.test(l))) t.diagnostic(line.trim());
}

const statuses = (r: { seen: Seen }[]) => r.map((x) => x.seen.post.status).sort((a, b) => a - b);
const sorted = (r: { seen: Seen }[]) => r.map((x) => JSON.stringify(x.seen)).sort();
const summary = (r: { raw: Page }[]) =>
  r.map((x) => `${x.raw.status}${x.raw.location ? ` -> ${x.raw.location}` : ''}`).join(', ');

/**
 * A burst for a known account and one for an unknown account: the same multiset of statuses, of normalised
 * pages (the POST's own and the one after it) and of cookies. Returns the statuses.
 */
async function compareBursts(h: Harness, form: Form, known: string, n: number, t: TestContext) {
  const k = await burst(h, form, known, n);
  const u = await burst(h, form, unknownName(), n);
  t.diagnostic(`known: ${summary(k)}`);
  t.diagnostic(`unknown: ${summary(u)}`);
  explainFailures(h, [...k, ...u], t);
  assert.deepEqual(statuses(k), statuses(u), 'statuses of the bursts differ (known, unknown)');
  assert.deepEqual(sorted(k), sorted(u), 'answers of the bursts differ (known, unknown)');
  return statuses(k);
}

/**
 * Timing under parallel load: each round sends BURST / 2 known and BURST / 2 unknown names at once (new known
 * accounts, so no limit is reached), and pairs the i-th known answer with the i-th unknown one of the same round:
 * both saw the same load. The median of the paired differences must stay within a generous bound; a first
 * mismatch is measured again with new accounts before failing. Every answer must look like the first one.
 */
async function compareTiming(h: Harness, form: Form, t: TestContext) {
  let reference: string | undefined;
  async function measure(): Promise<Pair[]> {
    const accounts = await knownAccounts(h);
    const half = BURST / 2;
    const pairs: Pair[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const knownNames = Array.from(
        { length: half },
        (_, i) => accounts[(round * half + i) % accounts.length]!,
      );
      const unknownNames = Array.from({ length: half }, () => unknownName());
      // Known and unknown interleaved in the burst, in alternating order from round to round.
      const names = knownNames.flatMap((k, i) => (round % 2 ? [k, unknownNames[i]!] : [unknownNames[i]!, k]));
      const answers = await fire(h, form, names);
      explainFailures(h, answers, t);
      for (const a of answers) {
        const shape = JSON.stringify(a.seen);
        reference ??= shape;
        assert.equal(shape, reference, `${a.name} in round ${round}: answer differs`);
      }
      const times = (set: string[]) => answers.filter((a) => set.includes(a.name)).map((a) => a.ms);
      const [k, u] = [times(knownNames), times(unknownNames)];
      for (let i = 0; i < half; i++) pairs.push({ known: k[i]!, unknown: u[i]! });
    }
    return pairs;
  }
  const first = timing(await measure(), 15, 0.35);
  t.diagnostic(first.text);
  if (first.ok) return;
  t.diagnostic(`timing differed, measuring again: ${first.text}`);
  const second = timing(await measure(), 15, 0.35);
  assert.ok(second.ok, `twice in a row: ${first.text}; then ${second.text}`);
}

/** A burst of BURST for one known and one unknown account, with roomy limits. */
async function roomyBurst(h: Harness, form: Form, t: TestContext) {
  const [known] = await knownAccounts(h, 1);
  await compareBursts(h, form, known!, BURST, t);
}

/** The limits as shipped (env-schema.ts), with the resend cooldown left at its default too. */
const DEFAULT_LIMITS = { RATE_LIMIT_PER_IP: '60', RATE_LIMIT_PER_ACCOUNT: '10' } as const;

/**
 * The parallel suite of one form: a burst with roomy limits (only what cannot be raised applies: failures in a row
 * at sign-in) unless `roomyBurst` is false, timing under parallel load, and a burst with the default limits that
 * crosses them, whose refusals must fall alike on known and unknown accounts.
 */
export function parallelSuite(title: string, form: Form, { roomyBurst: withBurst = true } = {}): void {
  let roomy: Harness;
  let shipped: Harness;
  before(async () => {
    [roomy, shipped] = await Promise.all([startSecurityHarness(), startHarness({ env: DEFAULT_LIMITS })]);
  });
  after(() => Promise.all([roomy?.close(), shipped?.close()]));

  describe(`${title}, in parallel`, () => {
    if (withBurst) {
      test(`a burst of ${BURST} for a known and for an unknown account`, (t) => roomyBurst(roomy, form, t));
    }

    test(`timing: ${ROUNDS} bursts of ${BURST / 2} known and ${BURST / 2} unknown at once`, (t) =>
      compareTiming(roomy, form, t));

    test('default limits: a burst of 12 that crosses them is refused alike', async (t) => {
      const known = `known-default-${Date.now()}@example.com`;
      await createConfirmedUser(
        adminClient(shipped.emulator.endpoint),
        shipped.pool.userPoolId,
        known,
        'Known-password-1',
      );
      const seen = await compareBursts(shipped, form, known, 12, t);
      assert.ok(seen.includes(429), `the burst crossed no limit: ${seen.join(', ')}`);
      assert.ok(
        seen.some((s) => s !== 429),
        `the burst was refused entirely: ${seen.join(', ')}`,
      );
    });
  });
}

/** Only the roomy burst of one form, in a harness of its own. */
export function roomyBurstSuite(title: string, form: Form): void {
  let h: Harness;
  before(async () => {
    h = await startSecurityHarness();
  });
  after(() => h?.close());
  test(`${title}, in parallel: a burst of ${BURST} for a known and for an unknown account`, (t) =>
    roomyBurst(h, form, t));
}
