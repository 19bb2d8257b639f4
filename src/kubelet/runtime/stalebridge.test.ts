import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conflicting, overlaps } from './stalebridge.js';

test('IPv4 networks overlap when they share the block of the shorter prefix', () => {
  assert.equal(overlaps('10.42.0.1', 24, '10.42.0.0', 24), true);
  assert.equal(overlaps('10.42.1.1', 24, '10.42.0.0', 24), false);
  assert.equal(overlaps('10.42.0.1', 16, '10.42.7.0', 24), true);
  assert.equal(overlaps('10.43.0.1', 16, '10.42.7.0', 24), false);
  assert.equal(overlaps('192.168.1.1', 0, '10.0.0.0', 8), true);
});

test('bridges other than our own with an address in the pod range are in the way', () => {
  const bridges = [
    { name: 'sk1234abcd', addrs: [{ ip: '10.42.0.1', prefixlen: 24 }] },
    { name: 'skiff0', addrs: [{ ip: '10.42.0.1', prefixlen: 24 }] },
    { name: 'docker0', addrs: [{ ip: '172.17.0.1', prefixlen: 16 }] },
    { name: 'br-v6', addrs: [{ ip: 'fd00::1', prefixlen: 64 }] },
  ];
  assert.deepEqual(conflicting(bridges, 'skiff0', '10.42.0.0/24').map((b) => b.name), ['sk1234abcd']);
  assert.deepEqual(conflicting(bridges, 'skabcdef12', '10.42.0.0/24').map((b) => b.name), ['sk1234abcd', 'skiff0']);
  assert.deepEqual(conflicting(bridges, 'skiff0', '10.99.0.0/24'), []);
});
