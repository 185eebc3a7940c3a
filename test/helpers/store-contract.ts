// The contract every session store keeps (memory, Redis, DynamoDB): one suite, run against each store by
// test/integration/session-stores.test.ts. What a store does beyond it (its keys, its TTLs) is tested per store.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { SessionStore } from '../../src/session/memory-store.ts';

export interface ContractStore {
  store: SessionStore;
  /** Closes the store and whatever it was built on, and removes what the run left. */
  done: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the contract against the store `make` builds (once, in `before`), skipped when `skip` says why. */
export function storeContract(
  name: string,
  make: () => Promise<ContractStore>,
  options: { skip?: string | undefined } = {},
): void {
  describe(`session store contract: ${name}`, { skip: options.skip }, () => {
    let store: SessionStore;
    let done: (() => Promise<void>) | undefined;
    before(async () => {
      ({ store, done } = await make());
    });
    after(() => done?.());

    // Ids as koa-session's genid makes them here (unique per run, so stores shared between runs never collide).
    const run = randomBytes(6).toString('base64url');
    let n = 0;
    const id = () => `${run}${'s'.repeat(32)}${String(++n).padStart(4, '0')}`;
    const owned = (email: string, extra: Record<string, unknown> = {}) => ({
      csrf: 'c',
      owners: ['sub:u-1', `email:${email}`],
      auth: { refreshToken: 'rt' },
      ...extra,
    });

    test('a session reads back as written, nested values too; an unknown id reads as none', async () => {
      const key = id();
      const value = { csrf: 'abc', nested: { a: [1, 2], b: null, s: 'é✓' }, n: 1.5 };
      await store.set(key, value, 60_000);
      assert.deepEqual(await store.get(key), value);
      assert.equal(await store.get(id()), undefined);
    });

    test('a session expires with the time it was given: it no longer reads, an update cannot revive it', async () => {
      const [short, long] = [id(), id()];
      await store.set(short, { csrf: 'short' }, 400, { mode: 'create' });
      await store.set(long, { csrf: 'long' }, 60_000, { mode: 'create' });
      assert.deepEqual(await store.get(short), { csrf: 'short' });
      await sleep(700);
      assert.equal(await store.get(short), undefined, 'expired');
      await store.set(short, { csrf: 'again' }, 60_000, { mode: 'update' });
      assert.equal(await store.get(short), undefined, 'an update needs a live session');
      assert.deepEqual(await store.get(long), { csrf: 'long' });
      await store.set(short, { csrf: 'new' }, 60_000, { mode: 'create' });
      assert.deepEqual(await store.get(short), { csrf: 'new' }, 'an expired id is free again');
    });

    test('destroyOwnedBy ends every session of the owner and returns them; others stay', async () => {
      const [a, b, c] = [id(), id(), id()];
      await store.set(a, owned(`kim-${run}@example.com`, { n: 1 }), 60_000);
      await store.set(b, owned(`kim-${run}@example.com`, { n: 2 }), 60_000);
      await store.set(c, owned(`lee-${run}@example.com`, { n: 3 }), 60_000);
      const ended = await store.destroyOwnedBy(`email:kim-${run}@example.com`);
      assert.deepEqual(ended.map((s) => s.n).sort(), [1, 2], 'their contents, for revoking their tokens');
      assert.equal(await store.get(a), undefined);
      assert.equal(await store.get(b), undefined);
      assert.deepEqual((await store.get(c))?.n, 3);
      assert.deepEqual(await store.destroyOwnedBy(`email:kim-${run}@example.com`), []);
    });

    test('destroy removes the session from its owners too', async () => {
      const [a, b] = [id(), id()];
      await store.set(a, owned(`max-${run}@example.com`), 60_000);
      await store.set(b, owned(`max-${run}@example.com`, { n: 2 }), 60_000);
      await store.destroy(a);
      assert.equal(await store.get(a), undefined);
      assert.deepEqual(
        (await store.destroyOwnedBy(`email:max-${run}@example.com`)).map((s) => s.n),
        [2],
      );
    });

    // Finding 4 of the security review: a destroyed session is never written again, on every store.
    test('an update after destroy is refused, and so is a write that does not say', async () => {
      const key = id();
      const value = owned(`kim2-${run}@example.com`);
      await store.set(key, value, 60_000, { mode: 'create' });
      await store.destroy(key);
      await store.set(key, { ...value, seenAt: 1 }, 60_000, { mode: 'update' });
      assert.equal(await store.get(key), undefined);
      await store.set(key, { ...value, seenAt: 2 }, 60_000);
      assert.equal(await store.get(key), undefined, 'the tombstone refuses a write without a mode');
      await store.set(key, { ...value, seenAt: 3 }, 60_000, { mode: 'create' });
      assert.equal(await store.get(key), undefined, 'nor may the id be created again');
    });

    test('destroyOwnedBy ends the sessions for good: an update in flight is refused', async () => {
      const [a, b] = [id(), id()];
      const value = owned(`kim3-${run}@example.com`);
      await store.set(a, value, 60_000, { mode: 'create' });
      await store.set(b, value, 60_000, { mode: 'create' });
      const ended = await store.destroyOwnedBy(`email:kim3-${run}@example.com`);
      assert.equal(ended.length, 2);
      await store.set(a, value, 60_000, { mode: 'update' });
      await store.set(b, value, 60_000);
      assert.equal(await store.get(a), undefined);
      assert.equal(await store.get(b), undefined);
      assert.deepEqual(await store.destroyOwnedBy(`email:kim3-${run}@example.com`), []);
    });

    test('an update needs a live session; a create needs a free id; an unknown id destroyed leaves nothing', async () => {
      const key = id();
      await store.set(key, { csrf: 'x' }, 60_000, { mode: 'update' });
      assert.equal(await store.get(key), undefined, 'no session appears from an update');
      await store.destroy(key);
      await store.set(key, { csrf: 'y' }, 60_000, { mode: 'create' });
      assert.deepEqual(
        await store.get(key),
        { csrf: 'y' },
        'destroying an id that held nothing left no tombstone',
      );
      await store.set(key, { csrf: 'z' }, 60_000, { mode: 'create' });
      assert.deepEqual(await store.get(key), { csrf: 'y' }, 'a create never replaces a live session');
      await store.set(key, { csrf: 'w' }, 60_000, { mode: 'update' });
      assert.deepEqual(await store.get(key), { csrf: 'w' });
    });

    test('racing writes: one create of an id wins; updates racing a destroy never bring it back', async () => {
      const key = id();
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.set(key, { csrf: `c${i}` }, 60_000, { mode: 'create' })),
      );
      const winner = await store.get(key);
      assert.ok(winner, 'one create was written');
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.set(key, { csrf: `u${i}` }, 60_000, { mode: 'create' })),
      );
      assert.deepEqual(await store.get(key), winner, 'no later create replaced it');
      await Promise.all([
        ...Array.from({ length: 8 }, (_, i) => store.set(key, { csrf: `w${i}` }, 60_000, { mode: 'update' })),
        store.destroy(key),
      ]);
      await Promise.all(
        Array.from({ length: 4 }, (_, i) => store.set(key, { csrf: `v${i}` }, 60_000, { mode: 'update' })),
      );
      assert.equal(await store.get(key), undefined, 'destroyed, whatever order the writes ran in');
    });

    test('ping says the store answers', async () => {
      assert.equal(await store.ping(), true);
    });
  });
}
