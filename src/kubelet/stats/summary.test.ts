import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStats as CriContainerStats, PodSandboxStats } from '../cri/types.js';
import type { HostReader, StatsRuntime } from './summary.js';
import { nsToTime, StatsProvider } from './summary.js';

const S = 1_000_000_000n;
const u = (n: number | bigint) => ({ value: String(n) });
const T0 = 1_700_000_000n * S;

function cstats(id: string, name: string, cpuNs: bigint, at: bigint): CriContainerStats {
  return {
    attributes: { id, metadata: { name, attempt: 0 }, labels: {}, annotations: {} },
    cpu: { timestamp: String(at), usageCoreNanoSeconds: u(cpuNs), usageNanoCores: u(0) },
    memory: { timestamp: String(at), workingSetBytes: u(300), availableBytes: u(0), usageBytes: u(400), rssBytes: u(100), pageFaults: u(9), majorPageFaults: u(1) },
    writableLayer: { timestamp: String(at), fsId: { mountpoint: '/img' }, usedBytes: u(4096), inodesUsed: u(3) },
    swap: null,
  };
}

/** A runtime with one ready pod (two containers, one restarted: the newest instance counts) and one pod without sandbox stats. */
function fakeRuntime(state: { at: bigint; cpu: bigint; sandboxStats: boolean }): StatsRuntime & { calls: string[] } {
  const calls: string[] = [];
  const podStats = (): PodSandboxStats[] => [{
    attributes: { id: 'sb1', metadata: { name: 'web', namespace: 'ns', uid: 'uid-1', attempt: 0 }, labels: {}, annotations: {} },
    linux: {
      cpu: { timestamp: String(state.at), usageCoreNanoSeconds: u(state.cpu * 2n), usageNanoCores: u(0) },
      memory: { timestamp: String(state.at), workingSetBytes: u(1000), availableBytes: u(50), usageBytes: u(1200), rssBytes: u(500), pageFaults: u(20), majorPageFaults: u(2) },
      network: { timestamp: '0', defaultInterface: { name: 'eth0', rxBytes: u(10), rxErrors: u(0), txBytes: u(20), txErrors: u(0) }, interfaces: [] },
      process: { timestamp: String(state.at), processCount: u(3) },
      containers: [cstats('c-app-2', 'app', state.cpu, state.at), cstats('c-side', 'side', state.cpu / 2n, state.at)],
    },
  }];
  return {
    calls,
    async listPodSandbox(req) {
      calls.push(`listPodSandbox ${JSON.stringify(req?.filter)}`);
      return { items: [
        { id: 'sb1', metadata: { name: 'web', namespace: 'ns', uid: 'uid-1' }, state: 'SANDBOX_READY', createdAt: String(T0), labels: {}, annotations: {}, runtimeHandler: '' },
        { id: 'sb2', metadata: { name: 'idle', namespace: 'ns', uid: 'uid-2' }, state: 'SANDBOX_READY', createdAt: String(T0 + S), labels: {}, annotations: {}, runtimeHandler: '' },
      ] } as never;
    },
    async listContainers() {
      calls.push('listContainers');
      const c = (id: string, name: string, created: bigint) => ({ id, podSandboxId: 'sb1', metadata: { name, attempt: 0 }, createdAt: String(created), state: 'CONTAINER_RUNNING', labels: {}, annotations: {} });
      return { containers: [c('c-app-1', 'app', T0 + S), c('c-app-2', 'app', T0 + 5n * S), c('c-side', 'side', T0 + 2n * S)] } as never;
    },
    async listContainerStats() {
      calls.push('listContainerStats');
      return { stats: podStats()[0].linux!.containers };
    },
    async listPodSandboxStats() {
      calls.push('listPodSandboxStats');
      if (!state.sandboxStats) throw Object.assign(new Error('12 UNIMPLEMENTED: unknown method ListPodSandboxStats'), { code: 12 });
      return { stats: podStats() };
    },
    async imageFsInfo() {
      calls.push('imageFsInfo');
      return { imageFilesystems: [{ timestamp: String(T0), fsId: { mountpoint: '/img' }, usedBytes: u(123456), inodesUsed: u(77) }], containerFilesystems: [] };
    },
  };
}

function fakeHost(state: { at: bigint; cpu: bigint }): HostReader {
  const fs = { capacityBytes: 1000000, availableBytes: 600000, usedBytes: 400000, inodes: 1000, inodesFree: 900, inodesUsed: 100 };
  return {
    cgroup: (at) => {
      const p = typeof at === 'string' ? at : at.memory;
      if (p === '/') return { cpuUsageNs: state.cpu * 10n, usageBytes: 5000n, workingSetBytes: 4000n, rssBytes: 3000n, pageFaults: 1n, majorPageFaults: 0n };
      if (p === '/kubepods') return { cpuUsageNs: state.cpu * 3n, usageBytes: 1500n, workingSetBytes: 1400n, limitBytes: 2000n };
      if (p === '/skiff') return { cpuUsageNs: state.cpu, usageBytes: 700n, workingSetBytes: 600n };
      return undefined;
    },
    processCgroup: (pid) => (pid === 'self' ? { cpu: '/skiff', memory: '/skiff' } : undefined),
    procStatCpuNs: () => undefined,
    memoryCapacity: () => 10000n,
    netDev: () => [{ name: 'cni0', rxBytes: 1, rxErrors: 0, txBytes: 2, txErrors: 0 }, { name: 'eth0', rxBytes: 3, rxErrors: 0, txBytes: 4, txErrors: 0 }],
    fsUsage: () => fs,
    diskUsage: (d) => (d.endsWith('/app') ? { bytes: 8192, inodes: 2 } : d.includes('empty-dir') ? { bytes: 1000, inodes: 5 } : d.endsWith('/etc-hosts') ? { bytes: 100, inodes: 1 } : d.includes('projected') ? { bytes: 7, inodes: 7 } : { bytes: 0, inodes: 1 }),
    rlimit: () => ({ maxpid: 32768, curproc: 200 }),
    bootTime: () => 1_600_000_000_000,
    listDir: (d) => (d.endsWith('uid-1/volumes') ? ['kubernetes.io~empty-dir', 'kubernetes.io~projected'] : d.endsWith('kubernetes.io~empty-dir') ? ['cache'] : d.endsWith('kubernetes.io~projected') ? ['token'] : []),
  };
}

test('summary: node from cgroups and /proc, pods and newest containers from CRI, rates from the second sample on', async () => {
  const state = { at: T0 + 100n * S, cpu: 10n * S, sandboxStats: true };
  const cri = fakeRuntime(state);
  const p = new StatsProvider({ nodeName: 'n1', dataDir: '/data', cri, host: fakeHost(state), nowNs: () => state.at, startedAt: new Date(Number(T0 / 1_000_000n)) });
  const first = await p.summary();
  assert.equal(first.node.cpu?.usageNanoCores, undefined, 'one sample: no rate yet');
  assert.equal(first.pods[0].containers[0].cpu?.usageNanoCores, undefined);
  state.at += 2n * S;
  state.cpu += 1n * S;
  const s = await p.summary();
  const time = nsToTime(state.at);
  assert.equal(s.node.nodeName, 'n1');
  assert.equal(s.node.startTime, '2020-09-13T12:26:40Z', 'boot time');
  assert.deepEqual(s.node.cpu, { time, usageNanoCores: 5_000_000_000, usageCoreNanoSeconds: 110_000_000_000 });
  assert.deepEqual(s.node.memory, { time, availableBytes: 6000, usageBytes: 5000, workingSetBytes: 4000, rssBytes: 3000, pageFaults: 1, majorPageFaults: 0 });
  assert.deepEqual(s.node.systemContainers?.map((c) => c.name), ['kubelet', 'pods'], 'no runtime pid: no runtime container');
  assert.equal(s.node.systemContainers?.[1].memory?.availableBytes, 600, 'pods: limit − working set');
  assert.deepEqual({ ...s.node.network, interfaces: s.node.network?.interfaces?.length }, { time, name: 'eth0', rxBytes: 3, rxErrors: 0, txBytes: 4, txErrors: 0, interfaces: 2 });
  assert.deepEqual(s.node.fs, { time, capacityBytes: 1000000, availableBytes: 600000, usedBytes: 400000, inodes: 1000, inodesFree: 900, inodesUsed: 100 });
  assert.equal(s.node.runtime?.imageFs?.usedBytes, 123456, 'used: what the runtime reports for images');
  assert.equal(s.node.runtime?.imageFs?.capacityBytes, 1000000);
  assert.deepEqual(s.node.rlimit, { time, maxpid: 32768, curproc: 200 });

  assert.equal(s.pods.length, 2);
  const web = s.pods[0];
  assert.deepEqual(web.podRef, { name: 'web', namespace: 'ns', uid: 'uid-1' });
  assert.equal(web.startTime, nsToTime(T0));
  assert.deepEqual(web.containers.map((c) => [c.name, c.startTime]), [['app', nsToTime(T0 + 5n * S)], ['side', nsToTime(T0 + 2n * S)]]);
  const app = web.containers[0];
  assert.deepEqual(app.cpu, { time, usageNanoCores: 500_000_000, usageCoreNanoSeconds: 11_000_000_000 });
  assert.deepEqual(app.memory, { time, usageBytes: 400, workingSetBytes: 300, rssBytes: 100, pageFaults: 9, majorPageFaults: 1 }, 'availableBytes 0 (no limit) omitted');
  assert.equal(app.rootfs?.usedBytes, 4096);
  assert.equal(app.rootfs?.inodesUsed, 3);
  assert.equal(app.logs?.usedBytes, 8192);
  assert.deepEqual(web.cpu, { time, usageNanoCores: 1_000_000_000, usageCoreNanoSeconds: 22_000_000_000 });
  assert.equal(web.memory?.availableBytes, 50);
  assert.deepEqual(web.network, { time, name: 'eth0', rxBytes: 10, rxErrors: 0, txBytes: 20, txErrors: 0, interfaces: [{ name: 'eth0', rxBytes: 10, rxErrors: 0, txBytes: 20, txErrors: 0 }] });
  assert.deepEqual(web.volume?.map((v) => [v.name, v.usedBytes, v.inodesUsed, v.capacityBytes]), [['cache', 1000, 5, 1000000], ['token', 7, 7, 1000000]]);
  assert.ok(web.volume?.every((v) => !('ephemeral' in v)), 'no internal fields leak');
  // rootfs 4096 ×2 + logs 8192 (app) + 0 (side) + the emptyDir's 1000 + etc-hosts 100; not the projected token
  assert.equal(web['ephemeral-storage']?.usedBytes, 4096 * 2 + 8192 + 1000 + 100);
  assert.deepEqual(web.process_stats, { process_count: 3 });
  const idle = s.pods[1];
  assert.deepEqual([idle.podRef.name, idle.containers, idle.cpu, idle.memory], ['idle', [], undefined, undefined]);
  assert.ok(cri.calls.includes('listPodSandbox {"state":{"state":"SANDBOX_READY"}}'));
  assert.ok(!cri.calls.includes('listContainerStats'), 'sandbox stats carry the containers');
});

test('only_cpu_and_memory leaves out network, file systems and volumes; no ImageFsInfo call', async () => {
  const state = { at: T0, cpu: S, sandboxStats: true };
  const cri = fakeRuntime(state);
  const s = await new StatsProvider({ nodeName: 'n1', dataDir: '/data', cri, host: fakeHost(state), nowNs: () => state.at }).summary({ onlyCpuAndMemory: true });
  assert.deepEqual(Object.keys(s.node).sort(), ['cpu', 'memory', 'nodeName', 'startTime', 'systemContainers']);
  assert.deepEqual(Object.keys(s.pods[0]).sort(), ['containers', 'cpu', 'memory', 'podRef', 'startTime']);
  assert.deepEqual(Object.keys(s.pods[0].containers[0]).sort(), ['cpu', 'memory', 'name', 'startTime']);
  assert.ok(!cri.calls.includes('imageFsInfo'));
});

test('a runtime without ListPodSandboxStats: container stats, pod CPU and memory summed, asked once', async () => {
  const state = { at: T0, cpu: 4n * S, sandboxStats: false };
  const cri = fakeRuntime(state);
  const p = new StatsProvider({ nodeName: 'n1', dataDir: '/data', cri, host: fakeHost(state), nowNs: () => state.at });
  await p.summary();
  const s = await p.summary();
  const web = s.pods[0];
  assert.equal(web.cpu?.usageCoreNanoSeconds, 6_000_000_000, 'app 4 s + side 2 s');
  assert.equal(web.memory?.workingSetBytes, 600);
  assert.equal(web.network, undefined);
  assert.equal(cri.calls.filter((c) => c === 'listPodSandboxStats').length, 1, 'UNIMPLEMENTED is remembered');
});
