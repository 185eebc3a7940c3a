// Client addresses as rate-limit keys: IPv4 as is, IPv4-mapped unwrapped, IPv6 by its /64.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientAddressKey } from '../../src/rate-limit/client-address.ts';

test('IPv4 and IPv4-mapped IPv6 are the same client', () => {
  assert.equal(clientAddressKey('192.0.2.7'), '192.0.2.7');
  assert.equal(clientAddressKey('::ffff:192.0.2.7'), '192.0.2.7');
});

test('every address of one IPv6 /64 counts as one client', () => {
  const key = '2001:db8:0:1::/64';
  assert.equal(clientAddressKey('2001:db8:0:1::1'), key);
  assert.equal(clientAddressKey('2001:0db8:0000:0001:ffff:1:2:3'), key);
  assert.equal(clientAddressKey('2001:DB8:0:1:a::'), key);
  assert.notEqual(clientAddressKey('2001:db8:0:2::1'), key);
  assert.equal(clientAddressKey('::1'), '0:0:0:0::/64');
});

test('an empty or odd value is still a key', () => {
  assert.equal(clientAddressKey(''), 'unknown');
  assert.equal(clientAddressKey('not-an-ip'), 'not-an-ip');
});
