import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../../api/types.js';
import { Code, CycleState } from '../../framework.js';
import { PodInfo } from '../../nodeinfo.js';
import { makeNode, makePod, nodeInfo } from '../../testing.js';
import { newTaintToleration } from './plugin.js';

test('TaintToleration filter', () => {
  const cases: { name: string; taints: Obj[]; tolerations?: Obj[]; want: string | null }[] = [
    { name: 'no taints', taints: [], want: null },
    { name: 'NoSchedule not tolerated', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], want: 'node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'empty value prints empty', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }], want: 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }' },
    { name: 'NoExecute not tolerated', taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }], want: 'node(s) had untolerated taint {k: v}' },
    { name: 'PreferNoSchedule does not filter', taints: [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }], want: null },
    { name: 'Equal toleration', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }], want: null },
    { name: 'default operator is Equal', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], tolerations: [{ key: 'k', value: 'v' }], want: null },
    { name: 'Equal with other value', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], tolerations: [{ key: 'k', value: 'w' }], want: 'node(s) had untolerated taint {k: v}' },
    { name: 'Exists on key', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], tolerations: [{ key: 'k', operator: 'Exists' }], want: null },
    { name: 'Exists without key tolerates all', taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }], tolerations: [{ operator: 'Exists' }], want: null },
    { name: 'effect must match', taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }], tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }], want: 'node(s) had untolerated taint {k: v}' },
    { name: 'first untolerated taint is reported', taints: [{ key: 'a', value: '1', effect: 'NoSchedule' }, { key: 'b', value: '2', effect: 'NoSchedule' }], tolerations: [{ key: 'a', operator: 'Exists' }], want: 'node(s) had untolerated taint {b: 2}' },
  ];
  const p = newTaintToleration();
  for (const c of cases) {
    const pod = new PodInfo(makePod('p', { spec: c.tolerations ? { tolerations: c.tolerations } : {} }));
    const s = p.filter(new CycleState(), pod, nodeInfo(makeNode('n', { taints: c.taints })));
    assert.equal(s?.message() ?? null, c.want, c.name);
    if (s) assert.equal(s.code, Code.UnschedulableAndUnresolvable);
  }
});

test('TaintToleration scores PreferNoSchedule taints in reverse', () => {
  const soft = (key: string): Obj => ({ key, value: 'x', effect: 'PreferNoSchedule' });
  const nodes = [
    nodeInfo(makeNode('clean')),
    nodeInfo(makeNode('one', { taints: [soft('a')] })),
    nodeInfo(makeNode('two', { taints: [soft('a'), soft('b')] })),
    nodeInfo(makeNode('tolerated', { taints: [soft('t')] })),
  ];
  const pod = new PodInfo(makePod('p', { spec: { tolerations: [{ key: 't', operator: 'Exists', effect: 'PreferNoSchedule' }] } }));
  const p = newTaintToleration();
  const state = new CycleState();
  p.preScore(state, pod, nodes, nodes.length);
  const scores = Float64Array.from(nodes.map((n) => p.score(state, pod, n)));
  assert.deepEqual([...scores], [0, 1, 2, 0]);
  p.normalizeScore!(state, pod, scores, scores.length, nodes);
  assert.deepEqual([...scores], [100, 50, 0, 100]);
});
