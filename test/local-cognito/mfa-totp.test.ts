// TOTP (RFC 6238) and base32 (RFC 4648) as the emulator computes them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, base32Encode, matchTotp, totpCode } from '../../src/local-cognito/totp.ts';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII "12345678901234567890".
const SEED = base32Encode(Buffer.from('12345678901234567890'));

describe('local cognito: TOTP', () => {
  it('base32 encodes without padding and round-trips', () => {
    assert.equal(SEED, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.equal(base32Encode(Buffer.from('f')), 'MY'); // RFC 4648 vector "MY======" without padding
    assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
    assert.deepEqual(base32Decode('mzxw6ytboi======'), Buffer.from('foobar'));
  });

  it('matches the RFC 6238 SHA-1 vectors (8 digits, and their last 6)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, code] of vectors) {
      assert.equal(totpCode(SEED, seconds * 1000, 8), code, `T=${seconds}`);
      assert.equal(totpCode(SEED, seconds * 1000), code.slice(2), `T=${seconds}, 6 digits`);
    }
    assert.equal(totpCode(SEED, 59_000), '287082');
    assert.equal(totpCode(SEED, 1111111109_000), '081804');
  });

  it('accepts the current step and one either side, nothing further', () => {
    const now = 1111111109_000;
    const step = Math.floor(now / 30_000);
    assert.equal(matchTotp(SEED, totpCode(SEED, now), now), step);
    assert.equal(matchTotp(SEED, totpCode(SEED, now - 30_000), now), step - 1);
    assert.equal(matchTotp(SEED, totpCode(SEED, now + 30_000), now), step + 1);
    assert.equal(matchTotp(SEED, totpCode(SEED, now - 60_000), now), undefined);
    assert.equal(matchTotp(SEED, totpCode(SEED, now + 60_000), now), undefined);
    assert.equal(matchTotp(SEED, 'abcdef', now), undefined);
  });
});
