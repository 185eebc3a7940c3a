// Makes a fast "neutral" answer take as long as the real one, so response times do not tell who has an account.
import { setTimeout as sleep } from 'node:timers/promises';

export interface TimingEqualizer {
  /** Records how long a real (slow-path) call took, in ms. */
  record(ms: number): void;
  /** Waits until a fast-path answer started at `startedMs` has taken about as long as a real one would. */
  pad(startedMs: number): Promise<void>;
}

/**
 * Keeps a moving average of the slow path (e.g. a sign-up that creates an account) and holds the fast path (the
 * account already exists) back to it, with a little jitter. Until the slow path has been seen, nothing is padded.
 */
export function createTimingEqualizer(now: () => number = () => performance.now()): TimingEqualizer {
  let average: number | undefined;
  return {
    record(ms) {
      average = average === undefined ? ms : average * 0.8 + ms * 0.2;
    },
    async pad(startedMs) {
      if (average === undefined) return;
      const wait = average * (0.9 + Math.random() * 0.2) - (now() - startedMs);
      // Capped: a slow outlier must not hold anyone for long.
      if (wait > 0) await sleep(Math.min(wait, 2000));
    },
  };
}
