import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../../api/types.js';
import { Code, CycleState } from '../../framework.js';
import { PodInfo } from '../../nodeinfo.js';
import { makeNode, makePod, nodeInfo } from '../../testing.js';
import { leastRequestedScore, newNodeResourcesFit } from './plugin.js';

const container = (requests: Obj, extra: Obj = {}): Obj => ({ name: 'c', image: 'i', resources: { requests }, ...extra });

test('NodeResourcesFit filter', () => {
  // Node: 4 CPU, 8Gi, 3 pods, 2 example.com/gpu, 10Gi ephemeral storage; one pod already uses 1 CPU / 2Gi.
  const node = makeNode('n', { cpu: '4', memory: '8Gi', pods: '3', extra: { 'example.com/gpu': '2', 'ephemeral-storage': '10Gi' } });
  const existing = makePod('e', { cpu: '1', memory: '2Gi' });
  const cases: { name: string; spec: Obj; others?: number; want: string | null; code?: Code }[] = [
    { name: 'fits', spec: { containers: [container({ cpu: '3', memory: '6Gi' })] }, want: null },
    { name: 'no requests always fit', spec: { containers: [{ name: 'c', image: 'i' }] }, want: null },
    { name: 'cpu short', spec: { containers: [container({ cpu: '3500m' })] }, want: 'Insufficient cpu', code: Code.Unschedulable },
    { name: 'memory short', spec: { containers: [container({ memory: '7Gi' })] }, want: 'Insufficient memory', code: Code.Unschedulable },
    { name: 'both short', spec: { containers: [container({ cpu: '4', memory: '7Gi' })] }, want: 'Insufficient cpu, Insufficient memory', code: Code.Unschedulable },
    { name: 'more than the node has: unresolvable', spec: { containers: [container({ cpu: '5' })] }, want: 'Insufficient cpu', code: Code.UnschedulableAndUnresolvable },
    { name: 'containers add up', spec: { containers: [container({ cpu: '2' }), container({ cpu: '1500m' })] }, want: 'Insufficient cpu', code: Code.Unschedulable },
    { name: 'init containers: max rule fits', spec: { initContainers: [container({ cpu: '3' })], containers: [container({ cpu: '1' })] }, want: null },
    { name: 'init containers: max rule too big', spec: { initContainers: [container({ cpu: '3500m' })], containers: [container({ cpu: '1' })] }, want: 'Insufficient cpu', code: Code.Unschedulable },
    {
      name: 'sidecar init containers add to the sum', code: Code.Unschedulable,
      spec: { initContainers: [container({ cpu: '2' }, { restartPolicy: 'Always' })], containers: [container({ cpu: '1500m' })] }, want: 'Insufficient cpu',
    },
    { name: 'overhead counts', spec: { containers: [container({ cpu: '2500m' })], overhead: { cpu: '600m' } }, want: 'Insufficient cpu', code: Code.Unschedulable },
    { name: 'limits imply requests', spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '3500m' } } }] }, want: 'Insufficient cpu', code: Code.Unschedulable },
    { name: 'extended resource fits', spec: { containers: [container({ 'example.com/gpu': '2' })] }, want: null },
    { name: 'extended resource short', spec: { containers: [container({ 'example.com/gpu': '3' })] }, want: 'Insufficient example.com/gpu', code: Code.UnschedulableAndUnresolvable },
    { name: 'unknown extended resource', spec: { containers: [container({ 'example.com/fpga': '1' })] }, want: 'Insufficient example.com/fpga', code: Code.UnschedulableAndUnresolvable },
    { name: 'ephemeral storage short', spec: { containers: [container({ 'ephemeral-storage': '11Gi' })] }, want: 'Insufficient ephemeral-storage', code: Code.UnschedulableAndUnresolvable },
    { name: 'too many pods', spec: { containers: [container({ cpu: '100m' })] }, others: 2, want: 'Too many pods', code: Code.Unschedulable },
  ];
  const p = newNodeResourcesFit();
  for (const c of cases) {
    const others = Array.from({ length: c.others ?? 0 }, (_, i) => makePod(`o${i}`));
    const ni = nodeInfo(node, existing, ...others);
    const pod = new PodInfo({ ...makePod('p'), spec: c.spec });
    const state = new CycleState();
    p.preFilter(state, pod, undefined as never);
    const s = p.filter(state, pod, ni);
    assert.equal(s?.message() ?? null, c.want, c.name);
    if (c.code !== undefined) assert.equal(s?.code, c.code, `${c.name}: code`);
  }
});

test('NodeResourcesFit ignores configured extended resources', () => {
  const p = newNodeResourcesFit({ ignoredResources: ['example.com/a'], ignoredResourceGroups: ['ignored.io'] });
  const pod = new PodInfo({ ...makePod('p'), spec: { containers: [container({ 'example.com/a': '1', 'ignored.io/b': '1' })] } });
  assert.equal(p.filter(new CycleState(), pod, nodeInfo(makeNode('n'))), null);
});

test('NodeResourcesFit LeastAllocated scoring', () => {
  const cases = [
    { name: 'empty node', cpu: '4', memory: '32Gi', existing: [] as Obj[], pod: makePod('p', { cpu: '1', memory: '8Gi' }), want: 75 },
    { name: 'half used', cpu: '4', memory: '32Gi', existing: [makePod('e', { cpu: '2', memory: '16Gi' })], pod: makePod('p', { cpu: '1', memory: '8Gi' }), want: 25 },
    // No requests: 100m CPU / 200Mi memory are assumed. cpu (4000-100)*100/4000=97, mem (1024-200)*100/1024=80 → 88
    { name: 'defaults for missing requests', cpu: '4', memory: '1Gi', existing: [], pod: makePod('p'), want: 88 },
    { name: 'overcommitted is 0', cpu: '1', memory: '1Gi', existing: [makePod('e', { cpu: '2', memory: '2Gi' })], pod: makePod('p', { cpu: '1', memory: '1Gi' }), want: 0 },
  ];
  const p = newNodeResourcesFit();
  for (const c of cases) {
    const ni = nodeInfo(makeNode('n', { cpu: c.cpu, memory: c.memory }), ...c.existing);
    assert.equal(p.score(new CycleState(), new PodInfo(c.pod), ni), c.want, c.name);
  }
  assert.equal(leastRequestedScore(0, 0), 0);
  assert.equal(leastRequestedScore(1, 3), 66);
});

test('NodeResourcesFit requeues for nodes big enough only', () => {
  const hint = newNodeResourcesFit().eventsToRegister!().find((e) => e.event.resource === 'Node')!.hint!;
  const pod = makePod('p', { cpu: '3' });
  assert.equal(hint(pod, undefined, makeNode('big', { cpu: '4' })), 'Queue');
  assert.equal(hint(pod, undefined, makeNode('small', { cpu: '2' })), 'Skip');
});
