// /metrics tells nobody who has an account: Cognito outcomes are coarse labels (the exception name goes to the
// debug log), a taken and a free email leave the same counts, and outside local mode /metrics needs a token or a
// port of its own.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it, test } from 'node:test';
import { COGNITO_ERROR_TABLE, toAuthError, type AuthErrorCode } from '../../src/cognito/errors.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { csrfOf, type Browser } from '../helpers/browser.ts';
import { FAKE_POOL_ENV, startFakeHarness } from '../helpers/fake-harness.ts';
import type { Harness } from '../helpers/harness.ts';
import { freshEmail, PASSWORD, startSecurityHarness } from './support.ts';

const TOKEN = 'metrics-token-for-the-tests';
const OUTCOMES = ['ok', 'refused', 'throttled', 'failed'];
/** What an exception's or error's name looks like, in any label. */
const EXCEPTION_NAME = /Exception|Error|^invalid_|^E[A-Z]{3,}$|^token /;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function samplesOf(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `unparsable sample: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
        labels[key!] = value!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function scrape(h: Harness): Promise<Sample[]> {
  const res = await h.browser().get('/metrics', { authorization: `Bearer ${TOKEN}` });
  assert.equal(res.status, 200);
  return samplesOf(res.body);
}

/** No label value of any metric looks like an exception; Cognito outcomes are one of the four. */
function assertNoExceptionNames(samples: readonly Sample[]): void {
  for (const s of samples) {
    for (const [label, value] of Object.entries(s.labels)) {
      assert.doesNotMatch(value, EXCEPTION_NAME, `${s.name}{${label}="${value}"}`);
    }
    if (s.name === 'login_cognito_calls_total')
      assert.ok(OUTCOMES.includes(s.labels.outcome!), s.labels.outcome);
  }
}

/** Counts only: durations (histogram buckets and sums) differ from run to run by nature. */
function counts(samples: readonly Sample[]): Map<string, number> {
  return new Map(
    samples
      .filter((s) => !s.name.endsWith('_bucket') && !s.name.endsWith('_sum'))
      .map((s) => [`${s.name}${JSON.stringify(s.labels)}`, s.value]),
  );
}

/** What changed between two scrapes: key -> increase. */
function delta(before: readonly Sample[], after: readonly Sample[]): Record<string, number> {
  const was = counts(before);
  const out: Record<string, number> = {};
  for (const [key, value] of counts(after)) {
    const change = value - (was.get(key) ?? 0);
    if (change !== 0) out[key] = change;
  }
  return out;
}

async function signUp(b: Browser, email: string): Promise<void> {
  const form = await b.get('/signup');
  const res = await b.post('/signup', {
    _csrf: csrfOf(form.body),
    email,
    name: 'Some One',
    password: PASSWORD,
  });
  assert.equal(res.status, 302);
  assert.equal((await b.get('/confirm')).status, 200);
}

describe('/metrics tells who has an account (fixed: coarse outcomes, the same counts)', () => {
  let h: Harness;
  before(async () => {
    h = await startSecurityHarness({ METRICS_TOKEN: TOKEN });
  });
  after(() => h.close());

  it('label values never include an exception name, whatever Cognito answered', async () => {
    const b = h.browser();
    // NotAuthorizedException, and UserNotFoundException as a pool that leaks it answers.
    await b.submit('/login', '/login', { username: h.pool.demoUser.email, password: 'Wrong-password-1' });
    h.emulator.setFault({ operation: 'InitiateAuth', error: 'UserNotFoundException', times: 1 });
    await b.submit('/login', '/login', { username: freshEmail('nobody'), password: 'Wrong-password-1' });
    // UsernameExistsException on sign-up, UserNotFoundException on a resend and on a reset request.
    await signUp(h.browser(), h.pool.demoUser.email);
    const resender = h.browser();
    await signUp(resender, freshEmail('resend'));
    h.emulator.setFault({ operation: 'ResendConfirmationCode', error: 'UserNotFoundException', times: 1 });
    const confirm = await resender.get('/confirm');
    await resender.post('/confirm/resend', { _csrf: csrfOf(confirm.body) });
    h.emulator.setFault({ operation: 'ForgotPassword', error: 'UserNotFoundException', times: 1 });
    await h.browser().submit('/forgot-password', '/forgot-password', { email: freshEmail('reset') });
    // Throttling and an outage.
    h.emulator.setFault({ operation: 'InitiateAuth', throttle: true, times: 1 });
    await h
      .browser()
      .submit('/login', '/login', { username: freshEmail('busy'), password: 'Wrong-password-1' });
    h.emulator.setFault({ operation: 'InitiateAuth', error: 'InternalErrorException', times: 2 });
    await h
      .browser()
      .submit('/login', '/login', { username: freshEmail('down'), password: 'Wrong-password-1' });
    h.emulator.clearFaults();

    const samples = await scrape(h);
    assertNoExceptionNames(samples);
    const outcomes = new Set(
      samples.filter((s) => s.name === 'login_cognito_calls_total').map((s) => s.labels.outcome),
    );
    for (const outcome of OUTCOMES) assert.ok(outcomes.has(outcome), `some call counted as ${outcome}`);
  });

  it('a sign-up of a taken and a free email leave identical metrics', async () => {
    const first = await scrape(h);
    await signUp(h.browser(), freshEmail('free'));
    const second = await scrape(h);
    await signUp(h.browser(), h.pool.demoUser.email);
    const third = await scrape(h);
    const free = delta(first, second);
    const taken = delta(second, third);
    // Each includes one scrape (the one before it); everything else must match exactly.
    assert.ok(
      Object.keys(free).some((k) => k.includes('"operation":"SignUp"')),
      'the sign-up was counted',
    );
    assert.deepEqual(taken, free);
  });

  it('the precise exception name goes to the logs, at debug level', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const metrics = createMetrics({ logger: createLogger('debug', sink) });
    metrics.cognitoCall('SignUp', 'UsernameExistsException', 0.01);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(
      logged.some((l) => l.level === 20 && JSON.stringify(l).includes('UsernameExistsException')),
      lines.join(''),
    );
  });
});

test('every exception Cognito may answer is counted under a coarse outcome, never its name', async () => {
  const metrics = createMetrics();
  const names = [
    ...Object.keys(COGNITO_ERROR_TABLE),
    'TimeoutError',
    'AbortError',
    'ECONNRESET',
    'SomethingNew',
  ];
  for (const operation of [
    'InitiateAuth',
    'SignUp',
    'ResendConfirmationCode',
    'ForgotPassword',
    'oauth2/token',
  ]) {
    for (const name of names) metrics.cognitoCall(operation, name, 0.01);
    for (const name of ['invalid_grant', 'invalid_client', 'token 502'])
      metrics.cognitoCall(operation, name, 0.01);
  }
  assertNoExceptionNames(samplesOf(await metrics.registry.metrics()));
});

test('the coarse outcome of each exception agrees with the error table', async () => {
  const THROTTLED: AuthErrorCode[] = ['THROTTLED', 'TOO_MANY_ATTEMPTS'];
  const FAILED: AuthErrorCode[] = [
    'MISCONFIGURED',
    'SERVICE_UNAVAILABLE',
    'UNEXPECTED_RESPONSE',
    'CODE_DELIVERY_FAILED',
  ];
  const names = [...Object.keys(COGNITO_ERROR_TABLE), 'TimeoutError', 'ECONNRESET', 'SomethingNew'];
  for (const name of names) {
    const code = toAuthError(Object.assign(new Error(''), { name })).code;
    const expected = THROTTLED.includes(code) ? 'throttled' : FAILED.includes(code) ? 'failed' : 'refused';
    const metrics = createMetrics();
    // An operation whose answers the flows show as they are (sign-up, resend and reset hide existence: above).
    metrics.cognitoCall('RespondToAuthChallenge', name, 0.01);
    const counted = samplesOf(await metrics.registry.metrics()).find(
      (s) => s.name === 'login_cognito_calls_total',
    );
    assert.equal(counted?.labels.outcome, expected, `${name} (${code})`);
  }
});

describe('outside local mode, /metrics needs METRICS_TOKEN or METRICS_PORT', () => {
  const production = {
    ...FAKE_POOL_ENV,
    NODE_ENV: 'production',
    APP_BASE_URL: 'https://login.example.com',
    SESSION_KEYS: 'k'.repeat(40),
  };

  it('cloud-mode config without METRICS_TOKEN or METRICS_PORT is refused, naming METRICS_TOKEN', () => {
    assert.throws(
      () => loadConfig(production),
      (err: unknown) =>
        err instanceof ConfigError && err.problems.some((p) => /^METRICS_TOKEN: .*METRICS_PORT/.test(p)),
    );
    assert.doesNotThrow(() => loadConfig({ ...production, METRICS_TOKEN: TOKEN }));
    assert.doesNotThrow(() => loadConfig({ ...production, METRICS_PORT: '9100' }));
  });

  it('a port of its own is checked: a port number, not PORT, METRICS_HOST only with it', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...production, ...env });
        return [];
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
      }
    };
    assert.ok(problems({ METRICS_PORT: 'x' }).some((p) => p.startsWith('METRICS_PORT')));
    assert.ok(problems({ METRICS_PORT: '3000', PORT: '3000' }).some((p) => p.startsWith('METRICS_PORT')));
    assert.ok(
      problems({ METRICS_TOKEN: TOKEN, METRICS_HOST: '0.0.0.0' }).some((p) => p.startsWith('METRICS_HOST')),
    );
    assert.deepEqual(problems({ METRICS_PORT: '9100', METRICS_HOST: '0.0.0.0' }), []);
  });

  it('a cloud-mode app without a token does not serve /metrics to anyone', async () => {
    const h = await startFakeHarness();
    try {
      const res = await h.browser().get('/metrics');
      assert.equal(res.status, 404);
      assert.doesNotMatch(res.body, /login_cognito_calls_total/);
      assert.equal(h.cognito.callCount(), 0);
    } finally {
      await h.close();
    }
  });
});
