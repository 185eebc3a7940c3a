// Random tokens from the pooled CSPRNG: 256 bits, base64url, never repeated, past many refills of the pool.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomToken } from '../../src/session/random-token.ts';

test('43 base64url characters (256 bits), all different over many refills of the pool', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const token = randomToken();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    seen.add(token);
  }
  assert.equal(seen.size, 10_000);
});

test('the bits are spread evenly: each of the 256 bit positions is set in about half of the tokens', () => {
  const ones = new Array<number>(256).fill(0);
  const count = 4000;
  for (let i = 0; i < count; i++) {
    const bytes = Buffer.from(randomToken(), 'base64url');
    assert.equal(bytes.length, 32);
    for (let bit = 0; bit < 256; bit++) if (bytes[bit >> 3]! & (1 << (bit & 7))) ones[bit]!++;
  }
  // Binomial(4000, 0.5): the standard deviation is about 32; 6 of them is far outside chance.
  for (const n of ones) assert.ok(Math.abs(n - count / 2) < 6 * 32, `a bit set ${n} times of ${count}`);
});
