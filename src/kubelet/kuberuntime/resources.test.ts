import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerResources, milliCPUToQuota, milliCPUToShares, oomScoreAdj, podCgroupParent, podQOSClass } from './resources.js';

const pod = (containers: object[], extra: object = {}) => ({ metadata: { uid: 'u1', name: 'p', namespace: 'ns' }, spec: { containers, ...extra } });
const GI = 1024 ** 3;

test('QoS classes as v1qos.GetPodQOS', () => {
  assert.equal(podQOSClass(pod([{ name: 'a' }])), 'BestEffort');
  assert.equal(podQOSClass(pod([{ name: 'a', resources: { requests: { memory: '50Mi' }, limits: { memory: '100Mi' } } }])), 'Burstable');
  const g = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '0.5', memory: '1Gi' } };
  assert.equal(podQOSClass(pod([{ name: 'a', resources: g }])), 'Guaranteed');
  // one container without limits makes the pod Burstable
  assert.equal(podQOSClass(pod([{ name: 'a', resources: g }, { name: 'b', resources: { requests: { cpu: '1m' } } }])), 'Burstable');
  // init containers count too
  assert.equal(podQOSClass(pod([{ name: 'a' }], { initContainers: [{ name: 'i', resources: { limits: { cpu: '1' } } }] })), 'Burstable');
});

test('cgroup parent per QoS class (cgroupfs)', () => {
  assert.equal(podCgroupParent(pod([{ name: 'a' }])), '/kubepods/besteffort/podu1');
  assert.equal(podCgroupParent({ ...pod([{ name: 'a' }]), status: { qosClass: 'Burstable' } }), '/kubepods/burstable/podu1');
  assert.equal(podCgroupParent({ ...pod([{ name: 'a' }]), status: { qosClass: 'Guaranteed' } }, '/sk'), '/sk/podu1');
});

test('CPU shares and quota', () => {
  assert.equal(milliCPUToShares(0), 2);
  assert.equal(milliCPUToShares(1), 2);
  assert.equal(milliCPUToShares(250), 256);
  assert.equal(milliCPUToShares(1000), 1024);
  assert.equal(milliCPUToQuota(0), 0);
  assert.equal(milliCPUToQuota(5), 1000); // at least 1 ms per period
  assert.equal(milliCPUToQuota(500), 50_000);
});

test('OOM score adjustment is never negative on this node', () => {
  const guaranteed = pod([{ name: 'a', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }]);
  assert.equal(oomScoreAdj(guaranteed, guaranteed.spec.containers[0], 8 * GI), 0);
  const best = pod([{ name: 'a' }]);
  assert.equal(oomScoreAdj(best, best.spec.containers[0], 8 * GI), 1000);
  const burst = pod([{ name: 'a', resources: { requests: { memory: '2Gi' } } }]);
  assert.equal(oomScoreAdj(burst, burst.spec.containers[0], 8 * GI), 750);
  const tiny = pod([{ name: 'a', resources: { requests: { cpu: '1m' } } }]);
  assert.equal(oomScoreAdj(tiny, tiny.spec.containers[0], 8 * GI), 999); // below BestEffort
  const huge = pod([{ name: 'a', resources: { requests: { memory: '8Gi' } } }]);
  assert.equal(oomScoreAdj(huge, huge.spec.containers[0], 8 * GI), 3); // above Guaranteed
});

test('LinuxContainerResources from requests and limits', () => {
  const p = pod([{ name: 'a', resources: { requests: { memory: '50Mi' }, limits: { memory: '100Mi', cpu: '250m' } } }]);
  const r = containerResources(p, p.spec.containers[0], { memoryCapacity: 8 * GI, limitSwap: true });
  assert.equal(r.memoryLimitInBytes, 100 * 1024 * 1024);
  assert.equal(r.memorySwapLimitInBytes, 100 * 1024 * 1024);
  assert.equal(r.cpuShares, 256); // no CPU request: the limit stands in
  assert.equal(r.cpuQuota, 25_000);
  assert.equal(r.cpuPeriod, 100_000);
  assert.ok(Number(r.oomScoreAdj) >= 0);
  const none = containerResources(pod([{ name: 'a' }]), { name: 'a' }, { memoryCapacity: GI, limitSwap: true });
  assert.equal(none.memoryLimitInBytes, undefined);
  assert.equal(none.memorySwapLimitInBytes, undefined);
  assert.equal(none.cpuShares, 2);
  assert.equal(none.cpuQuota, 0);
});
