// The node's admission of new pods (sysctls) and status writes of static pods (to their mirror).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import { FakeClock } from '../../client/clock.js';
import { FakeClient } from '../../client/fake.js';
import { SysctlAllowlist } from '../config/sysctl.js';
import { FakeCri } from '../kuberuntime/fakecri.js';
import { RuntimeManager } from '../kuberuntime/manager.js';
import { PODS, PodSyncer } from './sync.js';
import { FakeProbes, literalEnv, PlainVolumes } from './testutil.js';

function setup(t: TestContext, extra: { mirrorOf?: (pod: Obj) => Obj | null | undefined } = {}) {
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
    admit: (pod) => sysctls.admit(pod), ...extra,
    runtime: new RuntimeManager({
      cri, dataDir, env: literalEnv, volumes, probes, event, clusterDomain: 'cluster.local', clusterDNS: [],
      hostResolv: { servers: [], searches: [], options: [] }, memoryCapacity: 8 * 1024 ** 3, limitSwap: false, cgroupRoot: '/skiff-unit-test', clock,
    }),
  });
  return { cri, client, events, syncer };
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
