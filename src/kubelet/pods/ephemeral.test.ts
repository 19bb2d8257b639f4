// Ephemeral containers (kubectl debug): started once when they appear in the spec, never
// restarted, reported in status.ephemeralContainerStatuses, and with a target they join the
// target container's PID namespace (CRI NamespaceMode TARGET).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import { FakeClock } from '../../client/clock.js';
import { FakeClient } from '../../client/fake.js';
import { FakeCri } from '../kuberuntime/fakecri.js';
import { RuntimeManager } from '../kuberuntime/manager.js';
import { PODS, PodSyncer } from './sync.js';
import { FakeProbes, literalEnv, PlainVolumes } from './testutil.js';

function setup(t: TestContext) {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const cri = new FakeCri(clock);
  const client = new FakeClient();
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelet-ephemeral-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const probes = new FakeProbes();
  const volumes = new PlainVolumes(join(dataDir, 'kubelet', 'pods'));
  const event = (): void => undefined;
  const syncer = new PodSyncer({
    client, probes, volumes, event, nodeName: 'vm', hostIPs: () => ['192.0.2.2'], allocatable: () => ({}), clock,
    runtime: new RuntimeManager({
      cri, dataDir, env: literalEnv, volumes, probes, event, clusterDomain: 'cluster.local', clusterDNS: [],
      hostResolv: { servers: [], searches: [], options: [] }, memoryCapacity: 8 * 1024 ** 3, limitSwap: false, cgroupRoot: '/skiff-unit-test', clock,
    }),
  });
  const get = (): Promise<Obj> => client.get(PODS, 'ns', 'p');
  const sync = async () => { const pod = await get(); return syncer.sync(pod.metadata.uid, pod); };
  const debug = async (ec: Obj) => {
    const pod = await get();
    pod.spec.ephemeralContainers = [...(pod.spec.ephemeralContainers ?? []), { image: 'busybox', stdin: true, tty: true, ...ec }];
    await client.update(PODS, 'ns', pod);
  };
  return { clock, cri, client, get, sync, debug };
}

const spec = (extra: Obj = {}): Obj => ({ nodeName: 'vm', restartPolicy: 'Always', containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }], ...extra });

test('an ephemeral container with a target starts in the target\'s PID namespace and is never restarted', async (t) => {
  const s = setup(t);
  await s.client.create(PODS, 'ns', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: spec() });
  await s.sync();
  const app = s.cri.byName('app')[0];
  assert.equal(app.config.linux?.securityContext?.namespaceOptions?.pid, 'CONTAINER');

  await s.debug({ name: 'debugger-abc', command: ['sh'], targetContainerName: 'app' });
  await s.sync();
  const dbg = s.cri.byName('debugger-abc');
  assert.equal(dbg.length, 1);
  const ns = dbg[0].config.linux?.securityContext?.namespaceOptions;
  assert.equal(ns?.pid, 'TARGET');
  assert.equal(ns?.targetId, app.id);
  assert.equal(ns?.network, 'POD');
  assert.equal(dbg[0].config.stdin, true);
  assert.equal(dbg[0].config.tty, true);
  assert.equal(dbg[0].config.annotations?.['skiff.dev/container-type'], 'ephemeral');

  let st = (await s.get()).status;
  assert.equal(st.phase, 'Running');
  assert.equal(st.ephemeralContainerStatuses.length, 1);
  assert.equal(st.ephemeralContainerStatuses[0].name, 'debugger-abc');
  assert.ok(st.ephemeralContainerStatuses[0].state.running);
  assert.equal(st.ephemeralContainerStatuses[0].ready, false);
  assert.deepEqual(st.containerStatuses.map((c: Obj) => c.name), ['app'], 'ephemeral containers stay out of containerStatuses');

  // the debug session ends: the container stays terminated, the pod keeps running
  s.cri.exit(dbg[0].id, 3);
  s.clock.advance(60_000);
  await s.sync();
  await s.sync();
  assert.equal(s.cri.byName('debugger-abc').length, 1, 'never restarted');
  st = (await s.get()).status;
  assert.equal(st.phase, 'Running');
  assert.equal(st.ephemeralContainerStatuses[0].state.terminated.exitCode, 3);
  assert.equal(st.ephemeralContainerStatuses[0].state.terminated.reason, 'Error');
  assert.equal(st.containerStatuses[0].ready, true, 'the pod stays ready');
});

test('without a target, or in a pod sharing its PID namespace, the namespaces are the pod\'s', async (t) => {
  const s = setup(t);
  await s.client.create(PODS, 'ns', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: spec({ shareProcessNamespace: true }) });
  await s.sync();
  await s.debug({ name: 'd1', command: ['sh'] });
  await s.debug({ name: 'd2', command: ['sh'], targetContainerName: 'app' });
  await s.sync();
  for (const n of ['d1', 'd2']) {
    const ns = s.cri.byName(n)[0].config.linux?.securityContext?.namespaceOptions;
    assert.equal(ns?.pid, 'POD', n);
    assert.ok(!ns?.targetId, n);
  }
  const st = (await s.get()).status;
  assert.deepEqual(st.ephemeralContainerStatuses.map((c: Obj) => c.name), ['d1', 'd2']);
});

test('an ephemeral container whose image cannot be pulled waits with the reason', async (t) => {
  const s = setup(t);
  await s.client.create(PODS, 'ns', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: spec() });
  await s.sync();
  s.cri.pullError = 'registry unreachable';
  await s.debug({ name: 'dbg', image: 'example.invalid/tools:1', command: ['sh'] });
  await s.sync();
  assert.equal(s.cri.byName('dbg').length, 0);
  const st = (await s.get()).status;
  assert.equal(st.ephemeralContainerStatuses[0].state.waiting.reason, 'ErrImagePull');
  assert.equal(st.ephemeralContainerStatuses[0].ready, false);
});

test('a privileged ephemeral container (debug --profile=sysadmin) is created with a privileged sandbox config', async (t) => {
  const s = setup(t);
  await s.client.create(PODS, 'ns', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: spec() });
  await s.sync();
  assert.equal([...s.cri.sandboxes.values()][0].config.linux?.securityContext?.privileged, false);
  await s.debug({ name: 'adm', command: ['sh'], securityContext: { privileged: true } });
  await s.sync();
  const adm = s.cri.byName('adm')[0];
  assert.equal(adm.config.linux?.securityContext?.privileged, true);
  assert.equal(adm.sandboxConfig.linux?.securityContext?.privileged, true, 'containerd refuses a privileged container in an unprivileged sandbox config');
  assert.equal(s.cri.calls.filter((c) => c.startsWith('RunPodSandbox')).length, 1, 'the sandbox stays');
});
