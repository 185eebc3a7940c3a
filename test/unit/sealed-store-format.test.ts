// The sealed format: v2 compresses before it encrypts (a signed-in session's tokens take a quarter less room), v1
// values sealed before still open, and neither can be passed off as the other.
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { MemorySessionStore } from '../../src/session/memory-store.ts';
import { sealSessionStore } from '../../src/session/sealed-store.ts';
import { deriveKeys } from '../../src/session/session-keys.ts';

const KEY = 'k'.repeat(43);
const ID = 'a'.repeat(43);
const b64 = (n: number) => randomBytes(n).toString('base64url');
/** A signed-in session as Cognito's tokens make it: random-looking base64url, the bulk of it. */
const SIGNED_IN = {
  owners: ['sub:jane', 'email:jane@example.com'],
  auth: {
    sub: 'jane',
    email: 'jane@example.com',
    accessToken: `${b64(90)}.${b64(700)}.${b64(256)}`,
    refreshToken: `${b64(60)}.${b64(1300)}.${b64(12)}.${b64(200)}.${b64(16)}`,
  },
};

/** A value as the v1 format sealed it (AES-256-GCM of the JSON, not compressed). */
function sealV1(session: Record<string, unknown>, owners: string[], id = ID): string {
  const [valueKey] = deriveKeys([KEY], 'session-values');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', valueKey!, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(`v1\n${owners.join('\n')}`));
  const body = Buffer.concat([cipher.update(JSON.stringify({ id, session }), 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** A value as v2 sealed it before 6 December: compressed with zlib's default window and memory. */
function sealV2DefaultWindow(session: Record<string, unknown>, owners: string[]): string {
  const [valueKey] = deriveKeys([KEY], 'session-values');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', valueKey!, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(`v2\n${owners.join('\n')}`));
  const compressed = deflateRawSync(JSON.stringify({ id: ID, session }), { level: 1 });
  const body = Buffer.concat([cipher.update(compressed), cipher.final()]);
  return `v2.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

function ownerTags(owners: string[]): string[] {
  const [ownerKey] = deriveKeys([KEY], 'session-owners');
  return owners.map((o) => `o:${createHmac('sha256', ownerKey!).update(o).digest('base64url')}`);
}

test('new values are v2, compressed: smaller than the same session sealed as v1', async () => {
  const inner = new MemorySessionStore({ maxEntries: 10 });
  const sealed = sealSessionStore(inner, [KEY]);
  await sealed.set(ID, SIGNED_IN, 60_000);
  const envelope = (await inner.get(ID)) as { sealed: string; owners: string[] };
  assert.match(envelope.sealed, /^v2\./);
  const v1 = sealV1(SIGNED_IN, envelope.owners);
  assert.ok(
    envelope.sealed.length < v1.length * 0.85,
    `v2 ${envelope.sealed.length} bytes, v1 ${v1.length}: at least 15% smaller`,
  );
  assert.deepEqual(await sealSessionStore(inner, [KEY]).get(ID), SIGNED_IN);
});

test('a v1 value sealed before the upgrade still opens; altered, relabelled or moved it does not', async () => {
  const inner = new MemorySessionStore({ maxEntries: 10 });
  const owners = ownerTags(SIGNED_IN.owners);
  const v1 = sealV1(SIGNED_IN, owners);
  await inner.set(ID, { owners, sealed: v1 }, 60_000);
  assert.deepEqual(await sealSessionStore(inner, [KEY]).get(ID), SIGNED_IN);
  const cases: [string, string][] = [
    ['relabelled as v2', `v2.${v1.slice(3)}`],
    ['a byte flipped', `${v1.slice(0, 20)}${v1[20] === 'A' ? 'B' : 'A'}${v1.slice(21)}`],
    ['another id inside', sealV1(SIGNED_IN, owners, 'b'.repeat(43))],
  ];
  for (const [what, value] of cases) {
    await inner.set(ID, { owners, sealed: value }, 60_000);
    assert.equal(await sealSessionStore(inner, [KEY]).get(ID), undefined, what);
  }
});

test('a v2 value compressed with the default window (sealed before 6 December) still opens', async () => {
  const inner = new MemorySessionStore({ maxEntries: 10 });
  const owners = ownerTags(SIGNED_IN.owners);
  await inner.set(ID, { owners, sealed: sealV2DefaultWindow(SIGNED_IN, owners) }, 60_000);
  assert.deepEqual(await sealSessionStore(inner, [KEY]).get(ID), SIGNED_IN);
});

test('a v2 value relabelled as v1 does not open', async () => {
  const inner = new MemorySessionStore({ maxEntries: 10 });
  await sealSessionStore(inner, [KEY]).set(ID, SIGNED_IN, 60_000);
  const envelope = (await inner.get(ID)) as { sealed: string; owners: string[] };
  await inner.set(ID, { ...envelope, sealed: `v1.${envelope.sealed.slice(3)}` }, 60_000);
  assert.equal(await sealSessionStore(inner, [KEY]).get(ID), undefined);
});
