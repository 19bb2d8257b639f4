import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PodIPAllocator } from './podips.js';
import { formatCidr, parseCidr } from '../../api/cidr.js';

describe('PodIPAllocator', () => {
  it('hands out .2 upwards, never the network, gateway or broadcast address', () => {
    const a = new PodIPAllocator(['10.42.7.0/24']);
    assert.deepEqual(a.allocate('p1'), ['10.42.7.2']);
    assert.deepEqual(a.allocate('p2'), ['10.42.7.3']);
    assert.deepEqual(a.allocate('p1'), ['10.42.7.2'], 'same owner, same address');
    assert.equal(a.available(), 253 - 2);
    const seen = new Set<string>();
    for (let i = 3; i <= 253; i++) for (const ip of a.allocate(`p${i}`)!) seen.add(ip);
    assert.ok(!seen.has('10.42.7.0') && !seen.has('10.42.7.1') && !seen.has('10.42.7.255'));
    assert.equal(a.allocate('one-too-many'), undefined, 'a /24 holds 253 pods');
  });

  it('does not reuse a released address at once (rotating cursor)', () => {
    const a = new PodIPAllocator(['10.42.0.0/24']);
    a.allocate('p1');
    a.allocate('p2');
    a.release('p1');
    assert.deepEqual(a.allocate('p3'), ['10.42.0.4']);
    assert.equal(a.get('p1'), undefined);
  });

  it('dual-stack: one address per family', () => {
    const a = new PodIPAllocator(['10.42.1.0/24', 'fd00:42:0:1::/64']);
    assert.deepEqual(a.allocate('p'), ['10.42.1.2', 'fd00:42:0:1::2']);
  });

  it('reserve records addresses pods already hold and refuses foreign or taken ones', () => {
    const a = new PodIPAllocator(['10.42.1.0/24']);
    assert.equal(a.reserve('p1', ['10.42.1.9']), true);
    assert.equal(a.reserve('p2', ['10.42.1.9']), false, 'taken');
    assert.equal(a.reserve('p3', ['10.42.2.9']), false, 'outside the CIDR');
    assert.equal(a.reserve('p4', ['10.42.1.255']), false, 'broadcast');
    assert.deepEqual(a.get('p1'), ['10.42.1.9']);
    a.release('p1');
    assert.equal(a.reserve('p2', ['10.42.1.9']), true);
  });

  it('small ranges', () => {
    const a = new PodIPAllocator(['10.0.0.0/30']);
    assert.deepEqual(a.allocate('p'), ['10.0.0.2']);
    assert.equal(a.allocate('q'), undefined);
  });
});

describe('cidr', () => {
  it('normalises host bits and formats IPv6 compactly', () => {
    assert.equal(formatCidr(parseCidr('10.42.3.7/24')), '10.42.3.0/24');
    assert.equal(formatCidr(parseCidr('fd00:0:0:0:0:0:0:1/64')), 'fd00::/64');
    assert.throws(() => parseCidr('10.0.0.0'), /invalid CIDR/);
    assert.throws(() => parseCidr('10.0.0.0/33'), /invalid CIDR/);
  });
});
