import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../../api/types.js';
import { podLimits, podRequests, resourceConfigForPod, sharesToWeight } from './podresources.js';

const MI = 1024 * 1024;
const pod = (containers: Obj[], extra: Obj = {}): Obj => ({ metadata: { uid: 'u1', name: 'p', namespace: 'ns' }, spec: { containers, ...extra } });
const res = (requests: Obj | undefined, limits: Obj | undefined): Obj => ({ resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });

test('Guaranteed: shares, CFS quota and period, memory limit from the sums', () => {
  const p = pod([
    { name: 'a', ...res({ cpu: '250m', memory: '64Mi' }, { cpu: '250m', memory: '64Mi' }) },
  ]);
  assert.deepEqual(resourceConfigForPod(p), { cpuShares: 256, cpuQuota: 25_000, cpuPeriod: 100_000, memoryLimitBytes: 64 * MI });
  const two = pod([
    { name: 'a', ...res(undefined, { cpu: '250m', memory: '64Mi' }) }, // requests default to the limits
    { name: 'b', ...res(undefined, { cpu: '1', memory: '1Gi' }) },
  ]);
  assert.deepEqual(resourceConfigForPod(two), { cpuShares: 1280, cpuQuota: 125_000, cpuPeriod: 100_000, memoryLimitBytes: 1088 * MI });
});

test('Burstable: quota only when every container has a CPU limit, memory only when every one has a memory limit', () => {
  const allCPU = pod([
    { name: 'a', ...res({ cpu: '100m' }, { cpu: '500m' }) },
    { name: 'b', ...res({ cpu: '100m', memory: '10Mi' }, { cpu: '500m', memory: '20Mi' }) },
  ]);
  assert.deepEqual(resourceConfigForPod(allCPU), { cpuShares: 204, cpuQuota: 100_000, cpuPeriod: 100_000 });
  const allMemory = pod([
    { name: 'a', ...res({ memory: '10Mi' }, { memory: '30Mi' }) },
    { name: 'b', ...res({ cpu: '1m' }, { memory: '20Mi', cpu: '2' }) },
  ]);
  assert.deepEqual(resourceConfigForPod(allMemory), { cpuShares: 2, memoryLimitBytes: 50 * MI }); // 1m of CPU: the minimum shares
  const none = pod([{ name: 'a', ...res({ cpu: '1' }, undefined) }, { name: 'b' }]);
  assert.deepEqual(resourceConfigForPod(none), { cpuShares: 1024 });
});

test('BestEffort: the minimum shares and nothing else; the pod PID limit applies to every class', () => {
  assert.deepEqual(resourceConfigForPod(pod([{ name: 'a' }])), { cpuShares: 2 });
  assert.deepEqual(resourceConfigForPod(pod([{ name: 'a' }]), { podPidsLimit: 100 }), { cpuShares: 2, pidsLimit: 100 });
  assert.deepEqual(resourceConfigForPod(pod([{ name: 'a' }]), { podPidsLimit: -1 }), { cpuShares: 2 });
  assert.deepEqual(resourceConfigForPod(pod([{ name: 'a' }]), { podPidsLimit: 0 }), { cpuShares: 2 });
});

test('cpuCFSQuota: false leaves the CPU limit unenforced (quota -1)', () => {
  const p = pod([{ name: 'a', ...res({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }) }]);
  assert.equal(resourceConfigForPod(p, { enforceCPULimits: false }).cpuQuota, -1);
});

test('init containers: the larger of the biggest init container and the app containers\' sum', () => {
  const p = pod([{ name: 'a', ...res({ cpu: '100m', memory: '10Mi' }, { cpu: '200m', memory: '10Mi' }) }], {
    initContainers: [
      { name: 'i1', ...res({ cpu: '500m', memory: '5Mi' }, { cpu: '1', memory: '5Mi' }) },
      { name: 'i2', ...res({ cpu: '50m', memory: '50Mi' }, { cpu: '50m', memory: '50Mi' }) },
    ],
  });
  assert.deepEqual(podRequests(p), { cpu: 500, memory: 50 * MI * 1000 });
  const l = podLimits(p);
  assert.deepEqual(l.limits, { cpu: 1000, memory: 50 * MI * 1000 });
  assert.equal(l.cpuLimited, true);
  assert.equal(l.memoryLimited, true);
  assert.deepEqual(resourceConfigForPod(p), { cpuShares: 512, cpuQuota: 100_000, cpuPeriod: 100_000, memoryLimitBytes: 50 * MI });
});

test('sidecars (restartable init containers) add to the app containers and to the init containers after them', () => {
  const p = pod([{ name: 'a', ...res({ cpu: '100m' }, { cpu: '100m' }) }], {
    initContainers: [
      { name: 'side', restartPolicy: 'Always', ...res({ cpu: '200m' }, { cpu: '200m' }) },
      { name: 'init', ...res({ cpu: '250m' }, undefined) },
    ],
  });
  // apps+sidecar = 300m; the init container runs next to the sidecar: 450m
  assert.equal(podRequests(p).cpu, 450);
  const l = podLimits(p);
  // the init container's limits include the sidecar's, so every container counts as CPU-limited
  assert.equal(l.limits.cpu, 300);
  assert.equal(l.cpuLimited, true);
  assert.equal(l.memoryLimited, false);
});

test('pod overhead adds to requests, and to limits that are set', () => {
  const p = pod([{ name: 'a', ...res({ cpu: '100m', memory: '10Mi' }, { cpu: '100m', memory: '10Mi' }) }], { overhead: { cpu: '10m', memory: '1Mi' } });
  assert.deepEqual(resourceConfigForPod(p), { cpuShares: 112, cpuQuota: 11_000, cpuPeriod: 100_000, memoryLimitBytes: 11 * MI });
  const noLimits = pod([{ name: 'a', ...res({ cpu: '100m' }, undefined) }], { overhead: { cpu: '10m', memory: '1Mi' } });
  assert.deepEqual(podLimits(noLimits).limits, {});
  assert.deepEqual(podRequests(noLimits), { cpu: 110, memory: MI * 1000 });
});

test('cgroup v2 weight from shares', () => {
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(1024), 39);
  assert.equal(sharesToWeight(262_144), 10_000);
});
