import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import {
  addDaemonPodTolerations, newDaemonPodSpec, nodeShouldRunDaemonPod, replaceNodeNameAffinity, targetNodeName,
} from './predicates.js';

const node = (name: string, labels: Record<string, string> = {}, taints: Obj[] = []): Obj => ({ metadata: { name, labels }, spec: { taints } });
const ds = (spec: Obj = {}): Obj => ({ metadata: { name: 'd', namespace: 'ns' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } } } });
const required = (...terms: Obj[]): Obj => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });

describe('nodeShouldRunDaemonPod', () => {
  const cases: { name: string; node: Obj; ds: Obj; want: [boolean, boolean] }[] = [
    { name: 'plain node', node: node('n1'), ds: ds(), want: [true, true] },
    { name: 'template nodeName elsewhere', node: node('n1'), ds: ds({ nodeName: 'n2' }), want: [false, false] },
    { name: 'template nodeName here', node: node('n1'), ds: ds({ nodeName: 'n1' }), want: [true, true] },
    { name: 'nodeSelector matches', node: node('n1', { disk: 'ssd' }), ds: ds({ nodeSelector: { disk: 'ssd' } }), want: [true, true] },
    { name: 'nodeSelector does not match', node: node('n1', { disk: 'hdd' }), ds: ds({ nodeSelector: { disk: 'ssd' } }), want: [false, false] },
    { name: 'affinity In', node: node('n1', { zone: 'a' }), ds: ds({ affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }) }), want: [true, true] },
    { name: 'affinity NotIn', node: node('n1', { zone: 'a' }), ds: ds({ affinity: required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }) }), want: [false, false] },
    { name: 'affinity terms are ORed', node: node('n1', { zone: 'c' }), ds: ds({ affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }) }), want: [true, true] },
    { name: 'affinity DoesNotExist', node: node('n1', { gpu: '1' }), ds: ds({ affinity: required({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }) }), want: [false, false] },
    { name: 'affinity Gt', node: node('n1', { cores: '8' }), ds: ds({ affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }) }), want: [true, true] },
    { name: 'affinity Lt on a non-integer', node: node('n1', { cores: 'many' }), ds: ds({ affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }) }), want: [false, false] },
    { name: 'affinity matchFields name', node: node('n1'), ds: ds({ affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }) }), want: [true, true] },
    { name: 'an empty term matches nothing', node: node('n1'), ds: ds({ affinity: required({}) }), want: [false, false] },
    { name: 'untolerated NoSchedule taint: may keep running', node: node('n1', {}, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]), ds: ds(), want: [false, true] },
    { name: 'untolerated NoExecute taint: must go', node: node('n1', {}, [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }]), ds: ds(), want: [false, false] },
    { name: 'PreferNoSchedule is ignored', node: node('n1', {}, [{ key: 'dedicated', effect: 'PreferNoSchedule' }]), ds: ds(), want: [true, true] },
    { name: 'tolerated by the template (Equal)', node: node('n1', {}, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]), ds: ds({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }] }), want: [true, true] },
    { name: 'Equal with another value does not tolerate', node: node('n1', {}, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]), ds: ds({ tolerations: [{ key: 'dedicated', value: 'y' }] }), want: [false, true] },
    { name: 'tolerate everything', node: node('n1', {}, [{ key: 'k', effect: 'NoExecute' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]), ds: ds({ tolerations: [{ operator: 'Exists' }] }), want: [true, true] },
    { name: 'default toleration: cordoned node', node: node('n1', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), ds: ds(), want: [true, true] },
    { name: 'default toleration: not-ready NoExecute', node: node('n1', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), ds: ds(), want: [true, true] },
    { name: 'default toleration: unreachable NoExecute', node: node('n1', {}, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), ds: ds(), want: [true, true] },
    { name: 'default tolerations: pressure', node: node('n1', {}, ['disk', 'memory', 'pid'].map((p) => ({ key: `node.kubernetes.io/${p}-pressure`, effect: 'NoSchedule' }))), ds: ds(), want: [true, true] },
    { name: 'network-unavailable only for hostNetwork', node: node('n1', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), ds: ds(), want: [false, true] },
    { name: 'network-unavailable tolerated with hostNetwork', node: node('n1', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), ds: ds({ hostNetwork: true }), want: [true, true] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = nodeShouldRunDaemonPod(c.node, c.ds);
      assert.deepEqual([r.shouldRun, r.shouldContinueRunning], c.want);
    });
  }
});

describe('daemon pod shaping', () => {
  it('adds the default tolerations once, replacing equivalent ones (dropping their seconds)', () => {
    const spec: Obj = { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }, { key: 'mine', operator: 'Exists' }] };
    addDaemonPodTolerations(spec);
    addDaemonPodTolerations(spec);
    assert.deepEqual(spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'mine', operator: 'Exists' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('newDaemonPodSpec does not touch the DaemonSet', () => {
    const d = ds();
    const spec = newDaemonPodSpec(d, 'n1');
    assert.equal(spec.nodeName, 'n1');
    assert.equal(d.spec.template.spec.tolerations, undefined);
  });

  const pin = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } };
  const cases: { name: string; in: Obj | undefined; want: Obj }[] = [
    { name: 'no affinity', in: undefined, want: pin },
    { name: 'pod affinity only', in: { podAffinity: { x: 1 } }, want: { podAffinity: { x: 1 }, ...pin } },
    { name: 'preferred terms kept', in: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }] } }, want: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }], ...pin.nodeAffinity } } },
    { name: 'required terms replaced', in: required({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }), want: pin },
  ];
  for (const c of cases) {
    it(`replaceNodeNameAffinity: ${c.name}`, () => {
      assert.deepEqual(replaceNodeNameAffinity(c.in, 'n1'), c.want);
      assert.equal(targetNodeName({ spec: { affinity: replaceNodeNameAffinity(c.in, 'n1') } }), 'n1');
    });
  }

  it('targetNodeName prefers spec.nodeName and rejects ambiguous pins', () => {
    assert.equal(targetNodeName({ spec: { nodeName: 'x', affinity: pin } }), 'x');
    assert.equal(targetNodeName({ spec: {} }), undefined);
    assert.equal(targetNodeName({ spec: { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }) } }), undefined);
  });
});
