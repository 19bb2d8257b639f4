import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../../api/types.js';
import { containerInfo } from '../kuberuntime/labels.js';
import type { CState, RuntimeContainer, RuntimePodStatus } from '../kuberuntime/status.js';
import { generatePodStatus, type StatusInput, type WaitingReason } from './apistatus.js';

const UID = 'uid-1';
const NOW = new Date('2025-01-01T00:10:00Z');
const T = (s: number) => Date.parse('2025-01-01T00:00:00Z') + s * 1000;

function mkPod(spec: Obj, status: Obj = {}): Obj {
  return { metadata: { name: 'p', namespace: 'ns', uid: UID }, spec: { restartPolicy: 'Always', ...spec }, status };
}

function rc(id: string, name: string, state: CState, o: { exitCode?: number; restart?: number; at?: number; reason?: string; message?: string } = {}): RuntimeContainer {
  const info = containerInfo({ 'io.kubernetes.container.name': name }, { 'io.kubernetes.container.restartCount': String(o.restart ?? 0) });
  const at = o.at ?? 1;
  return {
    id, name, sandboxId: 'sb', state, createdAt: T(at), startedAt: state === 'created' ? undefined : T(at), finishedAt: state === 'exited' ? T(at + 1) : undefined,
    exitCode: o.exitCode ?? 0, reason: o.reason ?? (state === 'exited' ? (o.exitCode ? 'Error' : 'Completed') : ''), message: o.message ?? '',
    image: 'docker.io/library/busybox:latest', imageRef: 'sha256:abc', logPath: '', info,
  };
}

function input(pod: Obj, containers: RuntimeContainer[], o: Partial<StatusInput> = {}): StatusInput {
  const rs: RuntimePodStatus = { uid: UID, sandboxes: [{ id: 'sb', attempt: 0, ready: true, createdAt: T(0), ips: ['10.0.0.5'], hostNetwork: false }], containers: [...containers].sort((a, b) => b.createdAt - a.createdAt) };
  return { pod, rs, reasons: new Map<string, WaitingReason>(), probes: { ready: () => true, started: () => true }, hostIPs: ['192.0.2.2'], podIsTerminal: false, now: NOW, ...o };
}

test('before anything ran: Pending, ContainerCreating, IPs and start time', () => {
  const pod = mkPod({ containers: [{ name: 'b', image: 'busybox' }, { name: 'a', image: 'busybox', volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true }] }] });
  const st = generatePodStatus(input(pod, []));
  assert.equal(st.phase, 'Pending');
  assert.deepEqual(st.containerStatuses.map((s: Obj) => s.name), ['a', 'b'], 'sorted by name as the kubelet sorts them');
  assert.deepEqual(st.containerStatuses[0], {
    name: 'a', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: 'busybox', imageID: '', started: false,
    volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true, recursiveReadOnly: 'Disabled' }],
  });
  assert.equal(st.podIP, '10.0.0.5');
  assert.deepEqual(st.podIPs, [{ ip: '10.0.0.5' }]);
  assert.equal(st.hostIP, '192.0.2.2');
  assert.equal(st.startTime, '2025-01-01T00:10:00Z');
  assert.equal(st.qosClass, 'BestEffort');
  assert.equal(st.conditions.find((c: Obj) => c.type === 'PodReadyToStartContainers').status, 'True');
});

test('running, ready from the probes, container IDs as containerd://', () => {
  const pod = mkPod({ containers: [{ name: 'a', image: 'busybox' }] });
  let ready = false;
  const i = input(pod, [rc('c1', 'a', 'running')], { probes: { ready: () => ready, started: () => true } });
  let st = generatePodStatus(i);
  assert.equal(st.phase, 'Running');
  const cs = st.containerStatuses[0];
  assert.deepEqual(cs.state, { running: { startedAt: '2025-01-01T00:00:01Z' } });
  assert.equal(cs.containerID, 'containerd://c1');
  assert.equal(cs.image, 'docker.io/library/busybox:latest');
  assert.equal(cs.imageID, 'sha256:abc');
  assert.equal(cs.ready, false);
  assert.equal(cs.started, true);
  assert.equal(st.conditions.find((c: Obj) => c.type === 'Ready').status, 'False');
  ready = true;
  st = generatePodStatus(i);
  assert.equal(st.containerStatuses[0].ready, true);
  assert.equal(st.conditions.find((c: Obj) => c.type === 'Ready').status, 'True');
});

test('a crash loop: waiting CrashLoopBackOff with the last termination, restart count from the runtime', () => {
  const pod = mkPod({ containers: [{ name: 'a', image: 'busybox' }] });
  const reasons = new Map([['a', { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=a pod=p_ns(uid-1)' }]]);
  const st = generatePodStatus(input(pod, [rc('c1', 'a', 'exited', { exitCode: 1, restart: 0, at: 1 }), rc('c2', 'a', 'exited', { exitCode: 1, restart: 1, at: 5 })], { reasons }));
  const cs = st.containerStatuses[0];
  assert.deepEqual(cs.state, { waiting: reasons.get('a') });
  assert.deepEqual(cs.lastState, { terminated: { exitCode: 1, reason: 'Error', startedAt: '2025-01-01T00:00:05Z', finishedAt: '2025-01-01T00:00:06Z', containerID: 'containerd://c2' } });
  assert.equal(cs.restartCount, 1);
  assert.equal(cs.containerID, 'containerd://c2');
  assert.equal(st.phase, 'Running', 'restartPolicy Always keeps the pod Running');
  // without a recorded reason the exited container shows as terminated (it restarts right away)
  const plain = generatePodStatus(input(pod, [rc('c1', 'a', 'exited', { exitCode: 1 }), rc('c2', 'a', 'running', { restart: 1, at: 5 })]));
  assert.ok(plain.containerStatuses[0].state.running);
  assert.equal(plain.containerStatuses[0].lastState.terminated.containerID, 'containerd://c1');
});

test('run to completion: Never → Failed with exit code and reason; OOMKilled passes through', () => {
  const pod = mkPod({ restartPolicy: 'Never', containers: [{ name: 'a', image: 'busybox' }] });
  const st = generatePodStatus(input(pod, [rc('c1', 'a', 'exited', { exitCode: 3 })]));
  assert.equal(st.phase, 'Failed');
  assert.equal(st.containerStatuses[0].state.terminated.exitCode, 3);
  assert.equal(st.containerStatuses[0].state.terminated.reason, 'Error');
  const oom = generatePodStatus(input(mkPod({ containers: [{ name: 'a' }] }), [rc('c1', 'a', 'exited', { exitCode: 137, reason: 'OOMKilled' })]));
  assert.equal(oom.containerStatuses[0].state.terminated.reason, 'OOMKilled');
  const ok = generatePodStatus(input(mkPod({ restartPolicy: 'OnFailure', containers: [{ name: 'a' }] }), [rc('c1', 'a', 'exited', { message: 'bye' })]));
  assert.equal(ok.phase, 'Succeeded');
  assert.equal(ok.containerStatuses[0].state.terminated.message, 'bye');
});

test('init containers: Init:N/M material, PodInitializing, ready when completed', () => {
  const pod = mkPod({ initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] });
  let st = generatePodStatus(input(pod, [rc('x1', 'i1', 'exited'), rc('x2', 'i2', 'running', { at: 3 })]));
  assert.equal(st.phase, 'Pending');
  assert.deepEqual(st.initContainerStatuses.map((s: Obj) => s.name), ['i1', 'i2'], 'in spec order');
  assert.equal(st.initContainerStatuses[0].ready, true);
  assert.equal(st.initContainerStatuses[0].state.terminated.reason, 'Completed');
  assert.equal(st.initContainerStatuses[1].ready, false);
  assert.deepEqual(st.containerStatuses[0].state, { waiting: { reason: 'PodInitializing' } });
  assert.equal(st.conditions.find((c: Obj) => c.type === 'Initialized').status, 'False');
  // a failing init container in back-off
  const reasons = new Map([['i1', { reason: 'CrashLoopBackOff', message: 'back-off 10s ...' }]]);
  st = generatePodStatus(input(pod, [rc('x1', 'i1', 'exited', { exitCode: 1 })], { reasons }));
  assert.equal(st.initContainerStatuses[0].state.waiting.reason, 'CrashLoopBackOff');
  assert.equal(st.initContainerStatuses[0].lastState.terminated.exitCode, 1);
  assert.equal(st.phase, 'Pending');
});

test('a pod stopped for deletion is terminal; containers that never ran do not count as run', () => {
  const pod = mkPod({ containers: [{ name: 'a' }, { name: 'b' }] }, { phase: 'Running', containerStatuses: [{ name: 'b', state: { running: {} }, restartCount: 0 }] });
  const st = generatePodStatus(input(pod, [rc('c1', 'a', 'exited', { exitCode: 143 })], { podIsTerminal: true }));
  assert.equal(st.phase, 'Failed');
  assert.equal(st.containerStatuses[0].state.terminated.exitCode, 143);
  // b has no runtime record any more: the pod initialized, so it is reported failed, not succeeded
  assert.deepEqual(st.containerStatuses[1].state, { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated' } });
  // a terminal phase never goes back
  const again = generatePodStatus(input({ ...pod, status: st }, [rc('c1', 'a', 'running')]));
  assert.equal(again.phase, 'Failed');
});
