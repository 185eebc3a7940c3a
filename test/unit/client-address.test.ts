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

test('an IPv4-mapped address is its IPv4 client however it is written', () => {
  for (const mapped of [
    '::FFFF:192.0.2.7',
    '0:0:0:0:0:ffff:192.0.2.7',
    '::ffff:c000:207',
    '0000:0000:0000:0000:0000:FFFF:C000:0207',
  ]) {
    assert.equal(clientAddressKey(mapped), '192.0.2.7', mapped);
  }
  assert.notEqual(clientAddressKey('::ffff:c000:208'), clientAddressKey('::ffff:c000:207'));
});

test('every spelling of an IPv6 address, zones and dotted tails included, counts under its /64', () => {
  const key = '2001:db8:0:1::/64';
  for (const address of [
    '2001:db8:0:1::',
    '2001:db8::1:0:0:0:1',
    '2001:db8:0:1:0:0:192.0.2.1',
    '2001:db8:0:1::c000:201%eth0',
    '2001:DB8:0000:0001:FFFF:FFFF:FFFF:FFFF',
  ]) {
    assert.equal(clientAddressKey(address), key, address);
  }
  assert.equal(clientAddressKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  assert.equal(clientAddressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.notEqual(clientAddressKey('2001:db8:0:1::1'), clientAddressKey('2001:db8:1:1::1'));
});
