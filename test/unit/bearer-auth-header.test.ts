// The Authorization header as the Bearer check reads it (scheme, spaces, length limit), what it keeps from GetUser,
// and how many verified tokens it remembers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBearerAuth, type BearerAuthDeps } from '../../src/session/bearer-auth.ts';

const NOW = 1_800_000_000_000;

function setup(options: { getUser?: BearerAuthDeps['cognito']['getUser']; maxEntries?: number } = {}) {
  const calls = { verify: 0, getUser: 0 };
  const bearer = createBearerAuth({
    verifier: {
      verifyAccessToken: (token) => {
        calls.verify++;
        return Promise.resolve({ sub: `sub-${token}`, username: 'u-1', groups: [], expiresAt: NOW + 60_000 });
      },
    },
    cognito: {
      getUser: (token) => {
        calls.getUser++;
        return (
          options.getUser?.(token) ??
          Promise.resolve({
            username: 'u-1',
            attributes: { email: 'ada@example.com', preferred_username: 'ada' },
            mfaEnabled: [],
            mfaPreferred: undefined,
          })
        );
      },
    },
    clock: () => NOW,
    ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
  });
  return { bearer, calls };
}

test('an empty Authorization header is no token at all, not an invalid one', async () => {
  const { bearer } = setup();
  assert.deepEqual(await bearer.check(''), { kind: 'none' });
});

test('the scheme starts the header, in any case, followed by one or more spaces; trailing space is fine', async () => {
  const { bearer } = setup();
  for (const header of [
    'Bearer a.b.c',
    'bearer a.b.c',
    'BEARER  a.b.c',
    'Bearer a.b.c  ',
    'Bearer a.b.c\t',
  ]) {
    assert.equal((await bearer.check(header)).kind, 'valid', JSON.stringify(header));
  }
  for (const header of ['XBearer a.b.c', ' Bearer a.b.c', 'Bearer a.b.c x', 'Bearer a.b.c.', 'Bearera.b.c']) {
    assert.deepEqual(await bearer.check(header), { kind: 'invalid' }, JSON.stringify(header));
  }
});

test('a header of 8192 characters is read; one longer is refused unread', async () => {
  const { bearer, calls } = setup();
  const header = (length: number) => `Bearer a.b.${'c'.repeat(length - 'Bearer a.b.'.length)}`;
  assert.equal((await bearer.check(header(8192))).kind, 'valid');
  assert.deepEqual(await bearer.check(header(8193)), { kind: 'invalid' });
  assert.equal(calls.verify, 1);
});

test('the email and preferred username come from GetUser; when it fails the token is still valid, without them', async () => {
  const ok = await setup().bearer.check('Bearer a.b.c');
  assert.equal(ok.kind, 'valid');
  if (ok.kind === 'valid') {
    assert.equal(ok.identity.email, 'ada@example.com');
    assert.equal(ok.identity.preferredUsername, 'ada');
    assert.equal(ok.accessToken, 'a.b.c');
  }
  const failing = await setup({ getUser: () => Promise.reject(new Error('throttled')) }).bearer.check(
    'Bearer a.b.c',
  );
  assert.equal(failing.kind, 'valid');
  if (failing.kind === 'valid') {
    assert.equal(failing.identity.email, undefined);
    assert.equal(failing.identity.preferredUsername, undefined);
    assert.equal(failing.identity.userId, 'sub-a.b.c');
  }
});

test('at most maxEntries verified tokens are remembered, the oldest forgotten first', async () => {
  const { bearer, calls } = setup({ maxEntries: 2 });
  await bearer.check('Bearer a.a.a');
  await bearer.check('Bearer b.b.b');
  await bearer.check('Bearer a.a.a');
  assert.equal(calls.verify, 2, 'two fit');
  await bearer.check('Bearer c.c.c');
  await bearer.check('Bearer b.b.b');
  await bearer.check('Bearer c.c.c');
  assert.equal(calls.verify, 3, 'b and c are remembered');
  await bearer.check('Bearer a.a.a');
  assert.equal(calls.verify, 4, 'a was forgotten');
});

test('by default ten thousand tokens are remembered', async () => {
  const { bearer, calls } = setup();
  const header = (i: number) => `Bearer t.${i}.x`;
  for (let i = 0; i <= 10_000; i++) await bearer.check(header(i));
  assert.equal(calls.verify, 10_001);
  await bearer.check(header(10_000));
  await bearer.check(header(1));
  assert.equal(calls.verify, 10_001, 'the newest ten thousand are remembered');
  await bearer.check(header(0));
  assert.equal(calls.verify, 10_002, 'the oldest was forgotten');
});
