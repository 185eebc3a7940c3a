import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTimingEqualizer } from '../../src/flows/timing-equalizer.ts';

/**
 * Whether `pad` returns without waiting on a timer. Raced against a timer that is already due: a pad that waits
 * for nothing settles first however busy the machine is, and one that sleeps (at least 1 ms) loses.
 */
async function returnsAtOnce(pad: Promise<void>): Promise<boolean> {
  return Promise.race([pad.then(() => true), sleep(0).then(() => false)]);
}

test('the fast path is held back to about the slow path once the slow path has been seen', async () => {
  const eq = createTimingEqualizer();
  assert.ok(await returnsAtOnce(eq.pad(performance.now())), 'nothing seen yet: no wait');
  eq.record(60);
  const started = performance.now();
  await eq.pad(started);
  // A lower bound only: a timer never fires early, but a busy machine may fire it late.
  assert.ok(performance.now() - started >= 50, 'held back to the slow path (60 ms less 10 % jitter)');
});

test('time already spent counts, and waits are capped', async () => {
  const eq = createTimingEqualizer();
  eq.record(60);
  assert.ok(
    await returnsAtOnce(eq.pad(performance.now() - 100)),
    'already slower than the slow path: no extra wait',
  );
  eq.record(100_000);
  const started = performance.now();
  const capped = eq.pad(started);
  assert.equal(
    await Promise.race([
      capped.then(() => 'padded'),
      sleep(10_000, undefined, { ref: false }).then(() => 'waited on'),
    ]),
    'padded',
  );
  assert.ok(performance.now() - started >= 1990, 'the cap is 2 s, not the average');
});
