// Checks shared by the forward-auth, Bearer, redirect and access-rules suites: waiting for a condition without a
// fixed sleep, counting session-store writes, and making sure no token leaks into an answer or the logs.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from './browser.ts';
import type { SessionStore } from '../../src/session/memory-store.ts';
import type { Harness } from './harness.ts';

/** A JWT (Cognito tokens and our assertions start with a base64url `{"`). */
export const JWT = /eyJ[A-Za-z0-9_-]{8,}/;

/**
 * Polls `check` until it holds; fails after a deadline generous enough for a busy machine. Only the deadline is a
 * time: how soon the condition holds never decides the outcome.
 */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  deadlineMs = 30_000,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** `promise`, or a failure naming `what` once `ms` have passed: a test that waits on the app never hangs. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Counts the reads of a session store (a harness's, an instance's) until `stop()`. */
export function countStoreReads(store: Pick<SessionStore, 'get'>): { reads: () => number; stop: () => void } {
  const get = store.get.bind(store);
  let reads = 0;
  store.get = (key) => {
    reads++;
    return get(key);
  };
  return { reads: () => reads, stop: () => (store.get = get) };
}

/** Counts what the harness's session store is asked to write (set) or delete (destroy) until `stop()`. */
export function countStoreWrites(h: Pick<Harness, 'store'>): {
  writes: () => number;
  destroys: () => number;
  stop: () => void;
} {
  const store = h.store;
  const set = store.set.bind(store);
  const destroy = store.destroy.bind(store);
  let writes = 0;
  let destroys = 0;
  store.set = (...args) => {
    writes++;
    return set(...args);
  };
  store.destroy = (...args) => {
    destroys++;
    return destroy(...args);
  };
  return {
    writes: () => writes,
    destroys: () => destroys,
    stop() {
      store.set = set;
      store.destroy = destroy;
    },
  };
}

/** Every header and the body of `page`, as one text to search. */
export function everything(page: Page): string {
  return [...page.headers].map(([k, v]) => `${k}: ${v}`).join('\n') + '\n\n' + page.body;
}

/** Not a server error, and no stack trace in the body. */
export function assertNo5xx(page: Page, what = ''): void {
  assert.ok(page.status < 500, `${what}: a ${page.status} (${page.body.slice(0, 200)})`);
  assert.doesNotMatch(
    page.body,
    /\bat [\w$.<>]+ \(|node_modules|\.ts:\d+|\bTypeError\b|Error: /,
    `${what}: a stack trace`,
  );
}

/**
 * None of `tokens` anywhere in `page` (headers or body) or in the app's logs, and no JWT at all in the logs or
 * (unless `bodyMayHoldJwt`, an upstream echo) in the body.
 */
export function assertNoTokenLeak(
  h: Pick<Harness, 'logs'>,
  page: Page | undefined,
  tokens: readonly string[],
  what = '',
): void {
  const logs = h.logs.join('\n');
  for (const token of tokens) {
    if (page) assert.ok(!everything(page).includes(token), `${what}: a token in the answer`);
    assert.ok(!logs.includes(token), `${what}: a token in the logs`);
  }
  if (page) assert.doesNotMatch(page.body, JWT, `${what}: a JWT in the body`);
  assert.doesNotMatch(logs, JWT, `${what}: a JWT in the logs`);
}
