// How long a store keeps a session: the idle timeout, never past the absolute lifetime of a sign-in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { storeTtl } from '../../src/session/session-middleware.ts';

const config = loadConfig({ SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_HOURS: '12' });
const IDLE = 30 * 60_000;
const HOUR = 3_600_000;
const now = 1_700_000_000_000;
const signedIn = (agoMs: number) => ({ auth: { signedInAt: now - agoMs } });

test('a session without a sign-in is kept for the idle timeout', () => {
  assert.equal(storeTtl({ csrf: 'x' }, IDLE, config.session.absoluteTimeoutMs, now), IDLE);
});

test('early in a sign-in the idle timeout decides', () => {
  assert.equal(storeTtl(signedIn(HOUR), IDLE, config.session.absoluteTimeoutMs, now), IDLE);
});

test('near the absolute lifetime, activity no longer extends it', () => {
  assert.equal(storeTtl(signedIn(12 * HOUR - 60_000), IDLE, config.session.absoluteTimeoutMs, now), 60_000);
});

test('past the absolute lifetime the entry expires at once', () => {
  assert.equal(storeTtl(signedIn(13 * HOUR), IDLE, config.session.absoluteTimeoutMs, now), 1);
});
