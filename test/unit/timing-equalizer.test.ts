import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTimingEqualizer } from '../../src/flows/timing-equalizer.ts';

test('the fast path is held back to about the slow path once the slow path has been seen', async () => {
  const eq = createTimingEqualizer();
  let started = performance.now();
  await eq.pad(started);
  assert.ok(performance.now() - started < 20, 'nothing seen yet: no wait');
  eq.record(60);
  started = performance.now();
  await eq.pad(started);
  assert.ok(performance.now() - started >= 50, 'held back to the slow path (60 ms less 10 % jitter)');
});

test('time already spent counts, and waits are capped', async () => {
  const eq = createTimingEqualizer();
  eq.record(60);
  const started = performance.now() - 100;
  const before = performance.now();
  await eq.pad(started);
  assert.ok(performance.now() - before < 20, 'already slower than the slow path: no extra wait');
});
