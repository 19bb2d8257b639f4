import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../api/types.js';
import { nodeChangeActions } from './eventhandlers.js';
import { Action } from './framework.js';
import { makeNode } from './testing.js';

test('node updates are classified like nodeSchedulingPropertiesChange', () => {
  const base = makeNode('n', { cpu: '4', labels: { a: '1' } });
  const edit = (f: (n: Obj) => void): Obj => {
    const n = JSON.parse(JSON.stringify(base));
    f(n);
    return n;
  };
  const cases: { name: string; next: Obj; want: number }[] = [
    { name: 'nothing relevant (heartbeat time)', next: edit((n) => { n.status.conditions[0].lastHeartbeatTime = 'x'; }), want: 0 },
    { name: 'allocatable', next: edit((n) => { n.status.allocatable.cpu = '8'; }), want: Action.UpdateNodeAllocatable },
    { name: 'labels', next: edit((n) => { n.metadata.labels.b = '2'; }), want: Action.UpdateNodeLabel },
    { name: 'taints', next: edit((n) => { n.spec.taints = [{ key: 'k', effect: 'NoSchedule' }]; }), want: Action.UpdateNodeTaint },
    { name: 'cordon', next: edit((n) => { n.spec.unschedulable = true; }), want: Action.UpdateNodeTaint },
    { name: 'condition status', next: edit((n) => { n.status.conditions[0].status = 'False'; }), want: Action.UpdateNodeCondition },
    { name: 'annotations', next: edit((n) => { n.metadata.annotations = { x: 'y' }; }), want: Action.UpdateNodeAnnotation },
    { name: 'labels and allocatable', next: edit((n) => { n.metadata.labels.a = '2'; n.status.allocatable.memory = '1Gi'; }), want: Action.UpdateNodeLabel | Action.UpdateNodeAllocatable },
  ];
  for (const c of cases) assert.equal(nodeChangeActions(base, c.next), c.want, c.name);
});
