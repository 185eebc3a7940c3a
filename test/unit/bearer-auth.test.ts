// Bearer access tokens: verified once, remembered by hash until they expire; anything else is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VerifiedAccessToken } from '../../src/cognito/verifier.ts';
import { createBearerAuth } from '../../src/session/bearer-auth.ts';

const NOW = 1_800_000_000_000;
const TOKEN = 'aaa.bbb.ccc';

function setup(verify: (token: string) => Promise<VerifiedAccessToken>, now = () => NOW) {
  const calls = { verify: 0, getUser: 0 };
  const bearer = createBearerAuth({
    verifier: {
      verifyAccessToken: (t) => {
        calls.verify++;
        return verify(t);
      },
    },
    cognito: {
      getUser: () => {
        calls.getUser++;
        return Promise.resolve({
          username: 'u-1',
          attributes: { email: 'ada@example.com' },
          mfaEnabled: [],
          mfaPreferred: undefined,
        });
      },
    },
    clock: now,
  });
  return { bearer, calls };
}

const valid = () =>
  Promise.resolve({ sub: 'sub-1', username: 'u-1', groups: ['staff'], expiresAt: NOW + 3_600_000 });

test('no Authorization header: none', async () => {
  const { bearer, calls } = setup(valid);
  assert.deepEqual(await bearer.check(undefined), { kind: 'none' });
  assert.equal(calls.verify, 0);
});

test('a valid access token: the identity with the email, verified once for repeated requests', async () => {
  const { bearer, calls } = setup(valid);
  for (let i = 0; i < 5; i++) {
    const result = await bearer.check(`Bearer ${TOKEN}`);
    assert.equal(result.kind, 'valid');
    if (result.kind === 'valid') {
      assert.equal(result.identity.userId, 'sub-1');
      assert.equal(result.identity.email, 'ada@example.com');
      assert.deepEqual(result.identity.groups, ['staff']);
    }
  }
  assert.deepEqual(calls, { verify: 1, getUser: 1 });
});

test('concurrent first requests share one verification', async () => {
  const { bearer, calls } = setup(valid);
  await Promise.all(Array.from({ length: 10 }, () => bearer.check(`Bearer ${TOKEN}`)));
  assert.equal(calls.verify, 1);
});

test('a refused token is invalid every time and not remembered', async () => {
  const { bearer, calls } = setup(() => Promise.reject(new Error('bad signature')));
  assert.deepEqual(await bearer.check(`Bearer ${TOKEN}`), { kind: 'invalid' });
  assert.deepEqual(await bearer.check(`Bearer ${TOKEN}`), { kind: 'invalid' });
  assert.equal(calls.verify, 2);
  assert.equal(calls.getUser, 0);
});

test('a remembered token stops working when it expires', async () => {
  let now = NOW;
  const { bearer } = setup(valid, () => now);
  assert.equal((await bearer.check(`Bearer ${TOKEN}`)).kind, 'valid');
  now = NOW + 3_600_000;
  assert.equal((await bearer.check(`Bearer ${TOKEN}`)).kind, 'invalid');
});

test('malformed headers are invalid without any verification', async () => {
  const { bearer, calls } = setup(valid);
  for (const header of [
    'Basic abc',
    'Bearer',
    'Bearer not-a-jwt',
    `Bearer ${TOKEN} extra`,
    `bearer${TOKEN}`,
    `Bearer ${'a'.repeat(9000)}.b.c`,
  ]) {
    assert.deepEqual(await bearer.check(header), { kind: 'invalid' }, header);
  }
  assert.equal(calls.verify, 0);
});
