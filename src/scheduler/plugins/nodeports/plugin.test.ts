import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../../api/types.js';
import { Code, CycleState, type Status } from '../../framework.js';
import { PodInfo } from '../../nodeinfo.js';
import { makeNode, makePod, nodeInfo } from '../../testing.js';
import { ERR_REASON, newNodePorts } from './plugin.js';

const withPorts = (name: string, ...ports: Obj[]): Obj => makePod(name, { spec: { containers: [{ name: 'c', image: 'i', ports }] } });
const port = (hostPort: number, protocol?: string, hostIP?: string): Obj => ({ containerPort: 80, hostPort, ...(protocol ? { protocol } : {}), ...(hostIP ? { hostIP } : {}) });

test('NodePorts filter', () => {
  const cases: { name: string; existing: Obj[]; pod: Obj; want: string | null }[] = [
    { name: 'no host ports: skipped', existing: [withPorts('e', port(80))], pod: makePod('p'), want: null },
    { name: 'free port', existing: [withPorts('e', port(80))], pod: withPorts('p', port(8080)), want: null },
    { name: 'same port and protocol', existing: [withPorts('e', port(80))], pod: withPorts('p', port(80)), want: ERR_REASON },
    { name: 'different protocol', existing: [withPorts('e', port(53, 'UDP'))], pod: withPorts('p', port(53, 'TCP')), want: null },
    { name: 'different host IPs', existing: [withPorts('e', port(80, 'TCP', '10.0.0.1'))], pod: withPorts('p', port(80, 'TCP', '10.0.0.2')), want: null },
    { name: '0.0.0.0 conflicts with a specific IP', existing: [withPorts('e', port(80, 'TCP', '10.0.0.1'))], pod: withPorts('p', port(80)), want: ERR_REASON },
    { name: 'a specific IP conflicts with 0.0.0.0', existing: [withPorts('e', port(80))], pod: withPorts('p', port(80, 'TCP', '10.0.0.2')), want: ERR_REASON },
    { name: 'containerPort only is no host port', existing: [withPorts('e', { containerPort: 80 })], pod: withPorts('p', port(80)), want: null },
    {
      name: 'hostNetwork container ports are host ports', existing: [withPorts('e', port(80))], want: ERR_REASON,
      pod: makePod('p', { spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } }),
    },
  ];
  const p = newNodePorts();
  for (const c of cases) {
    const pod = new PodInfo(c.pod);
    const state = new CycleState();
    const pre = p.preFilter(state, pod, undefined as never) as Status | null;
    if (pre?.code === Code.Skip) {
      assert.equal(c.want, null, c.name);
      continue;
    }
    const s = p.filter(state, pod, nodeInfo(makeNode('n'), ...c.existing));
    assert.equal(s?.message() ?? null, c.want, c.name);
    if (s) assert.equal(s.code, Code.Unschedulable);
  }
});
