// The node's admission of new pods (sysctls, whether they fit the node), pod cgroups made
// before the sandbox, and status writes of static pods (to their mirror).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import { FakeClock } from '../../client/clock.js';
import { FakeClient } from '../../client/fake.js';
import { SysctlAllowlist } from '../config/sysctl.js';
import { PodCgroups } from '../kuberuntime/cgroups.js';
import { FakeCri } from '../kuberuntime/fakecri.js';
import { RuntimeManager } from '../kuberuntime/manager.js';
import { predicateAdmit } from './admit.js';
import { PODS, PodSyncer } from './sync.js';
import { FakeProbes, literalEnv, PlainVolumes } from './testutil.js';

interface Extra {
  mirrorOf?: (pod: Obj) => Obj | null | undefined;
  admit?: (pod: Obj) => { reason: string; message: string } | undefined;
  podCgroups?: (dataDir: string) => PodCgroups;
}

function setup(t: TestContext, extra: Extra = {}) {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const cri = new FakeCri(clock);
  const client = new FakeClient();
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelet-admit-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const probes = new FakeProbes();
  const volumes = new PlainVolumes(join(dataDir, 'kubelet', 'pods'));
  const events: string[] = [];
  const event = (_p: Obj, type: string, reason: string, message: string): void => { events.push(`${type} ${reason} ${message}`); };
  const sysctls = new SysctlAllowlist(['kernel.msg*']);
  const syncer = new PodSyncer({
    client, probes, volumes, event, nodeName: 'vm', hostIPs: () => ['192.0.2.2'], allocatable: () => ({}), clock,
    admit: extra.admit ?? ((pod) => sysctls.admit(pod)), mirrorOf: extra.mirrorOf,
    runtime: new RuntimeManager({
      podCgroups: extra.podCgroups?.(dataDir),
      cri, dataDir, env: literalEnv, volumes, probes, event, clusterDomain: 'cluster.local', clusterDNS: [],
      hostResolv: { servers: [], searches: [], options: [] }, memoryCapacity: 8 * 1024 ** 3, limitSwap: false, cgroupRoot: '/skiff-unit-test', clock,
    }),
  });
  return { cri, client, events, syncer, dataDir };
}

const spec = (sysctls: [string, string][]): Obj => ({
  nodeName: 'vm', restartPolicy: 'Always', securityContext: { sysctls: sysctls.map(([name, value]) => ({ name, value })) },
  containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }],
});

test('a pod with a sysctl the node does not allow is rejected: Failed, SysctlForbidden, nothing runs', async (t) => {
  const s = setup(t);
  const pod = await s.client.create(PODS, 'ns', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: spec([['net.core.somaxconn', '1024']]) });
  await s.syncer.sync(pod.metadata.uid, pod);
  const st = (await s.client.get(PODS, 'ns', 'p')).status;
  assert.equal(st.phase, 'Failed');
  assert.equal(st.reason, 'SysctlForbidden');
  assert.equal(st.message, 'Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowlisted');
  assert.equal(st.qosClass, 'BestEffort');
  assert.deepEqual(s.cri.calls.filter((c) => /^(RunPodSandbox|CreateContainer)/.test(c)), []);
  assert.deepEqual(s.events, ['Warning SysctlForbidden forbidden sysctl: "net.core.somaxconn" not allowlisted']);
  // later syncs leave it failed
  await s.syncer.sync(pod.metadata.uid, await s.client.get(PODS, 'ns', 'p'));
  assert.equal(s.cri.sandboxes.size, 0);
});

test('safe and allowed unsafe sysctls reach the sandbox', async (t) => {
  const s = setup(t);
  const pod = await s.client.create(PODS, 'ns', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: spec([['net.ipv4.ip_local_port_range', '1024 65000'], ['kernel.msgmax', '65536']]) });
  await s.syncer.sync(pod.metadata.uid, pod);
  assert.equal((await s.client.get(PODS, 'ns', 'p')).status.phase, 'Running');
  assert.deepEqual([...s.cri.sandboxes.values()][0].config.linux?.sysctls, { 'net.ipv4.ip_local_port_range': '1024 65000', 'kernel.msgmax': '65536' });
});

test('a static pod\'s status goes to its mirror pod; without a mirror nothing is written', async (t) => {
  let mirror: Obj | null = null;
  const staticUID = '0123456789abcdef0123456789abcdef';
  const s = setup(t, { mirrorOf: (pod) => (pod.metadata.uid === staticUID ? mirror : undefined) });
  const pod: Obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-vm', namespace: 'default', uid: staticUID }, spec: spec([]), status: { phase: 'Pending' } };
  await s.syncer.sync(staticUID, pod);
  assert.equal(s.client.writes().length, 0);
  assert.equal([...s.cri.containers.values()][0].config.labels?.['io.kubernetes.pod.uid'], staticUID, 'the runtime knows the static uid');
  mirror = await s.client.create(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-vm', namespace: 'default', annotations: { 'kubernetes.io/config.mirror': staticUID } }, spec: spec([]) });
  await s.syncer.sync(staticUID, { ...pod, status: mirror!.status ?? {} });
  const m = await s.client.get(PODS, 'default', 'web-vm');
  assert.equal(m.status.phase, 'Running');
  assert.equal(m.status.containerStatuses[0].name, 'c');
  assert.equal(s.cri.sandboxes.size, 1, 'the same pod, not a second one');
});

const node = (allocatable: Obj, extra: Obj = {}): Obj => ({ metadata: { name: 'vm', labels: { 'kubernetes.io/hostname': 'vm', disk: 'ssd' } }, spec: { ...extra }, status: { allocatable } });
const ALLOC = { cpu: '2', memory: '4Gi', pods: '3', 'ephemeral-storage': '10Gi' };
const mk = (name: string, c: Obj = {}, extra: Obj = {}): Obj => ({
  metadata: { name, namespace: 'ns', uid: `uid-${name}` },
  spec: { nodeName: 'vm', containers: [{ name: 'c', image: 'busybox', ...c }], ...extra },
});

test('predicate admission: the pod count comes first (OutOfpods, as the kubelet words it)', () => {
  const others = [mk('a'), mk('b'), mk('c')];
  assert.deepEqual(predicateAdmit(mk('d'), node(ALLOC), others), { reason: 'OutOfpods', message: 'Node didn\'t have enough resource: pods, requested: 1, used: 3, capacity: 3' });
  assert.equal(predicateAdmit(mk('d'), node(ALLOC), others.slice(1)), undefined);
  assert.equal(predicateAdmit(mk('d'), undefined, others), undefined, 'no Node object: admitted');
});

test('predicate admission: requests against allocatable less what admitted pods request', () => {
  const big = mk('big', { resources: { requests: { cpu: '1500m', memory: '1Gi' } } });
  const want = mk('w', { resources: { requests: { cpu: '600m' } } });
  assert.deepEqual(predicateAdmit(want, node(ALLOC), [big]), { reason: 'OutOfcpu', message: 'Node didn\'t have enough resource: cpu, requested: 600, used: 1500, capacity: 2000' });
  const mem = mk('m', { resources: { limits: { memory: '3073Mi' } } }); // requests default to limits
  assert.deepEqual(predicateAdmit(mem, node(ALLOC), [big]), { reason: 'OutOfmemory', message: `Node didn't have enough resource: memory, requested: ${3073 * 1024 ** 2}, used: ${1024 ** 3}, capacity: ${4 * 1024 ** 3}` });
  assert.equal(predicateAdmit(mk('m', { resources: { limits: { memory: '3Gi' } } }), node(ALLOC), [big]), undefined, 'exactly what is left fits');
  const init = mk('i', {}, { initContainers: [{ name: 'i', image: 'busybox', resources: { requests: { 'ephemeral-storage': '11Gi' } } }] });
  assert.equal(predicateAdmit(init, node(ALLOC), [])?.reason, 'OutOfephemeral-storage');
  assert.equal(predicateAdmit(mk('ok', { resources: { requests: { cpu: '500m' } } }), node(ALLOC), [big]), undefined);
  // a vendor resource the node does not list is the cluster's business; hugepages it lacks are not
  assert.equal(predicateAdmit(mk('x', { resources: { requests: { 'example.com/gpu': '1' } } }), node(ALLOC), []), undefined);
  assert.equal(predicateAdmit(mk('h', { resources: { requests: { 'hugepages-2Mi': '2Mi' }, limits: { 'hugepages-2Mi': '2Mi' } } }), node(ALLOC), [])?.reason, 'OutOfhugepages-2Mi');
  // critical pods are not failed for lack of room (upstream evicts others for them)
  const critical = mk('crit', { resources: { requests: { cpu: '3' } } }, { priority: 2_000_001_000 });
  assert.equal(predicateAdmit(critical, node(ALLOC), [mk('a'), mk('b'), mk('c')]), undefined);
});

test('predicate admission: node selector and affinity, host ports, NoExecute taints, OS', () => {
  const n = node(ALLOC, { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }, { key: 'soft', effect: 'NoSchedule' }] });
  const tol = { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute' }] };
  assert.equal(predicateAdmit(mk('p', {}, tol), n, []), undefined);
  assert.deepEqual(predicateAdmit(mk('p', {}, { ...tol, nodeSelector: { disk: 'hdd' } }), n, []), { reason: 'NodeAffinity', message: 'Predicate NodeAffinity failed: node(s) didn\'t match Pod\'s node affinity/selector' });
  const affinity = (op: string, values: string[]): Obj => ({ ...tol, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: op, values }] }] } } } });
  assert.equal(predicateAdmit(mk('p', {}, affinity('In', ['ssd', 'nvme'])), n, []), undefined);
  assert.equal(predicateAdmit(mk('p', {}, affinity('NotIn', ['ssd'])), n, [])?.reason, 'NodeAffinity');
  assert.deepEqual(predicateAdmit(mk('p'), n, []), { reason: 'TaintToleration', message: 'Predicate TaintToleration failed: node(s) had taints that the pod didn\'t tolerate' });
  const staticPod = { ...mk('s'), metadata: { ...mk('s').metadata, annotations: { 'kubernetes.io/config.source': 'file' } } };
  assert.equal(predicateAdmit(staticPod, n, []), undefined, 'static pods are not held to taints');
  const port = (hostPort: number, hostIP?: string): Obj => ({ ports: [{ containerPort: 80, hostPort, ...(hostIP ? { hostIP } : {}) }] });
  assert.deepEqual(predicateAdmit(mk('p', port(8080), tol), n, [mk('q', port(8080))]), { reason: 'NodePorts', message: 'Predicate NodePorts failed: node(s) didn\'t have free ports for the requested pod ports' });
  assert.equal(predicateAdmit(mk('p', port(8080, '127.0.0.1'), tol), n, [mk('q', port(8080, '127.0.0.2'))]), undefined);
  assert.equal(predicateAdmit(mk('p', port(8081), tol), n, [mk('q', port(8080))]), undefined);
  assert.equal(predicateAdmit({ ...mk('w', {}, tol), metadata: { ...mk('w').metadata, labels: { 'kubernetes.io/os': 'windows' } } }, n, [])?.reason, 'PodOSSelectorNodeLabelDoesNotMatch');
  assert.equal(predicateAdmit(mk('w', {}, { ...tol, os: { name: 'windows' } }), n, [])?.message, 'Failed to admit pod as the OS field doesn\'t match node OS');
});

test('a pod beyond the node\'s room is rejected before anything runs: Failed, OutOfpods', async (t) => {
  const others = [mk('a'), mk('b'), mk('c')];
  const s = setup(t, { admit: (p) => predicateAdmit(p, node(ALLOC), others) });
  const pod = await s.client.create(PODS, 'ns', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: spec([]) });
  await s.syncer.sync(pod.metadata.uid, pod);
  const st = (await s.client.get(PODS, 'ns', 'p')).status;
  assert.equal(st.phase, 'Failed');
  assert.equal(st.reason, 'OutOfpods');
  assert.equal(st.message, 'Pod was rejected: Node didn\'t have enough resource: pods, requested: 1, used: 3, capacity: 3');
  assert.equal(s.cri.calls.length, 0, 'no sandbox, no container');
  assert.deepEqual(s.events, ['Warning OutOfpods Node didn\'t have enough resource: pods, requested: 1, used: 3, capacity: 3']);
});

test('the pod cgroup, with the pod\'s limits, exists before its sandbox is created; it goes with the pod', async (t) => {
  let fsRoot = '';
  const s = setup(t, {
    podCgroups: (dataDir) => {
      fsRoot = join(dataDir, 'cgroupfs');
      for (const c of ['cpu', 'memory', 'pids']) mkdirSync(join(fsRoot, c), { recursive: true });
      return new PodCgroups({ fsRoot, cgroupRoot: '/kubepods', resources: { podPidsLimit: 64 }, rmdir: (d) => rmSync(d, { recursive: true }) });
    },
  });
  const run = s.cri.runPodSandbox.bind(s.cri);
  let seenAtSandbox: string | undefined;
  s.cri.runPodSandbox = async (req) => {
    try { seenAtSandbox = readFileSync(join(fsRoot, 'memory', req.config.linux!.cgroupParent!, 'memory.limit_in_bytes'), 'utf8'); } catch { /* not there */ }
    return run(req);
  };
  const podSpec = { ...spec([]), containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '250m', memory: '64Mi' } } }] };
  const pod = await s.client.create(PODS, 'ns', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: podSpec });
  await s.syncer.sync(pod.metadata.uid, pod);
  assert.equal((await s.client.get(PODS, 'ns', 'p')).status.phase, 'Running');
  const dir = `kubepods/pod${pod.metadata.uid}`;
  assert.equal(seenAtSandbox, String(64 * 1024 * 1024));
  assert.equal(readFileSync(join(fsRoot, 'cpu', dir, 'cpu.cfs_quota_us'), 'utf8'), '25000');
  assert.equal(readFileSync(join(fsRoot, 'pids', dir, 'pids.max'), 'utf8'), '64');
  await s.syncer.sync(pod.metadata.uid, undefined);
  assert.equal(existsSync(join(fsRoot, 'cpu', dir)), false);
});
