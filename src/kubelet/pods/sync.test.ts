import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import { FakeClock } from '../../client/clock.js';
import { FakeClient } from '../../client/fake.js';
import type { DeleteOptions, ResourceRef } from '../../client/interface.js';
import { FakeCri } from '../kuberuntime/fakecri.js';
import { RuntimeManager } from '../kuberuntime/manager.js';
import { PODS, PodSyncer } from './sync.js';
import { FakeProbes, literalEnv, PlainVolumes } from './testutil.js';

class RecordingClient extends FakeClient {
  readonly deletes: { name: string; opts?: DeleteOptions }[] = [];
  override async delete(res: ResourceRef, ns: string | undefined, name: string, opts?: DeleteOptions): Promise<Obj> {
    this.deletes.push({ name, opts });
    return super.delete(res, ns, name, opts);
  }
}

function setup(t: TestContext) {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const cri = new FakeCri(clock);
  const client = new RecordingClient();
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelet-sync-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const events: string[] = [];
  const probes = new FakeProbes();
  const volumes = new PlainVolumes(join(dataDir, 'kubelet', 'pods'));
  const event = (_pod: Obj, type: string, reason: string, message: string): void => { events.push(`${type} ${reason} ${message}`); };
  const mkSyncer = () => new PodSyncer({
    client, probes, volumes, event, nodeName: 'vm', hostIPs: () => ['192.0.2.2'], allocatable: () => ({ cpu: '2', memory: '8Gi' }), clock,
    runtime: new RuntimeManager({
      cri, dataDir, env: literalEnv, volumes, probes, event, clusterDomain: 'cluster.local', clusterDNS: ['10.43.0.10'],
      hostResolv: { servers: [], searches: [], options: [] }, memoryCapacity: 8 * 1024 ** 3, limitSwap: false, cgroupRoot: '/skiff-unit-test', clock,
    }),
  });
  const syncer = mkSyncer();
  const create = async (spec: Obj, name = 'p'): Promise<Obj> =>
    client.create(PODS, 'ns', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { nodeName: 'vm', restartPolicy: 'Always', ...spec } });
  const get = (name = 'p'): Promise<Obj> => client.get(PODS, 'ns', name);
  const sync = async (s: PodSyncer = syncer, name = 'p') => { const pod = await get(name); return s.sync(pod.metadata.uid, pod); };
  const statusWrites = () => client.writes().filter((a) => a.subresource === 'status').length;
  return { clock, cri, client, dataDir, events, probes, volumes, syncer, mkSyncer, create, get, sync, statusWrites };
}

test('a pod runs: sandbox, container, Running status with its IP, the kubelet\'s events; no write when nothing changed', async (t) => {
  const s = setup(t);
  await s.create({ containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'A', value: 'b' }] }] });
  const out = await s.sync();
  assert.deepEqual(s.cri.calls.map((c) => c.split(' ')[0]), ['RunPodSandbox', 'CreateContainer', 'StartContainer']);
  const pod = await s.get();
  assert.equal(pod.status.phase, 'Running');
  assert.equal(pod.status.podIP, '10.88.0.2');
  assert.equal(pod.status.hostIP, '192.0.2.2');
  assert.equal(pod.status.qosClass, 'BestEffort');
  assert.equal(pod.status.containerStatuses[0].ready, true);
  assert.match(pod.status.containerStatuses[0].containerID, /^containerd:\/\/[0-9a-f]+$/);
  assert.deepEqual(s.events, [
    'Normal Pulled Container image "busybox" already present on machine',
    'Normal Created Created container: c',
    'Normal Started Started container c',
  ]);
  assert.equal(out.requeueAfterMs, 30_000);
  // what CRI was asked for
  const sb = [...s.cri.sandboxes.values()][0].config;
  assert.equal(sb.hostname, 'p');
  assert.equal(sb.logDirectory, join(s.dataDir, 'logs', 'pods', `ns_p_${pod.metadata.uid}`));
  assert.equal(sb.linux?.cgroupParent, `/skiff-unit-test/besteffort/pod${pod.metadata.uid}`);
  assert.deepEqual(sb.dnsConfig, { servers: ['10.43.0.10'], searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] });
  const c = [...s.cri.containers.values()][0].config;
  assert.deepEqual(c.envs, [{ key: 'A', value: 'b' }]);
  assert.equal(c.logPath, 'c/0.log');
  assert.deepEqual(c.mounts?.map((m) => m.containerPath), ['/etc/hosts', '/dev/termination-log']);
  assert.equal(c.labels?.['io.kubernetes.pod.uid'], pod.metadata.uid);
  assert.equal(c.annotations?.['io.kubernetes.container.restartCount'], '0');

  const writes = s.statusWrites();
  await s.sync();
  assert.equal(s.statusWrites(), writes, 'an unchanged status is not written again');
  assert.equal(s.cri.calls.filter((x) => x.startsWith('StartContainer')).length, 1);
});

test('a crashing container restarts at once, then backs off 10 s (CrashLoopBackOff), then 20 s', async (t) => {
  const s = setup(t);
  await s.create({ containers: [{ name: 'c', image: 'busybox' }] });
  await s.sync();
  s.clock.advance(1000);
  s.cri.exit(s.cri.byName('c')[0].id, 1);
  await s.sync();
  assert.equal(s.cri.byName('c').length, 2, 'restarted without delay the first time');
  let pod = await s.get();
  assert.equal(pod.status.containerStatuses[0].restartCount, 1);
  assert.equal(pod.status.containerStatuses[0].lastState.terminated.exitCode, 1);

  s.clock.advance(1000);
  s.cri.exit(s.cri.byName('c')[0].id, 1);
  const out = await s.sync();
  assert.equal(s.cri.byName('c').length, 2, 'in back-off: not started');
  pod = await s.get();
  const cs = pod.status.containerStatuses[0];
  assert.equal(cs.state.waiting.reason, 'CrashLoopBackOff');
  assert.equal(cs.state.waiting.message, `back-off 10s restarting failed container=c pod=p_ns(${pod.metadata.uid})`);
  assert.equal(cs.lastState.terminated.reason, 'Error');
  assert.ok(s.events.includes(`Warning BackOff Back-off restarting failed container c in pod p_ns(${pod.metadata.uid})`));
  assert.ok(out.requeueAfterMs! > 9_000 && out.requeueAfterMs! <= 10_100, `requeue after the back-off: ${out.requeueAfterMs}`);

  s.clock.advance(10_000);
  await s.sync();
  assert.equal(s.cri.byName('c').length, 2, 'older instances are collected: current and previous are kept');
  assert.equal(s.cri.byName('c')[0].config.metadata.attempt, 2);
  assert.ok((await s.get()).status.containerStatuses[0].state.running);
  s.clock.advance(1000);
  s.cri.exit(s.cri.byName('c')[0].id, 1);
  await s.sync();
  assert.match((await s.get()).status.containerStatuses[0].state.waiting.message, /^back-off 20s /);
});

test('deletion: preStop, StopContainer with the grace period, terminal status, delete with grace 0 and uid, nothing left', async (t) => {
  const s = setup(t);
  await s.create({ terminationGracePeriodSeconds: 5, containers: [{ name: 'c', image: 'busybox', lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo bye'] } } } }] });
  await s.sync();
  const running = await s.get();
  const deleting = { ...running, metadata: { ...running.metadata, deletionTimestamp: '2025-01-01T00:00:05Z', deletionGracePeriodSeconds: 5 } };
  await s.syncer.sync(running.metadata.uid, deleting);
  const cid = s.cri.calls.find((c) => c.startsWith('CreateContainer')) && [...s.cri.calls].find((c) => c.startsWith('StartContainer'))!.split(' ')[1];
  assert.ok(s.cri.calls.includes(`ExecSync ${cid} sh -c echo bye`), 'preStop ran');
  assert.ok(s.cri.calls.includes(`StopContainer ${cid} 5`), 'stopped with the grace period');
  assert.ok(s.events.includes('Normal Killing Stopping container c'));
  assert.deepEqual(s.client.deletes, [{ name: 'p', opts: { gracePeriodSeconds: 0, preconditions: { uid: running.metadata.uid }, signal: undefined } }]);
  assert.equal(s.cri.containers.size, 0);
  assert.equal(s.cri.sandboxes.size, 0);
  assert.equal(existsSync(join(s.dataDir, 'kubelet', 'pods', running.metadata.uid)), false);
  // the terminal status was written before the delete
  const patch = s.client.writes().filter((a) => a.subresource === 'status').pop()!;
  assert.equal(patch.object?.status?.phase, 'Failed');
  assert.equal(patch.object?.status?.containerStatuses[0].state.terminated.exitCode, 137);
});

test('a pod the API no longer has leaves nothing behind', async (t) => {
  const s = setup(t);
  const pod = await s.create({ containers: [{ name: 'c', image: 'busybox' }] });
  await s.sync();
  assert.equal(s.cri.containers.size, 1);
  await s.client.delete(PODS, 'ns', 'p');
  await s.syncer.sync(pod.metadata.uid, undefined);
  assert.equal(s.cri.containers.size, 0);
  assert.equal(s.cri.sandboxes.size, 0);
  assert.ok(s.probes.removed.includes(`pod ${pod.metadata.uid}`));
});

test('run to completion: Succeeded, sandbox stopped, containers kept for their logs', async (t) => {
  const s = setup(t);
  await s.create({ restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] });
  await s.sync();
  s.cri.exit(s.cri.byName('c')[0].id, 0);
  await s.sync();
  const pod = await s.get();
  assert.equal(pod.status.phase, 'Succeeded');
  assert.equal(pod.status.containerStatuses[0].state.terminated.reason, 'Completed');
  assert.equal([...s.cri.sandboxes.values()][0].state, 'SANDBOX_NOTREADY');
  assert.equal(s.cri.containers.size, 1);
  assert.equal(pod.status.podIP, '10.88.0.2', 'a finished pod keeps its IP in status');
  const writes = s.statusWrites();
  await s.sync();
  assert.equal(s.statusWrites(), writes, 'a terminal status is final');
});

test('a missing image: ErrImagePull with the runtime\'s error, then ImagePullBackOff carrying it', async (t) => {
  const s = setup(t);
  s.cri.pullError = 'failed to resolve reference "docker.io/library/nginx:nope"';
  await s.create({ containers: [{ name: 'c', image: 'nginx:nope', imagePullPolicy: 'IfNotPresent' }] });
  await s.sync();
  let w = (await s.get()).status.containerStatuses[0].state.waiting;
  const err = 'rpc error: code = Unknown desc = failed to resolve reference "docker.io/library/nginx:nope"';
  assert.deepEqual(w, { reason: 'ErrImagePull', message: err });
  assert.ok(s.events.includes(`Warning Failed Failed to pull image "nginx:nope": ${err}`));
  assert.ok(s.events.includes('Warning Failed Error: ErrImagePull'));
  s.clock.advance(1000);
  await s.sync();
  w = (await s.get()).status.containerStatuses[0].state.waiting;
  assert.deepEqual(w, { reason: 'ImagePullBackOff', message: `Back-off pulling image "nginx:nope": ErrImagePull: ${err}` });
  assert.ok(s.events.includes('Normal BackOff Back-off pulling image "nginx:nope"'));
  assert.equal(s.cri.calls.filter((c) => c.startsWith('PullImage')).length, 1, 'no pull during the back-off');
  // a second failure doubles the back-off to 20 s; the pod comes back within 10 s and
  // reports ImagePullBackOff meanwhile (not ErrImagePull until the next pull)
  s.clock.advance(10_000);
  await s.sync();
  assert.equal((await s.get()).status.containerStatuses[0].state.waiting.reason, 'ErrImagePull');
  assert.equal(s.cri.calls.filter((c) => c.startsWith('PullImage')).length, 2);
  s.clock.advance(1000);
  const out = await s.sync();
  assert.ok(out.requeueAfterMs! <= 10_100, `requeued within the pod worker's 10 s, not the 20 s back-off: ${out.requeueAfterMs}`);
  s.clock.advance(out.requeueAfterMs!);
  await s.sync();
  assert.equal((await s.get()).status.containerStatuses[0].state.waiting.reason, 'ImagePullBackOff');
  assert.equal(s.cri.calls.filter((c) => c.startsWith('PullImage')).length, 2, 'still in the 20 s back-off');
  delete s.cri.pullError;
  s.clock.advance(10_000);
  await s.sync();
  assert.ok((await s.get()).status.containerStatuses[0].state.running);
});

test('a failed liveness probe kills the container with the kubelet\'s message and starts a new one', async (t) => {
  const s = setup(t);
  await s.create({ containers: [{ name: 'c', image: 'busybox', livenessProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 3 } }] });
  await s.sync();
  const first = s.cri.byName('c')[0].id;
  s.probes.liveness.set('c', 'Container c failed liveness probe, will be restarted');
  await s.sync();
  assert.ok(s.events.includes('Normal Killing Container c failed liveness probe, will be restarted'));
  assert.ok(s.cri.calls.includes(`StopContainer ${first} 3`), 'the probe\'s own grace period');
  const pod = await s.get();
  assert.equal(pod.status.containerStatuses[0].restartCount, 1);
  assert.ok(pod.status.containerStatuses[0].state.running);
  assert.equal(pod.status.containerStatuses[0].lastState.terminated.exitCode, 137);
});

test('readiness from the prober; a restarted kubelet re-adopts running containers without touching them', async (t) => {
  const s = setup(t);
  await s.create({ containers: [{ name: 'c', image: 'busybox' }] });
  s.probes.notReady.add('c');
  await s.sync();
  let pod = await s.get();
  assert.equal(pod.status.containerStatuses[0].ready, false);
  assert.equal(pod.status.conditions.find((c: Obj) => c.type === 'Ready').status, 'False');
  s.probes.notReady.clear();
  await s.sync();
  pod = await s.get();
  assert.equal(pod.status.containerStatuses[0].ready, true);

  const calls = s.cri.calls.length;
  const writes = s.statusWrites();
  const fresh = s.mkSyncer();
  await s.sync(fresh);
  assert.deepEqual(s.cri.calls.slice(calls), [], 'no CRI changes');
  assert.equal(s.statusWrites(), writes, 'the same status');
  assert.ok(s.probes.added.includes(`c/${s.cri.byName('c')[0].id}`), 'the prober knows the adopted container');
});

test('init containers run in order before the containers', async (t) => {
  const s = setup(t);
  await s.create({ initContainers: [{ name: 'i1', image: 'busybox' }, { name: 'i2', image: 'busybox' }], containers: [{ name: 'c', image: 'busybox' }] });
  await s.sync();
  assert.deepEqual(s.cri.calls.filter((c) => c.startsWith('CreateContainer')), ['CreateContainer i1']);
  assert.equal((await s.get()).status.initContainerStatuses[0].state.running !== undefined, true);
  s.cri.exit(s.cri.byName('i1')[0].id, 0);
  await s.sync();
  s.cri.exit(s.cri.byName('i2')[0].id, 0);
  await s.sync();
  assert.deepEqual(s.cri.calls.filter((c) => c.startsWith('CreateContainer')), ['CreateContainer i1', 'CreateContainer i2', 'CreateContainer c']);
  const pod = await s.get();
  assert.deepEqual(pod.status.initContainerStatuses.map((x: Obj) => x.state.terminated?.reason), ['Completed', 'Completed']);
  assert.equal(pod.status.phase, 'Running');
});

test('activeDeadlineSeconds: the pod is stopped and fails with DeadlineExceeded', async (t) => {
  const s = setup(t);
  await s.create({ activeDeadlineSeconds: 30, containers: [{ name: 'c', image: 'busybox' }] });
  const out = await s.sync();
  assert.ok(out.requeueAfterMs! <= 30_000, 'comes back at the deadline');
  s.clock.advance(31_000);
  await s.sync();
  const pod = await s.get();
  assert.equal(pod.status.phase, 'Failed');
  assert.equal(pod.status.reason, 'DeadlineExceeded');
  assert.equal(pod.status.message, 'Pod was active on the node longer than the specified deadline');
  assert.ok(s.events.includes('Normal DeadlineExceeded Pod was active on the node longer than the specified deadline'));
  assert.equal([...s.cri.sandboxes.values()][0].state, 'SANDBOX_NOTREADY');
});
