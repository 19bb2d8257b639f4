import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClient } from '../../client/fake.js';
import { NODES, RESOURCES_ANNOTATION, addSimulatedNodes, nodeResources, registeredResources, simulatedNode } from './register.js';

describe('nodeResources', () => {
  const cases: { name: string; capacity?: Record<string, string>; allocatable?: Record<string, string>; want: [Record<string, string>, Record<string, string>] }[] = [
    {
      name: 'defaults: 4 CPU, 16Gi, 110 pods; allocatable less the eviction thresholds',
      want: [
        { cpu: '4', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16Gi', pods: '110' },
        { cpu: '4', 'ephemeral-storage': '96636764160', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16284Mi', pods: '110' },
      ],
    },
    {
      name: 'overrides and extended resources',
      capacity: { cpu: '32', memory: '128Gi', pods: '250', 'nvidia.com/gpu': '8' },
      want: [
        { cpu: '32', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '128Gi', pods: '250', 'nvidia.com/gpu': '8' },
        { cpu: '32', 'ephemeral-storage': '96636764160', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '130972Mi', pods: '250', 'nvidia.com/gpu': '8' },
      ],
    },
    {
      name: 'explicit allocatable',
      capacity: { cpu: '2' }, allocatable: { cpu: '1500m' },
      want: [
        { cpu: '2', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16Gi', pods: '110' },
        { cpu: '1500m', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16Gi', pods: '110' },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = nodeResources(c.capacity, c.allocatable);
      assert.deepEqual([r.capacity, r.allocatable], c.want);
    });
  }
});

describe('registration', () => {
  it('a simulated Node looks registered by a kubelet and carries its resources', () => {
    const n = simulatedNode('x', { labels: { zone: 'a' }, taints: [{ key: 'k', effect: 'NoSchedule' }], instanceType: 'sim.large', capacity: { cpu: '8' } });
    assert.deepEqual(n.metadata.labels, {
      'beta.kubernetes.io/arch': n.metadata.labels['kubernetes.io/arch'], 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': n.metadata.labels['kubernetes.io/arch'],
      'kubernetes.io/hostname': 'x', 'kubernetes.io/os': 'linux', 'skiff.dev/simulated': 'true', zone: 'a', 'node.kubernetes.io/instance-type': 'sim.large',
    });
    assert.equal(n.metadata.annotations['volumes.kubernetes.io/controller-managed-attach-detach'], 'true');
    assert.deepEqual(n.spec.taints, [{ key: 'k', effect: 'NoSchedule' }]);
    assert.equal(registeredResources(n)?.capacity.cpu, '8');
    assert.equal(registeredResources({ metadata: { annotations: { [RESOURCES_ANNOTATION]: 'not json' } } }), undefined);
  });

  it('addSimulatedNodes numbers after the highest existing node of the prefix', async () => {
    const fake = new FakeClient();
    assert.deepEqual(await addSimulatedNodes({ client: fake, count: 2 }), ['sim-node-1', 'sim-node-2']);
    await fake.delete(NODES, '', 'sim-node-1');
    assert.deepEqual(await addSimulatedNodes({ client: fake, count: 2 }), ['sim-node-3', 'sim-node-4']);
    assert.deepEqual(await addSimulatedNodes({ client: fake, count: 1, namePrefix: 'big-' }), ['big-1']);
    assert.deepEqual(fake.objects(NODES).map((n) => n.metadata.name).sort(), ['big-1', 'sim-node-2', 'sim-node-3', 'sim-node-4']);
  });
});
