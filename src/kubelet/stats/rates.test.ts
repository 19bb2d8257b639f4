import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuRates } from './rates.js';

test('usageNanoCores needs two samples; a cached sample repeats the rate; a reset counter starts over', () => {
  let now = 0;
  const r = new CpuRates(1000, () => now);
  const s = 1_000_000_000n;
  assert.equal(r.rate('c1', 5n * s, 100n * s), undefined, 'first sample: no rate');
  assert.equal(r.rate('c1', 5n * s + 500_000_000n, 101n * s), 500_000_000, 'half a core over one second');
  assert.equal(r.rate('c1', 5n * s + 500_000_000n, 101n * s), 500_000_000, 'same timestamp: same rate');
  assert.equal(r.rate('c1', 7n * s + 500_000_000n, 102n * s), 2_000_000_000, 'two cores');
  assert.equal(r.rate('c1', 1n * s, 103n * s), undefined, 'counter went backwards (new container): no rate');
  assert.equal(r.rate('c2', 0n, 103n * s), undefined, 'keys are independent');
  now = 1500;
  r.rate('c2', s, 104n * s);
  r.prune();
  assert.equal(r.size, 1, 'c1 not seen for longer than the TTL is forgotten');
});
