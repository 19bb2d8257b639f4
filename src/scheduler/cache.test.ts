import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchedulerCache } from './cache.js';
import { PodInfo } from './nodeinfo.js';
import { makeNode, makePod } from './testing.js';

test('assume, confirm and forget pods', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('n1', { cpu: '4' }));
  const pod = makePod('p', { cpu: '1', labels: { app: 'x' } });
  const assumed = new PodInfo(pod).withNodeName('n1');
  c.assumePod(assumed);
  assert.equal(c.isAssumed(pod), true);
  assert.equal(c.getNodeInfo('n1')!.requested.milliCPU, 1000);
  assert.equal(c.podsWithLabel('app', 'x')?.size, 1);
  assert.throws(() => c.assumePod(assumed), /already in the cache/);

  c.forgetPod(assumed);
  assert.equal(c.isAssumed(pod), false);
  assert.equal(c.getNodeInfo('n1')!.requested.milliCPU, 0);
  assert.equal(c.podsWithLabel('app', 'x'), undefined);

  c.assumePod(assumed);
  c.finishBinding(assumed);
  c.addOrUpdatePod(new PodInfo({ ...pod, spec: { ...pod.spec, nodeName: 'n1' } }));
  assert.equal(c.isAssumed(pod), false, 'the informer confirmed it');
  assert.equal(c.getNodeInfo('n1')!.pods.length, 1);
  assert.equal(c.getNodeInfo('n1')!.requested.milliCPU, 1000, 'counted once');
  c.removePod(pod);
  assert.equal(c.getNodeInfo('n1')!.pods.length, 0);
  assert.equal(c.podCount, 0);
});

test('pods may arrive before their node; removed nodes keep their pods', () => {
  const c = new SchedulerCache();
  const pod = makePod('p', { cpu: '1', nodeName: 'late' });
  c.addOrUpdatePod(new PodInfo(pod));
  assert.equal(c.snapshot().numNodes, 0, 'a node-less entry is not schedulable');
  c.addNode(makeNode('late'));
  const s = c.snapshot();
  assert.equal(s.numNodes, 1);
  assert.equal(s.get('late')!.requested.milliCPU, 1000);
  c.removeNode(makeNode('late'));
  assert.equal(c.snapshot().numNodes, 0);
  assert.equal(c.getNodeInfo('late')?.pods.length, 1);
  c.removePod(pod);
  assert.equal(c.getNodeInfo('late'), undefined);
});

test('snapshot interleaves zones and tracks nodes with affinity pods', () => {
  const c = new SchedulerCache();
  for (const [n, z] of [['a1', 'a'], ['a2', 'a'], ['a3', 'a'], ['b1', 'b'], ['c1', 'c'], ['c2', 'c']]) {
    c.addNode(makeNode(n, { labels: { 'topology.kubernetes.io/zone': z } }));
  }
  const s = c.snapshot();
  assert.deepEqual(s.nodeInfoList.map((n) => n.name), ['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
  assert.equal(s.havePodsWithAffinityList.length, 0);
  const aff = makePod('aff', {
    nodeName: 'b1',
    spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { a: 'b' } }, topologyKey: 'zone' }] } } },
  });
  c.addOrUpdatePod(new PodInfo(aff));
  const s2 = c.snapshot();
  assert.equal(s2, s, 'the same snapshot object, updated in place');
  assert.deepEqual(s2.havePodsWithAffinityList.map((n) => n.name), ['b1']);
  assert.deepEqual(s2.havePodsWithRequiredAntiAffinityList.map((n) => n.name), ['b1']);
  c.removePod(aff);
  assert.equal(c.snapshot().havePodsWithRequiredAntiAffinityList.length, 0);
});

test('NodeInfo aggregates ports and claims, and clones independently', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('n'));
  c.addOrUpdatePod(new PodInfo(makePod('p', {
    nodeName: 'n', cpu: '500m',
    spec: {
      containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: 8080 }], resources: { requests: { cpu: '500m' } } }],
      volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }],
    },
  })));
  const n = c.getNodeInfo('n')!;
  assert.equal(n.usedPorts.conflicts({ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }), true);
  assert.equal(n.pvcRefCounts.get('default/data'), 1);
  const copy = n.clone();
  copy.removePod(copy.pods[0]);
  assert.equal(copy.requested.milliCPU, 0);
  assert.equal(n.requested.milliCPU, 500);
  assert.equal(n.usedPorts.conflicts({ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }), true);
});
