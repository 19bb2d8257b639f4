import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr, firstIp, ipToBigInt, bigIntToIp } from './cidr.js';

test('first address of IPv4 service networks', () => {
  assert.equal(firstIp(parseCidr('10.43.0.0/16')), '10.43.0.1');
  assert.equal(firstIp(parseCidr('10.96.0.0/12')), '10.96.0.1');
  // a host address inside the network is normalised to the network first
  assert.equal(parseCidr('10.43.7.9/16').text, '10.43.0.0/16');
  assert.equal(firstIp(parseCidr('192.168.10.128/25')), '192.168.10.129');
});

test('IPv6 parsing and formatting round-trip', () => {
  assert.equal(firstIp(parseCidr('fd00:43::/112')), 'fd00:43::1');
  assert.equal(bigIntToIp(ipToBigInt('::1'), 6), '::1');
  assert.equal(bigIntToIp(ipToBigInt('2001:db8:0:0:1:0:0:1'), 6), '2001:db8::1:0:0:1');
  assert.equal(bigIntToIp(ipToBigInt('::ffff:10.0.0.1'), 6), '::ffff:a00:1');
});

test('bad CIDRs are rejected with a readable message', () => {
  for (const bad of ['10.43.0.0', '10.43.0.0/33', 'abc/8', '10.43.0.0/', '', '::/129']) {
    assert.throws(() => parseCidr(bad), /invalid CIDR address/, bad);
  }
  assert.throws(() => firstIp(parseCidr('10.0.0.1/32')), /too small/);
});
