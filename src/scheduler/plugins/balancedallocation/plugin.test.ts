import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../../api/types.js';
import { Code, CycleState } from '../../framework.js';
import { PodInfo } from '../../nodeinfo.js';
import { makeNode, makePod, nodeInfo } from '../../testing.js';
import { balancedScore, newBalancedAllocation } from './plugin.js';

test('BalancedAllocation scores the spread of resource fractions', () => {
  const cases: { name: string; existing: Obj[]; pod: Obj; want: number }[] = [
    // cpu 1/4=.25, mem 8/32=.25 → std 0 → 100
    { name: 'balanced', existing: [], pod: makePod('p', { cpu: '1', memory: '8Gi' }), want: 100 },
    // cpu 2/4=.5, mem 8/32=.25 → std .125 → 87
    { name: 'cpu heavy', existing: [makePod('e', { cpu: '1' })], pod: makePod('p', { cpu: '1', memory: '8Gi' }), want: 87 },
    // cpu 4/4=1 (capped), mem 0 → std .5 → 50
    { name: 'capped at 1', existing: [makePod('e', { cpu: '4' })], pod: makePod('p', { cpu: '1' }), want: 50 },
  ];
  const p = newBalancedAllocation();
  for (const c of cases) {
    const ni = nodeInfo(makeNode('n', { cpu: '4', memory: '32Gi' }), ...c.existing);
    assert.equal(p.score(new CycleState(), new PodInfo(c.pod), ni), c.want, c.name);
  }
});

test('BalancedAllocation skips best-effort pods', () => {
  const p = newBalancedAllocation();
  assert.equal(p.preScore(new CycleState(), new PodInfo(makePod('p')), [], 0)?.code, Code.Skip);
  assert.equal(p.preScore(new CycleState(), new PodInfo(makePod('p', { cpu: '1' })), [], 0), null);
});

test('balancedScore with more resources uses the standard deviation', () => {
  assert.equal(balancedScore([1, 1], [2, 2]), 100);
  assert.equal(balancedScore([1, 0], [2, 0]), 100); // one resource only: std 0
  // fractions .5, .25, 1 → mean .5833, std .3118 → 68
  assert.equal(balancedScore([1, 1, 4], [2, 4, 4]), 68);
});
