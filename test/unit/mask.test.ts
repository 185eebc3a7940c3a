import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskEmail } from '../../src/flows/mask.ts';

test('emails are masked to their first letters and the top-level domain', () => {
  assert.equal(maskEmail('jane.doe@example.com'), 'j***@e***.com');
  assert.equal(maskEmail('a@mail.example.co.uk'), 'a***@m***.example.co.uk');
  assert.equal(maskEmail('ünïcode@exämple.de'), 'ü***@e***.de');
  assert.equal(maskEmail('no-at-sign'), 'n***');
});
