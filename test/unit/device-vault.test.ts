// The remembered-device vault: entries behind a signed cookie of their own, sealed in the store, bound to the user,
// never revived from a destroyed key, kept past a flood of anonymous visitors, and read past their trust on demand.
import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { test } from 'node:test';
import Koa, { type Context } from 'koa';
import { MemorySessionStore } from '../../src/session/memory-store.ts';
import { SealedSessionStore } from '../../src/session/sealed-store.ts';
import { createDeviceVault, type DeviceEntry } from '../../src/session/device-vault.ts';

const KEYS = ['vault-test-key-'.padEnd(40, 'x')];
const DAY = 24 * 60 * 60 * 1000;

function setUp(maxEntries = 1000) {
  let now = Date.now();
  const inner = new MemorySessionStore({ maxEntries, now: () => now });
  const store = new SealedSessionStore(inner, KEYS);
  const vault = createDeviceVault(store, { secure: false, days: 30, clock: () => now });
  const app = new Koa();
  app.keys = KEYS;
  /** A request of a browser holding `jar`'s cookies; what the response sets goes back into the jar. */
  const request = async <T>(jar: Map<string, string>, work: (ctx: Context) => Promise<T>): Promise<T> => {
    const req = new IncomingMessage(new Socket());
    req.headers = jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
    req.method = 'GET';
    req.url = '/';
    const res = new ServerResponse(req);
    const out = await work(app.createContext(req, res));
    for (const line of (res.getHeader('set-cookie') as string[] | undefined) ?? []) {
      const [pair] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return out;
  };
  return { vault, inner, store, request, advance: (ms: number) => (now += ms) };
}

const entry = (username: string, key = `eu-west-1_${username}`): Omit<DeviceEntry, 'until'> => ({
  username,
  key,
  groupKey: '-group',
  password: `secret-of-${username}`,
  remembered: true,
});

test('kept behind a signed cookie of its own; a tampered or unsigned one reads as nothing', async () => {
  const { vault, request } = setUp();
  const jar = new Map<string, string>();
  await request(jar, (ctx) => vault.keep(ctx, entry('jane')));
  assert.ok(jar.get('device') && jar.get('device.sig'));
  assert.deepEqual(
    (await request(jar, (ctx) => vault.read(ctx))).map((e) => e.username),
    ['jane'],
  );
  const tampered = new Map(jar);
  tampered.set('device', `${jar.get('device')!.slice(0, -2)}xy`);
  assert.deepEqual(await request(tampered, (ctx) => vault.read(ctx)), []);
  const unsigned = new Map([['device', jar.get('device')!]]);
  assert.deepEqual(await request(unsigned, (ctx) => vault.read(ctx)), []);
});

test('sealed in the store, under a hash of the cookie: neither the secret nor the cookie shows', async () => {
  const { vault, inner, request } = setUp();
  const jar = new Map<string, string>();
  await request(jar, (ctx) => vault.keep(ctx, entry('jane')));
  const cookie = jar.get('device')!;
  const keys = [...(inner as unknown as { owned: Map<string, unknown> }).owned.keys()];
  assert.equal(keys.length, 1);
  assert.ok(keys[0]!.startsWith('device:') && !keys[0]!.includes(cookie));
  const raw = JSON.stringify(await inner.get(keys[0]!));
  assert.doesNotMatch(raw, /secret-of-jane|jane/);
});

test('one entry per user, at most five users per browser', async () => {
  const { vault, request } = setUp();
  const jar = new Map<string, string>();
  for (const name of ['a', 'b', 'c', 'd', 'e', 'f'])
    await request(jar, (ctx) => vault.keep(ctx, entry(name)));
  await request(jar, (ctx) => vault.keep(ctx, entry('c', 'eu-west-1_c2')));
  const kept = await request(jar, (ctx) => vault.read(ctx));
  assert.deepEqual(kept.map((e) => e.username).sort(), ['b', 'c', 'd', 'e', 'f'], 'the oldest (a) went');
  assert.equal(kept.find((e) => e.username === 'c')?.key, 'eu-west-1_c2');
});

test('emptied and kept again in the same request: a new cookie, never the destroyed key', async () => {
  const { vault, request } = setUp();
  const jar = new Map<string, string>();
  await request(jar, (ctx) => vault.keep(ctx, entry('jane')));
  const first = jar.get('device');
  await request(jar, async (ctx) => {
    await vault.drop(ctx, () => true);
    await vault.keep(ctx, entry('jane', 'eu-west-1_new'));
  });
  assert.notEqual(jar.get('device'), first);
  assert.deepEqual(
    (await request(jar, (ctx) => vault.read(ctx))).map((e) => e.key),
    ['eu-west-1_new'],
  );
});

test('past its days an entry is not used, but can still be read to clean up', async () => {
  const { vault, request, advance } = setUp();
  const jar = new Map<string, string>();
  await request(jar, (ctx) => vault.keep(ctx, entry('jane')));
  advance(29 * DAY);
  assert.equal((await request(jar, (ctx) => vault.read(ctx))).length, 1);
  advance(2 * DAY);
  assert.deepEqual(await request(jar, (ctx) => vault.read(ctx)), []);
  const expired = await request(jar, (ctx) => vault.read(ctx, { expired: true }));
  assert.deepEqual(
    expired.map((e) => e.key),
    ['eu-west-1_jane'],
    'the store keeps it as long again',
  );
  advance(30 * DAY);
  assert.deepEqual(await request(jar, (ctx) => vault.read(ctx, { expired: true })), [], 'then it is gone');
});

test('a flood of anonymous visitors does not push a trusted browser out of the memory store', async () => {
  const { vault, store, request } = setUp(100);
  const jar = new Map<string, string>();
  await request(jar, (ctx) => vault.keep(ctx, entry('jane')));
  for (let i = 0; i < 300; i++) await store.set(`anon-${i}`, { csrf: 'x' }, 60_000);
  assert.equal((await request(jar, (ctx) => vault.read(ctx))).length, 1);
  assert.deepEqual(await store.destroyOwnedBy('sub:jane'), [], 'no sign-out destroys it by owner');
});
