// Client address keys for spellings the counters must not tell apart: zones on mapped addresses, multi-digit dotted
// tails, zero groups in the /64.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientAddressKey } from '../../src/rate-limit/client-address.ts';

test('an IPv4-mapped address with a zone is its IPv4 client', () => {
  assert.equal(clientAddressKey('::ffff:192.0.2.1%eth0'), '192.0.2.1');
  assert.equal(clientAddressKey('::ffff:192.0.2.1%2'), '192.0.2.1');
});

test('a dotted tail is read whole, every octet of up to three digits', () => {
  assert.equal(clientAddressKey('::ffff:192.168.100.200'), '192.168.100.200');
  assert.equal(clientAddressKey('::ffff:10.0.0.1'), '10.0.0.1');
  assert.equal(clientAddressKey('::ffff:1.22.3.44'), '1.22.3.44');
});

test('zero groups in the /64 are written as 0, whichever spelling left them out', () => {
  for (const address of ['2001:db8::1', '2001:db8:0:0:1::1', '2001:0db8:0000:0000::', '2001:db8::']) {
    assert.equal(clientAddressKey(address), '2001:db8:0:0::/64', address);
  }
});
