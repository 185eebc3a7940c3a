// DynamoDB on moto_server: the session store's items (TTL attribute, tombstones, the owner index), the expiry
// check on read (TTL deletion is lazy), sealed values, the rate limits on RateLimiterDynamo, and the whole app with
// SESSION_STORE=dynamodb. The store contract itself runs in session-stores.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { createDynamoDbClient } from '../../src/dynamodb/dynamodb-client.ts';
import {
  createLimiter,
  limitedOrUnavailable,
  type LimiterBackend,
} from '../../src/rate-limit/limiter-backend.ts';
import { DynamoDbSessionStore, TTL_ATTRIBUTE } from '../../src/session/dynamodb-store.ts';
import { sealSessionStore } from '../../src/session/sealed-store.ts';
import { csrfOf } from '../helpers/browser.ts';
import { dynamoSkipReason, startTestDynamo, type TestDynamo } from '../helpers/dynamodb.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { freePort } from '../conformance/targets.ts';

const HOUR = 3_600_000;

describe('DynamoDB on moto_server', { skip: dynamoSkipReason() }, () => {
  let dynamo: TestDynamo;
  let store: DynamoDbSessionStore;
  before(async () => {
    dynamo = await startTestDynamo();
    store = new DynamoDbSessionStore(dynamo.client, { table: dynamo.settings.table });
  });
  after(() => dynamo?.stop());

  let n = 0;
  const id = () => `${'d'.repeat(40)}${String(++n).padStart(3, '0')}`;
  const raw = async (pk: string): Promise<Record<string, AttributeValue> | undefined> =>
    (
      await dynamo.client.send(
        new GetItemCommand({
          TableName: dynamo.settings.table,
          Key: { pk: { S: pk } },
          ConsistentRead: true,
        }),
      )
    ).Item;
  const scan = async (table: string) =>
    (await dynamo.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];

  describe('the session store', () => {
    test('a session item carries its TTL in epoch seconds, and owner items name nobody', async () => {
      const [a, b] = [id(), id()];
      const before = Date.now();
      await store.set(a, { csrf: 'c', owners: ['sub:u-1', 'email:jane@example.com'] }, HOUR);
      await store.set(b, { csrf: 'c', owners: ['email:jane@example.com'] }, 2 * HOUR);
      const item = (await raw(`sess#${a}`))!;
      const ttl = Number(item[TTL_ATTRIBUTE]!.N);
      assert.ok(
        ttl >= Math.floor((before + HOUR) / 1000) && ttl <= Math.ceil((Date.now() + HOUR) / 1000),
        `TTL ${ttl}`,
      );
      assert.equal(
        Number(item.expiresAtMs!.N) <= ttl * 1000,
        true,
        'the TTL never comes before the session ends',
      );
      const owners = (await scan(dynamo.settings.table)).filter((i) => i.pk!.S!.startsWith('owner#'));
      assert.equal(owners.length, 2, 'one item per owner (sub and email)');
      for (const owner of owners) assert.doesNotMatch(JSON.stringify(owner.pk), /jane|example|u-1/);
      const email = owners.find((o) => o.sessions!.SS!.length === 2)!;
      assert.deepEqual(email.sessions!.SS!.sort(), [a, b].sort());
      assert.ok(
        Number(email[TTL_ATTRIBUTE]!.N) >= Math.floor((before + 2 * HOUR) / 1000),
        'as long as the longest',
      );
      await store.destroyOwnedBy('email:jane@example.com');
    });

    test('an expired item that TTL has not deleted yet reads as none, and cannot be updated', async () => {
      const key = id();
      await store.set(key, { csrf: 'old' }, HOUR, { mode: 'create' });
      const later = new DynamoDbSessionStore(dynamo.client, {
        table: dynamo.settings.table,
        now: () => Date.now() + HOUR + 1_000,
      });
      assert.ok(await raw(`sess#${key}`), 'the item is still there');
      assert.equal(await later.get(key), undefined);
      await later.set(key, { csrf: 'revived' }, HOUR, { mode: 'update' });
      assert.equal(await later.get(key), undefined);
      assert.deepEqual(await later.destroyOwnedBy('sub:nobody'), []);
      await later.destroy(key);
      assert.equal(
        (await raw(`sess#${key}`))?.destroyed,
        undefined,
        'an expired session leaves no tombstone',
      );
      await later.set(key, { csrf: 'new' }, HOUR, { mode: 'create' });
      assert.deepEqual(await later.get(key), { csrf: 'new' }, 'the id is free again once expired');
    });

    test('destroy leaves a tombstone: no value, the same TTL, so it goes when the session would have', async () => {
      const key = id();
      await store.set(key, { csrf: 'c', owners: ['sub:u-7'], token: 'secret-token' }, HOUR);
      const ttl = (await raw(`sess#${key}`))![TTL_ATTRIBUTE]!.N;
      await store.destroy(key);
      const tomb = (await raw(`sess#${key}`))!;
      assert.equal(tomb.destroyed?.BOOL, true);
      assert.equal(tomb.value, undefined);
      assert.equal(tomb[TTL_ATTRIBUTE]!.N, ttl);
      assert.doesNotMatch(JSON.stringify(tomb), /secret-token/);
    });

    test('a session rewritten with other owners is no longer ended by its old owner', async () => {
      const key = id();
      await store.set(key, { n: 1, owners: ['sub:x', 'email:x@example.com'] }, HOUR);
      await store.set(key, { n: 1, owners: ['sub:z'] }, HOUR, { mode: 'update' });
      assert.deepEqual(await store.destroyOwnedBy('email:x@example.com'), []);
      assert.ok(await store.get(key));
      assert.deepEqual(
        (await store.destroyOwnedBy('sub:z')).map((s) => s.n),
        [1],
      );
    });

    test('sealed above it, the table holds no token, address or name in clear', async () => {
      const sealed = sealSessionStore(store, ['test-key-'.padEnd(40, 'x')]);
      const key = id();
      const session = { owners: ['email:kim@example.com'], auth: { refreshToken: 'rt-secret' }, name: 'Kim' };
      await sealed.set(key, session, HOUR, { mode: 'create' });
      assert.deepEqual(await sealed.get(key), session);
      const everything = JSON.stringify(await scan(dynamo.settings.table));
      assert.doesNotMatch(everything, /kim@example|rt-secret|"Kim"/);
      assert.deepEqual(await sealed.destroyOwnedBy('email:kim@example.com'), [session]);
    });

    test('ping is false when the table is missing or DynamoDB does not answer', async () => {
      assert.equal(await store.ping(), true);
      const missing = new DynamoDbSessionStore(dynamo.client, { table: 'no-such-table' });
      assert.equal(await missing.ping(), false);
      const dead = createDynamoDbClient(
        { ...dynamo.settings, endpoint: `http://127.0.0.1:${await freePort()}`, timeoutMs: 300 },
        {},
      );
      try {
        const away = new DynamoDbSessionStore(dead, { table: dynamo.settings.table });
        assert.equal(await away.ping(), false);
        await assert.rejects(
          away.get(id()),
          'a read fails (the app answers 503), it is not an empty session',
        );
      } finally {
        dead.destroy();
      }
    });
  });

  describe('rate limits on RateLimiterDynamo', () => {
    let backend: LimiterBackend;
    before(() => {
      backend = { kind: 'dynamodb', client: dynamo.client, table: dynamo.settings.rateLimitTable };
    });

    test('a limiter consumes and then refuses; delete and reward give tries back', async () => {
      const limiter = createLimiter(backend, 'rl:test:seq', 3, 60);
      for (let i = 0; i < 3; i++) assert.equal((await limiter.consume('k')).remainingPoints, 2 - i);
      const refused = await limiter.consume('k').then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(refused instanceof RateLimiterRes, 'the fourth try is refused');
      assert.ok(refused.msBeforeNext > 0 && refused.msBeforeNext <= 60_000);
      // The refused try counted too (4 spent): two given back leave room for one more.
      await limiter.reward('k', 2);
      assert.equal((await limiter.consume('k')).remainingPoints, 0);
      await limiter.delete('k');
      assert.equal((await limiter.consume('k')).remainingPoints, 2, 'deleted: a fresh window');
      assert.equal(
        await limiter.delete('never-used').catch(limitedOrUnavailable),
        false,
        'no error for a key never used',
      );
    });

    test('parallel tries get no more than sequential ones', async () => {
      const limiter = createLimiter(backend, 'rl:test:par', 3, 60);
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => limiter.consume('k')));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof RateLimiterRes);
    });

    test('DynamoDB away: a 503, not a pass', async () => {
      const dead = createDynamoDbClient(
        { ...dynamo.settings, endpoint: `http://127.0.0.1:${await freePort()}`, timeoutMs: 300 },
        {},
      );
      try {
        const limiter = createLimiter({ ...backend, client: dead } as LimiterBackend, 'rl:test:dead', 3, 60);
        await assert.rejects(limiter.consume('k').catch(limitedOrUnavailable), { status: 503 });
      } finally {
        dead.destroy();
      }
    });
  });

  describe('the app with SESSION_STORE=dynamodb', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ env: dynamo.env });
    });
    after(() => h?.close());

    test('sign-in, the account page, sign-out: a copied cookie is then anonymous', async () => {
      const sessionsBefore = (await scan(dynamo.settings.table)).length;
      const browser = await h.signedIn();
      const account = await browser.get('/account');
      assert.equal(account.status, 200);
      assert.match(account.body, new RegExp(h.pool.demoUser.email.replace(/[.]/g, '\\.')));
      assert.ok(
        (await scan(dynamo.settings.table)).length > sessionsBefore,
        'the session lives in the table',
      );
      assert.ok((await scan(dynamo.settings.rateLimitTable)).length > 0, 'and the sign-in limits in theirs');
      const copy = browser.clone();
      const confirm = await browser.get('/logout');
      const out = await browser.post('/logout', { _csrf: csrfOf(confirm.body) });
      assert.equal(out.status, 302);
      const stale = await copy.get('/account');
      assert.equal(stale.status, 302, 'the copied cookie no longer signs anyone in');
      assert.match(stale.location!, /^\/login\?/);
      const ready = await copy.get('/readyz');
      assert.equal(ready.status, 200);
      assert.match(ready.body, /"sessionStoreKind":"dynamodb"/);
    });
  });
});
