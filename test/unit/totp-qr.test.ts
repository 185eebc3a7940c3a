import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupedSecret, otpauthUri } from '../../src/totp/otpauth-uri.ts';
import { qrSvg } from '../../src/totp/qr-svg.ts';
import { decodeQrSvg } from '../helpers/qr-decode.ts';
import { totp } from '../helpers/totp.ts';

test('the otpauth URI encodes issuer and account', () => {
  assert.equal(
    otpauthUri('Acme Corp', 'jane+x@example.com', 'JBSWY3DPEHPK3PXP'),
    'otpauth://totp/Acme%20Corp:jane%2Bx%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Corp&algorithm=SHA1&digits=6&period=30',
  );
});

test('the QR code decodes to exactly the otpauth URI', async () => {
  const uri = otpauthUri('Acme: Login', 'jane@example.com', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  const svg = await qrSvg(uri, 'QR code');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal(decodeQrSvg(svg), uri);
});

test('the QR title is escaped', async () => {
  assert.match(await qrSvg('x', '<script>'), /<title>&#60;script&#62;<\/title>/);
});

test('the secret is grouped by four for typing', () => {
  assert.equal(groupedSecret('JBSWY3DPEHPK3PXP'), 'JBSW Y3DP EHPK 3PXP');
});

test('the test TOTP helper matches RFC 6238 (SHA-1 vectors, 6 digits)', () => {
  // RFC 6238 appendix B uses the ASCII secret "12345678901234567890" = base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(totp(secret, 59_000), '287082');
  assert.equal(totp(secret, 1_111_111_109_000), '081804');
  assert.equal(totp(secret, 1_234_567_890_000), '005924');
});
