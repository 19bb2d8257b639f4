import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework.js';
import { PodInfo } from '../../nodeinfo.js';
import { makeNode, makePod, nodeInfo } from '../../testing.js';
import { ERR_REASON_UNSCHEDULABLE, newNodeUnschedulable } from './plugin.js';

test('NodeUnschedulable filter', () => {
  const cases: { name: string; unschedulable: boolean; tolerations?: object[]; want: string | null }[] = [
    { name: 'schedulable node', unschedulable: false, want: null },
    { name: 'cordoned node', unschedulable: true, want: ERR_REASON_UNSCHEDULABLE },
    { name: 'cordoned, pod tolerates the taint', unschedulable: true, tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }], want: null },
    { name: 'cordoned, toleration for another effect', unschedulable: true, tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }], want: ERR_REASON_UNSCHEDULABLE },
    { name: 'cordoned, tolerate everything', unschedulable: true, tolerations: [{ operator: 'Exists' }], want: null },
  ];
  const p = newNodeUnschedulable();
  for (const c of cases) {
    const pod = new PodInfo(makePod('p', { spec: c.tolerations ? { tolerations: c.tolerations } : {} }));
    const s = p.filter(new CycleState(), pod, nodeInfo(makeNode('n', { unschedulable: c.unschedulable })));
    assert.equal(s?.message() ?? null, c.want, c.name);
    if (s) assert.equal(s.code, 3, `${c.name}: UnschedulableAndUnresolvable`);
  }
});

test('NodeUnschedulable requeues on nodes becoming schedulable', () => {
  const ev = newNodeUnschedulable().eventsToRegister!()[0];
  assert.equal(ev.hint!({}, undefined, makeNode('n', { unschedulable: true })), 'Skip');
  assert.equal(ev.hint!({}, undefined, makeNode('n')), 'Queue');
});
